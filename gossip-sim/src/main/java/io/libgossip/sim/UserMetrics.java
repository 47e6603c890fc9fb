package io.libgossip.sim;

/**
 * What a {@link Simulation} measured of application traffic (user broadcasts made with {@link
 * Simulation#broadcast} and queries made with {@link Simulation#query}). Times are virtual
 * nanoseconds. See {@code docs/simulator.md} for the definitions.
 *
 * @param broadcasts user broadcasts sent
 * @param deliveryNanos sorted delays, one per (broadcast, node that should get it) pair that was
 *     delivered, from the send to the delivery to that node's application; shared, do not modify
 * @param missing (broadcast, node) pairs not delivered (nor superseded) by the end of the run,
 *     among nodes still running
 * @param superseded (broadcast, node) pairs never delivered because the node delivered a newer
 *     broadcast with the same origin, topic and key first
 * @param duplicates deliveries of a broadcast a node's application already had (in this life of the
 *     node), or to its origin
 * @param staleDeliveries deliveries of a keyed broadcast after a newer one with the same key
 * @param untracked deliveries of broadcasts the simulator did not send (not counted elsewhere)
 * @param queries queries asked
 * @param queryNanos sorted delays from each query to its end at its origin; shared, do not modify
 * @param queriesTimedOut queries that ended at their timeout
 * @param queriesUnfinished queries that had not ended by the end of the run (or whose origin
 *     stopped)
 * @param queryTargets targets of the ended queries, summed
 * @param queryAnswers answers to the ended queries, summed
 * @param queryDeparted targets that failed or left before answering, summed
 */
@SuppressWarnings("ArrayRecordComponent") // sorted samples, shared like SimMetrics' arrays
public record UserMetrics(
    int broadcasts,
    long[] deliveryNanos,
    long missing,
    long superseded,
    long duplicates,
    long staleDeliveries,
    long untracked,
    int queries,
    long[] queryNanos,
    int queriesTimedOut,
    int queriesUnfinished,
    long queryTargets,
    long queryAnswers,
    long queryDeparted) {

  /**
   * Delivered pairs over the pairs that should have been delivered (delivered, missing; the
   * superseded ones are left out), or -1 when there were none.
   */
  public double deliveredFraction() {
    long total = deliveryNanos.length + missing;
    return total == 0 ? -1 : (double) deliveryNanos.length / total;
  }

  /**
   * {@link #deliveredFraction()} rounded down to 3 decimals (as the report prints it), so that only
   * a complete delivery reads 1.
   */
  public double deliveredFractionFloor() {
    double f = deliveredFraction();
    return f < 0 ? f : Math.floor(f * 1e3) / 1e3;
  }

  /** The nearest-rank percentile {@code p} (in (0, 100]) of the delivery delays, or -1. */
  public long deliveryPercentile(double p) {
    return SimMetrics.percentile(deliveryNanos, p);
  }

  /** The nearest-rank percentile {@code p} (in (0, 100]) of the query durations, or -1. */
  public long queryPercentile(double p) {
    return SimMetrics.percentile(queryNanos, p);
  }

  /** Answers over targets of the ended queries, or -1 when none ended. */
  public double queryAnsweredFraction() {
    return queryTargets == 0 ? -1 : (double) queryAnswers / queryTargets;
  }
}
