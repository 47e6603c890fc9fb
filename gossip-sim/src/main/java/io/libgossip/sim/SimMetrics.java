package io.libgossip.sim;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Simulation} measured up to {@link #nowNanos()}. Times are virtual nanoseconds; -1
 * means "never happened". See {@code docs/simulator.md} for the exact definitions.
 */
public final class SimMetrics {
  private final long nowNanos;
  private final long events;
  private final long joinConvergedNanos;
  private final long membershipCompleteNanos;
  private final int updates;
  private final long[] disseminationNanos;
  private final int disseminationIncomplete;
  private final List<Detection> detections;
  private final int crashes;
  private final int falsePositives;
  private final long healthySuspicions;
  private final long messagesSent;
  private final long bytesSent;
  private final long messagesDelivered;
  private final long windowStartNanos;
  private final long windowMessages;
  private final long windowBytes;
  private final long windowLiveNodeNanos;
  private final long[] windowBytesByKind;
  private final long[] windowMessagesByKind;
  private final long droppedLoss;
  private final long droppedPartition;
  private final long droppedUnreachable;
  private final int restarts;
  private final int pauses;
  private final int partitions;
  private final int leaves;
  private final long membershipEvents;
  private final long tickStalls;
  private final long traceHash;

  private SimMetrics(Builder b) {
    nowNanos = b.nowNanos;
    events = b.events;
    joinConvergedNanos = b.joinConvergedNanos;
    membershipCompleteNanos = b.membershipCompleteNanos;
    updates = b.updates;
    disseminationNanos = b.disseminationNanos;
    disseminationIncomplete = b.disseminationIncomplete;
    detections = b.detections;
    crashes = b.crashes;
    falsePositives = b.falsePositives;
    healthySuspicions = b.healthySuspicions;
    messagesSent = b.messagesSent;
    bytesSent = b.bytesSent;
    messagesDelivered = b.messagesDelivered;
    windowStartNanos = b.windowStartNanos;
    windowMessages = b.windowMessages;
    windowBytes = b.windowBytes;
    windowLiveNodeNanos = b.windowLiveNodeNanos;
    windowBytesByKind = b.windowBytesByKind;
    windowMessagesByKind = b.windowMessagesByKind;
    droppedLoss = b.droppedLoss;
    droppedPartition = b.droppedPartition;
    droppedUnreachable = b.droppedUnreachable;
    restarts = b.restarts;
    pauses = b.pauses;
    partitions = b.partitions;
    leaves = b.leaves;
    membershipEvents = b.membershipEvents;
    tickStalls = b.tickStalls;
    traceHash = b.traceHash;
  }

  static Builder builder() {
    return new Builder();
  }

  /** Virtual time of this snapshot. */
  public long nowNanos() {
    return nowNanos;
  }

  /** Events the simulation loop processed (ticks, deliveries, starts, faults). */
  public long events() {
    return events;
  }

  /**
   * First time every node had started and every running node saw every other running node {@code
   * ONLINE}, or -1.
   */
  public long joinConvergedNanos() {
    return joinConvergedNanos;
  }

  /**
   * When every node had first started and every running node held every other as a live member
   * ({@code ONLINE} or {@code SUSPECT}): the membership is complete even if some suspicion is open
   * somewhere; the traffic window starts here. -1 if never.
   */
  public long membershipCompleteNanos() {
    return membershipCompleteNanos;
  }

  /** Metadata updates made through {@link Simulation#updateMetadata}. */
  public int updates() {
    return updates;
  }

  /**
   * Sorted delays, one per (update, other node that was running at the update) pair, from the
   * update until that node's view showed the subject {@code ONLINE} with the update's metadata
   * version or a later one. The array is shared: do not modify it.
   */
  public long[] disseminationNanos() {
    return disseminationNanos;
  }

  /** (update, node) pairs still waiting, among nodes still running. */
  public int disseminationIncomplete() {
    return disseminationIncomplete;
  }

  /** One entry per crash, in crash order. */
  public List<Detection> detections() {
    return detections;
  }

  /**
   * Distinct (observer, subject) pairs where the observer marked a healthy subject {@code FAILED}.
   */
  public int falsePositives() {
    return falsePositives;
  }

  /**
   * Distinct (subject, incarnation) pairs that some node marked {@code SUSPECT} while the subject
   * was healthy: suspicions the subject had to refute.
   */
  public long healthySuspicions() {
    return healthySuspicions;
  }

  /** Messages all cores handed to their outbox. */
  public long messagesSent() {
    return messagesSent;
  }

  /** Their total encoded size through the serializer. */
  public long bytesSent() {
    return bytesSent;
  }

  /** Messages handed to a core's {@code handleMessage}. */
  public long messagesDelivered() {
    return messagesDelivered;
  }

  /** Start of the traffic window: join convergence, or 0 if it never happened. */
  public long windowStartNanos() {
    return windowStartNanos;
  }

  /** Messages sent in the traffic window. */
  public long windowMessages() {
    return windowMessages;
  }

  /** Bytes sent in the traffic window. */
  public long windowBytes() {
    return windowBytes;
  }

  /** Integral of the running-node count over the traffic window, in node-nanoseconds. */
  public long windowLiveNodeNanos() {
    return windowLiveNodeNanos;
  }

  /** Best-effort packets lost to random loss. */
  public long droppedLoss() {
    return droppedLoss;
  }

  /** Packets lost to a partition. */
  public long droppedPartition() {
    return droppedPartition;
  }

  /**
   * Packets to an address with no running node (or to a node that crashed or restarted while they
   * were in flight).
   */
  public long droppedUnreachable() {
    return droppedUnreachable;
  }

  /** Crashes injected. */
  public int crashes() {
    return crashes;
  }

  /** Restarts injected. */
  public int restarts() {
    return restarts;
  }

  /** Pauses injected. */
  public int pauses() {
    return pauses;
  }

  /** Partitions injected. */
  public int partitions() {
    return partitions;
  }

  /** Nodes that left gracefully and stopped. */
  public int leaves() {
    return leaves;
  }

  /** Membership events all listeners received. */
  public long membershipEvents() {
    return membershipEvents;
  }

  /**
   * Times a core asked, right after a tick, to be ticked again at a time that had already come (a
   * core defect; the simulator ticks it again at once, and waits 1 ms if that happens twice at one
   * instant).
   */
  public long tickStalls() {
    return tickStalls;
  }

  /** Digest of all membership events (see {@link Simulation#traceHash()}). */
  public long traceHash() {
    return traceHash;
  }

  /**
   * The nearest-rank percentile {@code p} (in (0, 100]) of the dissemination delays in nanoseconds,
   * or -1 when there are none.
   */
  public long disseminationPercentile(double p) {
    return percentile(disseminationNanos, p);
  }

  /** The nearest-rank percentile {@code p} of an ascending array, or -1 when it is empty. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  /** Messages sent per running node per virtual second over the traffic window (0 if empty). */
  public double messagesPerNodeSecond() {
    return windowLiveNodeNanos <= 0 ? 0 : windowMessages * 1e9 / windowLiveNodeNanos;
  }

  /** Bytes sent per running node per virtual second over the traffic window (0 if empty). */
  public double bytesPerNodeSecond() {
    return windowLiveNodeNanos <= 0 ? 0 : windowBytes * 1e9 / windowLiveNodeNanos;
  }

  /** The message kinds {@link #bytesPerNodeSecond(String)} accepts: ping, ack, gossip, … */
  public static List<String> messageKinds() {
    return List.of(TrafficTracker.KINDS);
  }

  /**
   * Bytes of one message kind (one of {@link #messageKinds()}) sent per running node per virtual
   * second over the traffic window; the kinds add up to {@link #bytesPerNodeSecond()}.
   */
  public double bytesPerNodeSecond(String kind) {
    return perNodeSecond(windowBytesByKind, kind);
  }

  /**
   * Messages of one kind (one of {@link #messageKinds()}) sent per running node per virtual second
   * over the traffic window; the kinds add up to {@link #messagesPerNodeSecond()}.
   */
  public double messagesPerNodeSecond(String kind) {
    return perNodeSecond(windowMessagesByKind, kind);
  }

  private double perNodeSecond(long[] byKind, String kind) {
    int i = messageKinds().indexOf(kind);
    if (i < 0) {
      throw new IllegalArgumentException("unknown message kind: " + kind);
    }
    return windowLiveNodeNanos <= 0 || byKind.length == 0
        ? 0
        : byKind[i] * 1e9 / windowLiveNodeNanos;
  }

  @Override
  public String toString() {
    return "SimMetrics[nowNanos="
        + nowNanos
        + ", events="
        + events
        + ", joinConvergedNanos="
        + joinConvergedNanos
        + ", updates="
        + updates
        + ", disseminationSamples="
        + disseminationNanos.length
        + ", disseminationIncomplete="
        + disseminationIncomplete
        + ", detections="
        + detections
        + ", falsePositives="
        + falsePositives
        + ", healthySuspicions="
        + healthySuspicions
        + ", messagesSent="
        + messagesSent
        + ", bytesSent="
        + bytesSent
        + ", messagesDelivered="
        + messagesDelivered
        + ", droppedLoss="
        + droppedLoss
        + ", droppedPartition="
        + droppedPartition
        + ", droppedUnreachable="
        + droppedUnreachable
        + ", crashes="
        + crashes
        + ", restarts="
        + restarts
        + ", pauses="
        + pauses
        + ", partitions="
        + partitions
        + ", leaves="
        + leaves
        + ", membershipEvents="
        + membershipEvents
        + ", tickStalls="
        + tickStalls
        + ", traceHash="
        + Long.toHexString(traceHash)
        + "]";
  }

  /**
   * Collects the measurements; each tracker of the simulation fills in its own. Unset values are 0
   * (and empty for the dissemination samples and detections).
   */
  static final class Builder {
    private long nowNanos;
    private long events;
    private long joinConvergedNanos = -1;
    private long membershipCompleteNanos = -1;
    private int updates;
    private long[] disseminationNanos = new long[0];
    private int disseminationIncomplete;
    private List<Detection> detections = List.of();
    private int crashes;
    private int falsePositives;
    private long healthySuspicions;
    private long messagesSent;
    private long bytesSent;
    private long messagesDelivered;
    private long windowStartNanos;
    private long windowMessages;
    private long windowBytes;
    private long windowLiveNodeNanos;
    private long[] windowBytesByKind = new long[0];
    private long[] windowMessagesByKind = new long[0];
    private long droppedLoss;
    private long droppedPartition;
    private long droppedUnreachable;
    private int restarts;
    private int pauses;
    private int partitions;
    private int leaves;
    private long membershipEvents;
    private long tickStalls;
    private long traceHash;

    private Builder() {}

    Builder nowNanos(long v) {
      nowNanos = v;
      return this;
    }

    Builder events(long v) {
      events = v;
      return this;
    }

    Builder joinConvergedNanos(long v) {
      joinConvergedNanos = v;
      return this;
    }

    Builder membershipCompleteNanos(long v) {
      membershipCompleteNanos = v;
      return this;
    }

    Builder updates(int v) {
      updates = v;
      return this;
    }

    /** Takes ownership of {@code sorted}, which must be in ascending order. */
    Builder disseminationNanos(long[] sorted) {
      disseminationNanos = Objects.requireNonNull(sorted, "disseminationNanos");
      return this;
    }

    Builder disseminationIncomplete(int v) {
      disseminationIncomplete = v;
      return this;
    }

    Builder detections(List<Detection> v) {
      detections = List.copyOf(v);
      return this;
    }

    Builder crashes(int v) {
      crashes = v;
      return this;
    }

    Builder falsePositives(int v) {
      falsePositives = v;
      return this;
    }

    Builder healthySuspicions(long v) {
      healthySuspicions = v;
      return this;
    }

    Builder messagesSent(long v) {
      messagesSent = v;
      return this;
    }

    Builder bytesSent(long v) {
      bytesSent = v;
      return this;
    }

    Builder messagesDelivered(long v) {
      messagesDelivered = v;
      return this;
    }

    /** Bytes sent in the traffic window per message kind, in the order of TrafficTracker.KINDS. */
    Builder windowBytesByKind(long[] v) {
      windowBytesByKind = v;
      return this;
    }

    /** Messages sent in the traffic window per message kind, in TrafficTracker.KINDS order. */
    Builder windowMessagesByKind(long[] v) {
      windowMessagesByKind = v;
      return this;
    }

    /** The traffic window: its start, and the messages, bytes and node-nanoseconds within it. */
    Builder window(long startNanos, long messages, long bytes, long liveNodeNanos) {
      windowStartNanos = startNanos;
      windowMessages = messages;
      windowBytes = bytes;
      windowLiveNodeNanos = liveNodeNanos;
      return this;
    }

    Builder droppedLoss(long v) {
      droppedLoss = v;
      return this;
    }

    Builder droppedPartition(long v) {
      droppedPartition = v;
      return this;
    }

    Builder droppedUnreachable(long v) {
      droppedUnreachable = v;
      return this;
    }

    Builder restarts(int v) {
      restarts = v;
      return this;
    }

    Builder pauses(int v) {
      pauses = v;
      return this;
    }

    Builder partitions(int v) {
      partitions = v;
      return this;
    }

    Builder leaves(int v) {
      leaves = v;
      return this;
    }

    Builder membershipEvents(long v) {
      membershipEvents = v;
      return this;
    }

    Builder tickStalls(long v) {
      tickStalls = v;
      return this;
    }

    Builder traceHash(long v) {
      traceHash = v;
      return this;
    }

    SimMetrics build() {
      return new SimMetrics(this);
    }
  }
}
