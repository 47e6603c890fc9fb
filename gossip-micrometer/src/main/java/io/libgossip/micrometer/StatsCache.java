package io.libgossip.micrometer;

import io.libgossip.core.GossipStats;
import io.libgossip.net.GossipNode;
import io.libgossip.net.MessageStats;
import io.libgossip.net.NodeStats;
import io.libgossip.net.TransportStats;
import io.micrometer.core.instrument.Clock;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's counters, fetched at most once per {@code maxAgeNanos}: {@link GossipNode#stats()}
 * runs on the node's event loop, and one scrape reads some seventy meters from it. When the loop
 * does not answer within 5 s (a node overloaded or stuck), the last snapshot stays for 10 s, and a
 * WARN line says so. Thread-safe.
 */
final class StatsCache {
  private static final Logger log = LoggerFactory.getLogger(StatsCache.class);
  private static final long RETRY_NANOS = 10_000_000_000L;

  static final NodeStats EMPTY =
      new NodeStats(
          GossipStats.EMPTY,
          new TransportStats(0, 0, 0, 0, Map.of(), Map.of(), 0, 0),
          0,
          0,
          0,
          0,
          0);

  private final GossipNode node;
  private final Clock clock;
  private final long maxAgeNanos;
  private @Nullable NodeStats stats;
  private @Nullable MessageStats messages;
  private long fetchedAt;
  private boolean failed;

  StatsCache(GossipNode node, Clock clock, long maxAgeNanos) {
    this.node = node;
    this.clock = clock;
    this.maxAgeNanos = maxAgeNanos;
  }

  synchronized NodeStats stats() {
    refresh();
    NodeStats s = stats;
    return s == null ? EMPTY : s;
  }

  synchronized MessageStats messages() {
    refresh();
    MessageStats m = messages;
    return m == null ? new MessageStats(0, 0, 0, 0) : m;
  }

  private void refresh() {
    long now = clock.monotonicTime();
    if (stats != null && now - fetchedAt < maxAgeNanos) {
      return;
    }
    if (failed && now - fetchedAt < RETRY_NANOS) {
      return; // the loop did not answer: do not wait for it again on every meter of a scrape
    }
    try {
      stats = node.stats();
      messages = node.messageStats();
      fetchedAt = now;
      failed = false;
    } catch (RuntimeException e) {
      failed = true;
      log.atWarn()
          .setMessage("node statistics not available; meters keep the last values")
          .addKeyValue("node", node.id())
          .addKeyValue("error", e.toString())
          .log();
      fetchedAt = now;
    }
  }
}
