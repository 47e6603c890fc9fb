package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;

/**
 * A live member list with change notifications: what the utilities of this module work on. {@link
 * MembershipTracker} is the implementation fed by a {@code GossipNode} or a {@code GossipCore};
 * tests may implement it directly.
 */
public interface MemberSource {
  /**
   * Every member known now, in any status, tombstones included, the local node among them; an
   * immutable snapshot.
   */
  List<NodeView> members();

  /**
   * Calls {@code listener} after each change of {@link #members()}, on the thread that made the
   * change. A listener that throws does not stop the others.
   */
  void addChangeListener(Runnable listener);

  /** Stops calling {@code listener}; returns whether it was registered. */
  boolean removeChangeListener(Runnable listener);
}
