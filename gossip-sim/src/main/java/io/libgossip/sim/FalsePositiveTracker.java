package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import java.util.ArrayList;
import java.util.BitSet;
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

  /** The nodes made slow ({@link Simulation#slow}); their pairs are also counted apart. */
  private final BitSet slow = new BitSet();

  private int failedAboutSlow;
  private int failedBySlow;
  private int suspectedSlow;

  /** Marks node {@code node} slow (or not) for the split counts. */
  void slow(int node, boolean on) {
    slow.set(node, on);
  }

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
      boolean first = failedPairs.add(((long) observer << 32) | subject);
      if (first && slow.get(subject)) {
        failedAboutSlow++;
      } else if (first && slow.get(observer)) {
        failedBySlow++;
      }
      if (first && log.size() < LOG_LIMIT) {
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
      if (suspectedIncarnations.add(((long) subject << 32) | incarnation) && slow.get(subject)) {
        suspectedSlow++;
      }
    }
  }

  void report(SimMetrics.Builder b) {
    b.falsePositives(failedPairs.size()).healthySuspicions(suspectedIncarnations.size());
  }

  /** False positives about a slow subject (pairs counted in the total too). */
  int failedAboutSlow() {
    return failedAboutSlow;
  }

  /** False positives by a slow observer about a subject that is not slow. */
  int failedBySlow() {
    return failedBySlow;
  }

  /** Healthy suspicions about a slow subject (counted in the total too). */
  int suspectedSlow() {
    return suspectedSlow;
  }

  /** The first false positives, one per line (for failure messages). */
  String describe() {
    return String.join("\n", log);
  }
}
