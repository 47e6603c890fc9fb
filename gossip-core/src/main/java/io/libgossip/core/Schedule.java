package io.libgossip.core;

import java.util.random.RandomGenerator;

/**
 * The core's periodic deadlines, by name, and the time arithmetic every unit uses. Times are
 * monotonic nanoseconds of any origin, compared as {@code a - b}, so they may wrap.
 */
final class Schedule {
  /** The periodic protocol steps, each due at its own deadline. */
  enum Deadline {
    /** Start the next probe. */
    PROBE,
    /** Send a round of gossip. */
    GOSSIP,
    /** Exchange full state with a random member. */
    PUSH_PULL,
    /** Contact a failed member, in case it is alive after all. */
    RECONNECT
  }

  private final RandomGenerator random;
  private final long probeIntervalNanos;
  private final long gossipIntervalNanos;
  private final long pushPullBaseNanos;
  private final long reconnectIntervalNanos;
  private final long[] at = new long[Deadline.values().length];
  private boolean started;
  private long lastTickAt;

  Schedule(GossipConfig config, RandomGenerator random) {
    this.random = random;
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.gossipIntervalNanos = config.gossipInterval().toNanos();
    this.pushPullBaseNanos = config.pushPullInterval().toNanos();
    this.reconnectIntervalNanos = config.reconnectInterval().toNanos();
  }

  /** Whether {@code deadline} has come at {@code now}. */
  static boolean due(long deadline, long now) {
    return deadline - now <= 0;
  }

  /** The earlier of two times. */
  static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  /** The later of two times. */
  static long later(long a, long b) {
    return a - b >= 0 ? a : b;
  }

  boolean started() {
    return started;
  }

  /**
   * Starts (or restarts) at {@code now}. Each deadline gets a random phase, so nodes started
   * together do not probe and gossip in lockstep.
   */
  void start(long now) {
    started = true;
    lastTickAt = now;
    at[Deadline.PROBE.ordinal()] = now + (long) (random.nextDouble() * probeIntervalNanos);
    at[Deadline.GOSSIP.ordinal()] = now + (long) (random.nextDouble() * gossipIntervalNanos);
    at[Deadline.PUSH_PULL.ordinal()] =
        now + pushPullBaseNanos / 2 + (long) (random.nextDouble() * pushPullBaseNanos);
    at[Deadline.RECONNECT.ordinal()] =
        now + reconnectIntervalNanos + (long) (random.nextDouble() * reconnectIntervalNanos);
  }

  /** Stops until the next {@link #start}. */
  void stop() {
    started = false;
  }

  /**
   * Records a tick at {@code now}; returns whether the previous one was so long ago (a GC pause,
   * CPU starvation) that the node missed more than a probe and a gossip interval.
   */
  boolean tickedAfterStall(long now) {
    boolean stalled = now - lastTickAt > probeIntervalNanos + gossipIntervalNanos;
    lastTickAt = now;
    return stalled;
  }

  boolean isDue(Deadline d, long now) {
    return due(at[d.ordinal()], now);
  }

  void set(Deadline d, long time) {
    at[d.ordinal()] = time;
  }

  /** Moves {@code d} to {@code time} if that is earlier. */
  void bringForward(Deadline d, long time) {
    at[d.ordinal()] = earlier(at[d.ordinal()], time);
  }

  /**
   * The earliest periodic deadline: gossip only while {@code leaving} (the leave must still
   * spread), every one otherwise.
   */
  long next(boolean leaving) {
    long d = at[Deadline.GOSSIP.ordinal()];
    if (!leaving) {
      d = earlier(d, at[Deadline.PROBE.ordinal()]);
      d = earlier(d, at[Deadline.PUSH_PULL.ordinal()]);
      d = earlier(d, at[Deadline.RECONNECT.ordinal()]);
    }
    return d;
  }
}
