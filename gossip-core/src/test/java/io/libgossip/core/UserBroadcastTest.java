package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.GossipMessage.Gossip;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** User broadcasts: delivery once, dedup, supersede, fairness, limits, large bodies. */
class UserBroadcastTest {
  static final long MS = TestCluster.MS;
  static final long SEC = TestCluster.SEC;
  static final WireVersions V4 = new WireVersions(2, BinarySerializer.USER_VERSION);
  static final NodeAddress X_ADDR = new NodeAddress("10.0.9.9", 7946);

  /** Records every broadcast each node delivers. */
  static final class Deliveries {
    final Map<Integer, List<UserBroadcast>> byNode = new HashMap<>();

    MessageHandler handler(int node) {
      List<UserBroadcast> got = byNode.computeIfAbsent(node, k -> new ArrayList<>());
      return new MessageHandler() {
        @Override
        public void onBroadcast(UserBroadcast b) {
          got.add(b);
        }
      };
    }

    List<UserBroadcast> of(int node) {
      return byNode.getOrDefault(node, List.of());
    }
  }

  static TestCluster cluster(int n, GossipConfig config, long seed, Deliveries d) {
    TestCluster c = new TestCluster(0, config, seed);
    c.handlers = d::handler;
    c.senderVersions = V4;
    for (int i = 0; i < n; i++) {
      c.addInstance(TestCluster.id(i), TestCluster.addr(i));
    }
    c.joinAll();
    c.runFor(10 * SEC);
    return c;
  }

  static GossipConfig v4() {
    return GossipConfig.lan().toBuilder().wireVersions(V4).build();
  }

  // ------------------------------------------------------------------ cluster properties

  @Test
  void everyOtherLiveNodeDeliversOnceAtFivePercentLoss() {
    Deliveries d = new Deliveries();
    TestCluster c = cluster(30, v4(), 1, d);
    c.loss = 0.05;
    long seq = c.core(3).broadcast("config", new byte[] {1, 2, 3}, null, c.now);
    assertThat(seq).isEqualTo(1);
    c.runFor(10 * SEC);
    for (int i = 0; i < 30; i++) {
      if (i == 3) {
        assertThat(d.of(i)).as("the origin never delivers its own").isEmpty();
      } else {
        assertThat(d.of(i)).as("node %d", i).hasSize(1);
        UserBroadcast b = d.of(i).get(0);
        assertThat(b.origin()).isEqualTo("n3");
        assertThat(b.seq()).isEqualTo(1);
        assertThat(b.topic()).isEqualTo("config");
        assertThat(b.payload()).containsExactly(1, 2, 3);
      }
    }
  }

  @Test
  void largePayloadIsPulledOverTheReliablePathDespiteLoss() {
    Deliveries d = new Deliveries();
    TestCluster c = cluster(12, v4(), 11, d);
    c.loss = 0.2;
    byte[] big = new byte[200_000];
    new SplittableRandom(1).nextBytes(big);
    c.core(0).broadcast("blob", big, null, c.now);
    c.runFor(20 * SEC);
    for (int i = 1; i < 12; i++) {
      assertThat(d.of(i)).as("node %d", i).hasSize(1);
      assertThat(Arrays.equals(d.of(i).get(0).payload(), big)).isTrue();
    }
    assertThat(c.core(0).userBroadcasts.heldBytes()).isEqualTo(big.length);
    c.runFor(70 * SEC);
    assertThat(c.core(0).userBroadcasts.heldBytes()).as("held for a minute only").isZero();
  }

  @Test
  void pullFallsBackToTheOriginWhenTheAnnouncerDoesNotAnswer() {
    Deliveries d = new Deliveries();
    TestCluster c = cluster(3, v4(), 5, d);
    GossipCore receiver = c.core(2);
    BroadcastItem announced = new BroadcastItem("n0", 9, 1, "t", null, 5000, new byte[0]);
    // heard from n1, which never had it: n1 answers missing, so n2 asks the origin next
    receiver.handleMessage(
        new Gossip("n1", TestCluster.addr(1), List.of(), List.of(announced)), V4, c.now);
    assertThat(receiver.userBroadcasts.pulling()).isEqualTo(1);
    c.runFor(5 * SEC);
    // the origin n0 does not hold it either (it never broadcast it): the pull is given up
    assertThat(receiver.userBroadcasts.pulling()).isZero();
    assertThat(receiver.drops(DropReason.BROADCAST_PULL_FAILED)).isEqualTo(1);
    assertThat(d.of(2)).isEmpty();
  }

