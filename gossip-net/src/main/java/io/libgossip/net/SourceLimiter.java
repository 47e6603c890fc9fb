package io.libgossip.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One token bucket per source IP address for inbound datagrams and frames, in a table of bounded
 * size that forgets the least recently seen source first (a forgotten source comes back with a full
 * bucket, which is what an idle one would have). Thread-safe (one lock; an uncontended lock per
 * packet costs tens of nanoseconds).
 */
final class SourceLimiter {
  private final int burst;
  private final long nanosPerToken;
  private final int maxSources;
  private final LinkedHashMap<InetAddress, TokenBucket> buckets;

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
    this.burst = burst;
    this.nanosPerToken = ratePerSecond == 0 ? 0 : Math.max(1, 1_000_000_000L / ratePerSecond);
    this.maxSources = maxSources;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<InetAddress, TokenBucket> eldest) {
            return size() > SourceLimiter.this.maxSources;
          }
        };
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
    if (nanosPerToken == 0 || sender == null) {
      return true;
    }
    InetAddress source = sender.getAddress();
    if (source == null) {
      return true;
    }
    synchronized (buckets) {
      TokenBucket b = buckets.get(source);
      if (b == null) {
        b = new TokenBucket(burst, nanosPerToken, nowNanos);
        buckets.put(source, b);
      }
      return b.tryTake(nowNanos);
    }
  }

  /** Sources tracked now. */
  int trackedSources() {
    synchronized (buckets) {
      return buckets.size();
    }
  }
}
