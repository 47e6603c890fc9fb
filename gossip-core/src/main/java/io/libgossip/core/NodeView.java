package io.libgossip.core;

import java.util.Map;
import java.util.Objects;

/**
 * An immutable snapshot of one member as the local node sees it.
 *
 * @param id the member's unique id
 * @param address where the member listens
 * @param status its status in the local view
 * @param incarnation its incarnation number
 * @param metadata its metadata (immutable)
 * @param metadataVersion the version of that metadata, raised by the member on each change
 * @param configEpoch the application-defined configuration epoch the member runs with
 * @param lastSeenNanos when the local node last heard directly from it (the core's time base), or
 *     the time it was first learned of
 * @param lastChangeNanos when its status last changed in the local view
 */
public record NodeView(
    String id,
    NodeAddress address,
    NodeStatus status,
    long incarnation,
    Map<String, String> metadata,
    long metadataVersion,
    long configEpoch,
    long lastSeenNanos,
    long lastChangeNanos) {

  /** The metadata key behind {@link #role()}. */
  public static final String ROLE = "role";

  /** The metadata key behind {@link #region()}. */
  public static final String REGION = "region";

  /** Checks the fields and takes an immutable copy of the metadata. */
  public NodeView {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  /**
   * A view of a node known only by its address (for instance a seed that has not answered yet):
   * empty id, status {@link NodeStatus#UNKNOWN}.
   */
  public static NodeView ofAddress(NodeAddress address) {
    return new NodeView("", address, NodeStatus.UNKNOWN, 0, Map.of(), 0, 0, 0, 0);
  }

  /** The {@code role} metadata value, or the empty string. */
  public String role() {
    return metadata.getOrDefault(ROLE, "");
  }

  /** The {@code region} metadata value, or the empty string. */
  public String region() {
    return metadata.getOrDefault(REGION, "");
  }

  /** Whether this view names a known member rather than a bare address. */
  public boolean hasId() {
    return !id.isEmpty();
  }
}
