package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolMathTest {
  private static final long SEC = 1_000_000_000L;

  @ParameterizedTest(name = "mult {0}, n {1} -> {2}")
  @CsvSource({
    "4, 0, 4",
    "4, 1, 4",
    "4, 2, 4",
    "4, 9, 4",
    "4, 10, 8",
    "4, 99, 8",
    "4, 100, 12",
    "4, 999, 12",
    "4, 1000, 16",
    "3, 5, 3",
    "2, 50, 4",
  })
  void retransmitLimitIsMultTimesCeilLog10OfNPlusOne(int mult, int n, int expected) {
    assertThat(ProtocolMath.retransmitLimit(mult, n)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "mult {0}, n {1} -> {2} s")
  @CsvSource({
    "4, 1, 4.0",
    "4, 5, 4.0",
    "4, 10, 4.0",
    "4, 100, 8.0",
    "4, 1000, 12.0",
    "5, 1, 5.0",
    "4, 0, 4.0",
  })
  void suspicionMinIsMultTimesLog10NTimesProbeInterval(int mult, int n, double seconds) {
    assertThat(ProtocolMath.suspicionMinNanos(mult, n, SEC)).isEqualTo((long) (seconds * SEC));
  }

  @Test
  void suspicionMinUsesLog10OfN() {
    assertThat(ProtocolMath.suspicionMinNanos(4, 50, SEC))
        .isEqualTo((long) (4 * Math.log10(50) * SEC));
  }

  @Test
  void suspicionMaxIsAMultipleOfTheMin() {
    for (int n : new int[] {1, 3, 10, 42, 500}) {
      assertThat(ProtocolMath.suspicionMaxNanos(4, 6, n, SEC))
          .as("n=%d", n)
          .isEqualTo(6 * ProtocolMath.suspicionMinNanos(4, n, SEC));
    }
  }

  @ParameterizedTest(name = "mult {0}, n {1} -> {2}")
  @CsvSource({
    // k = mult - 2 when the cluster has at least k others besides the suspect and us
    "4, 100, 2",
    "4, 4, 2",
    "4, 5, 2",
    // too small to provide k confirmations
    "4, 3, 0",
    "4, 2, 0",
    "4, 1, 0",
    "6, 10, 4",
    "6, 5, 0",
    "6, 6, 4",
    "3, 3, 1",
    "3, 2, 0",
    // k would be <= 0
    "2, 10, 0",
    "1, 10, 0",
  })
  void confirmationsNeededIncludingSmallClusters(int mult, int n, int expected) {
    assertThat(ProtocolMath.suspicionConfirmationsNeeded(mult, n)).isEqualTo(expected);
  }

  @Test
  void timeoutStartsAtMaxAndReachesMinAfterKConfirmations() {
    long min = 4 * SEC;
    long max = 24 * SEC;
    assertThat(ProtocolMath.suspicionTimeoutNanos(min, max, 3, 0)).isEqualTo(max);
    assertThat(ProtocolMath.suspicionTimeoutNanos(min, max, 3, 3)).isEqualTo(min);
    assertThat(ProtocolMath.suspicionTimeoutNanos(min, max, 3, 7)).isEqualTo(min);
    assertThat(ProtocolMath.suspicionTimeoutNanos(min, max, 0, 0)).isEqualTo(min);
    // Lifeguard's log interpolation: after 1 of 3, max - log(2)/log(4) of the way = halfway.
    assertThat(ProtocolMath.suspicionTimeoutNanos(min, max, 3, 1)).isEqualTo(14 * SEC);
  }

  @Test
  void timeoutIsMonotoneBetweenMaxAndMin() {
    long seed = 4242L;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 1_000; i++) {
      long min = 1 + r.nextLong(100 * SEC);
      long max = min + r.nextLong(500 * SEC);
      int k = r.nextInt(12);
      long prev = Long.MAX_VALUE;
      for (int c = 0; c <= k + 2; c++) {
        long t = ProtocolMath.suspicionTimeoutNanos(min, max, k, c);
        String ctx = "seed " + seed + " i " + i + " min " + min + " max " + max + " k " + k;
        assertThat(t).as(ctx + " c " + c).isBetween(min, max).isLessThanOrEqualTo(prev);
        if (c >= k) {
          assertThat(t).as(ctx + " c " + c).isEqualTo(min);
        }
        if (k > 0 && c == 0) {
          assertThat(t).as(ctx).isEqualTo(max);
        }
        prev = t;
      }
    }
  }

  @ParameterizedTest(name = "n {0} -> x{1}")
  @CsvSource({
    "1, 1",
    "10, 1",
    "32, 1",
    "33, 2",
    "64, 2",
    "65, 3",
    "128, 3",
    "129, 4",
    "1024, 6",
    "10000, 10",
  })
  void pushPullIntervalScalesPerDoublingBeyond32(int n, int mult) {
    assertThat(ProtocolMath.pushPullIntervalNanos(30 * SEC, n)).isEqualTo(mult * 30 * SEC);
  }

  @Test
  void pushPullIntervalNeverShrinksAsTheClusterGrows() {
    long prev = 0;
    for (int n = 1; n < 5_000; n++) {
      long v = ProtocolMath.pushPullIntervalNanos(30 * SEC, n);
      assertThat(v).as("n=%d", n).isGreaterThanOrEqualTo(prev);
      prev = v;
    }
  }
}
