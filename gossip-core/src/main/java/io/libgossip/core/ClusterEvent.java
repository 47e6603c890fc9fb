package io.libgossip.core;

import java.util.Objects;

/**
 * A change in the local view of one member.
 *
 * <p>Events about one member are emitted in the order the changes happen, synchronously from the
 * core call that caused them. The local node never gets events about itself.
 *
 * @param kind what happened
 * @param node the member after the change
 * @param oldStatus its status before ({@link NodeStatus#UNKNOWN} if it was not known)
 * @param newStatus its status after (for {@link Kind#REMOVED}: the tombstone's status)
 */
public record ClusterEvent(Kind kind, NodeView node, NodeStatus oldStatus, NodeStatus newStatus) {

  /** Checks that no field is null. */
  public ClusterEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(oldStatus, "oldStatus");
    Objects.requireNonNull(newStatus, "newStatus");
  }

  /** What happened to the member. */
  public enum Kind {
    /** A member not known before (or known only as a removed tombstone) is now {@code ONLINE}. */
    JOINED,
    /**
     * A {@code SUSPECT}, {@code FAILED} or {@code LEFT} member is {@code ONLINE} again: it refuted
     * a suspicion, or restarted and rejoined with a higher incarnation.
     */
    RECOVERED,
    /** An {@code ONLINE} member missed a probe (ours or another node's) and is {@code SUSPECT}. */
    SUSPECTED,
    /** A member's suspicion timed out (here or elsewhere): it is {@code FAILED}. */
    FAILED,
    /** A member left gracefully: it is {@code LEFT}. */
    LEFT,
    /** A {@code FAILED} or {@code LEFT} tombstone expired and was dropped from the table. */
    REMOVED,
    /** A live member published new metadata (its status did not change). */
    METADATA_CHANGED
  }
}
