package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;

/** A {@link GossipListener} that records every event. */
final class RecordingListener implements GossipListener {
  private final List<ClusterEvent> events = new ArrayList<>();

  @Override
  public void onEvent(ClusterEvent event) {
    events.add(event);
  }

  List<ClusterEvent> events() {
    return List.copyOf(events);
  }

  /** Events about the member {@code id}, in order. */
  List<ClusterEvent> about(String id) {
    List<ClusterEvent> out = new ArrayList<>();
    for (ClusterEvent e : events) {
      if (e.node().id().equals(id)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The kinds of the events about {@code id}, in order. */
  List<ClusterEvent.Kind> kinds(String id) {
    List<ClusterEvent.Kind> out = new ArrayList<>();
    for (ClusterEvent e : about(id)) {
      out.add(e.kind());
    }
    return out;
  }

  /** Events of one kind, in order. */
  List<ClusterEvent> ofKind(ClusterEvent.Kind kind) {
    List<ClusterEvent> out = new ArrayList<>();
    for (ClusterEvent e : events) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  /** The latest event; fails when there is none. */
  ClusterEvent last() {
    if (events.isEmpty()) {
      throw new AssertionError("no event recorded");
    }
    return events.get(events.size() - 1);
  }

  int size() {
    return events.size();
  }

  void clear() {
    events.clear();
  }
}
