package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each event record carries, and when the local node's own events fire. */
class EventModelTest {

  private static final long MS = 1_000_000L;
  private static final long SEC = 1_000 * MS;

  @Test
  void eachKindNamesItsRecord() {
    NodeView v = NodeView.ofAddress(CoreFixture.addr("x"));
    List<ClusterEvent> all =
        List.of(
            new ClusterEvent.MemberJoined(v),
            new ClusterEvent.MemberRecovered(v, NodeStatus.SUSPECT),
            new ClusterEvent.MemberSuspected(v, "a"),
            new ClusterEvent.MemberFailed(v, NodeStatus.SUSPECT, "a"),
            new ClusterEvent.MemberLeft(v, NodeStatus.ONLINE),
            new ClusterEvent.MemberRemoved(v),
            new ClusterEvent.MetadataChanged(v, Map.of()),
            new ClusterEvent.SelfJoined(v),
            new ClusterEvent.SelfRefuted(v, NodeStatus.SUSPECT, 0, "a"),
            new ClusterEvent.LeaveSpread(v),
            new ClusterEvent.Resync(v, List.of(v), 0),
            new ClusterEvent.MemberConflict(v, CoreFixture.addr("y"), 0, "a", false));
    assertThat(all).extracting(ClusterEvent::kind).containsExactly(Kind.values());
  }

