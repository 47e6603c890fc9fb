package io.libgossip.net;

/**
 * A token bucket on a caller-supplied monotonic clock: at most {@code burst} takes at once, then
 * one more every {@code nanosPerToken}. Bounds how many lines a log writes under a storm, and how
 * many packets one source may send ({@link SourceLimiter}). Not thread-safe: callers confine it to
 * one thread or lock around it.
 */
final class TokenBucket {
  private final long burst;
  private final long nanosPerToken;
  private long tokens;
  private long last;

  /**
   * @param burst how many takes succeed at once (0: none ever)
   * @param nanosPerToken how often one token comes back (must be positive)
   * @param now the clock's reading at creation
   */
  TokenBucket(long burst, long nanosPerToken, long now) {
    if (burst < 0 || nanosPerToken <= 0) {
      throw new IllegalArgumentException(
          "burst must be >= 0 and nanosPerToken > 0, got " + burst + " and " + nanosPerToken);
    }
    this.burst = burst;
    this.nanosPerToken = nanosPerToken;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token if there is one at {@code now}; returns whether it did. */
  boolean tryTake(long now) {
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
    if (tokens > 0) {
      tokens--;
      return true;
    }
    return false;
  }
}
