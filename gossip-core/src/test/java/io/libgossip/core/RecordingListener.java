package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link GossipListener} that records every event: member events in {@link #events()}, the local
 * node's own in {@link #selfEvents()}.
 */
final class RecordingListener implements GossipListener {
  private final List<ClusterEvent.MemberEvent> events = new ArrayList<>();
  private final List<ClusterEvent> selfEvents = new ArrayList<>();

  @Override
  public void onEvent(ClusterEvent event) {
    if (event instanceof ClusterEvent.MemberEvent) {
      events.add((ClusterEvent.MemberEvent) event);
    } else {
      selfEvents.add(event);
    }
  }

  /** The member events, in order. */
  List<ClusterEvent.MemberEvent> events() {
    return List.copyOf(events);
  }

  /** The events that are not member events (self events and conflicts), in order. */
  List<ClusterEvent> selfEvents() {
    return List.copyOf(selfEvents);
  }

  /** Events about the member {@code id}, in order. */
  List<ClusterEvent.MemberEvent> about(String id) {
    List<ClusterEvent.MemberEvent> out = new ArrayList<>();
    for (ClusterEvent.MemberEvent e : events) {
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
  List<ClusterEvent.MemberEvent> ofKind(ClusterEvent.Kind kind) {
    List<ClusterEvent.MemberEvent> out = new ArrayList<>();
    for (ClusterEvent.MemberEvent e : events) {
      if (e.kind() == kind) {
        out.add(e);
      }
    }
    return out;
  }

  /** The latest event; fails when there is none. */
  ClusterEvent.MemberEvent last() {
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
    selfEvents.clear();
  }
}
