package io.libgossip.net;

import io.libgossip.core.TokenBuckets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One token bucket per source IP address for inbound datagrams and frames, in a table of bounded
 * size that forgets the least recently seen source first (a forgotten source comes back with a full
 * bucket, which is what an idle one would have). Thread-safe (one lock; an uncontended lock per
 * packet costs tens of nanoseconds).
 */
final class SourceLimiter {
  private final @Nullable TokenBuckets<InetAddress> buckets;

  /**
   * @param ratePerSecond tokens per second per source; 0 admits everything
   * @param burst tokens a source may spend at once
   * @param maxSources most sources tracked at once
   */
  SourceLimiter(int ratePerSecond, int burst, int maxSources) {
    if (ratePerSecond < 0 || burst < 1 || maxSources < 1) {
      throw new IllegalArgumentException(
          "need ratePerSecond >= 0, burst >= 1, maxSources >= 1, got "
              + ratePerSecond
              + ", "
              + burst
              + ", "
              + maxSources);
    }
    long nanosPerToken = ratePerSecond == 0 ? 0 : Math.max(1, 1_000_000_000L / ratePerSecond);
    this.buckets = nanosPerToken == 0 ? null : new TokenBuckets<>(burst, nanosPerToken, maxSources);
  }

  /** A limiter with the rate, burst and table size of {@code options}. */
  static SourceLimiter of(TransportOptions options) {
    return new SourceLimiter(
        options.inboundRatePerSource(),
        options.inboundBurstPerSource(),
        options.maxTrackedSources());
  }

  /**
   * Whether a packet from {@code sender} at {@code nowNanos} is within its source's bucket (and
   * takes a token if so). A null sender (a TCP connection closed meanwhile) is admitted.
   */
  boolean admit(@Nullable InetSocketAddress sender, long nowNanos) {
    TokenBuckets<InetAddress> table = buckets;
    if (table == null || sender == null) {
      return true;
    }
    InetAddress source = sender.getAddress();
    if (source == null) {
      return true;
    }
    synchronized (table) {
      return table.tryTake(source, nowNanos);
    }
  }

  /** Sources tracked now. */
  int trackedSources() {
    TokenBuckets<InetAddress> table = buckets;
    if (table == null) {
      return 0;
    }
    synchronized (table) {
      return table.size();
    }
  }
}
