package io.libgossip.core;

import java.util.Map;
import java.util.Objects;

/**
 * One claim about one member, as gossiped between nodes: "node {@code id} at {@code address} is
 * {@code status} at {@code incarnation}".
 *
 * <p>It maps onto HashiCorp memberlist's messages: {@code ONLINE} is {@code alive} (with metadata),
 * {@code SUSPECT} is {@code suspect} from the accuser {@code from}, {@code FAILED} is {@code dead}
 * from the accuser, and {@code LEFT} is {@code dead} from the node itself.
 *
 * <p>Claims are ordered per node: a higher incarnation wins; at equal incarnation {@code
 * FAILED}/{@code LEFT} beat {@code SUSPECT}, which beats {@code ONLINE}. Only the node itself
 * raises its incarnation (to refute a suspicion or publish new metadata).
 *
 * <p>Instances are immutable and shared freely: a node keeps the update it applied as its view of
 * the member, so the simulator's thousands of nodes share one object per claim.
 *
 * @param id the member's unique id (memberlist's node name), 1..255 bytes of UTF-8
 * @param address where the member listens
 * @param status {@code ONLINE}, {@code SUSPECT}, {@code FAILED} or {@code LEFT}
 * @param incarnation the member's incarnation, in {@code [0, 2^32)} as in memberlist
 * @param metadata the member's metadata; carried for {@code ONLINE} claims, empty otherwise
 * @param metadataVersion raised by the member on each metadata change
 * @param configEpoch application-defined configuration epoch the member runs with
 * @param from who makes the claim (the accuser for {@code SUSPECT}/{@code FAILED})
 */
public record MemberUpdate(
    String id,
    NodeAddress address,
    NodeStatus status,
    long incarnation,
    Map<String, String> metadata,
    long metadataVersion,
    long configEpoch,
    String from) {

  /** The largest id length in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = 255;

  /** The largest incarnation (memberlist's incarnations are 32-bit). */
  public static final long MAX_INCARNATION = 0xFFFF_FFFFL;

  /** Validates every field and takes an immutable copy of the metadata. */
  public MemberUpdate {
    checkId(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    if (status == NodeStatus.UNKNOWN || status == NodeStatus.JOINING) {
      throw new IllegalArgumentException(
          "status must be ONLINE, SUSPECT, FAILED or LEFT, got " + status);
    }
    if (incarnation < 0 || incarnation > MAX_INCARNATION) {
      throw new IllegalArgumentException("incarnation must be in [0, 2^32), got " + incarnation);
    }
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    if (metadataVersion < 0) {
      throw new IllegalArgumentException("metadataVersion must be >= 0, got " + metadataVersion);
    }
    if (configEpoch < 0) {
      throw new IllegalArgumentException("configEpoch must be >= 0, got " + configEpoch);
    }
    checkId(from, "from");
  }

  static void checkId(String id, String name) {
    Objects.requireNonNull(id, name);
    if (id.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    if (Utf8.length(id) > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          name + " must be at most " + MAX_ID_BYTES + " bytes of UTF-8, got '" + id + "'");
    }
  }

  /** Whether this claim supersedes {@code other} (same node) under the ordering rules. */
  public boolean supersedes(MemberUpdate other) {
    if (incarnation != other.incarnation) {
      return incarnation > other.incarnation;
    }
    return status.precedence() > other.status.precedence();
  }

  /** This claim with another status, accuser and metadata (used for suspect/dead). */
  MemberUpdate withStatus(NodeStatus newStatus, long newIncarnation, String accuser) {
    return new MemberUpdate(
        id, address, newStatus, newIncarnation, metadata, metadataVersion, configEpoch, accuser);
  }
}
