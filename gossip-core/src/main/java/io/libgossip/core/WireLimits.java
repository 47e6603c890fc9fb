package io.libgossip.core;

import java.util.Locale;
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
   * Whether {@code cp} may not appear in a member id, a host or a metadata key: C0 controls
   * (U+0000..U+001F), DEL (U+007F), C1 controls (U+0080..U+009F), the line and paragraph separators
   * (U+2028, U+2029), the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E,
   * U+200F, U+202A..U+202E, U+2066..U+2069), invisible zero-width characters (U+200B..U+200D,
   * U+2060..U+2064, U+FEFF), interlinear annotation marks (U+FFF9..U+FFFB), the noncharacters
   * U+FFFE and U+FFFF, and unpaired surrogates. An explicit list rather than the JDK's Unicode
   * tables, so that nodes on different JDKs agree on what is valid.
   */
  static boolean forbidden(int cp) {
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return true;
    }
    if (cp < 0x061C) {
      return false; // the usual case: printable ASCII and Latin
    }
    return cp == 0x061C
        || (cp >= 0x200B && cp <= 0x200F)
        || (cp >= 0x2028 && cp <= 0x202E)
        || (cp >= 0x2060 && cp <= 0x2064)
        || (cp >= 0x2066 && cp <= 0x2069)
        || cp == 0xFEFF
        || (cp >= 0xFFF9 && cp <= 0xFFFB)
        || cp == 0xFFFE
        || cp == 0xFFFF
        || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
  }

  /**
   * The index of the first {@linkplain #forbidden forbidden} code point in {@code s}, or -1 when
   * there is none.
   */
  static int firstForbidden(String s) {
    for (int i = 0, n = s.length(); i < n; ) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        i++; // printable ASCII
        continue;
      }
      int cp = s.codePointAt(i);
      if (forbidden(cp)) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  /**
   * Why {@code s} cannot be a {@code what} (a member id, a host or a metadata key) of at most
   * {@code maxBytes} bytes of UTF-8, or {@code null} when it can: it is empty, too long, or holds a
   * {@linkplain #forbidden forbidden} code point. The message shows {@code s} {@linkplain
   * TextRules#escape escaped}.
   */
  static @Nullable String textProblem(String s, String what, int maxBytes) {
    if (s.isEmpty()) {
      return what + " must not be empty";
    }
    int bytes = Utf8.length(s);
    if (bytes > maxBytes) {
      return what
          + " must be at most "
          + maxBytes
          + " bytes of UTF-8, got "
          + bytes
          + " bytes: \""
          + TextRules.escape(s)
          + "\"";
    }
    int at = firstForbidden(s);
    if (at >= 0) {
      return what
          + " must not contain U+"
          + hex4(s.codePointAt(at))
          + " (control, separator, bidirectional or invisible character), got \""
          + TextRules.escape(s)
          + "\"";
    }
    return null;
  }

  /**
   * {@code cp} in upper-case hexadecimal, at least 4 digits (no Formatter: decoding stays lean).
   */
  private static String hex4(int cp) {
    String h = Integer.toHexString(cp).toUpperCase(Locale.ROOT);
    return h.length() >= 4 ? h : "0000".substring(h.length()) + h;
  }

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
   * null key or value, an entry that breaks {@link #entryProblem}, a key that breaks {@link
   * #textProblem} (so no two keys encode to the same bytes), or encodes to more than {@code
   * maxEncodedBytes} bytes (the entry count and each key and value as a string).
   *
   * <p>Local metadata updates and both decoders apply this rule, so a node accepts from the wire
   * exactly the metadata it could have set itself (up to the configured size, which a receiver
   * checks against its own configuration).
   */
  static @Nullable String checkMetadata(Map<String, String> metadata, long maxEncodedBytes) {
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (key == null || value == null) {
        return "metadata must not contain null keys or values";
      }
      String problem = entryProblem(Utf8.length(key), Utf8.length(value));
      if (problem != null) {
        return problem + " (key \"" + TextRules.escape(key) + "\")";
      }
      // printable keys hold no unpaired surrogate, so no two of them encode alike
      problem = textProblem(key, "metadata key", MAX_METADATA_KEY_BYTES);
      if (problem != null) {
        return problem;
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
