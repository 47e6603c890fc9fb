package io.libgossip.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Something that happened in the local view of the cluster: a change to one member ({@link
 * MemberEvent}), a step of the local node's own life ({@link SelfJoined}, {@link SelfRefuted},
 * {@link LeaveSpread}), or two instances claiming one id ({@link MemberConflict}).
 *
 * <p>Events are delivered synchronously from the core call that caused them, in the order the
 * changes happen. Events about one member come in the order of its transitions. Member events never
 * name the local node; the local node's own steps come as self events.
 *
 * <p>Java 17 has no pattern matching over sealed types in {@code switch}: switch over {@link
 * #kind()} and cast, or test with {@code instanceof}.
 */
public sealed interface ClusterEvent
    permits ClusterEvent.MemberEvent,
        ClusterEvent.SelfJoined,
        ClusterEvent.SelfRefuted,
        ClusterEvent.LeaveSpread,
        ClusterEvent.Resync,
        ClusterEvent.MemberConflict {

  /** The member the event is about, as it is after the change (the local node for self events). */
  NodeView node();

  /** What happened, as a constant to switch over. */
  Kind kind();

  /** What happened. Each constant names exactly one event record. */
  enum Kind {
    /** {@link MemberJoined}. */
    JOINED,
    /** {@link MemberRecovered}. */
    RECOVERED,
    /** {@link MemberSuspected}. */
    SUSPECTED,
    /** {@link MemberFailed}. */
    FAILED,
    /** {@link MemberLeft}. */
    LEFT,
    /** {@link MemberRemoved}. */
    REMOVED,
    /** {@link MetadataChanged}. */
    METADATA_CHANGED,
    /** {@link SelfJoined}. */
    SELF_JOINED,
    /** {@link SelfRefuted}. */
    SELF_REFUTED,
    /** {@link LeaveSpread}. */
    LEAVE_SPREAD,
    /** {@link Resync}. */
    RESYNC,
    /** {@link MemberConflict}. */
    CONFLICT
  }

  /** A change to another member's entry in the local table. */
  sealed interface MemberEvent extends ClusterEvent
      permits MemberJoined,
          MemberRecovered,
          MemberSuspected,
          MemberFailed,
          MemberLeft,
          MemberRemoved,
          MetadataChanged {

    /** The member's status before the change ({@link NodeStatus#UNKNOWN} if it was not known). */
    NodeStatus previousStatus();

    /** The member's status after the change (for {@link MemberRemoved}: the tombstone's). */
    default NodeStatus status() {
      return node().status();
    }
  }

  /**
   * A member not known before (or known only as an expired tombstone) is {@code ONLINE}: it joined,
   * or this node learned of it in a state exchange.
   *
   * @param node the new member
   */
  record MemberJoined(NodeView node) implements MemberEvent {
    /** Checks that no field is null. */
    public MemberJoined {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public Kind kind() {
      return Kind.JOINED;
    }

    @Override
    public NodeStatus previousStatus() {
      return NodeStatus.UNKNOWN;
    }
  }

  /**
   * A {@code SUSPECT}, {@code FAILED} or {@code LEFT} member is {@code ONLINE} again: it refuted a
   * suspicion, or restarted and rejoined with a higher incarnation.
   *
   * @param node the member, now {@code ONLINE}
   * @param previousStatus what it was before
   */
  record MemberRecovered(NodeView node, NodeStatus previousStatus) implements MemberEvent {
    /** Checks that no field is null. */
    public MemberRecovered {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(previousStatus, "previousStatus");
    }

    @Override
    public Kind kind() {
      return Kind.RECOVERED;
    }
  }

  /**
   * An {@code ONLINE} member missed a probe (this node's or another's) and is {@code SUSPECT}. It
   * becomes {@link MemberFailed} unless it refutes in time ({@link MemberRecovered}).
   *
   * @param node the member, now {@code SUSPECT}
   * @param accuser the id of the node whose probe failed
   */
  record MemberSuspected(NodeView node, String accuser) implements MemberEvent {
    /** Checks that no field is null. */
    public MemberSuspected {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(accuser, "accuser");
    }

    @Override
    public Kind kind() {
      return Kind.SUSPECTED;
    }

    @Override
    public NodeStatus previousStatus() {
      return NodeStatus.ONLINE;
    }
  }

  /**
   * A member's suspicion timed out, here or at another node: it is {@code FAILED}. Its tombstone is
   * kept for a while ({@link MemberRemoved} follows) so that old claims about it stay ordered.
   *
   * @param node the member, now {@code FAILED}
   * @param previousStatus what it was before (usually {@code SUSPECT})
   * @param declaredBy the id of the node that declared it failed
   */
  record MemberFailed(NodeView node, NodeStatus previousStatus, String declaredBy)
      implements MemberEvent {
    /** Checks that no field is null. */
    public MemberFailed {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(previousStatus, "previousStatus");
      Objects.requireNonNull(declaredBy, "declaredBy");
    }

    @Override
    public Kind kind() {
      return Kind.FAILED;
    }
  }

  /**
   * A member left gracefully: it is {@code LEFT}, never mistaken for a failure. Its tombstone is
   * kept for a while ({@link MemberRemoved} follows).
   *
   * @param node the member, now {@code LEFT}
   * @param previousStatus what it was before
   */
  record MemberLeft(NodeView node, NodeStatus previousStatus) implements MemberEvent {
    /** Checks that no field is null. */
    public MemberLeft {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(previousStatus, "previousStatus");
    }

    @Override
    public Kind kind() {
      return Kind.LEFT;
    }
  }

  /**
   * A {@code FAILED} or {@code LEFT} tombstone expired and was dropped from the table. The node
   * view is the tombstone as it was; its status is also {@link #previousStatus()}.
   *
   * @param node the tombstone that was dropped
   */
  record MemberRemoved(NodeView node) implements MemberEvent {
    /** Checks that no field is null. */
    public MemberRemoved {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public Kind kind() {
      return Kind.REMOVED;
    }

    @Override
    public NodeStatus previousStatus() {
      return node.status();
    }
  }

  /**
   * An {@code ONLINE} member published new metadata; its status did not change.
   *
   * @param node the member with its new metadata ({@link #after()})
   * @param before its metadata before the change
   */
  record MetadataChanged(NodeView node, Map<String, String> before) implements MemberEvent {
    /** Checks that no field is null and takes an immutable copy of {@code before}. */
    public MetadataChanged {
      Objects.requireNonNull(node, "node");
      before = Map.copyOf(Objects.requireNonNull(before, "before"));
    }

    /** The member's new metadata. */
    public Map<String, String> after() {
      return node.metadata();
    }

    @Override
    public Kind kind() {
      return Kind.METADATA_CHANGED;
    }

    @Override
    public NodeStatus previousStatus() {
      return NodeStatus.ONLINE;
    }
  }

  /**
   * The local node's join completed: the first push-pull answer arrived (after the {@link
   * MemberJoined} events for the members in it), or the node formed a cluster of its own because it
   * had no seed but itself. Fires once per join (again only after {@link GossipCore#reset}).
   *
   * @param node the local node, now {@code ONLINE}
   */
  record SelfJoined(NodeView node) implements ClusterEvent {
    /** Checks that no field is null. */
    public SelfJoined {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public Kind kind() {
      return Kind.SELF_JOINED;
    }
  }

  /**
   * The local node refuted a claim about itself by raising its incarnation: it was suspected or
   * declared failed, or it learned of a newer claim of itself from before a restart.
   *
   * @param node the local node with its new incarnation
   * @param claimedStatus the status the claim gave this node
   * @param claimedIncarnation the incarnation the claim carried
   * @param claimedBy the id of the node that made the claim
   */
  record SelfRefuted(
      NodeView node, NodeStatus claimedStatus, long claimedIncarnation, String claimedBy)
      implements ClusterEvent {
    /** Checks that no field is null. */
    public SelfRefuted {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(claimedStatus, "claimedStatus");
      Objects.requireNonNull(claimedBy, "claimedBy");
    }

    @Override
    public Kind kind() {
      return Kind.SELF_REFUTED;
    }
  }

  /**
   * After {@link GossipCore#leave(long)}: the {@code LEFT} announcement has been sent as often as
   * any update is, or no live member is left to tell. The runtime may stop the node now. Fires
   * once, at the end of the core call in which it became true.
   *
   * @param node the local node, {@code LEFT}
   */
  record LeaveSpread(NodeView node) implements ClusterEvent {
    /** Checks that no field is null. */
    public LeaveSpread {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public Kind kind() {
      return Kind.LEAVE_SPREAD;
    }
  }

  /**
   * The whole local view at one point of the event stream, in place of events a listener did not
   * get. The core never emits it; a runtime that hands events to listeners through a bounded queue
   * (such as {@code GossipNode} in {@code gossip-net}) delivers it after it had to drop events
   * because a listener fell behind, and, on request, as the first event a listener added late
   * receives. Every change before it is reflected in {@link #members()}; every change after it
   * arrives as an event. A listener that keeps its own copy of the membership replaces it with
   * {@link #members()}.
   *
   * @param node the local node as it was at that point
   * @param members every member the local node knew at that point, itself first, tombstones
   *     included (as {@link GossipCore#members()})
   * @param droppedEvents how many events were dropped since the previous resync (0 for the snapshot
   *     a late listener asked for)
   */
  record Resync(NodeView node, List<NodeView> members, long droppedEvents) implements ClusterEvent {
    /** Checks that no field is null or negative and takes an immutable copy of {@code members}. */
    public Resync {
      Objects.requireNonNull(node, "node");
      members = List.copyOf(Objects.requireNonNull(members, "members"));
      if (droppedEvents < 0) {
        throw new IllegalArgumentException(
            "droppedEvents must not be negative, got " + droppedEvents);
      }
    }

    @Override
    public Kind kind() {
      return Kind.RESYNC;
    }
  }

  /**
   * Two live instances claim one member id: a claim that member {@code node().id()} is {@code
   * ONLINE} at {@link #claimedAddress()} arrived while this node holds it {@code ONLINE} at another
   * address, with an incarnation at least as high as the one held. Nothing changes: the member
   * keeps the address held, and neither instance raises its incarnation over the other, so the
   * address does not flap. Usually two processes were started with the same id; it also fires for a
   * while after a member restarted at a new address before its old instance was detected dead,
   * until the old one is suspected and the new one refutes that with a higher incarnation.
   *
   * <p>Also fires about the local node ({@link #local()}), when a claim of this node alive at
   * another address reaches it. Rate-bounded: at most once per member per probe interval, so a
   * lasting conflict fires again now and then rather than on every packet. Not a {@link
   * MemberEvent}: no entry changed.
   *
   * @param node the member as this node holds it (the local node itself when {@link #local()})
   * @param claimedAddress the other address the claim gave the member
   * @param claimedIncarnation the incarnation the claim carried
   * @param claimedBy the id of the node that made the claim
   * @param local whether the claim is about this node itself
   */
  record MemberConflict(
      NodeView node,
      NodeAddress claimedAddress,
      long claimedIncarnation,
      String claimedBy,
      boolean local)
      implements ClusterEvent {
    /** Checks that no field is null. */
    public MemberConflict {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(claimedAddress, "claimedAddress");
      Objects.requireNonNull(claimedBy, "claimedBy");
    }

    @Override
    public Kind kind() {
      return Kind.CONFLICT;
    }
  }
}
