package io.libgossip.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts tick stalls: a core that, right after a tick, asks to be ticked again at a time that has
 * already come. That is a core defect; the simulator ticks it again at once, and backs off 1 ms if
 * it happens twice at one instant.
 */
final class StallTracker {
  private static final int LOG_LIMIT = 20;

  private long stalls;
  private final List<String> log = new ArrayList<>();

  void stalled(int node, long now, long deadline) {
    stalls++;
    if (log.size() < LOG_LIMIT) {
      log.add(
          "node "
              + node
              + " at "
              + now
              + " ns asked for a tick at "
              + deadline
              + " ns right after one");
    }
  }

  void report(SimMetrics.Builder b) {
    b.tickStalls(stalls);
  }

  /** The first stalls, one per line (for failure messages). */
  String describe() {
    return String.join("\n", log);
  }
}
