package io.libgossip.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What metadata a member may carry. Local metadata updates and every libgossip wire format apply
 * this one rule, so a node accepts from the network exactly the metadata it could have set itself.
 *
 * <p>Metadata is valid when no key or value is null, each key is 1 to {@link #MAX_KEY_BYTES} bytes
 * of UTF-8 and printable (the characters {@link TextRules} refuses in ids and hosts are refused in
 * keys too), each value at most {@link #MAX_VALUE_BYTES} bytes of any text, and no two keys encode
 * to the same bytes. Its encoded size is bounded separately, by {@link
 * GossipConfig#maxMetadataBytes()}, which each node checks against its own configuration. Values
 * may hold control characters: print them through {@link TextRules#escape}.
 */
public final class MetadataLimits {
  private MetadataLimits() {}

  /** The longest metadata key, in bytes of UTF-8. Keys are never empty. */
  public static final int MAX_KEY_BYTES = WireLimits.MAX_METADATA_KEY_BYTES;

  /** The longest metadata value, in bytes of UTF-8. Values may be empty. */
  public static final int MAX_VALUE_BYTES = WireLimits.MAX_METADATA_VALUE_BYTES;

  /**
   * Why {@code metadata} is not valid member metadata (a message naming the first problem found),
   * or empty when it is.
   */
  public static Optional<String> problem(Map<String, String> metadata) {
    return Optional.ofNullable(
        WireLimits.checkMetadata(Objects.requireNonNull(metadata, "metadata")));
  }
}
