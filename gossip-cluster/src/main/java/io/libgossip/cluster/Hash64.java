package io.libgossip.cluster;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash behind consistent hashing: XXH64 (xxHash, 64-bit) of a key's bytes, and a
 * finalizer that mixes two hashes into a rendezvous score. Strings are hashed as their UTF-8 bytes,
 * so every JVM and every platform computes the same positions for the same keys.
 */
public final class Hash64 {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private Hash64() {}

  /** XXH64 of the UTF-8 bytes of {@code s} with seed 0. */
  public static long hash(String s) {
    return hash(s.getBytes(StandardCharsets.UTF_8), 0);
  }

  /** XXH64 of the UTF-8 bytes of {@code s} with {@code seed}. */
  public static long hash(String s, long seed) {
    return hash(s.getBytes(StandardCharsets.UTF_8), seed);
  }

  /** XXH64 of {@code data} with {@code seed}. */
  public static long hash(byte[] data, long seed) {
    int len = data.length;
    int i = 0;
    long h;
    if (len >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      int limit = len - 32;
      do {
        v1 = round(v1, readLong(data, i));
        v2 = round(v2, readLong(data, i + 8));
        v3 = round(v3, readLong(data, i + 16));
        v4 = round(v4, readLong(data, i + 24));
        i += 32;
      } while (i <= limit);
      h =
          Long.rotateLeft(v1, 1)
              + Long.rotateLeft(v2, 7)
              + Long.rotateLeft(v3, 12)
              + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = seed + P5;
    }
    h += len;
    while (i + 8 <= len) {
      h ^= round(0, readLong(data, i));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      i += 8;
    }
    if (i + 4 <= len) {
      h ^= (readInt(data, i) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      i += 4;
    }
    while (i < len) {
      h ^= (data[i] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      i++;
    }
    return avalanche(h);
  }

  /**
   * A well-mixed 64-bit value of two hashes, as the rendezvous score of a member (hash {@code a})
   * for a key (hash {@code b}): every bit of the result depends on every bit of both.
   */
  public static long mix(long a, long b) {
    return avalanche(a ^ Long.rotateLeft(b, 32) ^ (b * P3));
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long val) {
    acc ^= round(0, val);
    return acc * P1 + P4;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long readLong(byte[] b, int i) {
    return (b[i] & 0xFFL)
        | (b[i + 1] & 0xFFL) << 8
        | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32
        | (b[i + 5] & 0xFFL) << 40
        | (b[i + 6] & 0xFFL) << 48
        | (b[i + 7] & 0xFFL) << 56;
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF)
        | (b[i + 1] & 0xFF) << 8
        | (b[i + 2] & 0xFF) << 16
        | (b[i + 3] & 0xFF) << 24;
  }
}
