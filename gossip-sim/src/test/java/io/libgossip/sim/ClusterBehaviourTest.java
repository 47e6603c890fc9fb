package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Protocol behaviour of real cores in the simulator, with fixed seeds. */
class ClusterBehaviourTest {

  private static Duration ms(long v) {
    return Duration.ofMillis(v);
  }

  private static Duration s(long v) {
    return Duration.ofSeconds(v);
  }

  private static long boundMs(Simulation sim) {
    return Simulation.detectionBoundNanos(sim.config(), sim.size()) / 1_000_000;
  }

  private static String failedAbout(Simulation sim, int subject) {
    return sim.trace().stream()
        .filter(e -> e.subject() == subject && e.status() == NodeStatus.FAILED)
        .map(Object::toString)
        .limit(5)
        .collect(Collectors.joining("\n"));
  }

  @Test
  void twoHundredNodesConvergeFromOneSeed() {
    Simulation sim = Simulation.builder().nodes(200).seed(1).config(GossipConfig.lan()).build();
    boolean converged = sim.runUntilConverged(s(60));
    assertThat(converged).as("converged within 60 s (seed 1), at %s", sim.now()).isTrue();
    assertThat(sim.allConverged()).isTrue();
    assertThat(sim.verifyBookkeeping()).isNull();
    assertThat(sim.metrics().joinConvergedNanos()).isEqualTo(sim.nowNanos());
  }

  @Test
  void crashedNodesAreFailedEverywhereWithinTheBound() {
    Simulation sim = Simulation.builder().nodes(100).seed(2).build();
    assertThat(sim.runUntilConverged(s(60))).isTrue();
    int[] victims = {17, 42, 73};
    for (int v : victims) {
      sim.crash(v);
      sim.runFor(ms(1500));
    }
    sim.runFor(Duration.ofMillis(boundMs(sim)));
    for (int v : victims) {
      assertThat(sim.allSee(v, NodeStatus.FAILED))
          .as("node %d FAILED everywhere (seed 2)", v)
          .isTrue();
    }
    List<Detection> d = sim.metrics().detections();
    assertThat(d).hasSize(3);
    for (Detection x : d) {
      assertThat(x.firstSuspectNanos()).isNotNegative();
      assertThat(x.allFailedNanos())
          .as("detection of node %d", x.subject())
          .isBetween(0L, boundMs(sim) * 1_000_000);
    }
    assertThat(sim.metrics().falsePositives()).isZero();
    assertThat(sim.verifyBookkeeping()).isNull();
  }

  @Test
  void noFalsePositivesAtTenPercentLossOverThirtyMinutes() {
    Simulation sim = Simulation.builder().nodes(64).seed(3).loss(0.10).jitter(ms(1)).build();
    assertThat(sim.runUntilConverged(s(300))).as("converged under 10% loss").isTrue();
    sim.runUntil(Duration.ofMinutes(30));
    SimMetrics m = sim.metrics();
    assertThat(m.falsePositives())
        .as("false positives (seed 3, 64 nodes, 10%% loss):%n%s", sim.describeFalsePositives())
        .isZero();
    assertThat(m.droppedLoss()).isPositive();
    assertThat(sim.liveCount()).isEqualTo(64);
  }

  @Test
  void pausedNodeDoesNotGetHealthyNodesDeclaredFailed() {
    Simulation sim = Simulation.builder().nodes(50).seed(4).trace(true).build();
    assertThat(sim.runUntilConverged(s(30))).isTrue();
    sim.pause(7, s(10));
    sim.runFor(s(5));
    assertThat(sim.isPaused(7)).isTrue();
    sim.runFor(s(60));
    assertThat(sim.isPaused(7)).isFalse();
    List<TraceEvent> byPausedNode =
        sim.trace().stream()
            .filter(e -> e.observer() == 7 && e.status() == NodeStatus.FAILED)
            .collect(Collectors.toList());
    assertThat(byPausedNode).as("FAILED declared by the paused node (seed 4)").isEmpty();
    assertThat(sim.metrics().falsePositives()).isZero();
    assertThat(sim.runUntilConverged(sim.now().plus(s(60))))
        .as("paused node back in the view")
        .isTrue();
  }

