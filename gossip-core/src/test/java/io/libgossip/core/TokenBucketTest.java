package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenBucketTest {
  private static final long MS = 1_000_000L;

  @Test
  void startsFullAndAllowsExactlyTheBurst() {
    TokenBucket b = new TokenBucket(3, 10 * MS, 0);
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(0)).isFalse();
    assertThat(b.available(0)).isZero();
  }

  @Test
  void refillsOneTokenPerIntervalAndNotBefore() {
    TokenBucket b = new TokenBucket(1, 10 * MS, 0);
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(10 * MS - 1)).isFalse();
    assertThat(b.nanosUntilAvailable(10 * MS - 1)).isEqualTo(1);
    assertThat(b.tryTake(10 * MS)).isTrue();
    assertThat(b.tryTake(10 * MS)).isFalse();
  }

  @Test
  void partialIntervalsAreNotLostWhileBelowTheBurst() {
    // Below the burst the refill clock keeps the 5 ms remainder of a take at 15 ms: the next token
    // comes at 20 ms, not 25 ms.
    TokenBucket b = new TokenBucket(2, 10 * MS, 0);
    assertThat(b.tryTake(2, 0)).isTrue();
    assertThat(b.tryTake(15 * MS)).isTrue();
    assertThat(b.tryTake(20 * MS)).isTrue();
    assertThat(b.tryTake(29 * MS)).isFalse();
  }

  @Test
  void aFullBucketAccruesNothing() {
    // Full at 10 ms, taken at 15 ms: the next token comes a whole interval later, at 25 ms.
    TokenBucket b = new TokenBucket(1, 10 * MS, 0);
    assertThat(b.tryTake(0)).isTrue();
    assertThat(b.tryTake(15 * MS)).isTrue();
    assertThat(b.tryTake(24 * MS)).isFalse();
    assertThat(b.tryTake(25 * MS)).isTrue();
  }

  @Test
  void longIdlenessRefillsOnlyUpToTheBurst() {
    TokenBucket b = new TokenBucket(5, MS, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(b.tryTake(0)).isTrue();
    }
    long later = 1_000_000 * MS; // 1000 s
    assertThat(b.available(later)).isEqualTo(5);
    int taken = 0;
    while (b.tryTake(later)) {
      taken++;
    }
    assertThat(taken).isEqualTo(5);
  }

  @Test
  void sustainedRateMatchesTheConfiguredRate() {
    TokenBucket b = TokenBucket.perSecond(100, 10, 0);
    int ok = 0;
    for (long t = 0; t < 10_000 * MS; t += MS) { // one try per ms for 10 s
      if (b.tryTake(t)) {
        ok++;
      }
    }
    // the 10-token burst plus 100/s over 10 s (the last refill may fall just outside the window)
    assertThat(ok).isBetween(1009, 1010);
  }

  @Test
  void takingSeveralPermitsIsAllOrNothing() {
    TokenBucket b = new TokenBucket(5, MS, 0);
    assertThat(b.tryTake(3, 0)).isTrue();
    assertThat(b.tryTake(3, 0)).isFalse();
    assertThat(b.available(0)).isEqualTo(2);
    assertThat(b.tryTake(0, 0)).isTrue();
    assertThatThrownBy(() -> b.tryTake(-1, 0)).hasMessageContaining("permits");
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE - 5 * MS, -5 * MS, Long.MIN_VALUE + 1})
  void worksAcrossClockWraparound(long start) {
    TokenBucket b = new TokenBucket(2, 10 * MS, start);
    assertThat(b.tryTake(start)).isTrue();
    assertThat(b.tryTake(start)).isTrue();
    assertThat(b.tryTake(start + 9 * MS)).isFalse();
    // start + 10 ms overflows past Long.MAX_VALUE for the first start; differences still work
    assertThat(b.tryTake(start + 10 * MS)).isTrue();
    assertThat(b.tryTake(start + 10 * MS)).isFalse();
    assertThat(b.available(start + 1_000 * MS)).isEqualTo(2);
  }

  @Test
  void aClockThatStepsBackAddsNothing() {
    TokenBucket b = new TokenBucket(1, 10 * MS, 1_000 * MS);
    assertThat(b.tryTake(1_000 * MS)).isTrue();
    assertThat(b.tryTake(0)).isFalse();
    assertThat(b.nanosUntilAvailable(999 * MS)).isEqualTo(11 * MS);
    assertThat(b.tryTake(1_010 * MS)).isTrue();
  }

  @Test
  void hugeIntervalsAndBurstsDoNotOverflow() {
    TokenBucket b = new TokenBucket(Long.MAX_VALUE, 1, 0);
    assertThat(b.tryTake(Long.MAX_VALUE, 0)).isTrue();
    assertThat(b.available(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    TokenBucket slow = new TokenBucket(1, Long.MAX_VALUE, 0);
    assertThat(slow.tryTake(0)).isTrue();
    assertThat(slow.tryTake(Long.MAX_VALUE - 1)).isFalse();
    assertThat(slow.nanosUntilAvailable(Long.MAX_VALUE - 1)).isEqualTo(1);
    assertThat(slow.tryTake(Long.MAX_VALUE)).isTrue();
  }

  @Test
  void aZeroBurstNeverAdmits() {
    TokenBucket b = new TokenBucket(0, MS, 0);
    assertThat(b.tryTake(0)).isFalse();
    assertThat(b.tryTake(1_000 * MS)).isFalse();
    assertThat(b.nanosUntilAvailable(0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void rejectsBadArgumentsWithTheirValues() {
    assertThatThrownBy(() -> new TokenBucket(-1, 1, 0)).hasMessageContaining("-1");
    assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).hasMessageContaining("nanosPerToken");
    assertThatThrownBy(() -> TokenBucket.perSecond(0, 1, 0)).hasMessageContaining("0");
    assertThatThrownBy(() -> TokenBucket.nanosPerToken(2_000_000_000L))
        .hasMessageContaining("2000000000");
    assertThat(TokenBucket.nanosPerToken(1000)).isEqualTo(MS);
  }

  @Test
  void keyedBucketsAreIndependentAndBounded() {
    TokenBuckets<String> t = new TokenBuckets<>(1, 10 * MS, 3);
    assertThat(t.tryTake("a", 0)).isTrue();
    assertThat(t.tryTake("a", 0)).isFalse();
    assertThat(t.tryTake("b", 0)).isTrue();
    assertThat(t.tryTake("c", 0)).isTrue();
    assertThat(t.size()).isEqualTo(3);
    // a 4th key evicts the least recently used one ("a"), which comes back full
    assertThat(t.tryTake("d", 0)).isTrue();
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.evictions()).isEqualTo(1);
    assertThat(t.tryTake("a", 0)).isTrue();
    // that evicted "b"; "d" still holds its empty bucket until the refill
    assertThat(t.tryTake("d", 0)).isFalse();
    assertThat(t.tryTake("d", 10 * MS)).isTrue();
  }

  @Test
  void aFloodOfKeysStaysWithinTheBound() {
    TokenBuckets<Integer> t = new TokenBuckets<>(1, MS, 100);
    for (int i = 0; i < 100_000; i++) {
      t.tryTake(i, i);
    }
    assertThat(t.size()).isEqualTo(100);
    assertThat(t.evictions()).isEqualTo(99_900);
    assertThatThrownBy(() -> new TokenBuckets<String>(1, 1, 0)).hasMessageContaining("maxKeys");
  }
}
