package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.BroadcastPull;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.UserBroadcastTest.Deliveries;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Repair of user broadcasts (decision 047): a retired whole broadcast is announced a while longer,
 * a node that missed it pulls the body, and the rules around that (at most once, verified members
 * only, bounded replies to the unverified, bounded store, superseded bodies not served).
 */
class BroadcastRepairTest {
  static final long SEC = TestCluster.SEC;

  /**
   * Packs gossip from {@code o} to its peer n1 until {@code o}'s user queue holds no whole item.
   */
  static GossipMessage drainWholeSends(GossipCore o) {
    Member p = o.table.get("n1");
    for (int i = 0; i < 10_000; i++) {
      GossipMessage m =
          o.disseminator.pack(
              new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
      if (!m.broadcasts().isEmpty() && m.broadcasts().stream().allMatch(BroadcastItem::announced)) {
        return m; // the first packet of repair announcements only
      }
    }
    throw new AssertionError("no repair announcement after 10,000 packets");
  }

  static List<TestCluster.Sent> pullsTo(TestCluster c, NodeAddress to) {
    return c.sends.stream()
        .filter(s -> s.message() instanceof BroadcastPull && s.target().address().equals(to))
        .toList();
  }

  @Test
  void nodeThatMissedEveryCopyPullsTheBodyAndDeliversItOnce() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(3, UserBroadcastTest.v4(), 4, d);
    GossipCore o = c.core(0);
    GossipCore missed = c.core(2);
    assertThat(missed.table.get("n0").verified).isTrue();
    long seq = o.broadcast("cfg", new byte[] {7, 8, 9}, null, c.now);
    GossipMessage repair = drainWholeSends(o); // none of these packets was sent
    assertThat(o.userBroadcasts.holds("n0", repair.broadcasts().get(0).life(), seq)).isTrue();
    missed.handleMessage(repair, UserBroadcastTest.V4, c.now);
    assertThat(missed.userBroadcasts.pulling()).isEqualTo(1);
    c.runFor(3 * SEC);
    assertThat(d.of(2)).hasSize(1);
    assertThat(d.of(2).get(0).payload()).containsExactly(7, 8, 9);
    assertThat(missed.broadcastsRepaired()).isEqualTo(1);
    // the whole copy, late, and the announcement again: never a second delivery
    BroadcastItem whole = repair.broadcasts().get(0).withBody(new byte[] {7, 8, 9});
    missed.handleMessage(
        new Gossip("n0", o.self().address(), List.of(), List.of(whole)),
        UserBroadcastTest.V4,
        c.now);
    missed.handleMessage(repair, UserBroadcastTest.V4, c.now);
    c.runFor(3 * SEC);
    assertThat(d.of(2)).hasSize(1);
    assertThat(missed.userBroadcasts.pulling()).isZero();
  }