  @Test
  void supersededBroadcastIsNeverDeliveredAfterTheNewer() {
    Deliveries d = new Deliveries();
    TestCluster c = cluster(20, v4(), 3, d);
    c.loss = 0.05;
    c.core(0).broadcast("flag", new byte[] {1}, "k", c.now);
    c.runFor(5 * MS);
    c.core(0).broadcast("flag", new byte[] {2}, "k", c.now);
    c.runFor(10 * SEC);
    int newer = 0;
    for (int i = 1; i < 20; i++) {
      List<UserBroadcast> got = d.of(i);
      assertThat(got).as("node %d", i).isNotEmpty();
      int at = -1;
      for (int k = 0; k < got.size(); k++) {
        if (got.get(k).seq() == 2) {
          at = k;
        }
      }
      if (at >= 0) {
        newer++;
        assertThat(got.size() - 1).as("node %d: nothing after the newer", i).isEqualTo(at);
        assertThat(got.stream().filter(b -> b.seq() == 2)).hasSize(1);
      }
    }
    // each node misses a broadcast with probability about e^-(retransmit limit), 8 here
    assertThat(newer).isGreaterThanOrEqualTo(18);
  }

  @Test
  void newerKeyedBroadcastReplacesTheQueuedOlder() {
    Deliveries d = new Deliveries();
    TestCluster c = cluster(4, v4(), 3, d);
    GossipCore o = c.core(0);
    o.broadcast("flag", new byte[] {1}, "k", c.now);
    o.broadcast("flag", new byte[] {2}, "k", c.now);
    o.broadcast("flag", new byte[] {3}, "other", c.now);
    assertThat(o.userBroadcasts.queue().size()).isEqualTo(2);
    c.runFor(5 * SEC);
    for (int i = 1; i < 4; i++) {
      assertThat(d.of(i)).extracting(UserBroadcast::seq).containsExactlyInAnyOrder(2L, 3L);
    }
  }

  @Test
  void peersBelowVersionFourGetNoUserData() {
    Deliveries d = new Deliveries();
    TestCluster c = new TestCluster(0, v4(), 1);
    c.handlers = d::handler;
    c.senderVersions = new WireVersions(2, 3);
    for (int i = 0; i < 5; i++) {
      c.addInstance(TestCluster.id(i), TestCluster.addr(i));
    }
    c.joinAll();
    c.runFor(5 * SEC);
    c.recordSends = true;
    c.core(0).broadcast("t", new byte[] {1}, null, c.now);
    c.runFor(5 * SEC);
    assertThat(c.sends).allSatisfy(s -> assertThat(s.message().broadcasts()).isEmpty());
    assertThat(d.byNode.values()).allSatisfy(l -> assertThat(l).isEmpty());
  }

  // ------------------------------------------------------------------ dedup

  static GossipCore single(Deliveries d) {
    GossipCore core =
        GossipCore.builder()
            .id("n0")
            .address(TestCluster.addr(0))
            .config(v4())
            .random(new SplittableRandom(1))
            .outbox((m, t, del) -> {})
            .messageHandler(d.handler(0))
            .build();
    core.tick(0);
    return core;
  }

  static Gossip carrying(BroadcastItem... items) {
    return new Gossip("x", X_ADDR, List.of(), List.of(items));
  }

  static BroadcastItem item(long life, long seq) {
    return new BroadcastItem("x", life, seq, "t", null, 1, new byte[] {(byte) seq});
  }

