package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's own mechanics: scheduling, the network model, faults and bookkeeping. */
class SimulationEngineTest {

  private static Simulation small(int nodes, long seed) {
    return Simulation.builder().nodes(nodes).seed(seed).config(GossipConfig.local()).build();
  }

  @Test
  void nodesStartAtTheJoinRateAndNodeZeroFirst() {
    Simulation sim =
        Simulation.builder().nodes(10).joinRate(10).config(GossipConfig.local()).build();
    sim.runUntil(Duration.ZERO);
    assertThat(sim.liveCount()).isEqualTo(1);
    assertThat(sim.isUp(0)).isTrue();
    sim.runUntil(Duration.ofMillis(450));
    assertThat(sim.liveCount()).isEqualTo(5);
    sim.runUntil(Duration.ofMillis(900));
    assertThat(sim.liveCount()).isEqualTo(10);
    assertThat(sim.isConverged()).isFalse();
  }

  @Test
  void addressesAreDistinctAndStable() {
    assertThat(Simulation.addressOf(0).toString()).isEqualTo("10.0.0.1:7946");
    assertThat(Simulation.addressOf(255).toString()).isEqualTo("10.0.1.0:7946");
    assertThat(Simulation.addressOf(70_000).toString()).isEqualTo("10.1.17.113:7946");
  }

