package io.libgossip.memberlist;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Framing options of a memberlist cluster, which every member must share.
 *
 * @param label cluster label ("" for none; at most 255 UTF-8 bytes), sent before every packet and
 *     stream and authenticated by encryption
 * @param keyring encryption keys, or null for plaintext
 * @param encryptionVersion 1 (memberlist protocol 2 and later) or 0 (protocol 1, padded)
 * @param crc whether outgoing packets carry a CRC (memberlist adds one for peers of protocol 5)
 * @param maxPacketBytes largest packet accepted, and largest decompressed packet
 * @param maxStreamBytes largest stream message accepted (memberlist: 20 MiB)
 * @param maxPushNodes most node states accepted in one push-pull
 */
public record WireConfig(
    String label,
    @Nullable Keyring keyring,
    int encryptionVersion,
    boolean crc,
    int maxPacketBytes,
    int maxStreamBytes,
    int maxPushNodes) {

  /** Validates the options. */
  public WireConfig {
    Objects.requireNonNull(label, "label");
    if (label.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("label longer than 255 bytes: " + label);
    }
    if (encryptionVersion != 0 && encryptionVersion != 1) {
      throw new IllegalArgumentException("encryptionVersion must be 0 or 1: " + encryptionVersion);
    }
    if (maxPacketBytes < 64 || maxStreamBytes < 64 || maxPushNodes < 1) {
      throw new IllegalArgumentException(
          "limits too small: maxPacketBytes="
              + maxPacketBytes
              + ", maxStreamBytes="
              + maxStreamBytes
              + ", maxPushNodes="
              + maxPushNodes);
    }
  }

  /**
   * Plaintext, no label, CRC on, 64 KiB packets, 20 MiB streams, 1 Mi push-pull nodes.
   *
   * @return the default options
   */
  public static WireConfig defaults() {
    return new WireConfig("", null, 1, true, 65_536, 20 * 1024 * 1024, 1024 * 1024);
  }

  /**
   * These options with {@code keyring}.
   *
   * @param keyring the keys, or null for plaintext
   * @return the new options
   */
  public WireConfig withKeyring(@Nullable Keyring keyring) {
    return new WireConfig(
        label, keyring, encryptionVersion, crc, maxPacketBytes, maxStreamBytes, maxPushNodes);
  }

  /**
   * These options with {@code label}.
   *
   * @param label the cluster label, "" for none
   * @return the new options
   */
  public WireConfig withLabel(String label) {
    return new WireConfig(
        label, keyring, encryptionVersion, crc, maxPacketBytes, maxStreamBytes, maxPushNodes);
  }
}
