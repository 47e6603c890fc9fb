package io.libgossip.core;

import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two live instances claim one id (a second process started by mistake with the id of a running
 * one, at another address): the others report a {@link ClusterEvent.MemberConflict}, keep the
 * address they hold, and neither instance raises its incarnation over the other.
 */
class DuplicateIdTest {
  private static final int NODES = 8;
  private static final int TWIN = 3;
  private static final NodeAddress OTHER = new NodeAddress("10.0.1.3", 7946);
  private static final long PROBE = GossipConfig.lan().probeInterval().toNanos();

  private static List<ClusterEvent> since(TestCluster c, int node, int mark) {
    List<ClusterEvent> log = c.events.get(node);
    return new ArrayList<>(log.subList(mark, log.size()));
  }

  private static List<ClusterEvent.MemberConflict> conflicts(List<ClusterEvent> events) {
    return events.stream()
        .filter(e -> e instanceof ClusterEvent.MemberConflict)
        .map(e -> (ClusterEvent.MemberConflict) e)
        .toList();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void secondLiveInstanceIsReportedAndNeitherInstanceWins(long seed) {
    TestCluster c = new TestCluster(NODES, GossipConfig.lan(), seed);
    c.joinAll();
    assertThat(c.runUntil(c::converged, SEC, 30 * SEC)).as("converged (seed %d)", seed).isTrue();
    int[] marks = new int[NODES];
    for (int o = 0; o < NODES; o++) {
      marks[o] = c.events.get(o).size();
    }
    String id = TestCluster.id(TWIN);
    long duration = 60 * SEC;

    int twin = c.addInstance(id, OTHER);
    c.core(twin).join(List.of(TestCluster.addr(0)), c.now);
    c.runFor(duration);

    assertThat(c.core(twin).hasJoined()).as("the second instance joined (seed %d)", seed).isTrue();
    int reported = 0;
    for (int o = 0; o < NODES; o++) {
      if (o == TWIN) {
        continue;
      }
      NodeView held = c.core(o).findNode(id).orElseThrow();
      assertThat(held.address())
          .as("node %d keeps the address (seed %d)", o, seed)
          .isEqualTo(TestCluster.addr(TWIN));
      assertThat(held.status()).isEqualTo(NodeStatus.ONLINE);
      assertThat(held.incarnation()).isZero();
      List<ClusterEvent> events = since(c, o, marks[o]);
      assertThat(events)
          .as("node %d: no member event about %s, only conflicts (seed %d)", o, id, seed)
          .allMatch(e -> !e.node().id().equals(id) || e instanceof ClusterEvent.MemberConflict);
      List<ClusterEvent.MemberConflict> seen = conflicts(events);
      assertThat(seen.size())
          .as("at most once per probe interval (seed %d)", seed)
          .isLessThanOrEqualTo((int) (duration / PROBE) + 1);
      for (ClusterEvent.MemberConflict e : seen) {
        assertThat(e.local()).isFalse();
        assertThat(e.node().address()).isEqualTo(TestCluster.addr(TWIN));
        assertThat(e.claimedAddress()).isEqualTo(OTHER);
      }
      reported += seen.size();
    }
    assertThat(reported).as("observers report the conflict (seed %d)", seed).isPositive();
    assertThat(c.core(TWIN).self().incarnation()).as("no incarnation race").isZero();
    assertThat(c.core(twin).self().incarnation()).as("no incarnation race").isZero();
    assertThat(conflicts(c.events.get(twin)))
        .as("the second instance learns of the first (seed %d)", seed)
        .isNotEmpty()
        .allMatch(e -> e.local() && e.claimedAddress().equals(TestCluster.addr(TWIN)));
  }

  /**
   * Under loss the instance the others hold gets suspected now and then, and both instances refute
   * the suspicion: that is the only way either raises its incarnation. Neither ever raises it over
   * a claim of the other alive.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void underLossTwinsRefuteOnlyAccusationsNeverEachOther(long seed) {
    TestCluster c = new TestCluster(NODES, GossipConfig.lan(), seed);
    c.loss = 0.1;
    c.joinAll();
    assertThat(c.runUntil(c::converged, SEC, 60 * SEC)).as("converged (seed %d)", seed).isTrue();
    String id = TestCluster.id(TWIN);

    int twin = c.addInstance(id, OTHER);
    c.core(twin).join(List.of(TestCluster.addr(0)), c.now);
    c.runFor(120 * SEC);

    int moved = 0;
    int changes = 0;
    for (int o = 0; o < NODES; o++) {
      if (o != TWIN && c.core(o).findNode(id).orElseThrow().address().equals(OTHER)) {
        moved++;
      }
      changes +=
          (int)
              c.events.get(o).stream()
                  .filter(e -> e.kind() == ClusterEvent.Kind.RECOVERED)
                  .filter(e -> e.node().id().equals(id))
                  .count();
    }
    System.out.printf(
        "twins at 10%% loss, seed %d: incarnations %d and %d, %d of %d observers hold the second"
            + " address at the end, %d recoveries of %s%n",
        seed,
        c.core(TWIN).self().incarnation(),
        c.core(twin).self().incarnation(),
        moved,
        NODES - 1,
        changes,
        id);
    for (int i : new int[] {TWIN, twin}) {
      List<ClusterEvent> refuted =
          c.events.get(i).stream().filter(e -> e instanceof ClusterEvent.SelfRefuted).toList();
      assertThat(refuted)
          .as("instance %d refutes only accusations (seed %d)", i, seed)
          .allMatch(e -> ((ClusterEvent.SelfRefuted) e).claimedStatus() != NodeStatus.ONLINE);
      assertThat(c.core(i).stats().refutations()).isEqualTo(refuted.size());
    }
  }
}
