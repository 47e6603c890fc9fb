package io.libgossip.core;

import java.util.Map;
import java.util.Objects;

/**
 * This node's own claim and status: the claim it gossips about itself (raised to a new incarnation
 * to refute a suspicion or publish metadata) and the status it presents ({@code JOINING}, then
 * {@code ONLINE}, or {@code LEFT}).
 */
final class SelfState {
  final String id;
  final NodeAddress address;
  private MemberUpdate claim;
  private NodeStatus status = NodeStatus.JOINING;
  private long changedAt;
  private boolean leaving;

  SelfState(
      String id,
      NodeAddress address,
      long incarnation,
      Map<String, String> metadata,
      long configEpoch) {
    this.id = id;
    this.address = address;
    this.claim =
        new MemberUpdate(id, address, NodeStatus.ONLINE, incarnation, metadata, 0, configEpoch, id);
  }

  /** The claim this node gossips about itself. */
  MemberUpdate claim() {
    return claim;
  }

  NodeStatus status() {
    return status;
  }

  /** Whether {@link #leave} was called: the node no longer probes and stays {@code LEFT}. */
  boolean leaving() {
    return leaving;
  }

  NodeView view() {
    MemberUpdate s = claim;
    return new NodeView(
        id,
        address,
        status,
        s.incarnation(),
        s.metadata(),
        s.metadataVersion(),
        s.configEpoch(),
        changedAt,
        changedAt);
  }

  /** The core (re)started at {@code now}. */
  void started(long now) {
    changedAt = now;
  }

  /** After a reset: joining again, unless the node has left. */
  void rejoining() {
    if (!leaving) {
      status = NodeStatus.JOINING;
    }
  }

  /** A join completed: {@code JOINING} turns {@code ONLINE}. */
  void joined(long now) {
    if (status == NodeStatus.JOINING) {
      status = NodeStatus.ONLINE;
      changedAt = now;
    }
  }

  /** Turns {@code LEFT} at the current incarnation; returns the claim to spread. */
  MemberUpdate leave(long now) {
    leaving = true;
    claim = claim.withStatus(NodeStatus.LEFT, claim.incarnation(), id);
    status = NodeStatus.LEFT;
    changedAt = now;
    return claim;
  }

  /** Publishes {@code metadata} at a new incarnation; returns the claim to spread. */
  MemberUpdate updateMetadata(Map<String, String> metadata) {
    claim =
        new MemberUpdate(
            id,
            address,
            NodeStatus.ONLINE,
            nextIncarnation(claim.incarnation()),
            metadata,
            claim.metadataVersion() + 1,
            claim.configEpoch(),
            id);
    return claim;
  }

  /** Claims {@code ONLINE} at an incarnation above {@code seen}; returns the claim to spread. */
  MemberUpdate refute(long seen) {
    claim =
        new MemberUpdate(
            id,
            address,
            NodeStatus.ONLINE,
            nextIncarnation(Math.max(claim.incarnation(), seen)),
            claim.metadata(),
            claim.metadataVersion(),
            claim.configEpoch(),
            id);
    return claim;
  }

  private long nextIncarnation(long current) {
    if (current >= MemberUpdate.MAX_INCARNATION) {
      throw new IllegalStateException("incarnation of " + id + " exhausted");
    }
    return current + 1;
  }

  /**
   * Checks local metadata by the same rule the decoder applies ({@link WireLimits#checkMetadata}):
   * no nulls, keys of 1..255 bytes, values of at most 65,535 bytes, no two keys that encode alike,
   * at most {@code maxBytes} encoded.
   *
   * @throws IllegalArgumentException saying which rule {@code metadata} breaks
   */
  static void checkMetadata(Map<String, String> metadata, int maxBytes) {
    String problem =
        WireLimits.checkMetadata(Objects.requireNonNull(metadata, "metadata"), maxBytes);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }
}
