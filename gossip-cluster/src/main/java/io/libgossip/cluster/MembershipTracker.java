package io.libgossip.cluster;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import io.libgossip.core.NodeView;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MemberSource} kept up to date by the {@link ClusterEvent}s of one node: register it as a
 * listener and it holds that node's view of the membership.
 *
 * <ul>
 *   <li>On a {@code GossipNode} ({@code gossip-net}): {@code node.addListener(tracker, true)}. The
 *       node first delivers a {@link ClusterEvent.Resync} of its current view, then every change,
 *       on its event thread.
 *   <li>On a {@code GossipCore} (in the simulator or a runtime of your own): pass it as (or call it
 *       from) the core's listener, or feed it {@link #replaceAll} with {@code core.members()}.
 * </ul>
 *
 * <p>The local node is in the list as the events report it (the snapshot of a {@code Resync}, then
 * {@code SelfJoined}, {@code SelfRefuted} and {@code LeaveSpread}). The core raises no event when
 * the local node changes its own metadata: call {@link #update(NodeView)} with the node's new
 * {@code self()} after {@code updateMetadata} when the local metadata matters (for instance a load
 * value the local node publishes). Thread-safe: updates are serialized, {@link #members()} is a
 * lock-free read of an immutable snapshot.
 */
public final class MembershipTracker implements MemberSource, GossipListener {
  /** Sorted by id, so that a snapshot is a copy, without a sort. */
  private final TreeMap<String, NodeView> byId = new TreeMap<>();

  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong listenerFailures = new AtomicLong();
  private volatile List<NodeView> snapshot = List.of();

  /** An empty tracker: no member until the first event. */
  public MembershipTracker() {}

  /** A tracker that starts from {@code members} (for instance {@code core.members()}). */
  public MembershipTracker(Collection<NodeView> members) {
    replaceAll(members);
  }

  @Override
  public void onEvent(ClusterEvent event) {
    switch (event.kind()) {
      case RESYNC:
        replaceAll(((ClusterEvent.Resync) event).members());
        return;
      case REMOVED:
        synchronized (byId) {
          if (byId.remove(event.node().id()) == null) {
            return;
          }
          publish();
        }
        break;
      case CONFLICT:
        return; // no entry changed
      default:
        // member events and the local node's own steps: the node as it is after the change
        synchronized (byId) {
          byId.put(event.node().id(), event.node());
          publish();
        }
        break;
    }
    notifyListeners();
  }

  /** Adds or replaces one member (for instance the local node after it changed its metadata). */
  public void update(NodeView member) {
    Objects.requireNonNull(member, "member");
    synchronized (byId) {
      byId.put(member.id(), member);
      publish();
    }
    notifyListeners();
  }

  /** Replaces the whole list with {@code members} (members without an id are ignored). */
  public void replaceAll(Collection<NodeView> members) {
    Objects.requireNonNull(members, "members");
    synchronized (byId) {
      byId.clear();
      for (NodeView m : members) {
        if (m.hasId()) {
          byId.put(m.id(), m);
        }
      }
      publish();
    }
    notifyListeners();
  }

  /** {@inheritDoc} Sorted by id. */
  @Override
  public List<NodeView> members() {
    return snapshot;
  }

  @Override
  public void addChangeListener(Runnable listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public boolean removeChangeListener(Runnable listener) {
    return listeners.remove(listener);
  }

  /** How many times a change listener threw, since creation. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  private void publish() {
    snapshot = List.copyOf(byId.values());
  }

  private void notifyListeners() {
    for (Runnable r : listeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
      }
    }
  }
}
