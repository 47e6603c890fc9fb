package io.libgossip.sim;

import java.util.List;

/**
 * What a {@link Simulation} measured up to {@code nowNanos}. Times are virtual nanoseconds; -1
 * means "never happened". See {@code docs/simulator.md} for the exact definitions.
 *
 * @param nowNanos virtual time of this snapshot
 * @param events events the simulation loop processed (ticks, deliveries, faults)
 * @param joinConvergedNanos first time every node had started and every running node saw every
 *     other running node {@code ONLINE}, or -1
 * @param updates metadata updates made through {@link Simulation#updateMetadata}
 * @param disseminationNanos sorted delays, one per (update, other node that was running at the
 *     update) pair, from the update until that node's view showed the subject {@code ONLINE} with
 *     the update's metadata version or a later one
 * @param disseminationIncomplete (update, node) pairs still waiting, among nodes still running
 * @param detections one entry per crash, in crash order
 * @param falsePositives distinct (observer, subject) pairs where the observer marked a healthy
 *     subject {@code FAILED}
 * @param healthySuspicions distinct (subject, incarnation) pairs that some node marked {@code
 *     SUSPECT} while the subject was healthy: suspicions the subject had to refute
 * @param messagesSent messages all cores handed to their outbox
 * @param bytesSent their total encoded size through the serializer
 * @param messagesDelivered messages handed to a core's {@code handleMessage}
 * @param windowStartNanos start of the traffic window: join convergence, or 0 if it never happened
 * @param windowMessages messages sent in the traffic window
 * @param windowBytes bytes sent in the traffic window
 * @param windowLiveNodeNanos integral of the running-node count over the traffic window
 * @param droppedLoss best-effort packets lost to random loss
 * @param droppedPartition packets lost to a partition
 * @param droppedUnreachable packets to an address with no running node (or to a node that crashed
 *     or restarted while they were in flight)
 * @param crashes crashes injected
 * @param restarts restarts injected
 * @param pauses pauses injected
 * @param partitions partitions injected
 * @param leaves nodes that left gracefully and stopped
 * @param membershipEvents events all listeners received
 * @param tickStalls times a core asked, right after a tick, to be ticked again at a time that had
 *     already come (a core defect; the simulator ticks it again at once, and waits 1 ms if that
 *     happens twice at one instant)
 * @param traceHash digest of all membership events (see {@link Simulation#traceHash()})
 */
@SuppressWarnings("ArrayRecordComponent") // a snapshot the simulator hands over and forgets
public record SimMetrics(
    long nowNanos,
    long events,
    long joinConvergedNanos,
    int updates,
    long[] disseminationNanos,
    int disseminationIncomplete,
    List<Detection> detections,
    int falsePositives,
    long healthySuspicions,
    long messagesSent,
    long bytesSent,
    long messagesDelivered,
    long windowStartNanos,
    long windowMessages,
    long windowBytes,
    long windowLiveNodeNanos,
    long droppedLoss,
    long droppedPartition,
    long droppedUnreachable,
    int crashes,
    int restarts,
    int pauses,
    int partitions,
    int leaves,
    long membershipEvents,
    long tickStalls,
    long traceHash) {

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
}
