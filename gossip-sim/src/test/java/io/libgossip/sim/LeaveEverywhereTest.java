package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A graceful leave reaches every live member, in small clusters under heavy loss: {@code LEFT}
 * everywhere, and never {@code FAILED} at any observer at any time.
 */
class LeaveEverywhereTest {
  static final int LEAVES = 1000;

  /**
   * Runs one seeded leave; returns null when the leaver was {@code LEFT} everywhere and never
   * {@code FAILED}, or else what went wrong.
   */
  static String leaveOnce(long seed) {
    int nodes = 3 + (int) (seed % 18);
    GossipConfig config = seed % 2 == 0 ? GossipConfig.lan() : GossipConfig.local();
    Simulation sim =
        Simulation.builder()
            .nodes(nodes)
            .seed(seed)
            .config(config)
            .loss(0.10)
            .jitter(Duration.ofMillis(1))
            .trace(true)
            .build();
    if (!sim.runUntilConverged(Duration.ofSeconds(60))) {
      return "never converged";
    }
    sim.runFor(Duration.ofMillis(new SplittableRandom(seed).nextLong(2000)));
    int leaver = new SplittableRandom(seed + 1).nextInt(nodes);
    if (!sim.isUp(leaver) || sim.isPaused(leaver)) {
      return "leaver not running";
    }
    long leftAt = sim.nowNanos();
    sim.leave(leaver);
    while (sim.isUp(leaver)) {
      sim.runFor(Duration.ofMillis(10)); // the simulation stops it at the leave timeout, 10 s
    }
    long stopMs = (sim.nowNanos() - leftAt) / 1_000_000;
    if (!sim.allSee(leaver, NodeStatus.LEFT)) {
      return "not LEFT everywhere when the leave completed after " + stopMs + " ms";
    }
    sim.runFor(Duration.ofSeconds(30)); // long enough for any suspicion to turn into FAILED
    for (TraceEvent e : sim.trace()) {
      if (e.subject() == leaver && e.status() == NodeStatus.FAILED) {
        return "FAILED: " + e;
      }
    }
    return stopMs >= 10_000 ? "leave timed out" : null;
  }

  @Test
  void aThousandSeededLeavesAtTenPercentLossAreLeftEverywhereAndNeverFailed() {
    StringBuilder failures = new StringBuilder();
    int failed = 0;
    for (long seed = 0; seed < LEAVES; seed++) {
      String problem = leaveOnce(seed);
      if (problem != null) {
        failed++;
        if (failed <= 10) {
          failures.append("\n  seed ").append(seed).append(" (").append(3 + seed % 18);
          failures.append(" nodes): ").append(problem);
        }
      }
    }
    assertThat(failed).as("leaves that went wrong:%s", failures).isZero();
  }
}
