package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.Lifeguard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The slow-node fault, the {@code --lifeguard} switch and the heap report of the scenario (decision
 * 050), with fixed seeds.
 */
class SlowNodeScenarioTest {

  private static Scenario small() {
    return new Scenario().nodes(40).durationSeconds(60).profile("lan").fail(1).updates(2).seed(3);
  }

  private static final List<String> NEW_KEYS =
      List.of(
          "lifeguard",
          "slow_nodes",
          "slow_loss",
          "false_positives_about_slow",
          "false_positives_about_healthy",
          "false_positives_by_slow",
          "healthy_suspicions_about_slow",
          "dropped_slow",
          "slow_failed_everywhere",
          "heap_live_bytes",
          "heap_per_node_bytes",
          "heap_per_member_bytes");

  @Test
  void withoutTheNewOptionsTheReportHasNoNewKeys() {
    Map<String, Object> r = small().run(null).values();

    assertThat(r.keySet()).doesNotContainAnyElementsOf(NEW_KEYS);
  }

  @Test
  void slowNodesAreDistinctFromNodeZeroAndTheVictimsAndDropMostInboundPackets() {
    Scenario s = small().fail(2).pause(1).slowFraction(0.1);
    List<Simulation> built = new ArrayList<>();
    s.onBuild = built::add;
    Map<String, Object> r = s.run(null).values();
    Simulation sim = built.get(0);

    List<Integer> slow = new ArrayList<>();
    for (int i = 0; i < sim.size(); i++) {
      if (sim.isSlow(i)) {
        slow.add(i);
      }
    }
    assertThat(slow).hasSize(4).doesNotContain(0);
    assertThat(r).containsEntry("slow_nodes", 4).containsEntry("slow_loss", 0.8);
    for (int i : slow) {
      assertThat(sim.isUp(i)).as("slow node %d keeps running", i).isTrue();
    }
    assertThat(((Number) r.get("dropped_slow")).longValue()).isPositive();
    int total = ((Number) r.get("false_positives")).intValue();
    int aboutSlow = ((Number) r.get("false_positives_about_slow")).intValue();
    assertThat(((Number) r.get("false_positives_about_healthy")).intValue())
        .isEqualTo(total - aboutSlow);
    assertThat(r.get("pauses")).isEqualTo(1);
  }

  @Test
  void sameSeedSameRunAndTheSlowNodesDoNotMoveTheOtherFaults() {
    Map<String, Object> a = small().slowFraction(0.05).run(null).values();
    Map<String, Object> b = small().slowFraction(0.05).run(null).values();
    assertThat(a.get("trace_hash")).isEqualTo(b.get("trace_hash"));

    Map<String, Object> plain = small().run(null).values();
    assertThat(a.get("trace_hash")).isNotEqualTo(plain.get("trace_hash"));
    assertThat(a.get("faults_start_ms")).isEqualTo(plain.get("faults_start_ms"));
  }

  @Test
  void plainSwimDeclaresTheSlowNodesFailedWhereFullLifeguardDoesNot() {
    // 100 nodes, 2 of them at 80% inbound loss for about 110 s (seed 1): SWIM's fixed timeout
    // lets the slow nodes' suspicions expire before they hear of them; Lifeguard's do not.
    Map<String, Object> swim = slowRun("none");
    Map<String, Object> full = slowRun("full");

    int swimFp = ((Number) swim.get("false_positives")).intValue();
    int fullFp = ((Number) full.get("false_positives")).intValue();
    assertThat(swimFp).isGreaterThan(100);
    assertThat(((Number) swim.get("false_positives_about_slow")).intValue())
        .isGreaterThan(swimFp / 2);
    assertThat(fullFp).isLessThan(swimFp / 20);
    assertThat(full.get("detection_incomplete")).isEqualTo(0);
    assertThat(swim.get("detection_incomplete")).isEqualTo(0);
  }

  private static Map<String, Object> slowRun(String lifeguard) {
    return new Scenario()
        .nodes(100)
        .durationSeconds(120)
        .fail(2)
        .slowFraction(0.02)
        .lifeguard(lifeguard)
        .seed(1)
        .run(null)
        .values();
  }

  @Test
  void lifeguardNameReachesEveryCore() {
    Scenario s = new Scenario().nodes(6).durationSeconds(5).fail(0).updates(0).lifeguard("no-nack");
    List<Simulation> built = new ArrayList<>();
    s.onBuild = built::add;
    Map<String, Object> r = s.run(null).values();

    assertThat(built.get(0).config().lifeguard()).isEqualTo(Lifeguard.full().withNacks(false));
    assertThat(built.get(0).core(3).config().lifeguard()).isEqualTo(Lifeguard.named("no-nack"));
    assertThat(r).containsEntry("lifeguard", "no-nack");
  }

  @Test
  void measuringTheHeapReportsItAndChangesNothingElse() {
    Map<String, Object> plain = small().run(null).values();
    Map<String, Object> heap = small().measureHeap(true).run(null).values();

    assertThat(heap.get("trace_hash")).isEqualTo(plain.get("trace_hash"));
    long live = ((Number) heap.get("heap_live_bytes")).longValue();
    assertThat(live).isPositive();
    assertThat(((Number) heap.get("heap_per_node_bytes")).longValue()).isEqualTo(live / 40);
    assertThat(((Number) heap.get("heap_per_member_bytes")).doubleValue()).isEqualTo(live / 1600.0);
  }

  @Test
  void badValuesAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new Scenario().slowFraction(1)).hasMessage("slow must be in [0, 1)");
    assertThatThrownBy(() -> new Scenario().slowLoss(0)).hasMessage("slow-loss must be in (0, 1]");
    assertThatThrownBy(() -> new Scenario().lifeguard("swim")).hasMessageContaining("no-lhm");
    assertThatThrownBy(() -> new Scenario().nodes(10).fail(5).slowFraction(0.5).validate())
        .hasMessageContaining("slow nodes");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        SimMain.run(
            new String[] {"--lifeguard", "swim"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("gossip sim: --lifeguard 'swim':");
  }
}