  @Test
  void duplicatesAcrossPacketsAreDeliveredOnce() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    core.handleMessage(carrying(item(1, 1), item(1, 1)), V4, 1);
    core.handleMessage(carrying(item(1, 1)), V4, 2);
    core.handleMessage(
        new GossipMessage.Ping("x", X_ADDR, 5, "n0", List.of(), List.of(item(1, 1))), V4, 3);
    assertThat(d.of(0)).hasSize(1);
    assertThat(core.broadcastsDelivered()).isEqualTo(1);
  }

  @Test
  void restartedOriginIsDeliveredAgainFromSeqOneButNotItsOldLife() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    core.handleMessage(carrying(item(100, 1), item(100, 2)), V4, 1);
    core.handleMessage(carrying(item(250, 1)), V4, 2); // a new life
    core.handleMessage(carrying(item(100, 2), item(250, 1)), V4, 3); // both seen
    assertThat(d.of(0)).hasSize(3);
  }

  @Test
  void olderThanTheWindowIsNotDeliveredAndCounted() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    core.handleMessage(carrying(item(1, 5000)), V4, 1);
    core.handleMessage(carrying(item(1, 5000 - DeliveryLog.WINDOW)), V4, 2);
    core.handleMessage(carrying(item(1, 5001 - DeliveryLog.WINDOW)), V4, 3);
    assertThat(d.of(0)).extracting(UserBroadcast::seq).containsExactly(5000L, 5001L - 1024);
    assertThat(core.drops(DropReason.BROADCAST_OUTSIDE_WINDOW)).isEqualTo(1);
  }

  @Test
  void keyedOlderAfterNewerIsSupersededAndCounted() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    BroadcastItem older = new BroadcastItem("x", 1, 1, "t", "k", 1, new byte[] {1});
    BroadcastItem newer = new BroadcastItem("x", 1, 2, "t", "k", 1, new byte[] {2});
    core.handleMessage(carrying(newer), V4, 1);
    core.handleMessage(carrying(older), V4, 2);
    assertThat(d.of(0)).extracting(UserBroadcast::seq).containsExactly(2L);
    assertThat(core.drops(DropReason.BROADCAST_SUPERSEDED)).isEqualTo(1);
  }

  @Test
  void ownBroadcastsComingBackAreNotDelivered() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    core.handleMessage(carrying(new BroadcastItem("n0", 1, 1, "t", null, 0, new byte[0])), V4, 1);
    assertThat(d.of(0)).isEmpty();
  }

  @Test
  void dedupMemoryIsBounded() {
    DeliveryLog log = new DeliveryLog(8);
    for (int o = 0; o < 100; o++) {
      for (int life = 0; life < 10; life++) {
        for (long seq = 1; seq <= 3000; seq += 7) {
          log.record(
              new BroadcastItem("o" + o, life, seq, "t", "k" + (seq % 50), 0, new byte[0]), o);
        }
      }
    }
    assertThat(log.origins()).isEqualTo(8);
    assertThat(log.lives()).isEqualTo(8 * DeliveryLog.LIVES);
    log.forget(id -> id.equals("o99"), 1000);
    assertThat(log.origins()).isEqualTo(1);
  }

  @Test
  void departedOriginsAreForgotten() {
    Deliveries d = new Deliveries();
    GossipCore core = single(d);
    core.handleMessage(carrying(item(1, 1)), V4, 1);
    assertThat(core.userBroadcasts.log().origins()).isEqualTo(1);
    core.tick(2 * UserBroadcasts.FORGET_NANOS);
    assertThat(core.userBroadcasts.log().origins()).as("x is no member").isZero();
  }

  // ------------------------------------------------------------------ fairness and retransmits

  /** A cluster of two whose node 0 knows node 1 reads version 4. */
  static TestCluster pair() {
    TestCluster c = cluster(2, v4(), 2, new Deliveries());
    assertThat(c.core(0).wireVersionsOf("n1")).contains(V4);
    return c;
  }

  static Member peer(GossipCore core) {
    return core.table.get("n1");
  }

  static int claimBytes(GossipMessage m) {
    return m.updates().stream().mapToInt(MemberUpdate::wireSize).sum();
  }

  static int userBytes(GossipMessage m) {
    return m.broadcasts().stream().mapToInt(WireSizes::broadcastItemSize).sum();
  }

  static void floodClaims(GossipCore core, int n) {
    for (int i = 0; i < n; i++) {
      core.broadcasts.add(
          new MemberUpdate(
              "flood-" + i,
              new NodeAddress("10.1." + (i / 250) + "." + (i % 250), 7946),
              NodeStatus.SUSPECT,
              1,
              Map.of(),
              0,
              0,
              "n0"));
    }
  }

  @Test
  void userBroadcastsGetTheirShareUnderAClaimFlood() {
    TestCluster c = pair();
    GossipCore o = c.core(0);
    floodClaims(o, 2000);
    for (int i = 0; i < 50; i++) {
      o.broadcast("t", new byte[100], null, c.now);
    }
    Member p = peer(o);
    GossipMessage m =
        o.disseminator.pack(
            new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
    int budget = o.config().maxPacketSize() - 60;
    assertThat(userBytes(m)).isGreaterThanOrEqualTo(budget / 2 - 150);
    assertThat(claimBytes(m)).isGreaterThanOrEqualTo(budget / 2 - 150);
    assertThat(BinarySerializer.forConfig(o.config()).encodedSize(m, 4))
        .isLessThanOrEqualTo(o.config().maxPacketSize());
  }

  @Test
  void claimsGetTheirShareUnderAUserFlood() {
    TestCluster c = pair();
    GossipCore o = c.core(0);
    for (int i = 0; i < 2000; i++) {
      o.broadcast("t", new byte[40], null, c.now);
    }
    floodClaims(o, 20);
    Member p = peer(o);
    GossipMessage m =
        o.disseminator.pack(
            new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
    assertThat(m.updates()).hasSize(20); // all claims fit in their half
    assertThat(userBytes(m)).isGreaterThan(0);
  }

  @Test
  void unusedShareGoesToTheOtherClass() {
    TestCluster c = pair();
    GossipCore o = c.core(0);
    for (int i = 0; i < 200; i++) {
      o.broadcast("t", new byte[40], null, c.now);
    }
    Member p = peer(o);
    GossipMessage m =
        o.disseminator.pack(
            new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
    assertThat(m.updates()).isEmpty();
    assertThat(userBytes(m)).isGreaterThan(o.config().maxPacketSize() * 3 / 4);
  }

  /**
   * The whole item is sent the retransmit limit's number of times; then (decision 047) its
   * announcement, for repair, half as many times more; then it is gone.
   */
  @Test
  void eachItemRetiresAtTheRetransmitLimit() {
    TestCluster c = pair();
    GossipCore o = c.core(0);
    o.broadcast("t", new byte[] {1}, null, c.now);
    Member p = peer(o);
    int limit = ProtocolMath.retransmitLimit(o.config().retransmitMult(), o.table.liveCount());
    int repairs = (limit * UserBroadcasts.REPAIR_PERCENT + 99) / 100;
    int whole = 0;
    int announced = 0;
    while (o.userBroadcasts.queue().size() > 0) {
      GossipMessage m =
          o.disseminator.pack(
              new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
      for (BroadcastItem b : m.broadcasts()) {
        if (b.announced()) {
          assertThat(whole).as("repair only after the whole sends").isEqualTo(limit);
          announced++;
        } else {
          whole++;
        }
      }
      assertThat(whole).isLessThanOrEqualTo(limit);
      assertThat(announced).isLessThanOrEqualTo(repairs);
    }
    assertThat(whole).isEqualTo(limit);
    assertThat(announced).isEqualTo(repairs);
  }

  // ------------------------------------------------------------------ errors

  @Test
  void badTopicsKeysAndSizesAreRefusedClearly() {
    GossipCore core = single(new Deliveries());
    assertThatThrownBy(() -> core.broadcast("", new byte[1], null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic must not be empty");
    assertThatThrownBy(() -> core.broadcast("x".repeat(65), new byte[1], null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic must be at most 64 bytes");
    assertThatThrownBy(() -> core.broadcast("a\nb", new byte[1], null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic must not contain U+000A");
    assertThatThrownBy(() -> core.broadcast("t", new byte[1], "", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must not be empty");
    int max = core.config().maxBroadcastBytes();
    assertThatThrownBy(() -> core.broadcast("t", new byte[max + 1], null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the largest broadcast")
        .hasMessageContaining("maxBroadcastBytes");
  }

  @Test
  void broadcastBeforeStartOrAfterLeaveIsAnIllegalState() {
    GossipCore fresh =
        GossipCore.builder()
            .id("n0")
            .address(TestCluster.addr(0))
            .random(new SplittableRandom(1))
            .outbox((m, t, del) -> {})
            .build();
    assertThatThrownBy(() -> fresh.broadcast("t", new byte[1], null, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has not started");
    fresh.tick(0);
    fresh.leave(1);
    assertThatThrownBy(() -> fresh.broadcast("t", new byte[1], null, 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has left");
  }

  @Test
  void configKnobsAreValidated() {
    assertThatThrownBy(() -> GossipConfig.lan().toBuilder().broadcastPacketShare(95).build())
        .hasMessageContaining("broadcastPacketShare must be in [10, 90], got 95");
    assertThatThrownBy(() -> GossipConfig.lan().toBuilder().maxBroadcastBytes(-1).build())
        .hasMessageContaining("maxBroadcastBytes must be in [0, 1073741824], got -1");
    assertThatThrownBy(
            () ->
                GossipConfig.lan().toBuilder()
                    .maxBroadcastBytes(1000)
                    .maxHeldBroadcastBytes(999)
                    .build())
        .hasMessageContaining("maxHeldBroadcastBytes must be in [maxBroadcastBytes = 1000");
  }
}
