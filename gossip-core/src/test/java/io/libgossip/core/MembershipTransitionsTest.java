package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every status transition of a remote member and the event it emits. */
class MembershipTransitionsTest {

  private static void assertEvent(
      ClusterEvent.MemberEvent e,
      Kind kind,
      String id,
      NodeStatus oldStatus,
      NodeStatus newStatus) {
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.node().id()).isEqualTo(id);
    assertThat(e.previousStatus()).isEqualTo(oldStatus);
    assertThat(e.status()).isEqualTo(newStatus);
  }

  @Test
  void unknownMemberClaimedOnlineJoins() {
    CoreFixture f = CoreFixture.create();
    Map<String, String> meta = Map.of("role", "db", "region", "eu-west");

    f.gossip("a", online("a", 3, meta, 2));

    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertEvent(e, Kind.JOINED, "a", NodeStatus.UNKNOWN, NodeStatus.ONLINE);
    NodeView v = e.node();
    assertThat(v.address()).isEqualTo(addr("a"));
    assertThat(v.status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(v.incarnation()).isEqualTo(3);
    assertThat(v.metadata()).isEqualTo(meta);
    assertThat(v.metadataVersion()).isEqualTo(2);
    assertThat(v.lastChangeNanos()).isEqualTo(f.now);
    assertThat(f.core.findNode("a")).contains(v);
    assertThat(f.core.size()).isEqualTo(2);
    assertThat(f.core.liveCount()).isEqualTo(2);
  }

  @Test
  void onlineMemberClaimedSuspectIsSuspected() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.listener.clear();
    f.now += 5 * MS;

    f.gossip("a", suspect("x", 0, "a"));

    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertEvent(e, Kind.SUSPECTED, "x", NodeStatus.ONLINE, NodeStatus.SUSPECT);
    assertThat(e.node().status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(e.node().incarnation()).isZero();
    assertThat(e.node().lastChangeNanos()).isEqualTo(f.now);
    assertThat(f.core.stats().suspectNodes()).isEqualTo(1);
    assertThat(f.core.liveCount()).as("a suspect still counts as live").isEqualTo(3);
  }

  @Test
  void suspectRefutedByHigherIncarnationRecovers() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.listener.clear();

    f.gossip("x", online("x", 1));

    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertEvent(e, Kind.RECOVERED, "x", NodeStatus.SUSPECT, NodeStatus.ONLINE);
    assertThat(e.node().incarnation()).isEqualTo(1);
    assertThat(f.core.stats().suspectNodes()).isZero();
  }

  @Test
  void suspectFailsWhenItsSuspicionTimesOut() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    long suspectedAt = f.now;
    f.listener.clear();

    f.advance(60 * SEC);

    assertThat(f.listener.about("x")).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.about("x").get(0);
    assertEvent(e, Kind.FAILED, "x", NodeStatus.SUSPECT, NodeStatus.FAILED);
    assertThat(e.node().status()).isEqualTo(NodeStatus.FAILED);
    assertThat(e.node().incarnation()).isZero();
    assertThat(e.node().lastChangeNanos()).isGreaterThan(suspectedAt);
    assertThat(f.core.stats().failedNodes()).isEqualTo(1);
    assertThat(f.core.liveCount()).isEqualTo(2);
  }

  @Test
  void onlineMemberClaimedFailedFails() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.listener.clear();

    f.gossip("a", failed("x", 0, "a"));

    assertEvent(f.listener.last(), Kind.FAILED, "x", NodeStatus.ONLINE, NodeStatus.FAILED);
  }

  @Test
  void onlineMemberAnnouncingLeftLeaves() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.listener.clear();

    f.gossip("x", left("x", 0));

    assertThat(f.listener.events()).hasSize(1);
    assertEvent(f.listener.last(), Kind.LEFT, "x", NodeStatus.ONLINE, NodeStatus.LEFT);
    assertThat(f.listener.last().node().status()).isEqualTo(NodeStatus.LEFT);
    assertThat(f.core.stats().leftNodes()).isEqualTo(1);
  }

  @Test
  void suspectAnnouncingLeftLeaves() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.listener.clear();

    f.gossip("x", left("x", 0));
    f.advance(60 * SEC);

    assertThat(f.listener.kinds("x")).containsExactly(Kind.LEFT);
    assertEvent(f.listener.about("x").get(0), Kind.LEFT, "x", NodeStatus.SUSPECT, NodeStatus.LEFT);
  }

  @Test
  void failedTombstoneIsRemovedByCleanupExpiredAfterTheReconnectTimeout() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    long failedAt = f.now;
    long tombstone = f.config.reconnectTimeout().toNanos();
    assertThat(f.core.cleanupExpired(failedAt + f.config.tombstoneTimeout().toNanos()))
        .as("kept past the tombstone timeout, for reconnects")
        .isZero();
    f.listener.clear();

    assertThat(f.core.cleanupExpired(failedAt + tombstone - 1)).isZero();
    assertThat(f.status("x")).isEqualTo(NodeStatus.FAILED);

    assertThat(f.core.cleanupExpired(failedAt + tombstone)).isEqualTo(1);

    assertThat(f.core.findNode("x")).isEmpty();
    assertThat(f.status("x")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.core.size()).isEqualTo(2);
    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertEvent(e, Kind.REMOVED, "x", NodeStatus.FAILED, NodeStatus.FAILED);
    assertThat(f.core.cleanupExpired(failedAt + 2 * tombstone)).isZero();
  }

  @Test
  void leftTombstoneIsRemovedByTickAfterTheTombstoneTimeout() {
    GossipConfig cfg =
        GossipConfig.lan().toBuilder().tombstoneTimeout(Duration.ofSeconds(20)).build();
    CoreFixture f = CoreFixture.create(cfg);
    f.addPeers("a", "x");
    f.gossip("x", left("x", 0));
    long leftAt = f.now;
    f.listener.clear();

    f.runUntil(leftAt + 20 * SEC - 1);
    assertThat(f.status("x")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.core.nextDeadline()).isLessThanOrEqualTo(leftAt + 20 * SEC);

    f.runUntil(leftAt + 20 * SEC);

    assertThat(f.status("x")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.listener.events()).hasSize(1);
    assertEvent(f.listener.last(), Kind.REMOVED, "x", NodeStatus.LEFT, NodeStatus.LEFT);
    assertThat(f.core.stats().leftNodes()).isZero();
  }

  @Test
  void removingATombstoneKeepsTheRestOfTheTableIntact() {
    CoreFixture f =
        CoreFixture.create(
            GossipConfig.lan().toBuilder().reconnectTimeout(Duration.ofMinutes(10)).build());
    f.addPeers("x", "a", "b", "c");
    f.gossip("a", failed("x", 0, "a"));
    f.advance(SEC);
    f.gossip("a", failed("b", 0, "a"));
    long tombstone = f.config.reconnectTimeout().toNanos();

    f.advance(tombstone - SEC);

    assertThat(f.core.members()).extracting(NodeView::id).containsExactly(SELF, "a", "b", "c");
    f.advance(SEC);
    assertThat(f.core.members()).extracting(NodeView::id).containsExactly(SELF, "a", "c");
    assertThat(f.listener.ofKind(Kind.REMOVED))
        .extracting(e -> e.node().id())
        .containsExactly("x", "b");
    f.gossip("a", suspect("c", 0, "a"));
    assertThat(f.status("c")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.core.stats().knownNodes()).isEqualTo(3);
    assertThat(f.core.liveCount()).isEqualTo(3);
  }

  @Test
  void recoveredMemberIsNotRemovedByItsOldTombstone() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    long failedAt = f.now;
    f.gossip("x", online("x", 1));
    f.listener.clear();

    assertThat(f.core.cleanupExpired(failedAt + f.config.tombstoneTimeout().toNanos())).isZero();

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void removedMemberThatComesBackJoinsAgain() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    f.core.cleanupExpired(f.now + f.config.reconnectTimeout().toNanos());
    f.listener.clear();

    f.gossip("x", online("x", 1));

    assertEvent(f.listener.last(), Kind.JOINED, "x", NodeStatus.UNKNOWN, NodeStatus.ONLINE);
  }

  @Test
  void onlineMemberPublishingNewMetadataEmitsMetadataChanged() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.listener.clear();
    Map<String, String> meta = Map.of("role", "cache");

    f.gossip("x", online("x", 1, meta, 1));

    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertEvent(e, Kind.METADATA_CHANGED, "x", NodeStatus.ONLINE, NodeStatus.ONLINE);
    assertThat(e.node().metadata()).isEqualTo(meta);
    assertThat(e.node().metadataVersion()).isEqualTo(1);
    assertThat(e.node().role()).isEqualTo("cache");
  }

  @Test
  void onlineMemberWithNewIncarnationButSameMetadataEmitsNothing() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.listener.clear();

    f.gossip("x", online("x", 1));

    assertThat(f.view("x").incarnation()).isEqualTo(1);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void suspectRecoveringWithNewMetadataEmitsRecoveredOnly() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.listener.clear();

    f.gossip("x", online("x", 1, Map.of("role", "db"), 1));

    assertThat(f.listener.kinds("x")).containsExactly(Kind.RECOVERED);
    assertThat(f.listener.last().node().role()).isEqualTo("db");
  }

  @Test
  void throwingListenerIsCountedAndDoesNotCorruptState() {
    CoreFixture f =
        new CoreFixture(
            GossipConfig.lan(),
            1,
            b ->
                b.listener(
                    e -> {
                      throw new IllegalStateException("boom");
                    }));

    f.gossip("a", online("a", 0), online("x", 0));
    f.gossip("a", suspect("x", 0, "a"));

    assertThat(f.status("a")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.core.stats().listenerErrors()).isEqualTo(3);
  }

  @Test
  void messageClaimingToComeFromSelfIsDropped() {
    CoreFixture f = CoreFixture.create();

    f.gossip(SELF, online("a", 0));

    assertThat(f.core.findNode("a")).isEmpty();
    assertThat(f.core.stats().drops()).containsEntry(DropReason.FROM_SELF, 1L);
  }

  @Test
  void theLocalNodeGetsNoEventsAboutItself() {
    CoreFixture f = CoreFixture.withPeers("a");
    f.listener.clear();

    f.gossip("a", suspect(SELF, 0, "a"), failed(SELF, 1, "a"), online(SELF, 5));

    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void membersListsSelfFirstThenOthersById() {
    CoreFixture f = CoreFixture.withPeers("c", "a", "b");
    f.gossip("a", failed("b", 0, "a"));

    List<NodeView> members = f.core.members();

    assertThat(members).extracting(NodeView::id).containsExactly(SELF, "a", "b", "c");
    assertThat(members.get(0)).isEqualTo(f.core.self());
    assertThat(members.get(2).status()).isEqualTo(NodeStatus.FAILED);
    assertThat(f.core.size()).isEqualTo(4);
    assertThat(f.core.liveCount()).isEqualTo(3);
    assertThat(f.core.findNode(SELF)).contains(f.core.self());
    assertThat(f.core.statusOf("nobody")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.core.statusOf(SELF)).isEqualTo(NodeStatus.JOINING);
    assertThat(f.core.config()).isSameAs(f.config);
  }

  @Test
  void resetForgetsMembersButKeepsTheIncarnation() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.gossip("a", suspect(SELF, 0, "a"));
    long inc = f.core.self().incarnation();
    assertThat(inc).isEqualTo(1);

    f.core.reset(f.now);

    assertThat(f.core.members()).extracting(NodeView::id).containsExactly(SELF);
    assertThat(f.core.self().incarnation()).isEqualTo(inc);
    assertThat(f.core.self().status()).isEqualTo(NodeStatus.JOINING);
    assertThat(f.core.hasJoined()).isFalse();
    assertThat(f.health()).isZero();
  }

  @Test
  void fullBroadcastQueueCountsQueueFullDrops() {
    GossipConfig cfg = GossipConfig.lan().toBuilder().maxQueuedUpdates(16).build();
    CoreFixture f = CoreFixture.create(cfg);
    String[] peers = new String[30];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = "p" + i;
    }

    f.addPeers(peers);

    GossipStats s = f.core.stats();
    assertThat(s.queuedUpdates()).isEqualTo(16);
    assertThat(s.drops()).containsEntry(DropReason.QUEUE_FULL, 31L - 16L);
    assertThat(f.core.size()).as("the table itself is not bounded by the queue").isEqualTo(31);
  }

  @Test
  void runtimeCountersAreReportedInStats() {
    CoreFixture f = CoreFixture.create();
    f.core.recordBytesSent(100);
    f.core.recordBytesSent(20);
    f.core.recordBytesReceived(7);

    GossipStats s = f.core.stats();

    assertThat(s.bytesSent()).isEqualTo(120);
    assertThat(s.bytesReceived()).isEqualTo(7);
  }
}
