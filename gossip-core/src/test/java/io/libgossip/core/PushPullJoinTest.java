package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.SELF_ADDR;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Joining, push-pull state exchange (anti-entropy) and partition healing. */
class PushPullJoinTest {

  private static MemberUpdate selfOnline(long incarnation) {
    return new MemberUpdate(SELF, SELF_ADDR, NodeStatus.ONLINE, incarnation, Map.of(), 0, 0, SELF);
  }

  /** A second core, "seed", that already knows x and y. */
  private static final class Seed {
    final RecordingOutbox outbox = new RecordingOutbox();
    final RecordingListener listener = new RecordingListener();
    final GossipCore core =
        GossipCore.builder()
            .id("seed")
            .address(addr("seed"))
            .random(new SplittableRandom(5))
            .outbox(outbox)
            .listener(listener)
            .build();

    Seed(long now) {
      core.join(List.of(), now);
      core.handleMessage(new Gossip("x", addr("x"), List.of(online("x", 0), online("y", 2))), now);
    }
  }

  @Test
  void joinSendsAReliableJoinPushPullWithOurStateToEachSeed() {
    CoreFixture f = CoreFixture.create();

    f.core.join(List.of(addr("s1"), SELF_ADDR, addr("s2")), f.now);

    List<Sent> sent = f.outbox.sentOf(PushPull.class);
    assertThat(sent).extracting(s -> s.target().address()).containsExactly(addr("s1"), addr("s2"));
    for (Sent s : sent) {
      PushPull pp = s.as(PushPull.class);
      assertThat(s.delivery()).isEqualTo(Delivery.RELIABLE);
      assertThat(s.target().hasId()).isFalse();
      assertThat(s.target().status()).isEqualTo(NodeStatus.UNKNOWN);
      assertThat(pp.join()).isTrue();
      assertThat(pp.reply()).isFalse();
      assertThat(pp.from()).isEqualTo(SELF);
      assertThat(pp.updates()).containsExactly(selfOnline(0));
    }
    assertThat(f.core.hasJoined()).isFalse();
    assertThat(f.core.self().status()).isEqualTo(NodeStatus.JOINING);
  }