  @Test
  void metadataUpdateReachesEveryLiveNode() {
    Simulation sim = Simulation.builder().nodes(100).seed(5).loss(0.02).build();
    assertThat(sim.runUntilConverged(s(60))).isTrue();
    sim.updateMetadata(33, Map.of("role", "db", "zone", "b"));
    long version = sim.core(33).self().metadataVersion();
    sim.runFor(s(10));
    for (int o : sim.liveNodes()) {
      if (o != 33) {
        var v = sim.core(o).findNode(sim.id(33)).orElseThrow();
        assertThat(v.metadataVersion()).as("version of n33 at node %d", o).isEqualTo(version);
        assertThat(v.metadata()).containsEntry("role", "db").containsEntry("zone", "b");
      }
    }
    SimMetrics m = sim.metrics();
    assertThat(m.disseminationNanos()).hasSize(99);
    assertThat(m.disseminationIncomplete()).isZero();
    assertThat(m.disseminationPercentile(100)).isLessThan(s(10).toNanos());
  }

  @Test
  void fiftyFiftyPartitionHealsIntoOneView() {
    Simulation sim = Simulation.builder().nodes(60).seed(6).build();
    assertThat(sim.runUntilConverged(s(30))).isTrue();
    List<Integer> a = IntStream.range(0, 30).boxed().collect(Collectors.toList());
    List<Integer> b = IntStream.range(30, 60).boxed().collect(Collectors.toList());
    sim.partition(a, b, true);
    sim.runFor(s(60));
    assertThat(sim.statusOf(0, 59))
        .as("other side after 60 s of partition")
        .isIn(NodeStatus.SUSPECT, NodeStatus.FAILED);
    sim.heal();
    long healedAt = sim.nowNanos();
    boolean healed = sim.runUntilConverged(sim.now().plus(Duration.ofMillis(boundMs(sim))));
    assertThat(healed)
        .as("one view within %d ms of the heal (seed 6); partial: %s", boundMs(sim), sim.metrics())
        .isTrue();
    assertThat(sim.allConverged()).isTrue();
    assertThat(sim.nowNanos() - healedAt).isPositive();
  }

  @Test
  void gracefulLeaveIsLeftEverywhereAndNeverFailed() {
    Simulation sim = Simulation.builder().nodes(40).seed(7).trace(true).build();
    assertThat(sim.runUntilConverged(s(30))).isTrue();
    sim.leave(9);
    sim.runFor(s(20));
    assertThat(sim.isUp(9)).as("left node stopped").isFalse();
    assertThat(sim.metrics().leaves()).isEqualTo(1);
    assertThat(sim.allSee(9, NodeStatus.LEFT)).isTrue();
    assertThat(failedAbout(sim, 9)).as("FAILED events about the leaver (seed 7)").isEmpty();
    assertThat(sim.isConverged()).isTrue();
  }

  @Test
  void crashedAndRestartedNodeRejoins() {
    Simulation sim = Simulation.builder().nodes(50).seed(8).build();
    assertThat(sim.runUntilConverged(s(30))).isTrue();
    sim.crash(12);
    sim.runFor(Duration.ofMillis(boundMs(sim)));
    assertThat(sim.allSee(12, NodeStatus.FAILED)).isTrue();
    sim.restart(12);
    boolean back = sim.runUntilConverged(sim.now().plus(s(30)));
    assertThat(back).as("restarted node ONLINE everywhere within 30 s (seed 8)").isTrue();
    assertThat(sim.allSee(12, NodeStatus.ONLINE)).isTrue();
    assertThat(sim.metrics().restarts()).isEqualTo(1);
    assertThat(sim.metrics().falsePositives()).isZero();
  }

  private static List<TraceEvent> faultyRun(long seed) {
    Simulation sim =
        Simulation.builder().nodes(30).seed(seed).loss(0.05).jitter(ms(2)).trace(true).build();
    sim.schedule(s(5), () -> sim.crash(3));
    sim.schedule(s(6), () -> sim.pause(4, s(8)));
    sim.schedule(s(7), () -> sim.updateMetadata(5, Map.of("k", "v")));
    sim.schedule(s(8), () -> sim.partition(List.of(1, 2), List.of(6, 7, 8), false));
    sim.schedule(s(20), sim::heal);
    sim.schedule(s(25), () -> sim.restart(3));
    sim.runUntil(s(40));
    List<TraceEvent> t = new ArrayList<>(sim.trace());
    assertThat(sim.traceHash()).isEqualTo(sim.metrics().traceHash());
    return t;
  }

  @Test
  void sameSeedGivesTheSameTraceAndAnotherSeedAnother() {
    List<TraceEvent> a = faultyRun(11);
    List<TraceEvent> b = faultyRun(11);
    List<TraceEvent> c = faultyRun(12);
    assertThat(a).isNotEmpty();
    assertThat(b).isEqualTo(a);
    assertThat(c).isNotEqualTo(a);
    assertThat(a.stream().map(TraceEvent::kind))
        .contains(ClusterEvent.Kind.FAILED, ClusterEvent.Kind.JOINED);
  }
}
