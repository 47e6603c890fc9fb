package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.NodeView;
import io.libgossip.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Leader election over simulated cores: one leader per view, one per side of a partition. */
class LeaderElectionSimTest {
  private static final int N = 8;

  /** Every node's tracker and election, fed from its core's member list. */
  private static final class Nodes {
    final Simulation sim;
    final List<MembershipTracker> trackers = new ArrayList<>();
    final List<LeaderElection> elections = new ArrayList<>();

    Nodes(Simulation sim) {
      this.sim = sim;
      for (int i = 0; i < sim.size(); i++) {
        MembershipTracker t = new MembershipTracker();
        trackers.add(t);
        elections.add(LeaderElection.ofRole(t, sim.id(i), "svc"));
      }
    }

    /** Runs for {@code d}, feeding every view to its tracker each 200 ms of virtual time. */
    void run(Duration d) {
      long end = sim.nowNanos() + d.toNanos();
      while (sim.nowNanos() < end) {
        sim.runFor(Duration.ofMillis(200));
        for (int i = 0; i < sim.size(); i++) {
          trackers.get(i).replaceAll(sim.view(i));
        }
      }
    }

    /** The leader ids the nodes in {@code which} see. */
    Set<String> leaders(List<Integer> which) {
      Set<String> out = new HashSet<>();
      for (int i : which) {
        out.add(elections.get(i).leader().map(NodeView::id).orElse("none"));
      }
      return out;
    }

    long selfLeaders(List<Integer> which) {
      return which.stream().filter(i -> elections.get(i).isLeader()).count();
    }
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void oneLeaderWhenViewsAgreeOnePerSideDuringAPartitionOneAgainAfterTheHeal(long seed) {
    Simulation sim = Simulation.builder().nodes(N).seed(seed).build();
    assertThat(sim.runUntilConverged(Duration.ofSeconds(30))).as("seed %d", seed).isTrue();
    for (int i = 0; i < N; i++) {
      sim.updateMetadata(i, Map.of(NodeView.ROLE, "svc"));
    }
    Nodes nodes = new Nodes(sim);
    nodes.run(Duration.ofSeconds(10));
    List<Integer> all = range(0, N);
    Set<String> before = nodes.leaders(all);
    assertThat(before).as("seed %d: one leader everywhere", seed).hasSize(1);
    assertThat(nodes.selfLeaders(all)).isEqualTo(1);
    String leader = before.iterator().next();

    List<Integer> a = range(0, N / 2);
    List<Integer> b = range(N / 2, N);
    sim.partition(a, b, true);
    nodes.run(Duration.ofSeconds(60));
    Set<String> leadersA = nodes.leaders(a);
    Set<String> leadersB = nodes.leaders(b);
    assertThat(leadersA).as("seed %d: side A agrees", seed).hasSize(1);
    assertThat(leadersB).as("seed %d: side B agrees", seed).hasSize(1);
    assertThat(leadersA).doesNotContainAnyElementsOf(leadersB);
    // no split-brain protection, as documented: each side has its own leader
    assertThat(nodes.selfLeaders(a)).isEqualTo(1);
    assertThat(nodes.selfLeaders(b)).isEqualTo(1);
    int leaderIndex = all.stream().filter(i -> sim.id(i).equals(leader)).findFirst().orElseThrow();
    List<Integer> otherSide = a.contains(leaderIndex) ? b : a;
    assertThat(otherSide)
        .allSatisfy(i -> assertThat(nodes.elections.get(i).term()).isGreaterThanOrEqualTo(2));

    sim.heal();
    assertThat(sim.runUntilConverged(sim.now().plus(Duration.ofSeconds(120))))
        .as("seed %d: healed", seed)
        .isTrue();
    nodes.run(Duration.ofSeconds(5));
    assertThat(nodes.leaders(all))
        .as("seed %d: one leader after the heal", seed)
        .containsExactly(leader);
    assertThat(nodes.selfLeaders(all)).isEqualTo(1);
  }
}
