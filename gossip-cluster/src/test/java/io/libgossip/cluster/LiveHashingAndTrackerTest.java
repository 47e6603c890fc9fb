package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LiveHashingAndTrackerTest {

  private static NodeView with(NodeView m, NodeStatus s) {
    return Views.member(m.id(), s, m.metadata());
  }

  @Test
  void trackerFollowsEventsAndResyncs() {
    MembershipTracker t = new MembershipTracker();
    AtomicInteger changes = new AtomicInteger();
    t.addChangeListener(changes::incrementAndGet);
    NodeView a = Views.online("a");
    NodeView b = Views.online("b");
    t.onEvent(new ClusterEvent.MemberJoined(b));
    t.onEvent(new ClusterEvent.SelfJoined(a));
    assertThat(t.members()).containsExactly(a, b);
    t.onEvent(new ClusterEvent.MemberSuspected(with(b, NodeStatus.SUSPECT), "a"));
    assertThat(t.members().get(1).status()).isEqualTo(NodeStatus.SUSPECT);
    t.onEvent(new ClusterEvent.MemberConflict(b, new NodeAddress("127.0.0.2", 1), 1, "a", false));
    assertThat(changes).hasValue(3); // a conflict changes nothing
    NodeView bFailed = with(b, NodeStatus.FAILED);
    t.onEvent(new ClusterEvent.MemberFailed(bFailed, NodeStatus.SUSPECT, "a"));
    t.onEvent(new ClusterEvent.MemberRemoved(bFailed));
    assertThat(t.members()).containsExactly(a);
    t.onEvent(new ClusterEvent.Resync(a, List.of(a, Views.online("c")), 5));
    assertThat(t.members()).extracting(NodeView::id).containsExactly("a", "c");
    assertThat(changes).hasValue(6);
  }

  @Test
  void aThrowingChangeListenerIsCountedAndDoesNotStopOthers() {
    MembershipTracker t = new MembershipTracker();
    AtomicInteger seen = new AtomicInteger();
    t.addChangeListener(
        () -> {
          throw new IllegalStateException("boom");
        });
    t.addChangeListener(seen::incrementAndGet);
    t.update(Views.online("a"));
    assertThat(seen).hasValue(1);
    assertThat(t.listenerFailures()).isEqualTo(1);
  }

  @Test
  void liveHashingFollowsMembershipAndExcludesSuspectsByDefault() {
    MembershipTracker t = new MembershipTracker(Views.online(5));
    ConsistentHashing ring = ConsistentHashing.ring(t);
    ConsistentHashing hrw = ConsistentHashing.rendezvous(t);
    ConsistentHashing hrwLive = ConsistentHashing.rendezvous(t, MemberFilter.live());
    String key = "order-42";
    NodeView owner = hrw.owner(key).orElseThrow();
    NodeView second = hrw.owners(key, 2).get(1);
    ConsistentHash before = ring.snapshot();

    t.onEvent(new ClusterEvent.MemberSuspected(with(owner, NodeStatus.SUSPECT), "x"));
    assertThat(hrw.owner(key)).contains(second);
    assertThat(hrw.members()).hasSize(4);
    assertThat(hrwLive.owner(key).orElseThrow().id()).isEqualTo(owner.id());
    assertThat(before.members()).hasSize(5); // an old snapshot stays as it was
    assertThat(ring.snapshot().members()).hasSize(4);

    t.onEvent(new ClusterEvent.MemberRecovered(owner, NodeStatus.SUSPECT));
    assertThat(hrw.owner(key)).contains(owner);

    hrw.close();
    t.onEvent(new ClusterEvent.MemberJoined(Views.online("node-9")));
    assertThat(hrw.members()).hasSize(5); // closed: no longer follows
    assertThat(ring.members()).hasSize(6);
  }

  @Test
  void aMetadataChangeKeepsTheOwnersAndReturnsTheNewViews() {
    MembershipTracker t = new MembershipTracker(Views.online(8));
    ConsistentHashing ring = ConsistentHashing.ring(t, MemberFilter.online(), 32);
    ConsistentHashing hrw = ConsistentHashing.rendezvous(t);
    NodeView ringOwner = ring.owner("k").orElseThrow();
    NodeView hrwOwner = hrw.owner("k").orElseThrow();
    t.onEvent(
        new ClusterEvent.MetadataChanged(Views.online(ringOwner.id(), Map.of("v", "2")), Map.of()));
    t.onEvent(
        new ClusterEvent.MetadataChanged(Views.online(hrwOwner.id(), Map.of("v", "2")), Map.of()));
    assertThat(ring.owner("k").orElseThrow().metadata()).containsEntry("v", "2");
    assertThat(ring.owner("k").orElseThrow().id()).isEqualTo(ringOwner.id());
    assertThat(hrw.owner("k").orElseThrow().metadata()).containsEntry("v", "2");
    assertThat(hrw.owner("k").orElseThrow().id()).isEqualTo(hrwOwner.id());
    for (int i = 0; i < 1000; i++) {
      assertThat(ring.owner("key" + i)).isEqualTo(HashRing.of(t.members(), 32).owner("key" + i));
    }
  }

  @Test
  void aMetadataFilterLimitsTheOwnersToOneRole() {
    MembershipTracker t = new MembershipTracker();
    t.replaceAll(
        List.of(
            Views.online("c1", Map.of("role", "cache")),
            Views.online("c2", Map.of("role", "cache")),
            Views.online("w1", Map.of("role", "web"))));
    ConsistentHashing caches =
        ConsistentHashing.ring(t, MemberFilter.online().withRole("cache"), 64);
    for (int i = 0; i < 1000; i++) {
      assertThat(caches.owner("k" + i).orElseThrow().role()).isEqualTo("cache");
    }
    // a member that starts publishing the role becomes an owner
    t.onEvent(
        new ClusterEvent.MetadataChanged(Views.online("w1", Map.of("role", "cache")), Map.of()));
    assertThat(caches.members()).extracting(NodeView::id).containsExactly("c1", "c2", "w1");
    ConsistentHashing none = ConsistentHashing.rendezvous(t, MemberFilter.online().withRole("db"));
    assertThat(none.owner("k")).isEmpty();
  }
}
