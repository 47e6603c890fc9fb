package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link MemberSource} that asks a supplier for the member list on every read, for instance
 * {@code PolledMembers.of(node::members)} on a {@code GossipNode}: the views are current, {@link
 * NodeView#lastSeenNanos()} included, which {@link QuorumLeaderElection} and {@link JobScheduler}
 * need. (A {@link MembershipTracker} holds each member as its last event left it, so its {@code
 * lastSeenNanos} goes stale.) It calls no change listener: use it with utilities that poll.
 */
public final class PolledMembers implements MemberSource {
  private final Supplier<? extends List<NodeView>> members;

  private PolledMembers(Supplier<? extends List<NodeView>> members) {
    this.members = members;
  }

  /** A source that reads {@code members} on every call to {@link #members()}. */
  public static PolledMembers of(Supplier<? extends List<NodeView>> members) {
    return new PolledMembers(Objects.requireNonNull(members, "members"));
  }

  @Override
  public List<NodeView> members() {
    return List.copyOf(members.get());
  }

  /** {@inheritDoc} Never called: this source has no notifications. */
  @Override
  public void addChangeListener(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
  }

  @Override
  public boolean removeChangeListener(Runnable listener) {
    return false;
  }
}
