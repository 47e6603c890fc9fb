package io.libgossip.cluster;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The wire format of {@link ClusterConfig}: one entry in a broadcast, every entry in the
 * anti-entropy state. Big-endian.
 *
 * <pre>
 * broadcast: u8 version (1) | u8 'E' | entry
 * state:     u8 version (1) | u8 'S' | i32 count | entry * count
 * entry:     u16 key length | key (UTF-8, 1..255) | i64 wall millis | i32 counter
 *            | u8 writer length | writer (UTF-8, 1..255) | u8 flags (bit 0: tombstone)
 *            | [i32 value length | value]   (absent for a tombstone)
 * </pre>
 *
 * <p>Decoding never throws on bad bytes: it returns null (malformed) or {@link Decoded#overBound}.
 */
final class ConfigCodec {
  static final int VERSION = 1;
  static final int BROADCAST = 'E';
  static final int STATE = 'S';
  static final int MAX_KEY_BYTES = 255;
  static final int MAX_WRITER_BYTES = 255;

  /** An entry's fixed bytes: key length, wall, counter, writer length, flags. */
  static final int ENTRY_OVERHEAD = 2 + 8 + 4 + 1 + 1;

  /** The state's fixed bytes: version, kind, count. */
  static final int STATE_OVERHEAD = 6;

  private ConfigCodec() {}

  /** What a state decoded to: the entries, or why not. */
  record Decoded(@Nullable List<ConfigEntry> entries, boolean overBound) {}

  static byte[] broadcast(ConfigEntry e) {
    ByteBuffer b = ByteBuffer.allocate(2 + e.encodedSize());
    b.put((byte) VERSION).put((byte) BROADCAST);
    put(b, e);
    return b.array();
  }

  static byte[] state(Collection<ConfigEntry> entries, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(STATE_OVERHEAD + bytes);
    b.put((byte) VERSION).put((byte) STATE).putInt(entries.size());
    for (ConfigEntry e : entries) {
      put(b, e);
    }
    if (b.hasRemaining()) {
      throw new IllegalStateException("size accounting is off by " + b.remaining() + " bytes");
    }
    return b.array();
  }

  private static void put(ByteBuffer b, ConfigEntry e) {
    byte[] k = e.key().getBytes(StandardCharsets.UTF_8);
    byte[] w = e.stamp().writer().getBytes(StandardCharsets.UTF_8);
    b.putShort((short) k.length).put(k);
    b.putLong(e.stamp().wallMillis()).putInt(e.stamp().counter());
    b.put((byte) w.length).put(w);
    byte[] v = e.value();
    b.put((byte) (v == null ? 1 : 0));
    if (v != null) {
      b.putInt(v.length).put(v);
    }
  }

  /** The entry of a broadcast payload, or null when it is malformed or over {@code maxValue}. */
  static @Nullable ConfigEntry decodeBroadcast(byte[] payload, int maxValueBytes) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    try {
      if (b.get() != VERSION || b.get() != BROADCAST) {
        return null;
      }
      ConfigEntry e = entry(b, maxValueBytes);
      return b.hasRemaining() ? null : e;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The entries of a state: null entries when malformed; {@code overBound} when it holds more than
   * {@code maxEntries} entries or more than {@code maxBytes} bytes of them.
   */
  static Decoded decodeState(byte[] state, int maxEntries, int maxBytes, int maxValueBytes) {
    if (state.length > STATE_OVERHEAD + (long) maxBytes) {
      return new Decoded(null, true);
    }
    ByteBuffer b = ByteBuffer.wrap(state);
    try {
      if (b.get() != VERSION || b.get() != STATE) {
        return new Decoded(null, false);
      }
      int count = b.getInt();
      if (count < 0) {
        return new Decoded(null, false);
      }
      if (count > maxEntries) {
        return new Decoded(null, true);
      }
      List<ConfigEntry> out = new ArrayList<>(Math.min(count, 1024));
      for (int i = 0; i < count; i++) {
        ConfigEntry e = entry(b, maxValueBytes);
        if (e == null) {
          return new Decoded(null, false);
        }
        out.add(e);
      }
      return b.hasRemaining() ? new Decoded(null, false) : new Decoded(out, false);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return new Decoded(null, false);
    }
  }

  private static @Nullable ConfigEntry entry(ByteBuffer b, int maxValueBytes) {
    int kl = Short.toUnsignedInt(b.getShort());
    if (kl < 1 || kl > MAX_KEY_BYTES) {
      return null;
    }
    String key = text(b, kl);
    long wall = b.getLong();
    int counter = b.getInt();
    int wl = Byte.toUnsignedInt(b.get());
    if (key == null || wall < 0 || counter < 0 || wl < 1) {
      return null;
    }
    String writer = text(b, wl);
    int flags = Byte.toUnsignedInt(b.get());
    if (writer == null || flags > 1) {
      return null;
    }
    byte[] value = null;
    if (flags == 0) {
      int vl = b.getInt();
      if (vl < 0 || vl > maxValueBytes || vl > b.remaining()) {
        return null;
      }
      value = new byte[vl];
      b.get(value);
    }
    return new ConfigEntry(key, new ConfigStamp(wall, counter, writer), value);
  }

  private static @Nullable String text(ByteBuffer b, int len) {
    if (len > b.remaining()) {
      return null;
    }
    ByteBuffer slice = b.slice();
    slice.limit(len);
    b.position(b.position() + len);
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer chars = d.decode(slice);
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Checks that {@code s} is 1 to {@code maxBytes} bytes of UTF-8 (no unpaired surrogate, which
   * UTF-8 cannot carry).
   *
   * @throws IllegalArgumentException naming {@code what} otherwise
   */
  static int checkText(String s, String what, int maxBytes) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " has an unpaired surrogate at index " + i + ": not valid UTF-8");
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    if (bytes > maxBytes) {
      throw new IllegalArgumentException(
          what + " must be at most " + maxBytes + " bytes of UTF-8, got " + bytes);
    }
    return bytes;
  }
}
