package io.libgossip.net;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.NodeView;
import io.libgossip.core.TokenBucket;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes one log line per membership change, rate-bounded, to the logger {@value #LOGGER}.
 *
 * <p>Each {@link ClusterEvent.Kind} has one level and one message ({@link #level}, {@link
 * #message}, switches with no default, so a new kind does not compile until it has both). Changes
 * an operator acts on (joined, recovered, suspected, failed, left, this node refuted a claim) are
 * INFO; tombstone removals, metadata changes and the local node's own join and leave (which the
 * node logs itself) are DEBUG. Every line carries the key-values {@code node} (the local id),
 * {@code member}, {@code address}, {@code incarnation}, {@code previous} and {@code status}, and
 * {@code by} where the event names who made the claim; text that came from the network is escaped
 * by {@link LogSafe}.
 *
 * <p>Rate bound: INFO lines and WARN lines each take a token from a bucket of their own (a burst of
 * ten seconds' worth, then {@code perSecond}); a change that finds its bucket empty is counted
 * instead (and logged at DEBUG), and at most every {@value #SUMMARY_SECONDS} s one INFO line says
 * {@code N membership changes not logged individually}, with the count per kind. DEBUG lines are
 * not bounded (they are off by default). Not thread-safe on its own; every method is synchronized.
 */
final class MembershipLog {
  /** The logger name operators configure. */
  static final String LOGGER = "io.libgossip.net.membership";

  /** The default for {@code GossipNode.Builder.membershipLogRate}. */
  static final int DEFAULT_PER_SECOND = 10;

  static final int SUMMARY_SECONDS = 10;
  private static final long SUMMARY_NANOS = TimeUnit.SECONDS.toNanos(SUMMARY_SECONDS);

  /** Runs a task on the node's loop after a delay; may drop it when the node is closing. */
  @FunctionalInterface
  interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  private final Logger log;
  private final String node;
  private final LongSupplier clock;
  private final Scheduler scheduler;
  private final int perSecond;
  private final TokenBucket info;
  private final TokenBucket warn;
  private final EnumMap<Kind, Long> suppressed = new EnumMap<>(Kind.class);
  private long suppressedTotal;
  private boolean flushScheduled;

  MembershipLog(Logger log, String node, int perSecond, LongSupplier clock, Scheduler scheduler) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("perSecond must be >= 0, got " + perSecond);
    }
    this.log = log;
    this.node = LogSafe.text(node);
    this.clock = clock;
    this.scheduler = scheduler;
    this.perSecond = perSecond;
    long now = clock.getAsLong();
    long burst = 10L * perSecond;
    long every = perSecond == 0 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(1) / perSecond;
    this.info = new TokenBucket(burst, every, now);
    this.warn = new TokenBucket(burst, every, now);
  }

  /** The level a kind is logged at. */
  static Level level(Kind kind) {
    return switch (kind) {
      case CONFLICT -> Level.WARN;
      case JOINED, RECOVERED, SUSPECTED, FAILED, LEFT, SELF_REFUTED -> Level.INFO;
      case REMOVED, METADATA_CHANGED, SELF_JOINED, LEAVE_SPREAD, RESYNC -> Level.DEBUG;
    };
  }

  /** The message of a kind's line. */
  static String message(Kind kind) {
    return switch (kind) {
      case JOINED -> "member joined";
      case RECOVERED -> "member recovered";
      case SUSPECTED -> "member suspected";
      case FAILED -> "member failed";
      case LEFT -> "member left";
      case REMOVED -> "member tombstone removed";
      case METADATA_CHANGED -> "member metadata changed";
      case SELF_JOINED -> "this node joined";
      case SELF_REFUTED -> "this node refuted a claim about itself";
      case LEAVE_SPREAD -> "this node's leave has spread";
      case RESYNC -> "listeners resynchronised";
      case CONFLICT -> "two live instances claim one member id; keeping the address held";
    };
  }

  /** Logs {@code event} (on the node's loop), or counts it when its level's bucket is empty. */
  synchronized void onEvent(ClusterEvent event) {
    Level level = level(event.kind());
    if (!log.isEnabledForLevel(level)) {
      return;
    }
    @Nullable TokenBucket bucket =
        switch (level) {
          case ERROR, WARN -> warn;
          case INFO -> info;
          case DEBUG, TRACE -> null;
        };
    if (bucket != null && !bucket.tryTake(clock.getAsLong())) {
      suppressed.merge(event.kind(), 1L, Long::sum);
      suppressedTotal++;
      if (!flushScheduled) {
        flushScheduled = true;
        scheduler.schedule(this::flush, SUMMARY_NANOS);
      }
      line(log.atDebug(), event).log(); // still there for whoever turns DEBUG on
      return;
    }
    line(log.atLevel(level), event).log();
  }

  /** Writes the summary of what was not logged individually, if anything was. */
  synchronized void flush() {
    flushScheduled = false;
    if (suppressedTotal == 0) {
      return;
    }
    log.atInfo()
        .setMessage("{} membership changes not logged individually")
        .addArgument(suppressedTotal)
        .addKeyValue("node", node)
        .addKeyValue("byKind", Map.copyOf(suppressed))
        .addKeyValue("limitPerSecond", perSecond)
        .log();
    suppressed.clear();
    suppressedTotal = 0;
  }

  /** How many changes are waiting for the next summary line. */
  synchronized long pendingSummary() {
    return suppressedTotal;
  }

  private LoggingEventBuilder line(LoggingEventBuilder start, ClusterEvent event) {
    NodeView v = event.node();
    LoggingEventBuilder b =
        start
            .setMessage(message(event.kind()))
            .addKeyValue("node", node)
            .addKeyValue("member", LogSafe.text(v.id()))
            .addKeyValue("address", LogSafe.text(v.address().toString()))
            .addKeyValue("incarnation", v.incarnation());
    if (event instanceof ClusterEvent.MemberEvent m) {
      b = b.addKeyValue("previous", m.previousStatus()).addKeyValue("status", m.status());
    } else {
      b = b.addKeyValue("status", v.status());
    }
    String by = by(event);
    if (by != null) {
      b = b.addKeyValue("by", LogSafe.text(by));
    }
    if (event instanceof ClusterEvent.SelfRefuted r) {
      b =
          b.addKeyValue("claimedStatus", r.claimedStatus())
              .addKeyValue("claimedIncarnation", r.claimedIncarnation());
    } else if (event instanceof ClusterEvent.MetadataChanged c) {
      b =
          b.addKeyValue("before", LogSafe.map(c.before()))
              .addKeyValue("after", LogSafe.map(c.after()));
    } else if (event instanceof ClusterEvent.MemberConflict c) {
      b =
          b.addKeyValue("claimedAddress", LogSafe.text(c.claimedAddress().toString()))
              .addKeyValue("claimedIncarnation", c.claimedIncarnation())
              .addKeyValue("local", c.local());
    } else if (event instanceof ClusterEvent.MemberJoined) {
      b = b.addKeyValue("metadata", LogSafe.map(v.metadata()));
    }
    return b;
  }

  /** Who made the claim behind the event, where the event says. */
  private static @Nullable String by(ClusterEvent event) {
    if (event instanceof ClusterEvent.MemberSuspected s) {
      return s.accuser();
    }
    if (event instanceof ClusterEvent.MemberFailed f) {
      return f.declaredBy();
    }
    if (event instanceof ClusterEvent.SelfRefuted r) {
      return r.claimedBy();
    }
    if (event instanceof ClusterEvent.MemberConflict c) {
      return c.claimedBy();
    }
    return null;
  }
}
