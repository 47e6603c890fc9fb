package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/** The local, mutable record of one member. Owned by the core's thread. */
final class Member extends IdMap.Keyed {
  /** The latest claim applied: status, incarnation, metadata. Shared and immutable. */
  MemberUpdate state;

  /** When we last heard from the member directly (or first learned of it). */
  long lastSeen;

  /** When its status last changed locally. */
  long stateChangedAt;

  /** The running suspicion, while SUSPECT. */
  @Nullable Suspicion suspicion;

  /** The probe round in which this member was last probed. */
  int probedRound;

  /**
   * The wire versions the member said it speaks (a version 3 header), or null when unknown; see
   * {@code WireNegotiation}.
   */
  @Nullable WireVersions wireVersions;

  /** Version hellos sent to it since its range was last forgotten; see {@code WireNegotiation}. */
  int hellos;

  /** Position in {@link MemberTable}'s member list, for O(1) removal. */
  int index = -1;

  /** Whether a conflict about this member was reported, and when (see {@code ClaimRules}). */
  boolean conflictReported;

  long conflictReportedAt;

  /**
   * Whether the member answered at the address held (see {@code AddressProof}); false for a member
   * learned from a claim until then.
   */
  boolean verified;

  /** The outstanding proof of the member's address, or null (see {@code AddressProof}). */
  AddressProof.@Nullable Proof proof;

  /** Whether {@code AddressProof} lists this member among its outstanding proofs. */
  boolean proofListed;

  /**
   * Without a wall clock: the incarnation ceiling's origin for this member, set when first seen
   * (see {@code IncarnationCeiling}).
   */
  long incarnationOrigin;

  Member(MemberUpdate state, long now) {
    super(state.id());
    this.state = state;
    this.lastSeen = now;
    this.stateChangedAt = now;
  }

  String id() {
    return key;
  }

  NodeStatus status() {
    return state.status();
  }

  /**
   * Where an answer to a message from {@code sender} (may be null when unknown) goes: the address
   * the message came from, which is the table's address of the sender unless the sender moved
   * (restarted elsewhere) or another instance claims its id. Answering the table's address instead
   * would lose every answer to a node that restarted at a new address.
   */
  static NodeView replyTo(@Nullable Member sender, NodeAddress from) {
    if (sender == null) {
      return NodeView.ofAddress(from);
    }
    MemberUpdate s = sender.state;
    if (s.address().equals(from)) {
      return sender.view();
    }
    return new NodeView(
        s.id(),
        from,
        NodeStatus.UNKNOWN,
        0,
        s.metadata(),
        0,
        0,
        sender.lastSeen,
        sender.stateChangedAt);
  }

  NodeView view() {
    MemberUpdate s = state;
    return new NodeView(
        s.id(),
        s.address(),
        s.status(),
        s.incarnation(),
        s.metadata(),
        s.metadataVersion(),
        s.configEpoch(),
        lastSeen,
        stateChangedAt);
  }
}