  @Test
  void scheduledActionsRunAtTheirTimeInOrder() {
    Simulation sim = small(3, 1);
    List<String> seen = new ArrayList<>();
    sim.schedule(Duration.ofSeconds(2), () -> seen.add("b@" + sim.nowNanos()));
    sim.schedule(Duration.ofSeconds(1), () -> seen.add("a@" + sim.nowNanos()));
    sim.schedule(Duration.ofSeconds(2), () -> seen.add("c@" + sim.nowNanos()));
    sim.runUntil(Duration.ofSeconds(3));
    assertThat(seen).containsExactly("a@1000000000", "b@2000000000", "c@2000000000");
    assertThat(sim.nowNanos()).isEqualTo(3_000_000_000L);
    assertThatThrownBy(() -> sim.schedule(Duration.ofSeconds(1), () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("past");
  }

  @Test
  void crashDropsPacketsInFlightAndLaterPacketsToIt() {
    Simulation sim = small(5, 2);
    assertThat(sim.runUntilConverged(Duration.ofSeconds(20))).isTrue();
    long before = sim.metrics().droppedUnreachable();
    sim.crash(3);
    assertThat(sim.isUp(3)).isFalse();
    assertThat(sim.liveCount()).isEqualTo(4);
    sim.runFor(Duration.ofSeconds(5));
    assertThat(sim.metrics().droppedUnreachable()).isGreaterThan(before);
    assertThat(sim.metrics().crashes()).isEqualTo(1);
    assertThatThrownBy(() -> sim.crash(3)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> sim.view(3)).hasMessageContaining("node 3 is not running");
  }

  @Test
  void pausedNodeHandlesNothingUntilThePauseEndsThenGetsItsBufferedPackets() {
    Simulation sim = small(6, 3);
    assertThat(sim.runUntilConverged(Duration.ofSeconds(20))).isTrue();
    sim.runFor(Duration.ofSeconds(2));
    sim.pause(2, Duration.ofSeconds(3));
    long received = sim.core(2).stats().messagesReceived();
    long sent = sim.core(2).stats().messagesSent();
    sim.runFor(Duration.ofMillis(2900));
    assertThat(sim.isPaused(2)).isTrue();
    assertThat(sim.core(2).stats().messagesReceived()).isEqualTo(received);
    assertThat(sim.core(2).stats().messagesSent()).isEqualTo(sent);
    sim.runFor(Duration.ofMillis(100));
    assertThat(sim.isPaused(2)).isFalse();
    assertThat(sim.core(2).stats().messagesReceived()).isGreaterThan(received);
    assertThat(sim.metrics().pauses()).isEqualTo(1);
  }

  @Test
  void partitionDropsPacketsAcrossTheCutOnly() {
    Simulation sim = small(6, 4);
    assertThat(sim.runUntilConverged(Duration.ofSeconds(20))).isTrue();
    sim.partition(List.of(0, 1, 2), List.of(3, 4, 5), true);
    assertThat(sim.isPartitioned()).isTrue();
    sim.runFor(Duration.ofSeconds(5));
    assertThat(sim.metrics().droppedPartition()).isPositive();
    sim.heal();
    assertThat(sim.isPartitioned()).isFalse();
    long dropped = sim.metrics().droppedPartition();
    sim.runFor(Duration.ofSeconds(60));
    // Nothing sent after the heal is dropped by the (gone) partition.
    assertThat(sim.metrics().droppedPartition()).isLessThanOrEqualTo(dropped + 10);
    assertThat(sim.isConverged()).isTrue();
  }

  @Test
  void lossIsDeterministicForASeed() {
    long[] a = lossyRun(9);
    long[] b = lossyRun(9);
    long[] c = lossyRun(10);
    assertThat(b).containsExactly(a);
    assertThat(c).isNotEqualTo(a);
    assertThat(a[0]).isPositive();
  }

  private static long[] lossyRun(long seed) {
    Simulation sim =
        Simulation.builder()
            .nodes(20)
            .seed(seed)
            .loss(0.2)
            .jitter(Duration.ofMillis(1))
            .config(GossipConfig.local())
            .build();
    sim.runUntil(Duration.ofSeconds(30));
    SimMetrics m = sim.metrics();
    return new long[] {m.droppedLoss(), m.messagesSent(), m.bytesSent(), m.traceHash()};
  }

  @Test
  void bytesAreCountedThroughTheSerializer() {
    Simulation sim = small(4, 5);
    long[] tapped = new long[2];
    io.libgossip.core.BinarySerializer bs =
        io.libgossip.core.BinarySerializer.forConfig(GossipConfig.local());
    sim.sendTap(
        new SimEngine.SendTap() {
          @Override
          public void onSend(
              long now, int src, int dst, io.libgossip.core.GossipMessage m, Delivery d) {
            throw new AssertionError("the engine passes the version");
          }

          @Override
          public void onSend(
              long now,
              int src,
              int dst,
              io.libgossip.core.GossipMessage m,
              Delivery d,
              int version) {
            tapped[0]++;
            tapped[1] += (version == 0 ? bs.encode(m) : bs.encode(m, version)).length;
          }
        });
    sim.runUntil(Duration.ofSeconds(10));
    SimMetrics m = sim.metrics();
    assertThat(m.bytesSent()).isEqualTo(tapped[1]);
    assertThat(m.messagesSent()).isEqualTo(tapped[0]);
    assertThat(m.messagesPerNodeSecond()).isPositive();
    assertThat(m.bytesPerNodeSecond()).isGreaterThan(m.messagesPerNodeSecond());
  }

  @Test
  void incrementalConvergenceMatchesTheCoresThroughFaults() {
    Simulation sim = small(12, 6);
    sim.runUntilConverged(Duration.ofSeconds(20));
    assertThat(sim.verifyBookkeeping()).isNull();
    sim.crash(4);
    assertThat(sim.verifyBookkeeping()).isNull();
    sim.runFor(Duration.ofSeconds(30));
    assertThat(sim.verifyBookkeeping()).isNull();
    sim.restart(4);
    assertThat(sim.verifyBookkeeping()).isNull();
    sim.runFor(Duration.ofSeconds(30));
    assertThat(sim.verifyBookkeeping()).isNull();
    assertThat(sim.isConverged()).isEqualTo(sim.allConverged());
  }

  @Test
  void builderRejectsBadValuesWithTheirName() {
    assertThatThrownBy(() -> Simulation.builder().nodes(1))
        .hasMessage("nodes must be in [2, 1000000], got 1");
    assertThatThrownBy(() -> Simulation.builder().loss(1.0))
        .hasMessage("loss must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> Simulation.builder().joinRate(0))
        .hasMessage("joinRate must be a positive number, got 0.0");
    assertThatThrownBy(() -> Simulation.builder().latency(Duration.ofMillis(-1)))
        .hasMessageContaining("latency must be >= 0");
  }

  @Test
  void withoutLossOrFaultsEverySentMessageIsDelivered() {
    Simulation sim = small(3, 7);
    List<GossipMessage> sent = new ArrayList<>();
    sim.sendTap((now, src, dst, m, d) -> sent.add(m));
    sim.runUntil(Duration.ofSeconds(5));
    sim.runFor(Duration.ofMillis(50)); // let the last packets land, sending no more than they can
    SimMetrics m = sim.metrics();
    assertThat(sent).isNotEmpty();
    assertThat(m.droppedLoss() + m.droppedPartition()).isZero();
    assertThat(m.messagesDelivered() + m.droppedUnreachable())
        .isBetween(m.messagesSent() - 20, m.messagesSent());
  }
}
