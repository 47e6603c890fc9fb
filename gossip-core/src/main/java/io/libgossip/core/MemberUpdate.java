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
 * <p>Claims are ordered per node: a higher incarnation wins; at equal incarnation {@code LEFT}
 * beats {@code FAILED}, which beats {@code SUSPECT}, which beats {@code ONLINE}. Only the node
 * itself raises its incarnation (to refute a suspicion or publish new metadata).
 *
 * <p>Instances are immutable and shared freely: a node keeps the update it applied as its view of
 * the member, so the simulator's thousands of nodes share one object per claim. Two claims are
 * equal when all their fields are.
 */
public final class MemberUpdate implements Broadcast {
  private final String id;
  private final NodeAddress address;
  private final NodeStatus status;
  private final long incarnation;
  private final Map<String, String> metadata;
  private final long metadataVersion;
  private final long configEpoch;
  private final String from;

  /**
   * The claim's size in the binary wire format, once {@link WireSizes#updateSize} has computed it
   * (0 before). Every node that queues, packs or counts the claim needs it, and a claim is
   * immutable, so it is worked out once. A benign race: every thread computes the same value.
   */
  int wireSize;

  /** The largest id length in UTF-8 bytes. */
  public static final int MAX_ID_BYTES = WireLimits.MAX_ID_BYTES;

  /** The largest incarnation (memberlist's incarnations are 32-bit). */
  public static final long MAX_INCARNATION = WireLimits.MAX_INCARNATION;

  /**
   * Validates every field and takes an immutable copy of the metadata.
   *
   * @param id the member's unique id (memberlist's node name), 1..255 bytes of UTF-8 and printable
   *     ({@link TextRules})
   * @param address where the member listens
   * @param status {@code ONLINE}, {@code SUSPECT}, {@code FAILED} or {@code LEFT}
   * @param incarnation the member's incarnation, in {@code [0, 2^32)} as in memberlist
   * @param metadata the member's metadata; carried for {@code ONLINE} claims, empty otherwise
   * @param metadataVersion raised by the member on each metadata change
   * @param configEpoch application-defined configuration epoch the member runs with
   * @param from who makes the claim (the accuser for {@code SUSPECT}/{@code FAILED})
   * @throws IllegalArgumentException naming the field that is out of range
   */
  public MemberUpdate(
      String id,
      NodeAddress address,
      NodeStatus status,
      long incarnation,
      Map<String, String> metadata,
      long metadataVersion,
      long configEpoch,
      String from) {
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
    this.id = id;
    this.address = address;
    this.status = status;
    this.incarnation = incarnation;
    this.metadata = metadata;
    this.metadataVersion = metadataVersion;
    this.configEpoch = configEpoch;
    this.from = from;
  }

  /** The member's unique id (memberlist's node name). */
  public String id() {
    return id;
  }

  /** Where the member listens. */
  public NodeAddress address() {
    return address;
  }

  /** {@code ONLINE}, {@code SUSPECT}, {@code FAILED} or {@code LEFT}. */
  public NodeStatus status() {
    return status;
  }

  /** The member's incarnation, in {@code [0, 2^32)}. */
  public long incarnation() {
    return incarnation;
  }

  /** The member's metadata (immutable); empty unless the claim is {@code ONLINE}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The version of {@link #metadata()}, raised by the member on each change. */
  public long metadataVersion() {
    return metadataVersion;
  }

  /** The application-defined configuration epoch the member runs with. */
  public long configEpoch() {
    return configEpoch;
  }

  /** Who makes the claim: the member itself, or the accuser for {@code SUSPECT}/{@code FAILED}. */
  public String from() {
    return from;
  }

  /** Checks an id by {@link TextRules#idProblem}, naming it {@code name} in the message. */
  static void checkId(String id, String name) {
    Objects.requireNonNull(id, name);
    String problem = WireLimits.textProblem(id, name, MAX_ID_BYTES);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** The member's id: the broadcast queue holds at most one claim per member. */
  @Override
  public String key() {
    return id;
  }

  /** The claim's size in the binary wire format, worked out once. */
  @Override
  public int wireSize() {
    return WireSizes.updateSize(this);
  }

  /**
   * Always true: the core queues only a claim it has just taken as a member's state, which replaces
   * whatever claim about that member was waiting to be sent.
   */
  @Override
  public boolean invalidates(Broadcast queued) {
    return true;
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

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof MemberUpdate u
        && incarnation == u.incarnation
        && metadataVersion == u.metadataVersion
        && configEpoch == u.configEpoch
        && status == u.status
        && id.equals(u.id)
        && address.equals(u.address)
        && from.equals(u.from)
        && metadata.equals(u.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        id, address, status, incarnation, metadata, metadataVersion, configEpoch, from);
  }

  @Override
  public String toString() {
    return "MemberUpdate[id="
        + id
        + ", address="
        + address
        + ", status="
        + status
        + ", incarnation="
        + incarnation
        + ", metadata="
        + metadata
        + ", metadataVersion="
        + metadataVersion
        + ", configEpoch="
        + configEpoch
        + ", from="
        + from
        + "]";
  }
}
