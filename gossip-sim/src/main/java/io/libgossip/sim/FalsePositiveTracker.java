package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts the protocol's mistakes about healthy nodes: (observer, subject) pairs where the observer
 * marked a healthy subject {@code FAILED}, and (subject, incarnation) pairs some node suspected
 * while the subject was healthy. What "healthy" means is the caller's (see {@link
 * NodeCommands#healthy}).
 */
final class FalsePositiveTracker {
  private static final int LOG_LIMIT = 20;

  private final Set<Long> failedPairs = new HashSet<>();
  private final Set<Long> suspectedIncarnations = new HashSet<>();
  private final List<String> log = new ArrayList<>();

  /**
   * Node {@code observer} reported {@code kind} about the healthy node {@code subject}, which it
   * now sees as {@code status} at {@code incarnation}.
   */
  void healthySubject(
      int observer,
      int subject,
      ClusterEvent.Kind kind,
      NodeStatus status,
      long incarnation,
      long now) {
    if (status == NodeStatus.FAILED) {
      if (failedPairs.add(((long) observer << 32) | subject) && log.size() < LOG_LIMIT) {
        log.add(
            "node "
                + observer
                + " marked healthy node "
                + subject
                + " FAILED at "
                + now / 1e6
                + " ms (incarnation "
                + incarnation
                + ")");
      }
    } else if (kind == ClusterEvent.Kind.SUSPECTED) {
      suspectedIncarnations.add(((long) subject << 32) | incarnation);
    }
  }

  void report(SimMetrics.Builder b) {
    b.falsePositives(failedPairs.size()).healthySuspicions(suspectedIncarnations.size());
  }

  /** The first false positives, one per line (for failure messages). */
  String describe() {
    return String.join("\n", log);
  }
}
