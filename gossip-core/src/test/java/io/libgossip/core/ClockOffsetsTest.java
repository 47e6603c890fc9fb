package io.libgossip.core;

import static io.libgossip.core.TestCluster.MS;
import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Clock offsets and round trips from timed probes, between cores (decision 061). */
class ClockOffsetsTest {
  /** Node i's wall clock runs {@code SKEW[i]} ahead of the cluster's time. */
  private static final long[] SKEW = {0, 250 * MS, -1_300 * MS, 7 * MS};

  private static TestCluster cluster(GossipConfig config, long seed) {
    TestCluster[] holder = new TestCluster[1];
    TestCluster c =
        new TestCluster(
            SKEW.length,
            config,
            seed,
            (i, b) -> b.wallClock(() -> 1_765_000_000_000_000_000L + holder[0].now + SKEW[i]));
    holder[0] = c;
    c.versioned = true;
    return c;
  }

  private static GossipConfig timed(boolean coordinates) {
    return GossipConfig.lan().toBuilder().clockOffsets(true).coordinates(coordinates).build();
  }

  @Test
  void everyNodeLearnsEveryPeersOffsetWithinItsErrorBound() {
    TestCluster c = cluster(timed(false), 61);
    c.joinAll();
    c.runFor(40 * SEC);
    for (int i = 0; i < SKEW.length; i++) {
      for (int j = 0; j < SKEW.length; j++) {
        if (i == j) {
          continue;
        }
        Optional<PeerTiming> t = c.core(i).timing(TestCluster.id(j), c.now);
        assertThat(t).as("%d of %d", i, j).isPresent();
        PeerTiming p = t.orElseThrow();
        long trueOffset = SKEW[j] - SKEW[i];
        // the test cluster's latency is a constant 1 ms each way: exact, and the bound holds
        assertThat(Math.abs(p.offset().toNanos() - trueOffset))
            .isLessThanOrEqualTo(p.errorBound().toNanos());
        assertThat(p.offset().toNanos()).isEqualTo(trueOffset);
        assertThat(p.rtt()).isEqualTo(Duration.ofMillis(2));
        assertThat(p.minRtt()).isEqualTo(Duration.ofMillis(2));
        assertThat(p.errorBound()).isEqualTo(Duration.ofMillis(1));
        assertThat(p.samples()).isPositive();
        assertThat(p.age()).isLessThan(Duration.ofSeconds(40));
      }
    }
    assertThat(c.core(0).coordinate()).isEmpty();
    assertThat(c.core(0).estimateRtt(TestCluster.id(1))).isEmpty();
  }

  @Test
  void offByDefaultNothingIsMeasuredAndNoTimestampIsSent() {
    TestCluster c = cluster(GossipConfig.lan(), 61);
    c.recordSends = true;
    c.joinAll();
    c.runFor(20 * SEC);
    assertThat(c.core(0).timing(TestCluster.id(1), c.now)).isEmpty();
    assertThat(c.core(0).config().wireVersions()).isEqualTo(WireVersions.SUPPORTED);
    for (TestCluster.Sent s : c.sends) {
      if (s.message() instanceof GossipMessage.Ping p) {
        assertThat(p.timing()).isNull();
      } else if (s.message() instanceof GossipMessage.Ack a) {
        assertThat(a.timing()).isNull();
      }
    }
  }

  @Test
  void aNodeWithTimingNeverStampsPingsToANodeWithout() {
    TestCluster c =
        new TestCluster(
            2,
            timed(false),
            7,
            (i, b) -> {
              b.wallClock(() -> 1_000_000L);
              if (i == 1) {
                b.config(GossipConfig.lan());
              }
            });
    c.versioned = true;
    c.recordSends = true;
    c.joinAll();
    c.runFor(20 * SEC);
    assertThat(c.converged()).isTrue();
    long stamped =
        c.sends.stream()
            .filter(
                s ->
                    s.from() == 0
                        && s.message() instanceof GossipMessage.Ping p
                        && p.timing() != null)
            .count();
    assertThat(stamped).isZero();
    assertThat(c.core(0).timing(TestCluster.id(1), c.now)).isEmpty();
  }

  @Test
  void coordinatesPredictTheRoundTrip() {
    TestCluster c = cluster(timed(true), 62);
    c.joinAll();
    c.runFor(120 * SEC);
    NetworkCoordinate own = c.core(0).coordinate().orElseThrow();
    assertThat(own.error()).isLessThan(Vivaldi.ERROR_MAX);
    Duration est = c.core(0).estimateRtt(TestCluster.id(1)).orElseThrow();
    // true round trip 2 ms: within half a millisecond
    assertThat(Math.abs(est.toNanos() - 2 * MS)).isLessThan(MS / 2);
  }

  @Test
  void configurationIsValidated() {
    assertThatThrownBy(() -> GossipConfig.lan().toBuilder().coordinates(true).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clockOffsets");
    assertThatThrownBy(
            () ->
                GossipConfig.lan().toBuilder()
                    .clockOffsets(true)
                    .wireVersions(new WireVersions(2, 3))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wire version 5");
    assertThat(timed(false).wireVersions()).isEqualTo(WireVersions.WITH_TIMING);
    assertThatThrownBy(
            () ->
                GossipCore.builder()
                    .id("a")
                    .address(new NodeAddress("10.0.0.1", 1))
                    .config(timed(false))
                    .random(new java.util.SplittableRandom(1))
                    .outbox((m, t, d) -> {})
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wallClock");
  }

  @Test
  void aStampedPingFromAnUnprovenAddressGetsAnUntimedAck() {
    TestCluster c = cluster(timed(true), 64);
    c.joinAll();
    c.runFor(5 * SEC);
    c.recordSends = true;
    NodeAddress forged = new NodeAddress("10.9.9.9", 7946);
    c.core(0)
        .handleMessage(
            new GossipMessage.Ping("stranger", forged, 77, TestCluster.id(0), List.of())
                .withTiming(ProbeTiming.ping(1)),
            c.now);
    List<GossipMessage.Ack> acks =
        c.sends.stream()
            .filter(
                s -> s.from() == 0 && s.message() instanceof GossipMessage.Ack a && a.seq() == 77)
            .map(s -> (GossipMessage.Ack) s.message())
            .toList();
    assertThat(acks).hasSize(1);
    assertThat(acks.get(0).timing()).as("no amplification toward a forged source").isNull();
  }

  @Test
  void implausibleAcksAreRejectedNotSampled() {
    TestCluster c = cluster(timed(false), 63);
    c.joinAll();
    c.runFor(5 * SEC);
    GossipCore core = c.core(0);
    long before = core.clockSamplesRejected();
    long wall = 1_765_000_000_000_000_000L + c.now;
    List<ProbeTiming> bad =
        List.of(
            new ProbeTiming(wall + SEC, 0, 0, null), // the ack "arrives" before the ping left
            new ProbeTiming(wall - 20 * SEC, wall, wall, null), // a 20 s round trip
            new ProbeTiming(wall, wall, wall - MS, null), // sent before received
            new ProbeTiming(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, null)); // overflow
    for (ProbeTiming t : bad) {
      core.handleMessage(
          new GossipMessage.Ack(TestCluster.id(1), TestCluster.addr(1), 999_999, List.of())
              .withTiming(t),
          c.now);
    }
    assertThat(core.clockSamplesRejected() - before).isEqualTo(bad.size());
  }
}
