package io.libgossip.memberlist;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The msgpack subset memberlist and Serf use, as Go's {@code go-msgpack} writes it by default (the
 * "old spec": strings and byte slices are both raw strings, no bin or str8 on output; all formats
 * are accepted on input).
 *
 * <p>Decoded values are {@link Long} (every integer width; unsigned 64-bit values above {@code
 * Long.MAX_VALUE} are rejected), {@link Double}, {@link Boolean}, {@link #NIL}, {@code byte[]} (raw
 * strings and bins), {@code List<Object>} and {@code Map<String, Object>}.
 */
final class Msgpack {
  /** The decoded form of msgpack nil. */
  static final Object NIL = new Object();

  private static final int MAX_DEPTH = 16;

  private Msgpack() {}

  /** Reads values one after another from a byte range, never past its end. */
  static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int end;

    Reader(byte[] buf, int offset, int length) {
      this.buf = buf;
      this.pos = offset;
      this.end = offset + length;
    }

    int position() {
      return pos;
    }

    int remaining() {
      return end - pos;
    }

    /** Takes {@code n} raw bytes following the current position. */
    byte[] rawBytes(int n) throws MemberlistDecodeException {
      if (n < 0 || n > remaining()) {
        throw new MemberlistDecodeException("truncated: want " + n + " bytes, have " + remaining());
      }
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    Object read() throws MemberlistDecodeException {
      return read(0);
    }

    /** Reads a value that must be a map with string keys. */
    Fields readMap(String what) throws MemberlistDecodeException {
      Object v = read();
      if (!(v instanceof Map<?, ?> m)) {
        throw new MemberlistDecodeException(what + ": expected a msgpack map");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new Fields(what, map);
    }

    private int u8() throws MemberlistDecodeException {
      need(1);
      return buf[pos++] & 0xff;
    }

    private void need(int n) throws MemberlistDecodeException {
      if (remaining() < n) {
        throw new MemberlistDecodeException("truncated msgpack value");
      }
    }

    private long be(int n) throws MemberlistDecodeException {
      need(n);
      long v = 0;
      for (int i = 0; i < n; i++) {
        v = (v << 8) | (buf[pos++] & 0xff);
      }
      return v;
    }

    private int length(int n) throws MemberlistDecodeException {
      long len = be(n);
      if (len > remaining()) {
        throw new MemberlistDecodeException(
            "msgpack length " + len + " exceeds the " + remaining() + " remaining bytes");
      }
      return (int) len;
    }

    private Object read(int depth) throws MemberlistDecodeException {
      if (depth > MAX_DEPTH) {
        throw new MemberlistDecodeException("msgpack nesting deeper than " + MAX_DEPTH);
      }
      int b = u8();
      if (b <= 0x7f) {
        return (long) b;
      }
      if (b >= 0xe0) {
        return (long) (byte) b;
      }
      if (b >= 0x80 && b <= 0x8f) {
        return map(b & 0x0f, depth);
      }
      if (b >= 0x90 && b <= 0x9f) {
        return array(b & 0x0f, depth);
      }
      if (b >= 0xa0 && b <= 0xbf) {
        return rawBytes(b & 0x1f);
      }
      switch (b) {
        case 0xc0:
          return NIL;
        case 0xc2:
          return false;
        case 0xc3:
          return true;
        case 0xc4:
        case 0xd9:
          return rawBytes(length(1));
        case 0xc5:
        case 0xda:
          return rawBytes(length(2));
        case 0xc6:
        case 0xdb:
          return rawBytes(length(4));
        case 0xca:
          return (double) Float.intBitsToFloat((int) be(4));
        case 0xcb:
          return Double.longBitsToDouble(be(8));
        case 0xcc:
          return be(1);
        case 0xcd:
          return be(2);
        case 0xce:
          return be(4);
        case 0xcf:
          long u = be(8);
          if (u < 0) {
            throw new MemberlistDecodeException("uint64 value above the signed 64-bit range");
          }
          return u;
        case 0xd0:
          return (long) (byte) be(1);
        case 0xd1:
          return (long) (short) be(2);
        case 0xd2:
          return (long) (int) be(4);
        case 0xd3:
          return be(8);
        case 0xdc:
          return array(length(2), depth);
        case 0xdd:
          return array(length(4), depth);
        case 0xde:
          return map(length(2), depth);
        case 0xdf:
          return map(length(4), depth);
        default:
          throw new MemberlistDecodeException(
              "unsupported msgpack type byte 0x" + Integer.toHexString(b));
      }
    }

    private List<Object> array(int n, int depth) throws MemberlistDecodeException {
      if (n > remaining()) {
        throw new MemberlistDecodeException("msgpack array of " + n + " exceeds input");
      }
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(read(depth + 1));
      }
      return out;
    }

    private Map<String, Object> map(int n, int depth) throws MemberlistDecodeException {
      if (n > remaining() / 2) {
        throw new MemberlistDecodeException("msgpack map of " + n + " entries exceeds input");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        Object key = read(depth + 1);
        if (!(key instanceof byte[] k)) {
          throw new MemberlistDecodeException("msgpack map key is not a string");
        }
        out.put(new String(k, StandardCharsets.UTF_8), read(depth + 1));
      }
      return out;
    }
  }

  /** Typed access to the fields of a decoded map; a missing field reads as Go's zero value. */
  static final class Fields {
    private final String what;
    private final Map<String, Object> map;

