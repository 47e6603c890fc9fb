package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  /** A generator that always draws {@code value}. */
  private static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @Test
  void delaysGrowByTheMultiplierUpToTheCap() {
    RetryPolicy p =
        RetryPolicy.builder()
            .initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(10))
            .multiplier(2)
            .jitter(0)
            .build();
    RandomGenerator r = new SplittableRandom(1);
    assertThat(p.delay(1, r)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delay(2, r)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(4, r)).isEqualTo(Duration.ofSeconds(8));
    assertThat(p.delay(5, r)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.delay(1_000_000, r)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitterTakesAtMostItsFractionOff() {
    RetryPolicy p = RetryPolicy.forever(); // 1 s doubling to 30 s, jitter 0.5
    assertThat(p.delay(3, fixed(0))).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.delay(3, fixed(0.999_999)))
        .isBetween(Duration.ofMillis(2000), Duration.ofMillis(2001));
    for (long seed = 1; seed <= 50; seed++) {
      RandomGenerator r = new SplittableRandom(seed);
      for (int n = 1; n <= 12; n++) {
        double cap = Math.min(30_000, 1000 * Math.pow(2, n - 1));
        assertThat(p.delay(n, r).toMillis())
            .as("seed %d attempt %d", seed, n)
            .isBetween((long) (cap / 2) - 1, (long) cap);
      }
    }
  }

  @Test
  void budgetCountsAttemptsAndTotalTime() {
    RetryPolicy attempts = RetryPolicy.builder().maxAttempts(3).build();
    assertThat(attempts.allowsAnother(2, Duration.ofHours(1), Duration.ofSeconds(1))).isTrue();
    assertThat(attempts.allowsAnother(3, Duration.ZERO, Duration.ofSeconds(1))).isFalse();
    RetryPolicy total = RetryPolicy.builder().maxTotal(Duration.ofSeconds(10)).build();
    assertThat(total.allowsAnother(100, Duration.ofSeconds(8), Duration.ofSeconds(2))).isTrue();
    assertThat(total.allowsAnother(100, Duration.ofSeconds(8), Duration.ofSeconds(3))).isFalse();
    assertThat(
            RetryPolicy.forever()
                .allowsAnother(1_000_000, Duration.ofDays(365), Duration.ofSeconds(30)))
        .isTrue();
    assertThat(RetryPolicy.none().retries()).isFalse();
    assertThat(RetryPolicy.none().allowsAnother(1, Duration.ZERO, Duration.ZERO)).isFalse();
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ZERO))
        .hasMessageContaining("initialDelay must be positive");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
        .hasMessageContaining("multiplier must be a finite number >= 1, got 0.5");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5))
        .hasMessageContaining("jitter must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .hasMessageContaining("maxAttempts must be at least 1, got 0");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialDelay(Duration.ofSeconds(5))
                    .maxDelay(Duration.ofSeconds(1))
                    .build())
        .hasMessage("maxDelay (1 s) must not be less than initialDelay (5 s)");
    assertThatThrownBy(() -> RetryPolicy.forever().delay(0, new SplittableRandom(1)))
        .hasMessageContaining("failedAttempts must be at least 1, got 0");
  }
}
