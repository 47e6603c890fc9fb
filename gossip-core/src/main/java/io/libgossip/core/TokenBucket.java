package io.libgossip.core;

/**
 * A token bucket on a caller-supplied monotonic clock: it holds at most {@code burst} tokens,
 * starts full, and gains one token every {@code nanosPerToken} nanoseconds. A take succeeds while a
 * token is left. The one rate limiter of libgossip: {@code gossip-net} bounds inbound packets per
 * source and its log lines with it, and applications may use it for their own limits.
 *
 * <p>Time is an argument, in nanoseconds from any origin (for instance {@link System#nanoTime()}):
 * readings are compared by difference, so a clock that wraps around {@code Long.MAX_VALUE} is fine.
 * A reading older than the last refill adds nothing (a clock that steps back never adds tokens).
 *
 * <p>Not thread-safe: confine an instance to one thread or lock around it ({@link TokenBuckets}
 * keeps one per key).
 */
public final class TokenBucket {
  private final long burst;
  private final long nanosPerToken;
  private long tokens;
  private long last;

  /**
   * A full bucket.
   *
   * @param burst the most tokens it holds, so how many takes succeed at once (0: none ever)
   * @param nanosPerToken how often one token comes back, in nanoseconds (positive)
   * @param now the clock's reading at creation
   * @throws IllegalArgumentException when {@code burst} is negative or {@code nanosPerToken} is not
   *     positive
   */
  public TokenBucket(long burst, long nanosPerToken, long now) {
    if (burst < 0 || nanosPerToken <= 0) {
      throw new IllegalArgumentException(
          "burst must be >= 0 and nanosPerToken > 0, got " + burst + " and " + nanosPerToken);
    }
    this.burst = burst;
    this.nanosPerToken = nanosPerToken;
    this.tokens = burst;
    this.last = now;
  }

  /**
   * A full bucket that refills {@code ratePerSecond} tokens per second (at most 10^9).
   *
   * @throws IllegalArgumentException when {@code ratePerSecond} is not in [1, 10^9] or {@code
   *     burst} is negative
   */
  public static TokenBucket perSecond(long ratePerSecond, long burst, long now) {
    return new TokenBucket(burst, nanosPerToken(ratePerSecond), now);
  }

  /**
   * The refill interval, in whole nanoseconds, of a rate of {@code ratePerSecond} tokens a second.
   *
   * @throws IllegalArgumentException when {@code ratePerSecond} is not in [1, 10^9]
   */
  public static long nanosPerToken(long ratePerSecond) {
    if (ratePerSecond < 1 || ratePerSecond > 1_000_000_000L) {
      throw new IllegalArgumentException(
          "ratePerSecond must be in [1, 1000000000], got " + ratePerSecond);
    }
    return 1_000_000_000L / ratePerSecond;
  }

  /** Takes a token if there is one at {@code now}; returns whether it did. */
  public boolean tryTake(long now) {
    return tryTake(1, now);
  }

  /**
   * Takes {@code permits} tokens at once if that many are there at {@code now}, otherwise none;
   * returns whether it did. Taking 0 always succeeds.
   *
   * @throws IllegalArgumentException when {@code permits} is negative
   */
  public boolean tryTake(long permits, long now) {
    if (permits < 0) {
      throw new IllegalArgumentException("permits must be >= 0, got " + permits);
    }
    refill(now);
    if (tokens >= permits) {
      tokens -= permits;
      return true;
    }
    return false;
  }

  /** The tokens there are at {@code now} (0 to {@link #burst()}). */
  public long available(long now) {
    refill(now);
    return tokens;
  }

  /**
   * How long after {@code now} a take of one token would succeed, in nanoseconds: 0 when one is
   * there, otherwise the wait for the next refill (never, as {@code Long.MAX_VALUE}, when {@link
   * #burst()} is 0).
   */
  public long nanosUntilAvailable(long now) {
    refill(now);
    if (tokens > 0) {
      return 0;
    }
    if (burst == 0) {
      return Long.MAX_VALUE;
    }
    long wait = nanosPerToken - (now - last);
    return wait < 0 ? Long.MAX_VALUE : wait;
  }

  /** The most tokens the bucket holds. */
  public long burst() {
    return burst;
  }

  /** How often one token comes back, in nanoseconds. */
  public long nanosPerToken() {
    return nanosPerToken;
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed >= nanosPerToken) {
      long add = elapsed / nanosPerToken;
      if (add >= burst - tokens) {
        tokens = burst;
        last = now;
      } else {
        tokens += add;
        last += add * nanosPerToken;
      }
    }
  }

  @Override
  public String toString() {
    return "TokenBucket[burst=" + burst + ", nanosPerToken=" + nanosPerToken + "]";
  }
}
