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
   * A claim about an unknown member at an address where another live member, not yet verified
   * there, is held: one address answers for one member, so invented members at one (victim's)
   * address cost one proof, not one each. Accepted once the first one is verified or gone.
   */
  SHARED_ADDRESS
}
