package io.libgossip.cluster;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The last known configuration of a group and whether the local view holds a majority of it.
 *
 * <p>The configuration is every member of the group ever seen alive ({@code ONLINE} or {@code
 * SUSPECT}) in the local view, minus the members seen {@code LEFT} (a graceful leave shrinks it),
 * minus the members an operator forgot ({@link #forget}), and, only when asked, minus the members
 * removed from the table (a {@code FAILED} member reaped after the reconnect timeout). A failure
 * alone does not shrink it, so a side of a partition that sees at most half of it never holds a
 * majority. The quorum is {@code max(size, expectedSize) / 2 + 1}; the view holds it when that many
 * members of the configuration support the local node: itself, and the members {@code ONLINE} in
 * its view that it heard from directly within the freshness window (a member cut off by a partition
 * may stay {@code ONLINE} in the view of a node on the small side for many seconds, since that
 * node's failing probes slow it down). Not thread-safe: its owner serializes the calls.
 */
final class QuorumView {
  private final Predicate<NodeView> inGroup;
  private final String localId;
  private final int expectedSize;
  private final boolean forgetRemoved;
  private final long freshNanos;
  private final Set<String> configuration = new TreeSet<>();
  private int online;

  QuorumView(
      Predicate<NodeView> inGroup,
      String localId,
      int expectedSize,
      boolean forgetRemoved,
      long freshNanos) {
    this.inGroup = inGroup;
    this.localId = localId;
    this.freshNanos = freshNanos;
    this.expectedSize = expectedSize;
    this.forgetRemoved = forgetRemoved;
  }

  /**
   * Folds the local view {@code members} into the configuration and recounts the members that
   * support the local node: itself, and the {@code ONLINE} members it heard from directly ({@link
   * NodeView#lastSeenNanos()}) within the freshness window before {@code nowNanos} (the core's time
   * base).
   */
  void update(List<NodeView> members, long nowNanos) {
    Set<String> present = forgetRemoved ? new HashSet<>() : Set.of();
    int count = 0;
    for (NodeView m : members) {
      if (!inGroup.test(m)) {
        continue;
      }
      if (forgetRemoved) {
        present.add(m.id());
      }
      if (m.status() == NodeStatus.LEFT) {
        configuration.remove(m.id());
      } else if (alive(m, localId)) {
        configuration.add(m.id());
      }
      boolean self = m.id().equals(localId);
      boolean fresh = self || nowNanos - m.lastSeenNanos() <= freshNanos;
      if (online(m, localId) && fresh && configuration.contains(m.id())) {
        count++;
      }
    }
    if (forgetRemoved) {
      configuration.retainAll(present);
    }
    online = count;
  }

  /**
   * Whether {@code m} is alive in the view of node {@code localId}: {@code ONLINE} or {@code
   * SUSPECT}, or the local node itself while its own entry still says {@code JOINING} (the first
   * node of a cluster keeps that status in its own table).
   */
  static boolean alive(NodeView m, String localId) {
    NodeStatus s = m.status();
    return s == NodeStatus.ONLINE
        || s == NodeStatus.SUSPECT
        || (s == NodeStatus.JOINING && m.id().equals(localId));
  }

  /** Whether {@code m} counts towards a quorum: {@code ONLINE}, or the local node not gone. */
  static boolean online(NodeView m, String localId) {
    NodeStatus s = m.status();
    return s == NodeStatus.ONLINE || (s == NodeStatus.JOINING && m.id().equals(localId));
  }

  /** Removes {@code id} from the configuration until it is seen alive again. */
  boolean forget(String id) {
    return configuration.remove(id);
  }

  Set<String> configuration() {
    return Set.copyOf(configuration);
  }

  int quorum() {
    return Math.max(configuration.size(), expectedSize) / 2 + 1;
  }

  int online() {
    return online;
  }

  boolean hasQuorum() {
    return online >= quorum();
  }
}
