package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node restarted under the same id at a new address ({@link Simulation#restartAt}) rejoins
 * everywhere at the new address: after a crash once the old instance is suspected or failed, after
 * a graceful leave, and after a crash not yet detected, as soon as the old instance is suspected.
 *
 * <p>The bound after a detected crash or a leave is 1 s plus {@link #propagationNanos}: the join is
 * one reliable round trip (a few milliseconds here), the answer carries the old instance's {@code
 * FAILED}/{@code LEFT}/{@code SUSPECT} claim, which the new instance refutes at once with a higher
 * incarnation from its new address; 1 s covers the gossip rounds until that refutation first leaves
 * the node and reaches its first holders. From then on it spreads like any claim: each holder sends
 * it in at most {@link GossipConfig#retransmitLimit} gossip rounds, so the epidemic phase is over
 * within that many gossip intervals; a node still stale after that would wait for anti-entropy
 * (tens of seconds), which the bound excludes.
 */
class RestartAtNewAddressTest {
  private static final int NODES = 64;
  private static final int SUBJECT = 17;
  private static final long SEC = 1_000_000_000L;

  /** The same host, another port: the usual restart of a process on an ephemeral port. */
  private static NodeAddress newAddress(int i) {
    return new NodeAddress(Simulation.addressOf(i).host(), 17946);
  }

  private static long propagationNanos(Simulation sim) {
    GossipConfig c = sim.config();
    return c.retransmitLimit(sim.size()) * c.gossipInterval().toNanos();
  }

  private static Simulation converged(long seed, double loss) {
    Simulation sim = Simulation.builder().nodes(NODES).seed(seed).loss(loss).trace(true).build();
    assertThat(sim.runUntilConverged(Duration.ofSeconds(60)))
        .as("converged (seed %d)", seed)
        .isTrue();
    return sim;
  }

  /** Whether every other running node sees {@code s} with a status in {@code statuses}. */
  private static boolean allSeeIn(Simulation sim, int s, Set<NodeStatus> statuses) {
    for (int o : sim.liveNodes()) {
      if (o != s && !statuses.contains(sim.statusOf(o, s))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code s} runs, has joined, and every other running node sees it ONLINE there. */
  private static boolean rejoinedAt(Simulation sim, int s, NodeAddress at) {
    if (!sim.isUp(s) || sim.core(s).self().status() != NodeStatus.ONLINE) {
      return false;
    }
    for (int o : sim.liveNodes()) {
      if (o == s) {
        continue;
      }
      Optional<NodeView> v = sim.core(o).findNode(sim.id(s));
      if (v.isEmpty() || v.get().status() != NodeStatus.ONLINE || !v.get().address().equals(at)) {
        return false;
      }
    }
    return true;
  }

  /** Runs until {@code s} has rejoined at {@code at}; returns how long that took, or -1. */
  private static long timeToRejoin(Simulation sim, int s, NodeAddress at, long limitNanos) {
    long t0 = sim.nowNanos();
    boolean ok = sim.runUntilNanos(t0 + limitNanos, () -> rejoinedAt(sim, s, at));
    return ok || rejoinedAt(sim, s, at) ? sim.nowNanos() - t0 : -1;
  }

  /** After the rejoin: stays put, with no further event about the subject anywhere. */
  private static void staysRejoined(Simulation sim, int s, NodeAddress at, long seed) {
    long from = sim.nowNanos();
    sim.runFor(Duration.ofSeconds(20));
    assertThat(rejoinedAt(sim, s, at)).as("still rejoined 20 s later (seed %d)", seed).isTrue();
    assertThat(
            sim.trace().stream()
                .filter(e -> e.subject() == s && e.timeNanos() > from)
                .filter(e -> e.kind() != ClusterEvent.Kind.REMOVED)
                .toList())
        .as("no event about the subject after the rejoin (seed %d)", seed)
        .isEmpty();
    assertThat(sim.metrics().falsePositives()).isZero();
    assertThat(sim.verifyBookkeeping()).isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void restartAfterACrashDetectedEverywhereRejoinsAtTheNewAddress(long seed) {
    Simulation sim = converged(seed, 0);
    sim.crash(SUBJECT);
    assertThat(
            sim.runUntilNanos(
                sim.nowNanos() + Simulation.detectionBoundNanos(sim.config(), NODES),
                () -> sim.allSee(SUBJECT, NodeStatus.FAILED)))
        .isTrue();
    NodeAddress at = newAddress(SUBJECT);

    sim.restartAt(SUBJECT, at);
    long took = timeToRejoin(sim, SUBJECT, at, SEC + 2 * propagationNanos(sim));

    System.out.printf("restart after FAILED, seed %d: rejoined in %d ms%n", seed, took / 1_000_000);
    assertThat(took)
        .as(
            "rejoined everywhere within 1 s + %d ms (seed %d)",
            2 * propagationNanos(sim) / 1_000_000, seed)
        .isNotNegative();
    assertThat(sim.core(SUBJECT).self().incarnation()).isPositive();
    staysRejoined(sim, SUBJECT, at, seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void restartOnceSuspectedOrFailedEverywhereRejoinsAtTheNewAddress(long seed) {
    Simulation sim = converged(seed, 0);
    sim.crash(SUBJECT);
    Set<NodeStatus> accused = EnumSet.of(NodeStatus.SUSPECT, NodeStatus.FAILED);
    assertThat(
            sim.runUntilNanos(
                sim.nowNanos() + Simulation.detectionBoundNanos(sim.config(), NODES),
                () -> allSeeIn(sim, SUBJECT, accused)))
        .isTrue();
    NodeAddress at = newAddress(SUBJECT);

    sim.restartAt(SUBJECT, at);
    long took = timeToRejoin(sim, SUBJECT, at, SEC + 2 * propagationNanos(sim));

    System.out.printf(
        "restart after SUSPECT/FAILED, seed %d: rejoined in %d ms%n", seed, took / 1_000_000);
    assertThat(took).as("rejoined everywhere within the bound (seed %d)", seed).isNotNegative();
    staysRejoined(sim, SUBJECT, at, seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void restartAfterAGracefulLeaveRejoinsAtTheNewAddress(long seed) {
    Simulation sim = converged(seed, 0);
    sim.leave(SUBJECT);
    assertThat(
            sim.runUntilNanos(
                sim.nowNanos() + 10 * SEC,
                () -> !sim.isUp(SUBJECT) && sim.allSee(SUBJECT, NodeStatus.LEFT)))
        .isTrue();
    NodeAddress at = newAddress(SUBJECT);

    sim.restartAt(SUBJECT, at);
    long took = timeToRejoin(sim, SUBJECT, at, SEC + 2 * propagationNanos(sim));

    System.out.printf("restart after LEFT, seed %d: rejoined in %d ms%n", seed, took / 1_000_000);
    assertThat(took).as("rejoined everywhere within the bound (seed %d)", seed).isNotNegative();
    staysRejoined(sim, SUBJECT, at, seed);
  }

  /**
   * Restarted before anyone noticed the crash: the others still hold the old instance {@code
   * ONLINE}, so the new one is a conflict until the old one is first suspected. The bound is from
   * that first suspicion: one probe interval for the new instance to hear of it (its own probes'
   * acks carry the suspicion, as the buddy system does), then 1 s plus the propagation of its
   * refutation as above.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void restartBeforeTheCrashIsDetectedRejoinsOnceTheOldInstanceIsSuspected(long seed) {
    Simulation sim = converged(seed, 0);
    sim.crash(SUBJECT);
    NodeAddress at = newAddress(SUBJECT);
    long t0 = sim.nowNanos();
    sim.restartAt(SUBJECT, at);

    long took = timeToRejoin(sim, SUBJECT, at, Simulation.detectionBoundNanos(sim.config(), NODES));
    long firstSuspicion =
        sim.trace().stream()
            .filter(e -> e.subject() == SUBJECT && e.timeNanos() >= t0)
            .filter(e -> e.kind() == ClusterEvent.Kind.SUSPECTED)
            .mapToLong(TraceEvent::timeNanos)
            .min()
            .orElse(-1);

    System.out.printf(
        "restart before detection, seed %d: first suspicion at +%d ms, rejoined at +%d ms%n",
        seed, (firstSuspicion - t0) / 1_000_000, took / 1_000_000);
    assertThat(took).as("rejoined at all (seed %d)", seed).isNotNegative();
    assertThat(firstSuspicion).as("the old instance was suspected").isNotNegative();
    long bound = sim.config().probeInterval().toNanos() + SEC + 2 * propagationNanos(sim);
    assertThat(t0 + took - firstSuspicion)
        .as("rejoined within %d ms of the first suspicion (seed %d)", bound / 1_000_000, seed)
        .isBetween(0L, bound);
    staysRejoined(sim, SUBJECT, at, seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void restartAfterACrashRejoinsUnderFivePercentLoss(long seed) {
    Simulation sim = converged(seed, 0.05);
    sim.crash(SUBJECT);
    assertThat(
            sim.runUntilNanos(
                sim.nowNanos() + Simulation.detectionBoundNanos(sim.config(), NODES),
                () -> sim.allSee(SUBJECT, NodeStatus.FAILED)))
        .isTrue();
    NodeAddress at = newAddress(SUBJECT);

    sim.restartAt(SUBJECT, at);
    // A lost proof ping or ack waits for the next claim or probe: under loss the bound is the
    // detection bound (decision 034).
    long took = timeToRejoin(sim, SUBJECT, at, Simulation.detectionBoundNanos(sim.config(), NODES));

    System.out.printf("restart after FAILED, 5%% loss, seed %d: %d ms%n", seed, took / 1_000_000);
    assertThat(took).as("rejoined everywhere within the bound (seed %d)", seed).isNotNegative();
  }
}
