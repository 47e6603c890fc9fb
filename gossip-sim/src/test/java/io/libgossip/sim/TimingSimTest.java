package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Clock offsets and Vivaldi coordinates in the simulator (decision 061): nodes on a plane of
 * latencies, with skewed wall clocks, estimate their peers' offsets and round trips.
 */
class TimingSimTest {

  private static Scenario timed(long seed) {
    return new Scenario()
        .nodes(40)
        .durationSeconds(120)
        .fail(0)
        .updates(0)
        .seed(seed)
        .timing(true)
        .clockSkewMs(200)
        .latencySpreadMs(40)
        .jitterMs(1);
  }

  @Test
  void offsetsAndRoundTripsAreEstimatedWithinTheStatedBounds() {
    for (long seed = 1; seed <= 2; seed++) {
      SimReport r = timed(seed).run(null);
      assertThat(r.values().get("converged_end")).isEqualTo(true);
      assertThat(r.number("false_positives")).isZero();
      assertThat(r.number("timing_offset_pairs")).isGreaterThan(40 * 39 * 0.9);
      // jitter of at most 1 ms per packet bounds the asymmetry: the offset is off by < 0.5 ms
      assertThat(r.number("timing_offset_error_p50_ms")).as("seed %d", seed).isLessThan(0.3);
      assertThat(r.number("timing_offset_error_p90_ms")).isLessThan(0.5);
      assertThat(r.number("timing_offset_within_bound")).isEqualTo(1.0);
      assertThat(r.number("vivaldi_pairs")).isGreaterThan(40 * 39 * 0.9);
      assertThat(r.number("vivaldi_rtt_rel_error_p50")).as("seed %d", seed).isLessThan(0.2);
    }
  }

  @Test
  void offByDefaultTheReportHasNoTimingKeys() {
    SimReport r =
        new Scenario()
            .nodes(20)
            .durationSeconds(20)
            .fail(0)
            .updates(0)
            .seed(1)
            .clockSkewMs(500)
            .run(null);
    assertThat(r.values()).doesNotContainKeys("timing_offset_pairs", "vivaldi_pairs");
    SimReport plain =
        new Scenario().nodes(20).durationSeconds(20).fail(0).updates(0).seed(1).run(null);
    // a skew without timing changes nothing: no node reads its wall clock
    assertThat(r.values().get("trace_hash")).isEqualTo(plain.values().get("trace_hash"));
  }

  @Test
  void sameSeedSameTrace() {
    Scenario s = timed(5).nodes(20).durationSeconds(30);
    assertThat(s.run(null).values().get("trace_hash"))
        .isEqualTo(timed(5).nodes(20).durationSeconds(30).run(null).values().get("trace_hash"));
  }
}
