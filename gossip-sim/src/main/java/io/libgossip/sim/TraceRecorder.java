package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the membership events every node's core reports: a running digest of all of them (the
 * trace hash, always on) and, when enabled, the events themselves.
 */
final class TraceRecorder {
  private final boolean keep;
  private final List<TraceEvent> events;
  private long hash = 0x5151_5151_5151_5151L;
  private long count;

  TraceRecorder(boolean keep) {
    this.keep = keep;
    this.events = keep ? new ArrayList<>() : List.of();
  }

  /** Folds one event into the digest (and keeps it when enabled). */
  void record(long now, int observer, int subject, ClusterEvent.Kind kind, NodeStatus status) {
    count++;
    long h = hash;
    h = (h ^ now) * 0x9E3779B97F4A7C15L;
    h = (h ^ (((long) observer << 32) | subject)) * 0xC2B2AE3D27D4EB4FL;
    h = (h ^ ((kind.ordinal() << 8) | status.ordinal())) * 0x165667B19E3779F9L;
    hash = h ^ (h >>> 29);
    if (keep) {
      events.add(new TraceEvent(now, observer, subject, kind, status));
    }
  }

  /** The digest of every event so far. */
  long hash() {
    return hash;
  }

  /** The events so far, in order; empty unless enabled. */
  List<TraceEvent> events() {
    return List.copyOf(events);
  }

  void report(SimMetrics.Builder b) {
    b.membershipEvents(count).traceHash(hash);
  }
}
