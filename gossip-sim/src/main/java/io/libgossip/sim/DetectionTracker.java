package io.libgossip.sim;

import io.libgossip.core.NodeStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Measures how each crash is detected: how long until the first node suspects the crashed node, and
 * until every node that was running at the crash (and still runs) marks it {@code FAILED}.
 */
final class DetectionTracker {
  private static final class Tracked {
    final int subject;
    final long crashedAt;
    final BitSet need;
    int remaining;
    long first = -1;
    long all = -1;
    boolean restarted;

    Tracked(int subject, long crashedAt, BitSet need) {
      this.subject = subject;
      this.crashedAt = crashedAt;
      this.need = need;
      this.remaining = need.cardinality();
    }
  }

  private final Tracked[] activeBySubject;
  private final List<Tracked> active = new ArrayList<>();
  private final List<Tracked> all = new ArrayList<>();

  DetectionTracker(int nodes) {
    activeBySubject = new Tracked[nodes];
  }

  /**
   * Node {@code subject} crashed at {@code now}; {@code need} holds the nodes that must mark it
   * {@code FAILED} (it is kept and cleared as they do).
   */
  void crashed(int subject, long now, BitSet need) {
    Tracked t = new Tracked(subject, now, need);
    all.add(t);
    if (t.remaining == 0) {
      t.all = 0;
    } else {
      activeBySubject[subject] = t;
      active.add(t);
    }
  }

  /** Node {@code observer} now sees {@code subject} as {@code status} (SUSPECT or FAILED). */
  void seen(int observer, int subject, NodeStatus status, long now) {
    Tracked t = activeBySubject[subject];
    if (t == null) {
      return;
    }
    if (t.first < 0) {
      t.first = now - t.crashedAt;
    }
    if (status == NodeStatus.FAILED && t.need.get(observer)) {
      t.need.clear(observer);
      t.remaining--;
      if (t.remaining == 0) {
        finish(t, now);
      }
    }
  }

  private void finish(Tracked t, long now) {
    t.all = now - t.crashedAt;
    activeBySubject[t.subject] = null;
    active.remove(t);
  }

  /** A node stopped: no detection waits for it any longer. */
  void stopped(int node, long now) {
    for (int k = active.size() - 1; k >= 0; k--) {
      Tracked t = active.get(k);
      if (t.need.get(node)) {
        t.need.clear(node);
        if (--t.remaining == 0) {
          finish(t, now);
        }
      }
    }
  }

  /** A node restarted: a detection of its crash still under way ends incomplete. */
  void restarted(int node) {
    Tracked t = activeBySubject[node];
    if (t != null) {
      t.restarted = true;
      activeBySubject[node] = null;
      active.remove(t);
    }
  }

  void report(SimMetrics.Builder b) {
    List<Detection> d = new ArrayList<>(all.size());
    for (Tracked t : all) {
      d.add(new Detection(t.subject, t.crashedAt, t.first, t.all, t.restarted));
    }
    b.detections(List.copyOf(d)).crashes(all.size());
  }
}
