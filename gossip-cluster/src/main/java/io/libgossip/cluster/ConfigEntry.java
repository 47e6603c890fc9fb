package io.libgossip.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One key of a {@link ClusterConfig} map: its value, or a tombstone (a delete), with the stamp of
 * the write. The merge keeps, for each key, the entry that {@linkplain #beats orders last}: a total
 * order, so the merge is commutative, associative and idempotent.
 */
@SuppressWarnings("ArrayRecordComponent") // compared by content in beats(), never with equals
record ConfigEntry(String key, ConfigStamp stamp, byte @Nullable [] value) {
  ConfigEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(stamp, "stamp");
  }

  boolean tombstone() {
    return value == null;
  }

  /**
   * Whether this entry replaces {@code o} (the same key): the larger stamp; for equal stamps (one
   * writer, a physical clock that went back across a restart) a tombstone, then the larger value in
   * unsigned byte order.
   */
  boolean beats(ConfigEntry o) {
    int c = stamp.compareTo(o.stamp);
    if (c != 0) {
      return c > 0;
    }
    byte[] a = value;
    byte[] b = o.value;
    if (a == null || b == null) {
      return a == null && b != null;
    }
    return Arrays.compareUnsigned(a, b) > 0;
  }

  /** Whether this entry holds the same stamp and value as {@code o}. */
  boolean sameAs(ConfigEntry o) {
    return stamp.equals(o.stamp) && Arrays.equals(value, o.value);
  }

  /** The bytes this entry takes in the encoded map (what the size bound counts). */
  int encodedSize() {
    byte[] v = value;
    return ConfigCodec.ENTRY_OVERHEAD
        + key.getBytes(StandardCharsets.UTF_8).length
        + stamp.writer().getBytes(StandardCharsets.UTF_8).length
        + (v == null ? 0 : 4 + v.length);
  }
}
