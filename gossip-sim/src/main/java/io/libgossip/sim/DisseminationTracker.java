package io.libgossip.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Measures how long metadata updates take to spread: one sample per (update, other node running at
 * the update) pair, from the update until that node sees the subject {@code ONLINE} with the
 * update's metadata version or a later one.
 */
final class DisseminationTracker {
  private static final class Tracked {
    final int subject;
    final long version;
    final long startedAt;
    final BitSet need;
    int remaining;

    Tracked(int subject, long version, long startedAt, BitSet need) {
      this.subject = subject;
      this.version = version;
      this.startedAt = startedAt;
      this.need = need;
      this.remaining = need.cardinality();
    }
  }

  private final List<Tracked> active = new ArrayList<>();
  private int updates;
  private long[] samples = new long[64];
  private int sampleCount;

  /**
   * Node {@code subject} changed its metadata to {@code version} at {@code now}; {@code need} holds
   * the nodes that must see it (it is kept and cleared as they do).
   */
  void updated(int subject, long version, long now, BitSet need) {
    updates++;
    Tracked u = new Tracked(subject, version, now, need);
    if (u.remaining > 0) {
      active.add(u);
    }
  }

  /** Whether some update has not reached every node yet (the only time {@link #seen} matters). */
  boolean waiting() {
    return !active.isEmpty();
  }

  /** Node {@code observer} now sees {@code subject} {@code ONLINE} at metadata {@code version}. */
  void seen(int observer, int subject, long version, long now) {
    for (int k = active.size() - 1; k >= 0; k--) {
      Tracked u = active.get(k);
      if (u.subject == subject && version >= u.version && u.need.get(observer)) {
        u.need.clear(observer);
        u.remaining--;
        addSample(now - u.startedAt);
        if (u.remaining == 0) {
          active.remove(k);
        }
      }
    }
  }

  private void addSample(long d) {
    if (sampleCount == samples.length) {
      samples = Arrays.copyOf(samples, sampleCount * 2);
    }
    samples[sampleCount++] = d;
  }

  /** A node stopped: no update waits for it any longer. */
  void stopped(int node) {
    for (int k = active.size() - 1; k >= 0; k--) {
      Tracked u = active.get(k);
      if (u.need.get(node)) {
        u.need.clear(node);
        if (--u.remaining == 0) {
          active.remove(k);
        }
      }
    }
  }

  /**
   * A node restarted: its own pending updates are left incomplete, since metadata versions restart
   * with the node.
   */
  void restarted(int node) {
    for (int k = active.size() - 1; k >= 0; k--) {
      if (active.get(k).subject == node) {
        active.remove(k);
      }
    }
  }

  void report(SimMetrics.Builder b) {
    long[] d = Arrays.copyOf(samples, sampleCount);
    Arrays.sort(d);
    int incomplete = 0;
    for (Tracked u : active) {
      incomplete += u.remaining;
    }
    b.updates(updates).disseminationNanos(d).disseminationIncomplete(incomplete);
  }

  /** The updates that have not reached every node yet, one per line (for failure messages). */
  String describePending() {
    StringBuilder sb = new StringBuilder();
    for (Tracked u : active) {
      sb.append("update of node ")
          .append(u.subject)
          .append(" to version ")
          .append(u.version)
          .append(" at ")
          .append(u.startedAt / 1e6)
          .append(" ms missing at nodes ")
          .append(u.need)
          .append('\n');
    }
    return sb.toString();
  }
}
