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
 * members of the configuration are {@code ONLINE} in the local view. Not thread-safe: its owner
 * serializes the calls.
 */
final class QuorumView {
  private final Predicate<NodeView> inGroup;
  private final int expectedSize;
  private final boolean forgetRemoved;
  private final Set<String> configuration = new TreeSet<>();
  private int online;

  QuorumView(Predicate<NodeView> inGroup, int expectedSize, boolean forgetRemoved) {
    this.inGroup = inGroup;
    this.expectedSize = expectedSize;
    this.forgetRemoved = forgetRemoved;
  }

  /** Folds the local view {@code members} into the configuration and recounts the online ones. */
  void update(List<NodeView> members) {
    Set<String> present = forgetRemoved ? new HashSet<>() : Set.of();
    int count = 0;
    for (NodeView m : members) {
      if (!inGroup.test(m)) {
        continue;
      }
      if (forgetRemoved) {
        present.add(m.id());
      }
      NodeStatus s = m.status();
      if (s == NodeStatus.LEFT) {
        configuration.remove(m.id());
      } else if (s == NodeStatus.ONLINE || s == NodeStatus.SUSPECT) {
        configuration.add(m.id());
      }
      if (s == NodeStatus.ONLINE && configuration.contains(m.id())) {
        count++;
      }
    }
    if (forgetRemoved) {
      configuration.retainAll(present);
    }
    online = count;
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