  @Test
  void everyNodeGetsEveryBroadcastAtTwentyPercentLossWithoutDuplicates() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(30, UserBroadcastTest.v4(), 7, d);
    c.loss = 0.2;
    for (int i = 0; i < 20; i++) {
      c.core(i).broadcast("t", new byte[] {(byte) i}, null, c.now);
      c.runFor(200 * TestCluster.MS);
    }
    c.runFor(20 * SEC);
    long repaired = 0;
    for (int i = 0; i < 30; i++) {
      assertThat(d.of(i)).as("node %d", i).hasSize(i < 20 ? 19 : 20);
      assertThat(d.of(i).stream().map(b -> b.origin() + b.seq()).distinct().count())
          .isEqualTo(d.of(i).size());
      repaired += c.core(i).broadcastsRepaired();
    }
    assertThat(repaired).as("repairs happened at 20%% loss").isPositive();
  }

  @Test
  void supersededBodyIsNotServedAndNotDelivered() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(3, UserBroadcastTest.v4(), 5, d);
    GossipCore o = c.core(0);
    o.broadcast("flag", new byte[] {1}, "k", c.now);
    GossipMessage oldRepair = drainWholeSends(o);
    BroadcastItem old = oldRepair.broadcasts().get(0);
    assertThat(o.userBroadcasts.holds("n0", old.life(), 1)).isTrue();
    o.broadcast("flag", new byte[] {2}, "k", c.now);
    assertThat(o.userBroadcasts.holds("n0", old.life(), 1)).as("superseded: forgotten").isFalse();
    // n2 hears the old announcement before the newer broadcast: it cannot get the old body
    c.core(2).handleMessage(oldRepair, UserBroadcastTest.V4, c.now);
    c.runFor(10 * SEC);
    assertThat(d.of(2)).extracting(UserBroadcast::seq).containsExactly(2L);
    assertThat(d.of(1)).extracting(UserBroadcast::seq).doesNotContain(1L);
  }

  @Test
  void deliveringTheNewerForgetsTheHeldOlderBody() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(3, UserBroadcastTest.v4(), 6, d);
    GossipCore o = c.core(0);
    o.broadcast("flag", new byte[] {1}, "k", c.now);
    c.runFor(10 * SEC); // spread and retired everywhere: n1 holds it for repair
    assertThat(c.core(1).userBroadcasts.heldCount()).isEqualTo(1);
    o.broadcast("flag", new byte[] {2}, "k", c.now);
    c.runFor(200 * TestCluster.MS);
    assertThat(d.of(1)).extracting(UserBroadcast::seq).containsExactly(1L, 2L);
    assertThat(c.core(1).userBroadcasts.heldCount()).as("only the newer").isLessThanOrEqualTo(1);
    long life = java.util.Objects.requireNonNull(o.userBroadcasts.life());
    assertThat(c.core(1).userBroadcasts.holds("n0", life, 1)).isFalse();
  }

  @Test
  void pullsGoOnlyToVerifiedMembers() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(3, UserBroadcastTest.v4(), 8, d);
    c.recordSends = true;
    GossipCore receiver = c.core(2);
    BroadcastItem announced = new BroadcastItem("n0", 9, 1, "t", null, 3, new byte[0]);
    receiver.handleMessage(
        new Gossip("x", UserBroadcastTest.X_ADDR, List.of(), List.of(announced)),
        UserBroadcastTest.V4,
        c.now);
    c.runFor(6 * SEC);
    assertThat(pullsTo(c, UserBroadcastTest.X_ADDR)).as("x is unverified").isEmpty();
    assertThat(pullsTo(c, TestCluster.addr(0))).as("the origin, verified").isNotEmpty();
  }

  @Test
  void unverifiedAskerGetsNoMoreThanTwiceItsRequest() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(3, UserBroadcastTest.v4(), 9, d);
    GossipCore o = c.core(0);
    long seq = o.broadcast("big", new byte[400], null, c.now);
    BroadcastItem a = drainWholeSends(o).broadcasts().get(0);
    c.recordSends = true;
    BroadcastPull ask =
        new BroadcastPull(
            "x",
            UserBroadcastTest.X_ADDR,
            false,
            false,
            "n0",
            a.life(),
            seq,
            BroadcastItem.EMPTY,
            List.of());
    o.handleMessage(ask, UserBroadcastTest.V4, c.now);
    List<TestCluster.Sent> toX =
        c.sends.stream()
            .filter(s -> s.target().address().equals(UserBroadcastTest.X_ADDR))
            .toList();
    assertThat(toX).hasSize(1);
    BroadcastPull reply = (BroadcastPull) toX.get(0).message();
    assertThat(reply.missing()).isTrue();
    assertThat(o.drops(DropReason.BROADCAST_PULL_REFUSED)).isEqualTo(1);
    // the same request from a verified member gets the body
    o.handleMessage(
        new BroadcastPull(
            "n2",
            TestCluster.addr(2),
            false,
            false,
            "n0",
            a.life(),
            seq,
            BroadcastItem.EMPTY,
            List.of()),
        UserBroadcastTest.V4,
        c.now);
    BroadcastPull toN2 =
        (BroadcastPull)
            c.sends.stream()
                .filter(
                    s ->
                        s.target().address().equals(TestCluster.addr(2))
                            && s.message() instanceof BroadcastPull)
                .findFirst()
                .orElseThrow()
                .message();
    assertThat(toN2.missing()).isFalse();
    assertThat(toN2.body()).hasSize(400);
  }

  @Test
  void heldBodiesAreBoundedByCountBytesAndAge() {
    Deliveries d = new Deliveries();
    TestCluster c = UserBroadcastTest.cluster(2, UserBroadcastTest.v4(), 10, d);
    GossipCore o = c.core(0);
    Member p = o.table.get("n1");
    for (int batch = 0; batch < 45; batch++) {
      for (int i = 0; i < 100; i++) {
        o.broadcast("t", new byte[] {(byte) i}, null, c.now);
      }
      while (o.userBroadcasts.queue().size() > 0) {
        o.disseminator.pack(
            new Gossip("n0", o.self().address(), List.of()), p, p.view(), List.of());
      }
      assertThat(o.userBroadcasts.heldCount()).isLessThanOrEqualTo(UserBroadcasts.MAX_HELD);
    }
    assertThat(o.userBroadcasts.heldCount()).isEqualTo(UserBroadcasts.MAX_HELD);
    assertThat(o.userBroadcasts.heldBytes()).isEqualTo(UserBroadcasts.MAX_HELD);
    c.runFor(61 * SEC);
    assertThat(o.userBroadcasts.heldCount()).as("held for a minute only").isZero();
    assertThat(o.userBroadcasts.heldBytes()).isZero();

    GossipCore small =
        GossipCore.builder()
            .id("n0")
            .address(TestCluster.addr(0))
            .config(
                UserBroadcastTest.v4().toBuilder()
                    .maxBroadcastBytes(100)
                    .maxHeldBroadcastBytes(1000)
                    .build())
            .random(new java.util.SplittableRandom(1))
            .outbox((m, t, del) -> {})
            .build();
    small.tick(0);
    UserBroadcasts u = small.userBroadcasts;
    for (int i = 0; i < 30; i++) {
      BroadcastItem item = new BroadcastItem("x", 1, i + 1, "t", null, 90, new byte[90]);
      u.queue().add(new UserItem(item));
      while (u.queue().size() > 0) {
        u.queue().take(10_000, 2, List.of());
      }
      assertThat(u.heldBytes()).isLessThanOrEqualTo(1000);
    }
    assertThat(u.heldCount()).isEqualTo(11);
  }
}
