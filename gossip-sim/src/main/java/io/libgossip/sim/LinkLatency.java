package io.libgossip.sim;

/**
 * The one-way base latency of the simulated link between two nodes, before jitter.
 *
 * <p>Must be a pure function of its arguments (the simulation stays deterministic only if it is).
 */
@FunctionalInterface
public interface LinkLatency {
  /**
   * The base latency, in nanoseconds (at least 0), of a best-effort packet from node {@code from}
   * to node {@code to} (node indexes).
   */
  long nanos(int from, int to);

  /** The same latency on every link. */
  static LinkLatency constant(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("latency must be >= 0 ns, got " + nanos);
    }
    return (from, to) -> nanos;
  }
}
