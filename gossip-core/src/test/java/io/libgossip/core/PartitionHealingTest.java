package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Partitions of any length heal: failed members kept until the reconnect timeout (memory bounded),
 * the join's seeds tried when the view shrank, fast rounds of notices once a heal shows.
 */
class PartitionHealingTest {

  private static GossipConfig shortTimeouts() {
    return GossipConfig.lan().toBuilder()
        .tombstoneTimeout(Duration.ofSeconds(30))
        .reconnectTimeout(Duration.ofSeconds(90))
        .build();
  }

  @Test
  void failedMembersOutliveTheTombstoneTimeoutAndLeftOnesDoNot() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    f.addPeers("a", "x", "y");
    f.gossip("a", failed("x", 0, "a"), left("y", 0));

    f.advance(31 * SEC);

    assertThat(f.status("y"))
        .as("left: gone after the tombstone timeout")
        .isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.status("x")).as("failed: kept for reconnects").isEqualTo(NodeStatus.FAILED);
    f.advance(60 * SEC);
    assertThat(f.status("x")).as("after the reconnect timeout").isEqualTo(NodeStatus.UNKNOWN);
  }

  @Test
  void failedMemberIsTriedByReconnectRoundsPastTheTombstoneTimeout() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    f.addPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    f.advance(40 * SEC);
    int mark = f.outbox.mark();

    f.advance(20 * SEC);

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.targetId().equals("x") && s.is(Gossip.class))
        .as("reconnect notices to x after the tombstone timeout")
        .isNotEmpty();
  }

  @Test
  void failedMembersBeyondTheCapGoAfterTheTombstoneTimeoutOldestFirst() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    f.addPeers("a");
    int churn = MemberTable.MIN_FAILED_KEPT + 10;
    for (int i = 0; i < churn; i++) {
      f.gossip("a", online("p" + i, 0));
      f.gossip("a", failed("p" + i, 0, "a"));
      f.advance(10 * CoreFixture.MS);
    }
    assertThat(f.core.stats().failedNodes()).isEqualTo(churn);

    f.advance(31 * SEC);

    assertThat(f.core.stats().failedNodes())
        .as("at most the cap kept past the tombstone timeout")
        .isEqualTo(MemberTable.MIN_FAILED_KEPT);
    assertThat(f.status("p0")).as("the oldest went first").isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.status("p" + (churn - 1))).isEqualTo(NodeStatus.FAILED);
  }

  @Test
  void seedsOfTheJoinAreAskedAgainOnceTheViewShrankAndTheFailedAreForgotten() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    NodeAddress seed = addr("s");
    f.core.join(List.of(seed, CoreFixture.SELF_ADDR), f.now);
    f.receive(
        new PushPull(
            "s",
            seed,
            false,
            true,
            List.of(online("s", 0), online("a", 0), online("b", 0), online("c", 0))));
    assertThat(f.core.liveCount()).isEqualTo(5);
    List<MemberUpdate> dead = new ArrayList<>();
    for (String id : List.of("s", "a", "b", "c")) {
      dead.add(failed(id, 0, "x"));
    }
    f.gossip("a", dead.toArray(new MemberUpdate[0]));
    f.advance(91 * SEC); // every failed member forgotten
    assertThat(f.core.size()).isEqualTo(1);
    int mark = f.outbox.mark();

    f.advance(20 * SEC);

    List<Sent> toSeed =
        f.outbox.since(mark).stream()
            .filter(s -> s.is(PushPull.class) && s.target().address().equals(seed))
            .toList();
    assertThat(toSeed).as("state exchanges with the seed while alone").isNotEmpty();
  }

  @Test
  void noSeedExchangeWhileTheViewIsWhole() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    NodeAddress seed = addr("s");
    f.core.join(List.of(seed), f.now);
    f.receive(new PushPull("s", seed, false, true, List.of(online("s", 0), online("a", 0))));
    int mark = f.outbox.mark();

    f.advance(25 * SEC);

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(PushPull.class) && s.target().id().isEmpty())
        .as("no exchange with a bare seed address")
        .isEmpty();
  }

  @Test
  void aRevivedMemberStartsFastRoundsOfNoticesToTheStillFailed() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    f.gossip("a", failed("b", 0, "a"), failed("c", 0, "a"), failed("d", 0, "a"));
    f.advance(30 * SEC);
    int quiet = f.outbox.mark();
    f.advance(5 * SEC);
    long before =
        f.outbox.since(quiet).stream().filter(s -> s.is(Gossip.class) && failedTarget(s)).count();

    f.gossip("b", online("b", 1)); // b is back: a partition is healing
    int mark = f.outbox.mark();
    f.advance(5 * SEC);

    long notices =
        f.outbox.since(mark).stream()
            .filter(
                s -> s.is(Gossip.class) && (s.targetId().equals("c") || s.targetId().equals("d")))
            .count();
    assertThat(before).as("notices in 5 quiet seconds").isLessThanOrEqualTo(1);
    assertThat(notices).as("notices in the 5 s after a revival").isGreaterThanOrEqualTo(6);
  }

  @Test
  void theStartOfAHealExchangesStateWithTheRevivedMemberOnce() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    f.gossip("a", failed("b", 0, "a"), failed("c", 0, "a"), failed("d", 0, "a"));
    f.advance(30 * SEC);
    int mark = f.outbox.mark();

    f.gossip("b", online("b", 1)); // b is back: a partition is healing
    f.gossip("c", online("c", 1)); // c too, in the same heal
    long toB =
        f.outbox.since(mark).stream()
            .filter(s -> s.is(PushPull.class) && s.targetId().equals("b"))
            .count();
    long toC =
        f.outbox.since(mark).stream()
            .filter(s -> s.is(PushPull.class) && s.targetId().equals("c"))
            .count();

    assertThat(toB).as("one state exchange with the first member back").isEqualTo(1);
    assertThat(toC).as("no second exchange within the same heal").isZero();
  }

  @Test
  void aSingleRecoveredMemberIsNotSentEveryNodesState() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e", "g", "h", "i", "j");
    f.gossip("a", failed("b", 0, "a")); // one failure among nine: not a partition
    f.advance(30 * SEC);
    int mark = f.outbox.mark();

    f.gossip("b", online("b", 1));

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(PushPull.class) && s.targetId().equals("b"))
        .as("a lone revival (a false positive refuted) draws no exchange")
        .isEmpty();
  }

  @Test
  void inTheTailOfAHealEveryStaleEntryIsNoticedWithinARound() {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      peers.add("p" + i);
    }
    CoreFixture f = CoreFixture.withPeers(peers.toArray(new String[0]));
    List<MemberUpdate> dead = new ArrayList<>();
    for (int i = 1; i < 12; i++) {
      dead.add(failed("p" + i, 0, "p0"));
    }
    f.gossip("p0", dead.toArray(new MemberUpdate[0]));
    f.advance(30 * SEC);

    f.gossip("p1", online("p1", 1)); // p1 is back; 10 stale entries left
    int mark = f.outbox.mark();
    f.advance(1200 * CoreFixture.MS); // one fast round

    long told =
        f.outbox.since(mark).stream()
            .filter(s -> s.is(Gossip.class) && f.status(s.targetId()) == NodeStatus.FAILED)
            .map(Sent::targetId)
            .distinct()
            .count();
    assertThat(told)
        .as("distinct failed members told in the first round after the revival")
        .isEqualTo(10);
  }

  @Test
  void earlyInAHealWithManyUnreachableFewNoticesGoPerRound() {
    int n = 3 * AntiEntropy.TAIL_NOTICES;
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      peers.add("p" + i);
    }
    CoreFixture f = CoreFixture.withPeers(peers.toArray(new String[0]));
    List<MemberUpdate> dead = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      dead.add(failed("p" + i, 0, "p0"));
    }
    f.gossip("p0", dead.toArray(new MemberUpdate[0]));
    f.advance(30 * SEC);

    f.gossip("p1", online("p1", 1));
    int mark = f.outbox.mark();
    f.advance(1200 * CoreFixture.MS);

    long told =
        f.outbox.since(mark).stream()
            .filter(s -> s.is(Gossip.class) && f.status(s.targetId()) == NodeStatus.FAILED)
            .count();
    assertThat(told)
        .as("notices while %d members are unreachable", n - 2)
        .isBetween(1L, (long) AntiEntropy.HEAL_NOTICES);
  }

  @Test
  void seedsAreAskedWhenTheViewIsExactlyHalfThePeak() {
    CoreFixture f = CoreFixture.create(shortTimeouts());
    NodeAddress seed = addr("s");
    f.core.join(List.of(seed), f.now);
    f.receive(
        new PushPull(
            "s", seed, false, true, List.of(online("s", 0), online("a", 0), online("b", 0))));
    assertThat(f.core.liveCount()).isEqualTo(4);
    f.gossip("a", failed("s", 0, "a"), failed("b", 0, "a"));
    assertThat(f.core.liveCount()).as("an even split").isEqualTo(2);
    int mark = f.outbox.mark();

    f.advance(25 * SEC);

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(PushPull.class) && s.target().id().isEmpty())
        .as("exchanges with the bare seed address at exactly half the peak")
        .isNotEmpty();
  }

  private static boolean failedTarget(Sent s) {
    String id = s.targetId();
    return id.equals("b") || id.equals("c") || id.equals("d");
  }

  @Test
  void reconnectTimeoutShorterThanTheTombstoneTimeoutIsRejected() {
    GossipConfig.Builder b =
        GossipConfig.lan().toBuilder()
            .tombstoneTimeout(Duration.ofMinutes(5))
            .reconnectTimeout(Duration.ofMinutes(4));
    org.assertj.core.api.Assertions.assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reconnectTimeout");
  }
}
