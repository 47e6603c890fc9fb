package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Overload control in dissemination (decision 052): queue lanes, eviction, the scaled capacity,
 * corrections that are budgeted and never answered, refutations told to the accuser, and the
 * saturation query the failure detector uses.
 */
class OverloadControlTest {
  private static final int BIG = 1 << 20;

  // ---- lanes

  @Test
  void ownClaimsGoFirstThenRefutationsThenEverythingElse() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("self", 3), 0, BroadcastQueue.SELF);
    q.add(online("x", 2), 0, BroadcastQueue.REFUTING);
    q.add(suspect("y", 0, "a"), 0, BroadcastQueue.NORMAL);
    q.add(suspect("z", 0, "a"), 0, BroadcastQueue.NORMAL); // newest of all

    assertThat(q.take(BIG, 10, List.of()))
        .containsExactly(
            online("self", 3), online("x", 2), suspect("z", 0, "a"), suspect("y", 0, "a"));
  }

  @Test
  void aRefutationKeepsItsLeadUntilItRetires() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("x", 2), 0, BroadcastQueue.REFUTING);
    int one = WireSizes.updateSize(online("x", 2));
    for (int i = 0; i < 3; i++) {
      q.add(suspect("n" + i, 0, "a")); // fresh accusations keep arriving, never sent yet
      assertThat(q.take(one, 3, List.of())).containsExactly(online("x", 2));
    }
    assertThat(q.contains("x")).as("retired after its three sends").isFalse();
    assertThat(q.size()).isEqualTo(3);
  }

  @Test
  void aFullQueueDropsTheMostSentOfTheLowestLaneFirst() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(3);
    q.add(online("self", 1), 0, BroadcastQueue.SELF);
    q.add(online("x", 1), 0, BroadcastQueue.REFUTING);
    q.add(suspect("old", 0, "a"));
    q.take(BIG, 10, List.of()); // all sent once: "old" is the most sent of the lowest lane
    q.add(suspect("new", 0, "a"));

    assertThat(q.contains("old")).isFalse();
    assertThat(q.contains("self")).isTrue();
    assertThat(q.contains("x")).isTrue();
    assertThat(q.contains("new")).isTrue();
    assertThat(q.dropped()).isEqualTo(1);
  }

  @Test
  void aCapacityCutDropsDownToTheNewBoundAtTheNextAdd() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    for (int i = 0; i < 10; i++) {
      q.add(suspect("n" + i, 0, "a"));
    }
    q.capacity(4);
    q.add(online("x", 1), 0, BroadcastQueue.REFUTING);

    assertThat(q.size()).isEqualTo(4);
    assertThat(q.contains("x")).isTrue();
    assertThat(q.capacity()).isEqualTo(4);
    q.capacity(1_000); // never above what the queue was built with
    assertThat(q.capacity()).isEqualTo(100);
  }

  @Test
  void aNewerClaimKeepsTheNewestNewsAboutAMember() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(suspect("x", 0, "a"));
    q.add(online("x", 1), 0, BroadcastQueue.REFUTING); // the rules decided it is newer

    assertThat(q.size()).isEqualTo(1);
    assertThat(q.take(BIG, 10, List.of())).containsExactly(online("x", 1));
  }

  @Test
  void backlogCountsTheSendsStillOwed() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(suspect("a", 0, "z"));
    q.add(suspect("b", 0, "z"), 2);
    assertThat(q.backlog(5)).isEqualTo(5 + 3);
    q.take(BIG, 5, List.of());
    assertThat(q.backlog(5)).isEqualTo(4 + 2);
    q.add(online("a", 1)); // replaces a sent-once claim with a fresh one
    assertThat(q.backlog(5)).isEqualTo(5 + 2);
    q.clear();
    assertThat(q.backlog(5)).isZero();
  }

  @Test
  void aRefutationOfASuspicionJumpsAheadOfNewerAccusations() {
    Units u = new Units().withMembers("a", "x", "y", "z");
    u.claims.applyGossip(suspect("x", 0, "a"), 0);
    u.claims.applyGossip(online("x", 1), 0); // x refuted
    u.claims.applyGossip(suspect("y", 0, "a"), 0); // newer news, but only an accusation
    u.claims.applyGossip(suspect("z", 0, "a"), 0);

    List<MemberUpdate> taken = u.queue.take(BIG, 10, List.of());
    assertThat(taken.get(0)).isEqualTo(online("x", 1));
  }

  @Test
  void ourRefutationGoesAheadOfEverything() {
    Units u = new Units().withMembers("a", "y");
    u.claims.applyGossip(suspect(SELF, 0, "a"), 0);
    u.claims.applyGossip(suspect("y", 0, "a"), 0);

    List<MemberUpdate> taken = u.queue.take(BIG, 10, List.of());
    assertThat(taken.get(0).id()).isEqualTo(SELF);
    assertThat(taken.get(0).status()).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void ourPlainOnlineClaimWaitsItsTurnButOurLeaveGoesFirst() {
    // Regression (decision 052, 1b): the join announcement in the first lane slowed joins.
    Units u = new Units().withMembers("a", "y");
    u.disseminator.spread(u.self.claim());
    u.claims.applyGossip(suspect("y", 0, "a"), 0);
    assertThat(u.queue.take(BIG, 10, List.of()).get(0).id()).isEqualTo("y");

    u.queue.clear();
    u.claims.applyGossip(suspect("a", 0, "y"), 0);
    u.disseminator.spread(u.self.leave(0));
    u.claims.applyGossip(online("a", 1), 0); // a refutation: second lane
    List<MemberUpdate> taken = u.queue.take(BIG, 10, List.of());
    assertThat(taken.get(0).id()).isEqualTo(SELF);
    assertThat(taken.get(0).status()).isEqualTo(NodeStatus.LEFT);
    assertThat(taken.get(1)).isEqualTo(online("a", 1));
  }

  // ---- corrections

  @Test
  void aStaleAccusationInGossipDrawsACorrectionAck() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("x", online("x", 1));
    int mark = f.outbox.mark();

    f.gossip("a", suspect("x", 0, "a"));

    List<RecordingOutbox.Sent> toA =
        f.outbox.since(mark).stream().filter(s -> s.targetId().equals("a")).toList();
    assertThat(toA).hasSize(1);
    Ack ack = toA.get(0).as(Ack.class);
    assertThat(ack.seq()).isEqualTo(Disseminator.CORRECTION_SEQ);
    assertThat(ack.updates()).first().isEqualTo(online("x", 1));
  }

  @Test
  void aCorrectionIsNeverAnsweredWithACorrection() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("x", online("x", 1));
    int mark = f.outbox.mark();

    // A correction from a that carries, in its fill, an accusation we know to be outdated.
    f.receive(new Ack("a", addr("a"), Disseminator.CORRECTION_SEQ, List.of(suspect("x", 0, "a"))));

    assertThat(f.outbox.since(mark).stream().filter(s -> s.targetId().equals("a"))).isEmpty();
  }

  @Test
  void correctionsAreBudgetedPerGossipInterval() {
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      peers.add("p" + i);
    }
    peers.add("x");
    CoreFixture f = CoreFixture.withPeers(peers.toArray(String[]::new));
    f.gossip("x", online("x", 1));
    int mark = f.outbox.mark();

    for (int i = 0; i < 40; i++) {
      f.core.handleMessage(
          new Gossip("p" + i, addr("p" + i), List.of(suspect("x", 0, "p" + i))), f.now);
    }

    int budget = Disseminator.EXTRA_BURST_ROUNDS * f.core.config().gossipNodes();
    long corrections =
        f.outbox.since(mark).stream().filter(s -> Disseminator.isCorrection(s.message())).count();
    assertThat(corrections).isEqualTo(budget);
    assertThat(f.core.disseminator.correctionsSuppressed()).isEqualTo(40 - budget);

    // One gossip interval later, gossipNodes more may go.
    long later = f.now + f.core.config().gossipInterval().toNanos();
    int mark2 = f.outbox.mark();
    for (int i = 0; i < 10; i++) {
      f.core.handleMessage(
          new Gossip("p" + i, addr("p" + i), List.of(suspect("x", 0, "p" + i))), later);
    }
    assertThat(
            f.outbox.since(mark2).stream()
                .filter(s -> Disseminator.isCorrection(s.message()))
                .count())
        .isEqualTo(f.core.config().gossipNodes());
  }

  // ---- refutations told to the accuser

  @Test
  void aRefutationIsToldToTheAccuserDirectly() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    int mark = f.outbox.mark();

    f.gossip("a", suspect(SELF, 0, "b")); // a relays b's accusation

    List<RecordingOutbox.Sent> toB =
        f.outbox.since(mark).stream().filter(s -> s.targetId().equals("b")).toList();
    assertThat(toB).hasSize(1);
    assertThat(Disseminator.isCorrection(toB.get(0).message())).isTrue();
    MemberUpdate first = toB.get(0).message().updates().get(0);
    assertThat(first.id()).isEqualTo(SELF);
    assertThat(first.status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(first.incarnation()).isEqualTo(1);
    assertThat(f.outbox.since(mark).stream().filter(s -> s.targetId().equals("a")))
        .as("the messenger is corrected too")
        .hasSize(1);
    assertThat(f.core.disseminator.accusersTold()).isEqualTo(1);
  }

  @Test
  void noAccuserIsToldWhenItBroughtTheAccusationItself() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    int mark = f.outbox.mark();

    f.gossip("a", suspect(SELF, 0, "a"));

    assertThat(f.outbox.since(mark)).hasSize(1); // the one correction to a
    assertThat(f.core.disseminator.accusersTold()).isZero();
  }

  // ---- capacity and saturation

  @Test
  void capacityFollowsTheClusterSize() {
    Units u = new Units();
    assertThat(u.disseminator.capacityFor(2)).isGreaterThanOrEqualTo(Disseminator.MIN_CAPACITY);
    assertThat(u.disseminator.capacityFor(100)).isGreaterThanOrEqualTo(Disseminator.MIN_CAPACITY);
    assertThat(u.disseminator.capacityFor(1_000))
        .as("never cut up to N = 1,000")
        .isGreaterThan(1_000);
    int at10k = u.disseminator.capacityFor(10_000);
    assertThat(at10k).isBetween(Disseminator.MIN_CAPACITY, 5_000);
    assertThat(u.disseminator.capacityFor(100_000))
        .isLessThanOrEqualTo(u.config.maxQueuedUpdates());
  }

  @Test
  void aQueueThatCannotBeSentInTimeIsSaturated() {
    GossipConfig withDefer =
        GossipConfig.lan().toBuilder().overloadControl(OverloadControl.all()).build();
    Units u = new Units(withDefer, 1, 0).withMembers("a");
    assertThat(u.disseminator.saturated(0)).isFalse();
    // Claims about 3,000 members, never sent: far more than half a suspicion timeout of sends.
    for (int i = 0; i < 3_000; i++) {
      u.queue.add(suspect("m" + i, 0, "a"));
    }
    assertThat(u.disseminator.saturated(0)).isTrue();
    u.queue.clear();
    assertThat(u.disseminator.saturated(0)).isFalse();
  }

  @Test
  void saturationIsIgnoredByDefault() {
    Units u = new Units().withMembers("a");
    for (int i = 0; i < 3_000; i++) {
      u.queue.add(suspect("m" + i, 0, "a"));
    }
    assertThat(u.config.overloadControl()).isEqualTo(OverloadControl.defaults());
    assertThat(u.disseminator.saturated(0)).isFalse();
  }

  @Test
  void aSaturatedNodeDoesNotAccuseButProbesAgain() {
    CoreFixture f =
        CoreFixture.create(
            GossipConfig.lan().toBuilder().overloadControl(OverloadControl.all()).build());
    f.addPeers("a", "b", "c");
    f.noLossSeen();
    f.autoAck = false;
    for (int i = 0; i < 3_000; i++) {
      f.core.broadcasts.add(suspect("m" + i, 0, "a")); // news of unknown members: a backlog
    }
    RecordingOutbox.Sent first = f.nextPing();
    String target = first.targetId();
    f.advance(2 * SEC); // the probe fails, directly and indirectly

    assertThat(f.status(target)).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.detector.suspicionsDeferred()).isPositive();
    assertThat(f.outbox.sentOf(GossipMessage.Ping.class, target).size())
        .as("probed again at once")
        .isGreaterThanOrEqualTo(2);
  }
}
