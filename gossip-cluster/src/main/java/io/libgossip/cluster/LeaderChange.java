package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The leader of a group changed in the local view ({@link LeaderElection}).
 *
 * @param group the group's name
 * @param term the local term after the change (it rose by one)
 * @param leader the new leader, or null when no member of the group is left
 * @param previous the leader before, or null when there was none
 * @param localIsLeader whether the local node is the new leader
 * @param localWasLeader whether the local node was the leader before
 */
public record LeaderChange(
    String group,
    long term,
    @Nullable NodeView leader,
    @Nullable NodeView previous,
    boolean localIsLeader,
    boolean localWasLeader) {

  /** Checks that the group is not null. */
  public LeaderChange {
    Objects.requireNonNull(group, "group");
  }

  /** The local node became the leader with this change. */
  public boolean gained() {
    return localIsLeader && !localWasLeader;
  }

  /** The local node stopped being the leader with this change. */
  public boolean lost() {
    return localWasLeader && !localIsLeader;
  }
}
