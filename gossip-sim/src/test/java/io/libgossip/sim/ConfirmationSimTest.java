package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Confirmation before accusing (decision 051, {@link GossipConfig#confirmationChecks()}), with
 * fixed seeds: under heavy loss far fewer healthy members are accused; without loss crashes are
 * detected exactly as without it.
 */
class ConfirmationSimTest {
  private static final GossipConfig SWIM =
      GossipConfig.lan().toBuilder().confirmationChecks(0).build();

  /** Healthy suspicions in 60 s of a 100-node cluster at 20% loss (seed 7). */
  private static SimMetrics underLoss(GossipConfig config) {
    Simulation sim = Simulation.builder().nodes(100).seed(7).loss(0.20).config(config).build();
    sim.runUntil(Duration.ofSeconds(60));
    return sim.metrics();
  }

  @Test
  void fewerHealthyMembersAreSuspectedAtTwentyPercentLoss() {
    SimMetrics off = underLoss(SWIM);
    SimMetrics on = underLoss(GossipConfig.lan());

    assertThat(off.healthySuspicions()).as("without confirmation (seed 7)").isGreaterThan(100);
    assertThat(on.healthySuspicions() * 5)
        .as("with confirmation: %d vs %d", on.healthySuspicions(), off.healthySuspicions())
        .isLessThan(off.healthySuspicions());
    assertThat(on.falsePositives()).isZero();
  }

  /** Runs 100 lossless nodes (seed 2), crashes three 1.5 s apart, and runs past the bound. */
  private static Simulation crashes(GossipConfig config) {
    Simulation sim = Simulation.builder().nodes(100).seed(2).config(config).build();
    assertThat(sim.runUntilConverged(Duration.ofSeconds(60))).isTrue();
    for (int v : new int[] {17, 42, 73}) {
      sim.crash(v);
      sim.runFor(Duration.ofMillis(1500));
    }
    sim.runFor(Duration.ofNanos(Simulation.detectionBoundNanos(sim.config(), sim.size())));
    return sim;
  }

  @Test
  void withoutLossCrashesAreDetectedExactlyAsWithoutConfirmation() {
    Simulation off = crashes(SWIM);
    Simulation on = crashes(GossipConfig.lan());

    for (int v : new int[] {17, 42, 73}) {
      assertThat(on.allSee(v, NodeStatus.FAILED)).as("node %d FAILED everywhere", v).isTrue();
    }
    assertThat(on.metrics().detections())
        .as("first suspicion and all-FAILED times")
        .isEqualTo(off.metrics().detections());
    assertThat(on.traceHash()).as("the same run, event for event").isEqualTo(off.traceHash());
    assertThat(on.metrics().healthySuspicions()).isZero();
  }
}
