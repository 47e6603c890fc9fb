package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.OverloadControl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Overload control in dissemination (decision 052) in the simulator, with fixed seeds: each part
 * compared with the same run without it. Confirmation (decisions 051 and 058) is off here: with it,
 * 20% loss raises almost no accusations, and these tests need many to exercise the queue.
 */
class OverloadControlSimTest {

  private static Simulation heavyLoss(Set<OverloadControl> parts, int nodes, long seed) {
    GossipConfig config =
        GossipConfig.lan().toBuilder().overloadControl(parts).confirmationChecks(0).build();
    Simulation sim = Simulation.builder().nodes(nodes).seed(seed).loss(0.2).config(config).build();
    sim.runUntil(Duration.ofSeconds(60));
    return sim;
  }

  private static long sum(Simulation sim, java.util.function.ToLongFunction<Integer> f) {
    long s = 0;
    for (int i = 0; i < sim.size(); i++) {
      if (sim.isUp(i)) {
        s += f.applyAsLong(i);
      }
    }
    return s;
  }

  @Test
  void withEveryPartOffTheRunIsTheOneBeforeDecision052() {
    // The golden "loss" scenario's trace hash before decisions 051 and 052 (with every part of
    // 052 on, or confirmation on, it moved), with the join of decision 056 (the first catch-up
    // sooner after the join, hellos to members back from FAILED; 2aa255584ad45dcc before it) and
    // the catch-ups of decision 066 (denser, and the first node's too; 0906cd83709cde25 before).
    Scenario s =
        SimMain.parse(
                ("--nodes 120 --duration 90 --loss 0.05 --fail 3 --seed 11 --overload none"
                        + " --confirmation-checks 0")
                    .split(" "))
            .scenario;
    assertThat(s.run(null).values()).containsEntry("trace_hash", "581dcbff62a62af5");
  }

  @Test
  void heavyLossRaisesNoFalsePositiveWithEveryPartOn() {
    Simulation sim = heavyLoss(OverloadControl.defaults(), 150, 18);

    assertThat(sum(sim, i -> sim.core(i).stats().refutations()))
        .as("suspicions were raised and refuted")
        .isPositive();
    assertThat(sim.metrics().falsePositives()).isZero();
  }

  @Test
  void correctionsStayWithinTheirBudget() {
    Set<OverloadControl> noBudget = OverloadControl.defaults();
    noBudget.remove(OverloadControl.CORRECTION_BUDGET);
    Simulation on = heavyLoss(OverloadControl.defaults(), 150, 18);
    Simulation off = heavyLoss(noBudget, 150, 18);

    assertThat(sum(on, i -> on.core(i).drops(DropReason.CORRECTION_BUDGET)))
        .as("corrections over the budget are counted, not sent")
        .isPositive();
    assertThat(sum(off, i -> off.core(i).drops(DropReason.CORRECTION_BUDGET))).isZero();
    assertThat(on.metrics().falsePositives()).isZero();
  }

  @Test
  void aNodeThatCannotSendInTimeDefersItsAccusations() {
    // Small packets and every node's metadata changing at once: each queue holds a claim about
    // every member, more than small packets carry in time, while 20% loss fails probes.
    Set<OverloadControl> noDefer = OverloadControl.defaults();
    GossipConfig small =
        GossipConfig.lan().toBuilder()
            .maxPacketSize(512)
            .maxMetadataBytes(128)
            .overloadControl(OverloadControl.all())
            .confirmationChecks(0)
            .build();
    Simulation on = Simulation.builder().nodes(300).seed(7).loss(0.2).config(small).build();
    Simulation off =
        Simulation.builder()
            .nodes(300)
            .seed(7)
            .loss(0.2)
            .config(small.toBuilder().overloadControl(noDefer).build())
            .build();
    for (Simulation sim : List.of(on, off)) {
      sim.runUntil(Duration.ofSeconds(20));
      for (int i = 0; i < sim.size(); i++) {
        sim.updateMetadata(i, Map.of("role", "r" + i)); // news about every member at once
      }
      sim.runUntil(Duration.ofSeconds(30));
    }

    assertThat(sum(on, i -> on.core(i).suspicionsDeferred())).isPositive();
    assertThat(sum(off, i -> off.core(i).suspicionsDeferred())).isZero();
    assertThat(sum(on, i -> on.core(i).stats().suspicionsRaised()))
        .isLessThan(sum(off, i -> off.core(i).stats().suspicionsRaised()));
    assertThat(on.metrics().falsePositives()).isLessThanOrEqualTo(off.metrics().falsePositives());
  }
}