  @Test
  void seedMergesTheJoinerAndAnswersWithItsFullState() {
    CoreFixture f = CoreFixture.create();
    Seed seed = new Seed(f.now);
    f.core.join(List.of(addr("seed")), f.now);
    PushPull request = f.outbox.messages(PushPull.class).get(0);

    seed.core.handleMessage(request, f.now);

    assertThat(seed.core.statusOf(SELF)).isEqualTo(NodeStatus.ONLINE);
    assertThat(seed.listener.kinds(SELF)).containsExactly(Kind.JOINED);
    List<Sent> replies = seed.outbox.sentOf(PushPull.class);
    assertThat(replies).hasSize(1);
    Sent reply = replies.get(0);
    assertThat(reply.delivery()).isEqualTo(Delivery.RELIABLE);
    assertThat(reply.targetId()).isEqualTo(SELF);
    assertThat(reply.target().address()).isEqualTo(SELF_ADDR);
    PushPull pp = reply.as(PushPull.class);
    assertThat(pp.reply()).isTrue();
    assertThat(pp.join()).isFalse();
    assertThat(pp.updates())
        .extracting(MemberUpdate::id)
        .containsExactlyInAnyOrder("seed", "x", "y", SELF);

    int mark = f.outbox.mark();
    f.receive(pp);

    assertThat(f.core.hasJoined()).isTrue();
    assertThat(f.core.self().status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.status("seed")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view("y").incarnation()).isEqualTo(2);
    assertThat(f.listener.ofKind(Kind.JOINED))
        .extracting(e -> e.node().id())
        .containsExactlyInAnyOrder("seed", "x", "y");
    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(GossipMessage.PushPull.class))
        .as("a reply is not answered")
        .isEmpty();
  }

  @Test
  void joinerSpreadsTheSeedsEntryButNotTheBulkOfTheState() {
    CoreFixture f = CoreFixture.create();
    f.receive(
        new PushPull(
            "seed",
            addr("seed"),
            false,
            true,
            List.of(online("seed", 0), online("x", 0), online("y", 0))));
    int mark = f.outbox.mark();

    f.advance(3 * SEC);

    List<MemberUpdate> piggybacked = new ArrayList<>();
    for (Sent s : f.outbox.since(mark)) {
      if (!s.is(PushPull.class)) { // a state exchange carries everything, by design
        piggybacked.addAll(s.message().updates());
      }
    }
    assertThat(piggybacked).extracting(MemberUpdate::id).contains("seed").doesNotContain("x", "y");
  }

  @Test
  void remoteFailedOrSuspectInAStateIsOnlyASuspicionHere() {
    CoreFixture f = CoreFixture.withPeers("a", "x", "y", "z");

    f.receive(
        new PushPull(
            "a",
            addr("a"),
            false,
            false,
            List.of(
                online("a", 0),
                failed("x", 0, "a"),
                suspect("y", 0, "a"),
                left("z", 0),
                failed("ghost", 0, "a"))));

    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.status("y")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.status("z")).as("a graceful leave is news").isEqualTo(NodeStatus.LEFT);
    assertThat(f.core.findNode("ghost")).isEmpty();
    assertThat(f.listener.ofKind(Kind.FAILED)).isEmpty();
    assertThat(f.listener.kinds("x")).containsExactly(Kind.JOINED, Kind.SUSPECTED);
  }

  @Test
  void stateRequestIsAnsweredWithOurStateAfterMergingIt() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    int mark = f.outbox.mark();

    f.receive(
        new PushPull("a", addr("a"), false, false, List.of(online("a", 0), suspect(SELF, 0, "a"))));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    Sent reply = out.get(0);
    assertThat(reply.targetId()).isEqualTo("a");
    assertThat(reply.delivery()).isEqualTo(Delivery.RELIABLE);
    PushPull pp = reply.as(PushPull.class);
    assertThat(pp.reply()).isTrue();
    assertThat(pp.updates()).first().as("already refuted").isEqualTo(selfOnline(1));
    assertThat(pp.updates()).extracting(MemberUpdate::id).containsExactly(SELF, "a", "b");
  }

  @Test
  void joinWithoutSeedsBootstrapsAClusterOfOne() {
    CoreFixture f = CoreFixture.create();
    int mark = f.outbox.mark();

    f.core.join(List.of(), f.now);

    assertThat(f.core.hasJoined()).isTrue();
    assertThat(f.core.self().status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.stats().onlineNodes()).isEqualTo(1);
    assertThat(f.outbox.since(mark)).isEmpty();
  }

  @Test
  void joinWithOnlyOurOwnAddressBootstrapsToo() {
    CoreFixture f = CoreFixture.create();

    f.core.join(List.of(SELF_ADDR), f.now);

    assertThat(f.core.hasJoined()).isTrue();
    assertThat(f.outbox.sentOf(PushPull.class)).isEmpty();
  }

  @Test
  void meetSendsAJoinPushPullButNotToOurselves() {
    CoreFixture f = CoreFixture.create();

    f.core.meet(SELF_ADDR, f.now);
    f.core.meet(addr("other"), f.now);

    List<Sent> sent = f.outbox.sentOf(PushPull.class);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).target().address()).isEqualTo(addr("other"));
    assertThat(sent.get(0).as(PushPull.class).join()).isTrue();
  }

  private static List<Sent> periodicPushPulls(CoreFixture f) {
    return f.outbox.where(
        s -> s.is(PushPull.class) && !s.as(PushPull.class).reply() && !s.as(PushPull.class).join());
  }

  @Test
  void periodicPushPullSettlesOnTheBaseIntervalAfterEarlyCatchUpsInSmallClusters() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    long t0 = f.now;
    long probe = f.config.probeInterval().toNanos();
    long base = f.config.pushPullInterval().toNanos();
    f.core.join(List.of(), t0);

    f.advance(200 * SEC);

    List<Sent> pps = periodicPushPulls(f);
    assertThat(pps).hasSizeGreaterThanOrEqualTo(4);
    assertThat(pps.get(0).at())
        .as("a catch-up soon after joining")
        .isBetween(t0 + probe / 2, t0 + probe * 3 / 4 + 1);
    for (int i = 1; i < pps.size(); i++) {
      assertThat(pps.get(i).at() - pps.get(i - 1).at())
          .as("gap %d never longer than the interval", i)
          .isLessThanOrEqualTo(base);
    }
    int last = pps.size() - 1;
    assertThat(pps.get(last).at() - pps.get(last - 1).at()).isEqualTo(base);
    assertThat(pps.get(last - 1).at() - pps.get(last - 2).at()).isEqualTo(base);
    for (Sent s : pps) {
      assertThat(s.delivery()).isEqualTo(Delivery.RELIABLE);
      assertThat(s.targetId()).isIn("a", "b", "c", "d", "e");
    }
  }

  @Test
  void periodicPushPullStretchesInLargeClusters() {
    String[] peers = new String[40];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = "p" + i;
    }
    CoreFixture f = CoreFixture.withPeers(peers);
    long base = f.config.pushPullInterval().toNanos();
    long expected = f.config.pushPullInterval(41).toNanos();
    assertThat(expected).isEqualTo(2 * base);

    f.advance(4 * expected);

    List<Sent> pps = periodicPushPulls(f);
    assertThat(pps.get(0).at() - (f.now - 4 * expected))
        .as("first one within [base/2, 3 base/2) of the start")
        .isBetween(base / 2, 3 * base / 2);
    assertThat(pps).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 1; i < pps.size(); i++) {
      assertThat(pps.get(i).at() - pps.get(i - 1).at()).isEqualTo(expected);
    }
  }

  @Test
  void fullBroadcastSendsOurStateToEveryLiveMember() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.gossip("a", failed("c", 0, "a"));
    int mark = f.outbox.mark();

    f.core.tickFullBroadcast(f.now);

    assertThat(f.outbox.since(mark))
        .allSatisfy(s -> assertThat(s.is(PushPull.class)).isTrue())
        .extracting(Sent::targetId)
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void failedMembersAreContactedEveryReconnectIntervalWhenNoOneElseIsAlive() {
    CoreFixture f = CoreFixture.withPeers("x");
    f.gossip("w", failed("x", 0, "w"));
    long reconnect = f.config.reconnectInterval().toNanos();

    f.advance(5 * reconnect);

    List<Sent> toX = f.outbox.sentOf(PushPull.class, "x");
    assertThat(toX).hasSizeGreaterThanOrEqualTo(3);
    for (int i = 1; i < toX.size(); i++) {
      assertThat(toX.get(i).at() - toX.get(i - 1).at()).isEqualTo(reconnect);
      assertThat(toX.get(i).delivery()).isEqualTo(Delivery.RELIABLE);
    }
  }

  @Test
  void reconnectAttemptsAreSharedAmongTheLiveMembers() {
    // With 1 failed member among 10 live ones, each node tries in about 1 interval of 10.
    GossipConfig cfg =
        GossipConfig.lan().toBuilder().tombstoneTimeout(java.time.Duration.ofHours(1)).build();
    CoreFixture f = CoreFixture.create(cfg);
    f.addPeers("a", "b", "c", "d", "e", "f", "g", "h", "i", "x");
    f.gossip("a", failed("x", 0, "a"));
    long reconnect = f.config.reconnectInterval().toNanos();

    f.advance(200 * reconnect);

    List<Sent> toX = f.outbox.sentOf(PushPull.class, "x");
    assertThat(toX.size()).as("seed 1: about 200 / 10 attempts").isBetween(5, 50);
    for (int i = 1; i < toX.size(); i++) {
      assertThat((toX.get(i).at() - toX.get(i - 1).at()) % reconnect).isZero();
    }
  }

  @Test
  void recentlyDeadMembersStillHearGossipThenNoMore() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    long failedAt = f.now;
    long toTheDead = f.config.gossipToTheDeadTime().toNanos();

    f.advance(toTheDead + SEC);
    int mark = f.outbox.mark();
    f.core.updateMetadata(Map.of("v", "2"), f.now); // fresh news to gossip
    f.advance(5 * SEC);

    // Later packets to x are only the reconnect notice: its own FAILED claim, nothing else.
    assertThat(f.outbox.sentOf(Gossip.class, "x"))
        .as("gossip reaches x while it is freshly dead")
        .isNotEmpty()
        .allSatisfy(
            s ->
                assertThat(
                        s.at() - failedAt < toTheDead
                            || s.message().updates().stream().allMatch(u -> u.id().equals("x")))
                    .isTrue());
    assertThat(f.outbox.since(mark)).filteredOn(s -> s.is(Gossip.class)).isNotEmpty();
  }

  @Test
  void aFailedMemberIsToldOncePerReconnectIntervalAndRefutesToUs() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    int mark = f.outbox.mark();
    f.advance(f.config.reconnectInterval().toNanos() * 2 + SEC);

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(Gossip.class) && "x".equals(s.target().id()))
        .extracting(s -> s.message().updates().get(0))
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u.status()).isEqualTo(NodeStatus.FAILED));

    // x is alive after all: its refutation recovers it.
    f.gossip("x", online("x", 1));
    assertThat(f.core.statusOf("x")).isEqualTo(NodeStatus.ONLINE);
  }
}
