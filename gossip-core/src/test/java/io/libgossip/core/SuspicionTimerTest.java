package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import org.junit.jupiter.api.Test;

/**
 * Lifeguard's suspicion timer, driven through the core, against the formulas GossipConfig exposes.
 */
class SuspicionTimerTest {
  private static final GossipConfig LAN = GossipConfig.lan();

  private static long min(int n) {
    return LAN.suspicionTimeoutMin(n).toNanos();
  }

  private static long max(int n) {
    return LAN.suspicionTimeoutMax(n).toNanos();
  }

  private static int k(int n) {
    return ProtocolMath.suspicionConfirmationsNeeded(LAN.suspicionMult(), n);
  }

  /** Five live members (self, a, b, c, x), all answering probes; x suspected by a at the start. */
  private static CoreFixture suspectX() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x").noLossSeen();
    f.gossip("a", suspect("x", 0, "a"));
    assertThat(f.core.liveCount()).isEqualTo(5);
    assertThat(k(5)).isEqualTo(LAN.suspicionMult() - 2);
    return f;
  }

  private static void assertFailsExactlyAt(CoreFixture f, String id, long deadline) {
    f.runUntil(deadline - 1);
    assertThat(f.status(id))
        .as("still suspect just before %d", deadline)
        .isEqualTo(NodeStatus.SUSPECT);
    f.runUntil(deadline);
    assertThat(f.status(id)).isEqualTo(NodeStatus.FAILED);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertThat(e.kind()).isEqualTo(Kind.FAILED);
    assertThat(e.node().lastChangeNanos()).isEqualTo(deadline);
  }

  @Test
  void unconfirmedSuspicionFailsAtTheMaxTimeout() {
    CoreFixture f = suspectX();
    long start = f.now;

    assertFailsExactlyAt(f, "x", start + max(5));
  }

  @Test
  void suspicionConfirmedByKIndependentAccusersFailsAtTheMinTimeout() {
    CoreFixture f = suspectX();
    long start = f.now;

    f.runUntil(start + SEC);
    f.gossip("b", suspect("x", 0, "b"));
    f.runUntil(start + 2 * SEC);
    f.gossip("c", suspect("x", 0, "c"));

    assertFailsExactlyAt(f, "x", start + min(5));
  }

  @Test
  void oneConfirmationShortensTheTimeoutPartWay() {
    CoreFixture f = suspectX();
    long start = f.now;

    f.gossip("b", suspect("x", 0, "b"));

    long expected = LAN.suspicionTimeout(5, 1).toNanos();
    assertThat(expected).isStrictlyBetween(min(5), max(5));
    assertFailsExactlyAt(f, "x", start + expected);
  }

  @Test
  void confirmationsFromTheAccuserOrRepeatedOnesDoNotCount() {
    CoreFixture f = suspectX();
    long start = f.now;

    f.gossip("a", suspect("x", 0, "a"));
    f.gossip("b", suspect("x", 0, "b"));
    f.gossip("b", suspect("x", 0, "b"));
    f.gossip("c", suspect("x", 0, "b"));

    assertFailsExactlyAt(f, "x", start + LAN.suspicionTimeout(5, 1).toNanos());
  }

  @Test
  void confirmationAtAnOlderIncarnationDoesNotCount() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x");
    f.gossip("x", online("x", 2));
    f.gossip("a", suspect("x", 2, "a"));
    long start = f.now;

    f.gossip("b", suspect("x", 1, "b"));
    f.gossip("c", suspect("x", 1, "c"));

    assertFailsExactlyAt(f, "x", start + max(5));
  }

  @Test
  void ourOwnFailedProbeOfASuspectIsAConfirmation() {
    CoreFixture f = suspectX();
    f.silent.add("x");
    long start = f.now;

    assertFailsExactlyAt(f, "x", start + LAN.suspicionTimeout(5, 1).toNanos());
  }

  @Test
  void refutationCancelsTheTimer() {
    CoreFixture f = suspectX();
    long start = f.now;
    f.runUntil(start + SEC);

    f.gossip("x", online("x", 1));
    f.runUntil(start + max(5) + 10 * SEC);

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.kinds("x")).doesNotContain(Kind.FAILED);
  }

  @Test
  void newSuspicionAfterARefutationStartsAFreshTimer() {
    CoreFixture f = suspectX();
    long start = f.now;
    f.gossip("x", online("x", 1));
    f.runUntil(start + 5 * SEC);

    f.gossip("b", suspect("x", 1, "b"));

    f.runUntil(start + max(5));
    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertFailsExactlyAt(f, "x", start + 5 * SEC + max(5));
  }

  @Test
  void inASmallClusterNoConfirmationsAreAwaited() {
    CoreFixture f = CoreFixture.withPeers("a", "x").noLossSeen();
    f.gossip("a", suspect("x", 0, "a"));
    long start = f.now;
    assertThat(k(3)).isZero();

    assertFailsExactlyAt(f, "x", start + min(3));
  }

  @Test
  void timeoutsScaleWithClusterSize() {
    String[] peers = new String[20];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = "p" + i;
    }
    CoreFixture f = CoreFixture.withPeers(peers);
    f.gossip("p1", suspect("p0", 0, "p1"));
    long start = f.now;
    assertThat(max(21)).isGreaterThan(max(5));

    assertFailsExactlyAt(f, "p0", start + max(21));
  }

  @Test
  void suspicionClassShrinksWithIndependentConfirmationsOnly() {
    Member m = new Member(online("x", 0), 0);
    Suspicion s = new Suspicion(m, 0, "a", 100, 4 * SEC, 24 * SEC, 2);
    assertThat(s.deadline()).isEqualTo(100 + 24 * SEC);

    assertThat(s.confirm("a")).as("the accuser").isFalse();
    assertThat(s.confirm("b")).isTrue();
    assertThat(s.deadline())
        .isEqualTo(100 + ProtocolMath.suspicionTimeoutNanos(4 * SEC, 24 * SEC, 2, 1));
    assertThat(s.confirm("b")).as("a repeat").isFalse();
    assertThat(s.confirm("c")).isTrue();
    assertThat(s.deadline()).isEqualTo(100 + 4 * SEC);
    assertThat(s.confirm("d")).as("beyond k").isFalse();
    assertThat(s.confirmations()).isEqualTo(2);
    assertThat(s.deadline()).isEqualTo(100 + 4 * SEC);
  }

  @Test
  void suspicionWithNoConfirmationsNeededStartsAtTheMinimum() {
    Suspicion s = new Suspicion(new Member(online("x", 0), 0), 0, "a", 7, SEC, 6 * SEC, 0);

    assertThat(s.deadline()).isEqualTo(7 + SEC);
    assertThat(s.confirm("b")).isFalse();
  }
}
