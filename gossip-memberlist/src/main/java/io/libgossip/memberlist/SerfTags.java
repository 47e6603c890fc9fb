package io.libgossip.memberlist;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serf's tags in memberlist node metadata: byte 255 then a msgpack map of string to string (Serf
 * protocol 3 and later); otherwise the whole metadata is the legacy {@code role} tag. memberlist
 * caps metadata at 512 bytes.
 */
public final class SerfTags {
  /** The first metadata byte that marks msgpack-encoded tags. */
  public static final int MAGIC = 255;

  /** The largest metadata memberlist carries. */
  public static final int MAX_META_BYTES = 512;

  private SerfTags() {}

  /**
   * Encodes tags as Serf protocol 3+ does.
   *
   * @param tags tag names to values
   * @return the metadata bytes
   * @throws IllegalArgumentException if the encoding exceeds {@link #MAX_META_BYTES}
   */
  public static WireBytes encode(Map<String, String> tags) {
    Msgpack.Writer w = new Msgpack.Writer().raw(MAGIC).mapHeader(tags.size());
    for (Map.Entry<String, String> e : new TreeMap<>(tags).entrySet()) {
      w.str(e.getKey()).str(e.getValue());
    }
    if (w.size() > MAX_META_BYTES) {
      throw new IllegalArgumentException(
          "encoded tags are " + w.size() + " bytes, over " + MAX_META_BYTES);
    }
    return WireBytes.wrap(w.toByteArray());
  }

  /**
   * Decodes node metadata into tags; metadata without the magic byte is the legacy role.
   *
   * @param meta the metadata bytes
   * @return the tags, sorted by name
   * @throws MemberlistDecodeException if the msgpack map is malformed
   */
  public static Map<String, String> decode(WireBytes meta) throws MemberlistDecodeException {
    byte[] b = meta.unsafeArray();
    Map<String, String> out = new TreeMap<>();
    if (b.length == 0 || (b[0] & 0xff) != MAGIC) {
      out.put("role", new String(b, StandardCharsets.UTF_8));
      return out;
    }
    Object v = new Msgpack.Reader(b, 1, b.length - 1).read();
    if (!(v instanceof Map<?, ?> m)) {
      throw new MemberlistDecodeException("tags: expected a msgpack map");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof byte[] value)) {
        throw new MemberlistDecodeException("tags: value of " + e.getKey() + " is not a string");
      }
      out.put((String) e.getKey(), new String(value, StandardCharsets.UTF_8));
    }
    return out;
  }
}
