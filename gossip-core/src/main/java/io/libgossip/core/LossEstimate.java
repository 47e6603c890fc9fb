package io.libgossip.core;

/**
 * What this node has seen of packet loss lately (decisions 051 and 058), from the answers to its
 * own round trips: probes of live members and address proofs. An answer is <em>late</em> when the
 * member answered only after its probe timeout (through a relay, to a second ping, or to a retried
 * proof), which on a healthy member means a packet was lost.
 *
 * <p>It answers two questions for the failure detector: should a failed probe be confirmed before
 * it accuses ({@link #confirming}: loss was seen within the last {@link #MEMORY_PERIODS} probe
 * intervals, or too few answers came yet to tell loss from none), and is the loss heavy ({@link
 * #heavy}: at least one in {@link #HEAVY_ONE_IN} of the latest {@link #WINDOW} answers was late).
 */
final class LossEstimate {
  /** How long a late answer keeps confirmation on: this many probe intervals. */
  static final int MEMORY_PERIODS = 30;

  /** The share of late answers is taken over this many of the latest answers. */
  static final int WINDOW = 64;

  /**
   * Fewer answers than this (since the start, or the last {@link #clear}) say too little: until
   * then a failed probe is confirmed as under heavy loss.
   */
  static final int MIN_SAMPLES = 8;

  /**
   * Loss is heavy when at least one in this many of the latest answers was late: about 10% loss
   * each way, where a probe's indirect paths fail often enough to need a second round.
   */
  static final int HEAVY_ONE_IN = 5;

  private final long memoryNanos;

  /** The latest answers, newest in bit 0: 1 = late. */
  private long bits;

  /** How many answers {@link #bits} holds, up to {@link #WINDOW}. */
  private int samples;

  private boolean seen;
  private long seenAt;

  LossEstimate(long probeIntervalNanos) {
    this.memoryNanos = MEMORY_PERIODS * probeIntervalNanos;
  }

  /**
   * A round trip of this node to a live member ended at {@code now}: answered in time, or {@code
   * late} (answered late, or an address proof still unanswered after a probe timeout).
   */
  void sample(boolean late, long now) {
    bits = (bits << 1) | (late ? 1 : 0);
    samples = Math.min(WINDOW, samples + 1);
    if (late) {
      seen = true;
      seenAt = now;
    }
  }

  /**
   * Whether a failed probe should now be confirmed before it accuses: a late answer came within the
   * last {@link #MEMORY_PERIODS} probe intervals, or fewer than {@link #MIN_SAMPLES} answers came
   * at all.
   */
  boolean confirming(long now) {
    return samples < MIN_SAMPLES || (seen && !Schedule.due(seenAt + memoryNanos, now));
  }

  /**
   * Whether the loss is heavy: at least one in {@link #HEAVY_ONE_IN} of the latest answers was
   * late, or fewer than {@link #MIN_SAMPLES} answers came.
   */
  boolean heavy() {
    if (samples < MIN_SAMPLES) {
      return true;
    }
    long window = samples == Long.SIZE ? -1L : (1L << samples) - 1;
    return Long.bitCount(bits & window) * HEAVY_ONE_IN >= samples;
  }

  /** How many answers the estimate holds, up to {@link #WINDOW}. */
  int samples() {
    return samples;
  }

  /** Forgets everything (the core restarts with a clean table). */
  void clear() {
    bits = 0;
    samples = 0;
    seen = false;
  }
}
