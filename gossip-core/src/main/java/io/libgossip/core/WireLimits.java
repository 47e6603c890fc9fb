package io.libgossip.core;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every bound of the binary wire format, and the one rule for what metadata is valid, shared by the
 * encoder, the decoder, local metadata updates and the JSON format.
 *
 * <p>Lengths are in bytes of UTF-8. A string beyond its bound cannot be written (its length prefix
 * is not limited, but the decoder rejects it), and a count beyond what the message could hold is
 * rejected before anything is allocated for it.
 */
final class WireLimits {
  private WireLimits() {}

  /** The longest member id (memberlist's node name); ids are never empty. */
  static final int MAX_ID_BYTES = 255;

  /** The longest host, name or IP literal; hosts are never empty. */
  static final int MAX_HOST_BYTES = 255;

  /** The longest cluster name; cluster names are never empty. */
  static final int MAX_CLUSTER_NAME_BYTES = 255;

  /** The longest metadata key; keys are never empty. */
  static final int MAX_METADATA_KEY_BYTES = 255;

  /** The longest metadata value; values may be empty. */
  static final int MAX_METADATA_VALUE_BYTES = 65535;

  /** The largest incarnation (memberlist's incarnations are 32-bit). */
  static final long MAX_INCARNATION = 0xFFFF_FFFFL;

  /** The longest varint: a 64-bit value in groups of 7 bits. */
  static final int MAX_VARINT_BYTES = 10;

  /**
   * The fewest bytes an update can occupy: the flags, the id length, the host tag, the 2-byte port,
   * the incarnation and the metadata entry count. Bounds the update count of a message.
   */
  static final int MIN_UPDATE_BYTES = 7;

  /** The fewest bytes a metadata entry can occupy (two empty strings). Bounds the entry count. */
  static final int MIN_ENTRY_BYTES = 2;

  /**
   * The most items of at least {@code minBytes} each that a message of {@code maxMessageSize} bytes
   * can hold.
   */
  static int maxCount(int maxMessageSize, int minBytes) {
    return maxMessageSize / minBytes;
  }

  /**
   * Why a metadata entry whose key and value take {@code keyBytes} and {@code valueBytes} bytes of
   * UTF-8 cannot go on the wire, or {@code null} when it can. The decoder checks each entry it
   * reads with this rule; {@link #checkMetadata} checks whole maps with it.
   */
  static @Nullable String entryProblem(int keyBytes, int valueBytes) {
    if (keyBytes < 1 || keyBytes > MAX_METADATA_KEY_BYTES) {
      return "metadata key must be 1.."
          + MAX_METADATA_KEY_BYTES
          + " bytes of UTF-8, got "
          + keyBytes
          + " bytes";
    }
    if (valueBytes > MAX_METADATA_VALUE_BYTES) {
      return "metadata value must be at most "
          + MAX_METADATA_VALUE_BYTES
          + " bytes of UTF-8, got "
          + valueBytes
          + " bytes";
    }
    return null;
  }

  /**
   * Why {@code metadata} cannot be a member's metadata, or {@code null} when it can: it holds a
   * null key or value, an entry that breaks {@link #entryProblem}, two keys that encode to the same
   * bytes (unpaired surrogates both go out as {@code '?'}), or encodes to more than {@code
   * maxEncodedBytes} bytes (the entry count and each key and value as a string).
   *
   * <p>Local metadata updates and both decoders apply this rule, so a node accepts from the wire
   * exactly the metadata it could have set itself (up to the configured size, which a receiver
   * checks against its own configuration).
   */
  static @Nullable String checkMetadata(Map<String, String> metadata, long maxEncodedBytes) {
    boolean surrogates = false;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key == null || value == null) {
        return "metadata must not contain null keys or values";
      }
      String problem = entryProblem(Utf8.length(key), Utf8.length(value));
      if (problem != null) {
        return problem + " (key '" + key + "')";
      }
      surrogates |= Utf8.hasUnpairedSurrogate(key);
    }
    if (surrogates) {
      try {
        Utf8.sorted(metadata.keySet());
      } catch (IllegalArgumentException e) {
        return "metadata keys " + e.getMessage();
      }
    }
    long size = WireSizes.metadataSize(metadata);
    if (size > maxEncodedBytes) {
      return "metadata is "
          + size
          + " bytes encoded, more than maxMetadataBytes ("
          + maxEncodedBytes
          + ")";
    }
    return null;
  }

  /** {@link #checkMetadata(Map, long)} without a bound on the total size. */
  static @Nullable String checkMetadata(Map<String, String> metadata) {
    return checkMetadata(metadata, Long.MAX_VALUE);
  }
}
