package io.libgossip.core;

/**
 * The protocol's formulas in one place, so the core and its tests agree on them. Users and the
 * simulator read them through {@link GossipConfig} ({@link GossipConfig#suspicionTimeoutMin(int)}
 * and the methods beside it), which delegates here.
 *
 * <p>All durations are nanoseconds. {@code n} is the number of live members including the local
 * node.
 */
final class ProtocolMath {
  private ProtocolMath() {}

  /**
   * Times each update is retransmitted before it retires: {@code retransmitMult × ceil(log10(n +
   * 1))}.
   */
  static int retransmitLimit(int retransmitMult, int n) {
    int scale = (int) Math.ceil(Math.log10(Math.max(1, n) + 1.0));
    return retransmitMult * Math.max(1, scale);
  }

  /**
   * The shortest suspicion timeout: {@code suspicionMult × max(1, log10(n)) × probeInterval}. A
   * suspicion confirmed by enough independent members times out after this long.
   */
  static long suspicionMinNanos(int suspicionMult, int n, long probeIntervalNanos) {
    double nodeScale = Math.max(1.0, Math.log10(Math.max(1, n)));
    return (long) (suspicionMult * nodeScale * probeIntervalNanos);
  }

  /** The longest suspicion timeout, where an unconfirmed suspicion starts. */
  static long suspicionMaxNanos(
      int suspicionMult, int suspicionMaxTimeoutMult, int n, long probeIntervalNanos) {
    return suspicionMaxTimeoutMult * suspicionMinNanos(suspicionMult, n, probeIntervalNanos);
  }

  /**
   * Independent confirmations that shrink a suspicion to its minimum: {@code suspicionMult - 2}, or
   * 0 in clusters too small to provide them.
   */
  static int suspicionConfirmationsNeeded(int suspicionMult, int n) {
    int k = suspicionMult - 2;
    return (n - 2 < k) ? 0 : Math.max(0, k);
  }

  /**
   * Lifeguard's suspicion timeout after {@code confirmations} independent confirmations: from
   * {@code max} down to {@code min} along {@code log(c + 1) / log(k + 1)}.
   */
  static long suspicionTimeoutNanos(long minNanos, long maxNanos, int k, int confirmations) {
    if (k < 1) {
      return minNanos;
    }
    double frac = Math.log(confirmations + 1.0) / Math.log(k + 1.0);
    long raw = (long) (maxNanos - frac * (maxNanos - minNanos));
    return Math.max(minNanos, raw);
  }

  /**
   * Push-pull interval for a cluster of {@code n}: the base interval up to 32 members, then one
   * more multiple per doubling, so that full-state traffic per node stays bounded.
   */
  static long pushPullIntervalNanos(long baseNanos, int n) {
    if (n <= 32) {
      return baseNanos;
    }
    double mult = Math.ceil(Math.log(n) / Math.log(2) - 5.0) + 1.0;
    return (long) (mult * baseNanos);
  }
}
