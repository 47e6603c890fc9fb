package io.libgossip.sim;

import io.libgossip.core.NodeStatus;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Knows, in constant time per membership event, whether the cluster is converged: every node has
 * started and every running node sees every other running node in a status the tracker counts
 * ({@code ONLINE} for join convergence; {@code ONLINE} or {@code SUSPECT} for a complete
 * membership). It keeps, per running observer, how many other running nodes it sees so, and how
 * many observers see all of them.
 *
 * <p>Records the first convergence (join convergence) and, on request, the next one after a given
 * moment (convergence after a partition heals).
 */
final class ConvergenceTracker {
  private final LiveNodes live;
  private final Predicate<NodeStatus> counted;
  private final LongConsumer onFirstConvergence;
  private final int[] onlineLive;
  private int fullObservers;
  private boolean converged;
  private long joinConvergedAt = -1;
  private long watchFrom = -1;
  private long watchedConvergedAt = -1;

  /**
   * @param counted the statuses in which an observer's view of a subject counts
   * @param onFirstConvergence called with the time of the first convergence
   */
  ConvergenceTracker(
      LiveNodes live, Predicate<NodeStatus> counted, LongConsumer onFirstConvergence) {
    this.live = live;
    this.counted = counted;
    this.onFirstConvergence = onFirstConvergence;
    this.onlineLive = new int[live.size()];
  }

  /** Whether the cluster is converged now. */
  boolean converged() {
    return converged;
  }

  /** Time of the first convergence, or -1. */
  long joinConvergedAt() {
    return joinConvergedAt;
  }

  /**
   * Running node {@code observer}'s view of running node {@code subject} went from {@code was} to
   * {@code is} (null: not held).
   */
  void viewChanged(
      int observer, int subject, @Nullable NodeStatus was, @Nullable NodeStatus is, long now) {
    boolean wasOnline = was != null && counted.test(was);
    boolean isOnline = is != null && counted.test(is);
    if (wasOnline != isOnline && live.isUp(subject) && subject != observer && live.isUp(observer)) {
      adjust(observer, isOnline ? 1 : -1);
      update(now);
    }
  }

  /**
   * Node {@code node} has just been added to the live list; on a restart, the others that still
   * hold its old incarnation {@code ONLINE} count it again.
   */
  void started(SimNode node, boolean restart, long now) {
    onlineLive[node.index] = 0;
    if (restart) {
      for (int k = 0; k < live.count(); k++) {
        int o = live.at(k);
        if (o != node.index && counts(live.statusOf(o, node))) {
          onlineLive[o]++;
        }
      }
    }
    recount(now);
  }

  /** Node {@code node} has just been removed from the live list. */
  void stopped(SimNode node, long now) {
    for (int k = 0; k < live.count(); k++) {
      int o = live.at(k);
      if (counts(live.statusOf(o, node))) {
        onlineLive[o]--;
      }
    }
    onlineLive[node.index] = 0;
    recount(now);
  }

  /** Recomputes how many observers see everyone, after the live set changed. */
  void recount(long now) {
    int target = live.count() - 1;
    int f = 0;
    for (int k = 0; k < live.count(); k++) {
      if (onlineLive[live.at(k)] == target) {
        f++;
      }
    }
    fullObservers = f;
    update(now);
  }

  private void adjust(int observer, int delta) {
    int target = live.count() - 1;
    int before = onlineLive[observer];
    int after = before + delta;
    onlineLive[observer] = after;
    if (before == target) {
      fullObservers--;
    }
    if (after == target) {
      fullObservers++;
    }
  }

  private void update(long now) {
    boolean c = live.allStarted() && live.count() > 0 && fullObservers == live.count();
    if (c == converged) {
      return;
    }
    converged = c;
    if (c) {
      if (joinConvergedAt < 0) {
        joinConvergedAt = now;
        onFirstConvergence.accept(now);
      }
      if (watchFrom >= 0 && watchedConvergedAt < 0) {
        watchedConvergedAt = now;
      }
    }
  }

  /** Starts watching for the next moment the cluster is converged (now, if it is). */
  void watch(long now) {
    watchFrom = now;
    watchedConvergedAt = converged ? now : -1;
  }

  /** The first time at or after {@link #watch} the cluster was converged, or -1. */
  long watchedConvergedAt() {
    return watchedConvergedAt;
  }

  /**
   * Checks the counts against the cores' tables; returns a description of the first mismatch, or
   * null.
   */
  @Nullable String verify() {
    for (int k = 0; k < live.count(); k++) {
      int o = live.at(k);
      int count = 0;
      for (int j = 0; j < live.count(); j++) {
        int s = live.at(j);
        if (s != o && counts(live.statusOf(o, live.node(s)))) {
          count++;
        }
      }
      if (count != onlineLive[o]) {
        return "node "
            + o
            + " sees "
            + count
            + " live nodes counted, bookkeeping says "
            + onlineLive[o];
      }
    }
    return null;
  }

  private boolean counts(@Nullable NodeStatus status) {
    return status != null && counted.test(status);
  }
}