  @Test
  void aResyncCopiesItsMembersAndRejectsANegativeDropCount() {
    NodeView v = NodeView.ofAddress(CoreFixture.addr("x"));
    java.util.ArrayList<NodeView> members = new java.util.ArrayList<>(List.of(v));
    ClusterEvent.Resync r = new ClusterEvent.Resync(v, members, 3);
    members.clear();
    assertThat(r.members()).containsExactly(v);
    assertThat(r.droppedEvents()).isEqualTo(3);
    assertThatThrownBy(() -> new ClusterEvent.Resync(v, List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void suspicionNamesTheAccuserAndFailureTheDeclarer() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "x");
    f.listener.clear();

    f.gossip("a", suspect("x", 0, "a"));
    f.gossip("b", failed("x", 0, "b"));

    assertThat(f.listener.about("x")).hasSize(2);
    ClusterEvent.MemberSuspected s = (ClusterEvent.MemberSuspected) f.listener.about("x").get(0);
    assertThat(s.accuser()).isEqualTo("a");
    assertThat(s.previousStatus()).isEqualTo(NodeStatus.ONLINE);
    assertThat(s.status()).isEqualTo(NodeStatus.SUSPECT);
    ClusterEvent.MemberFailed d = (ClusterEvent.MemberFailed) f.listener.about("x").get(1);
    assertThat(d.declaredBy()).isEqualTo("b");
    assertThat(d.previousStatus()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(d.status()).isEqualTo(NodeStatus.FAILED);
  }

  @Test
  void metadataChangeCarriesBeforeAndAfter() {
    CoreFixture f = CoreFixture.create();
    f.gossip("a", online("a", 0, Map.of("role", "db"), 1));
    f.listener.clear();

    f.gossip("a", online("a", 1, Map.of("role", "cache"), 2));

    ClusterEvent.MetadataChanged c = (ClusterEvent.MetadataChanged) f.listener.last();
    assertThat(c.before()).containsExactly(Map.entry("role", "db"));
    assertThat(c.after()).containsExactly(Map.entry("role", "cache"));
    assertThat(c.previousStatus()).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void aClusterOfOneJoinsAtOnceAndSaysSoOnce() {
    CoreFixture f = CoreFixture.create();
    assertThat(f.listener.selfEvents()).isEmpty();

    f.core.join(List.of(), f.now);
    f.core.join(List.of(), f.now);

    assertThat(f.listener.selfEvents()).hasSize(1);
    ClusterEvent e = f.listener.selfEvents().get(0);
    assertThat(e).isInstanceOf(ClusterEvent.SelfJoined.class);
    assertThat(e.node().id()).isEqualTo(SELF);
    assertThat(e.node().status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.hasJoined()).isTrue();
  }

  @Test
  void aJoinerHearsOfTheSeedsMembersBeforeItsOwnJoin() {
    TestCluster c = new TestCluster(5, GossipConfig.lan(), 3);
    c.joinAll();
    assertThat(c.runUntil(c::converged, 100 * MS, 15 * SEC)).isTrue();

    for (int i = 1; i < 5; i++) {
      List<ClusterEvent> log = c.events.get(i);
      int selfJoined = indexOfKind(log, Kind.SELF_JOINED);
      assertThat(selfJoined).as("n%d joined", i).isGreaterThan(0);
      assertThat(log.get(selfJoined - 1).kind()).as("n%d", i).isEqualTo(Kind.JOINED);
    }
  }

  @Test
  void aRefutationSaysWhatWasClaimedAndByWhom() {
    CoreFixture f = CoreFixture.withPeers("a");
    long before = f.core.self().incarnation();

    f.gossip("a", suspect(SELF, before, "a"));

    assertThat(f.listener.selfEvents()).hasSize(1);
    ClusterEvent.SelfRefuted r = (ClusterEvent.SelfRefuted) f.listener.selfEvents().get(0);
    assertThat(r.claimedStatus()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(r.claimedIncarnation()).isEqualTo(before);
    assertThat(r.claimedBy()).isEqualTo("a");
    assertThat(r.node().incarnation()).isGreaterThan(before);
    assertThat(f.core.stats().refutations()).isEqualTo(1);
  }

  @Test
  void leaveSpreadFiresOnceInTheCallThatSpreadIt() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.advance(5 * SEC);

    f.core.leave(f.now);
    int ticks = 0;
    while (!f.core.leaveSpread()) {
      assertThat(spreads(f)).isZero();
      assertThat(ticks++).isLessThan(50);
      f.tickAt(f.core.nextDeadline());
    }
    assertThat(spreads(f)).isEqualTo(1);
    f.tickAt(f.core.nextDeadline());
    f.tickAt(f.core.nextDeadline());

    assertThat(spreads(f)).isEqualTo(1);
    assertThat(f.listener.selfEvents().get(0).node().status()).isEqualTo(NodeStatus.LEFT);
  }

  @Test
  void leaveSpreadFiresFromLeaveItselfWithNoOneToTell() {
    CoreFixture f = CoreFixture.create();

    f.core.leave(f.now);

    assertThat(spreads(f)).isEqualTo(1);
  }

  @Test
  void packetOverheadShrinksWhatIsPacked() {
    int overhead = 600;
    CoreFixture plain = CoreFixture.create();
    CoreFixture framed = new CoreFixture(GossipConfig.lan(), 1, b -> b.packetOverhead(overhead));
    BinarySerializer sizer = BinarySerializer.forConfig(GossipConfig.lan());
    int limit = GossipConfig.lan().maxPacketSize();
    for (CoreFixture f : List.of(plain, framed)) {
      f.addPeers("a", "b", "c");
      for (int i = 0; i < 60; i++) {
        f.gossip("a", online("m" + i, 1, Map.of("k", "v".repeat(40)), 1));
      }
      f.outbox.clear();
      f.runUntil(f.now + 2 * SEC);
    }

    int plainMax = largestBestEffort(plain, sizer);
    int framedMax = largestBestEffort(framed, sizer);
    assertThat(plainMax).isGreaterThan(limit - overhead).isLessThanOrEqualTo(limit);
    assertThat(framedMax).isPositive().isLessThanOrEqualTo(limit - overhead);
  }

  @Test
  void packetOverheadIsChecked() {
    assertThatThrownBy(() -> new CoreFixture(GossipConfig.lan(), 1, b -> b.packetOverhead(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("packetOverhead");
    assertThatThrownBy(
            () ->
                new CoreFixture(
                    GossipConfig.lan(),
                    1,
                    b -> b.packetOverhead(GossipConfig.lan().maxPacketSize())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyStatsAreAllZero() {
    GossipStats e = GossipStats.EMPTY;
    assertThat(e.knownNodes()).isZero();
    assertThat(e.messagesSent()).isZero();
    assertThat(e.drops()).isEmpty();
    assertThat(e.messagesDropped()).isZero();
    assertThat(e).isEqualTo(GossipStats.builder().build()).hasSameHashCodeAs(GossipStats.EMPTY);
    assertThat(CoreFixture.create().core.stats()).isNotEqualTo(e);
  }

  private static int spreads(CoreFixture f) {
    int n = 0;
    for (ClusterEvent e : f.listener.selfEvents()) {
      if (e.kind() == Kind.LEAVE_SPREAD) {
        n++;
      }
    }
    return n;
  }

  private static int indexOfKind(List<ClusterEvent> log, Kind kind) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).kind() == kind) {
        return i;
      }
    }
    return -1;
  }

  private static int largestBestEffort(CoreFixture f, BinarySerializer sizer) {
    int max = 0;
    for (RecordingOutbox.Sent s : f.outbox.all()) {
      if (s.delivery() == Delivery.BEST_EFFORT) {
        max = Math.max(max, sizer.encodedSize(s.message()));
      }
    }
    return max;
  }
}