    Fields(String what, Map<String, Object> map) {
      this.what = what;
      this.map = map;
    }

    private MemberlistDecodeException bad(String field, String expected) {
      return new MemberlistDecodeException(what + "." + field + ": expected " + expected);
    }

    long integer(String field, long min, long max) throws MemberlistDecodeException {
      Object v = map.get(field);
      if (v == null || v == NIL) {
        return 0;
      }
      if (!(v instanceof Long l) || l < min || l > max) {
        throw bad(field, "an integer in [" + min + ", " + max + "]");
      }
      return l;
    }

    long u32(String field) throws MemberlistDecodeException {
      return integer(field, 0, 0xffffffffL);
    }

    int u16(String field) throws MemberlistDecodeException {
      return (int) integer(field, 0, 0xffff);
    }

    int u8(String field) throws MemberlistDecodeException {
      return (int) integer(field, 0, 0xff);
    }

    long u64(String field) throws MemberlistDecodeException {
      return integer(field, 0, Long.MAX_VALUE);
    }

    boolean bool(String field) throws MemberlistDecodeException {
      Object v = map.get(field);
      if (v == null || v == NIL) {
        return false;
      }
      if (!(v instanceof Boolean b)) {
        throw bad(field, "a bool");
      }
      return b;
    }

    WireBytes bytes(String field) throws MemberlistDecodeException {
      Object v = map.get(field);
      if (v == null || v == NIL) {
        return WireBytes.EMPTY;
      }
      if (v instanceof byte[] b) {
        return WireBytes.wrap(b);
      }
      if (v instanceof List<?> list) {
        // A Go []uint8 written by a msgpack encoder that uses arrays.
        byte[] out = new byte[list.size()];
        for (int i = 0; i < out.length; i++) {
          if (!(list.get(i) instanceof Long l) || l < 0 || l > 0xff) {
            throw bad(field, "bytes");
          }
          out[i] = (byte) (long) l;
        }
        return WireBytes.wrap(out);
      }
      throw bad(field, "bytes");
    }

    String string(String field) throws MemberlistDecodeException {
      return bytes(field).asUtf8();
    }

    List<Object> list(String field) throws MemberlistDecodeException {
      Object v = map.get(field);
      if (v == null || v == NIL) {
        return List.of();
      }
      if (!(v instanceof List<?> l)) {
        throw bad(field, "an array");
      }
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) l;
      return list;
    }

    Map<String, Object> map(String field) throws MemberlistDecodeException {
      Object v = map.get(field);
      if (v == null || v == NIL) {
        return Map.of();
      }
      if (!(v instanceof Map<?, ?> m)) {
        throw bad(field, "a map");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> out = (Map<String, Object>) m;
      return out;
    }

    Fields fields(String field) throws MemberlistDecodeException {
      return new Fields(what + "." + field, map(field));
    }
  }

  /** Appends msgpack values to a growable buffer. */
  static final class Writer {
    private byte[] buf = new byte[64];
    private int len;

    Writer raw(int b) {
      ensure(1);
      buf[len++] = (byte) b;
      return this;
    }

    Writer raw(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
      return this;
    }

    private void be(long v, int n) {
      ensure(n);
      for (int i = n - 1; i >= 0; i--) {
        buf[len++] = (byte) (v >>> (8 * i));
      }
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    Writer mapHeader(int n) {
      if (n < 16) {
        raw(0x80 | n);
      } else if (n <= 0xffff) {
        raw(0xde);
        be(n, 2);
      } else {
        raw(0xdf);
        be(n, 4);
      }
      return this;
    }

    Writer arrayHeader(int n) {
      if (n < 16) {
        raw(0x90 | n);
      } else if (n <= 0xffff) {
        raw(0xdc);
        be(n, 2);
      } else {
        raw(0xdd);
        be(n, 4);
      }
      return this;
    }

    /** Writes bytes as a raw string, which is how Go's msgpack writes both strings and bytes. */
    Writer bytes(byte[] b) {
      int n = b.length;
      if (n < 32) {
        raw(0xa0 | n);
      } else if (n <= 0xffff) {
        raw(0xda);
        be(n, 2);
      } else {
        raw(0xdb);
        be(n, 4);
      }
      return raw(b);
    }

    Writer bytes(WireBytes b) {
      return bytes(b.unsafeArray());
    }

    Writer str(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    Writer integer(long v) {
      if (v >= 0) {
        if (v <= 0x7f) {
          raw((int) v);
        } else if (v <= 0xff) {
          raw(0xcc);
          be(v, 1);
        } else if (v <= 0xffff) {
          raw(0xcd);
          be(v, 2);
        } else if (v <= 0xffffffffL) {
          raw(0xce);
          be(v, 4);
        } else {
          raw(0xcf);
          be(v, 8);
        }
      } else if (v >= -32) {
        raw((int) v & 0xff);
      } else if (v >= Byte.MIN_VALUE) {
        raw(0xd0);
        be(v, 1);
      } else if (v >= Short.MIN_VALUE) {
        raw(0xd1);
        be(v, 2);
      } else if (v >= Integer.MIN_VALUE) {
        raw(0xd2);
        be(v, 4);
      } else {
        raw(0xd3);
        be(v, 8);
      }
      return this;
    }

    Writer bool(boolean v) {
      return raw(v ? 0xc3 : 0xc2);
    }

    Writer nil() {
      return raw(0xc0);
    }

    Writer key(String name) {
      return str(name);
    }

    int size() {
      return len;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }
  }
}
