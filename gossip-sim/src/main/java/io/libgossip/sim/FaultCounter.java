package io.libgossip.sim;

/**
 * Counts the faults and commands injected other than crashes (which {@link DetectionTracker}
 * follows): restarts, pauses, partitions and completed graceful leaves.
 */
final class FaultCounter {
  private int restarts;
  private int pauses;
  private int partitions;
  private int leaves;

  void restarted() {
    restarts++;
  }

  void paused() {
    pauses++;
  }

  void partitioned() {
    partitions++;
  }

  /** A leaving node stopped (its leave spread, or its leave timeout passed). */
  void left() {
    leaves++;
  }

  void report(SimMetrics.Builder b) {
    b.restarts(restarts).pauses(pauses).partitions(partitions).leaves(leaves);
  }
}
