package io.libgossip.testkit;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link GossipListener} that keeps every {@link ClusterEvent} in the order the core reported it:
 * all of them in {@link #all()}, member events in {@link #events()}, the local node's own (joined,
 * refuted, leave spread) in {@link #selfEvents()}.
 */
public final class RecordingListener implements GossipListener {
  private final List<ClusterEvent> all = new ArrayList<>();
  private final List<ClusterEvent.MemberEvent> events = new ArrayList<>();
  private final List<ClusterEvent> selfEvents = new ArrayList<>();

  /** An empty recording. */
  public RecordingListener() {}

  @Override
  public void onEvent(ClusterEvent event) {
    all.add(event);
    if (event instanceof ClusterEvent.MemberEvent e) {
      events.add(e);
    } else {
      selfEvents.add(event);
    }
  }

  /** Every event, member and self events interleaved as they happened. */
  public List<ClusterEvent> all() {
    return List.copyOf(all);
  }

  /** The member events, in order. */
  public List<ClusterEvent.MemberEvent> events() {
    return List.copyOf(events);
  }

  /**
   * The events that are not member events (the local node's own steps, and conflicts), in order.
   */
  public List<ClusterEvent> selfEvents() {
    return List.copyOf(selfEvents);
  }

  /** The member events about the member {@code id}, in order. */
  public List<ClusterEvent.MemberEvent> about(String id) {
    List<ClusterEvent.MemberEvent> out = new ArrayList<>();
    for (ClusterEvent.MemberEvent e : events) {
      if (e.node().id().equals(id)) {
        out.add(e);
      }
    }
    return out;
  }

  /** The events of one record type (member or self), in order. */
  public <T extends ClusterEvent> List<T> ofType(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (ClusterEvent e : all) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /** The record types of the events about {@code id}, in order: a compact transition history. */
  public List<Class<? extends ClusterEvent>> typesAbout(String id) {
    List<Class<? extends ClusterEvent>> out = new ArrayList<>();
    for (ClusterEvent e : about(id)) {
      out.add(e.getClass().asSubclass(ClusterEvent.class));
    }
    return out;
  }

  /**
   * The latest member event.
   *
   * @throws IllegalStateException when there is none
   */
  public ClusterEvent.MemberEvent last() {
    if (events.isEmpty()) {
      throw new IllegalStateException("no member event recorded");
    }
    return events.get(events.size() - 1);
  }

  /** How many member events were recorded. */
  public int size() {
    return events.size();
  }

  /** Forgets every event recorded so far. */
  public void clear() {
    all.clear();
    events.clear();
    selfEvents.clear();
  }
}
