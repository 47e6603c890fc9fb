package io.libgossip.core;

/**
 * Why an inbound packet or an outbound update was dropped: bytes a decoder rejects, and messages or
 * updates the protocol refuses. Counted in {@link GossipStats}; a runtime counts its own reasons
 * (send failures, overload) separately.
 */
public enum DropReason {
  /** Fewer bytes than the format needs. */
  TRUNCATED,
  /** Not a libgossip packet (bad magic). */
  BAD_MAGIC,
  /** A wire version this node does not speak. */
  UNSUPPORTED_VERSION,
  /** A packet for another cluster (cluster-name hash mismatch). */
  WRONG_CLUSTER,
  /** An unknown message type. */
  UNKNOWN_TYPE,
  /** A length, count or size beyond the configured bounds. */
  TOO_LARGE,
  /** Structurally invalid content (bad field value, trailing bytes, bad UTF-8, ...). */
  MALFORMED,
  /** A message that claims to come from this node. */
  FROM_SELF,
  /** A probe addressed to another node id than ours. */
  WRONG_TARGET,
  /** An ack or nack for a probe that is no longer outstanding. */
  STALE,
  /** A gossiped update dropped because the broadcast queue was full. */
  QUEUE_FULL,
  /**
   * A state exchange request whose claimed address is not where it came from (counted by the
   * runtime, which knows the connection's address): its large answer is not sent.
   */
  UNPROVEN_ADDRESS,
  /**
   * A claim about an unknown member dropped because the member table holds {@link
   * GossipConfig#maxMembers()} members already.
   */
  TABLE_FULL,
  /**
   * A claim about an unknown member dropped because the message that carried it, unsolicited
   * (gossip, or a push-pull this node did not ask for), had already introduced {@link
   * GossipConfig#maxNewMembersPerMessage()} members.
   */
  NEW_MEMBER_LIMIT,
  /**
   * A claim at an incarnation above what this node believes possible now (its wall clock plus
   * {@link GossipConfig#maxIncarnationLead()}): forged, or from a node whose clock runs ahead.
   */
  INCARNATION_AHEAD,
  /**
   * A user broadcast section or a {@link GossipMessage.BroadcastPull} in a message whose wire
   * version is below 4, the first that carries them.
   */
  BROADCAST_BEFORE_VERSION_4,
  /**
   * A user broadcast older than the window of sequence numbers this node remembers for its origin
   * (see {@link GossipCore#broadcast}): it may have been delivered, so it is not.
   */
  BROADCAST_OUTSIDE_WINDOW,
  /**
   * A user broadcast that a newer one from the same origin with the same topic and key, already
   * delivered here, superseded.
   */
  BROADCAST_SUPERSEDED,
  /**
   * A user broadcast announced with a payload above this node's {@link
   * GossipConfig#maxBroadcastBytes()}, or whose body the held-bytes bound ({@link
   * GossipConfig#maxHeldBroadcastBytes()}) or the bound on pending pulls left no room for.
   */
  BROADCAST_TOO_LARGE,
  /**
   * A large user broadcast whose body could not be pulled from any member that announced it, nor
   * from its origin, within the retries.
   */
  BROADCAST_PULL_FAILED,
  /** A broadcast body this node did not ask for, or of another size than announced. */
  BROADCAST_UNSOLICITED,
  /**
   * A response, receipt or refusal of a direct message, or a reply to a query, that matches nothing
   * this node waits for: answered already, timed out, cancelled, or from another member than the
   * one asked.
   */
  UNEXPECTED_REPLY,
  /**
   * Application data not sent to a member whose wire versions predate application messages (version
   * 4): a direct message or request fails with {@link MessageFailure#UNSUPPORTED_BY_PEER}, a query
   * leaves the member out.
   */
  PEER_TOO_OLD,
  /** A response or query answer not sent: its requester is no longer a live member. */
  UNDELIVERABLE_REPLY,
  /**
   * A query whose metadata filters this node does not match (or whose patterns took too long to
   * match): not delivered, not answered.
   */
  QUERY_NOT_TARGETED,
  /**
   * A repeated copy of a query already delivered here: not delivered again; a remembered answer or
   * acknowledgement is sent again.
   */
  DUPLICATE_QUERY,
  /**
   * Application state larger than {@link GossipConfig#maxAppStateBytes()}: the local state left out
   * of a push-pull, or a received state not merged.
   */
  APP_STATE_TOO_LARGE,
  /**
   * A claim about an unknown member at an address where another live member, not yet verified
   * there, is held: one address answers for one member, so invented members at one (victim's)
   * address cost one proof, not one each. Accepted once the first one is verified or gone.
   */
  SHARED_ADDRESS,
  /**
   * A broadcast body not sent in answer to a pull from a member not verified at the address it
   * asked from, because the reply would be more than twice the request's size (see {@code
   * AddressProof}): the reply says the body is missing.
   */
  BROADCAST_PULL_REFUSED,
  /**
   * A correction, or a refutation told to its accuser, not sent because this node's budget of
   * unsolicited packets was spent ({@link OverloadControl#CORRECTION_BUDGET}).
   */
  CORRECTION_BUDGET
}
