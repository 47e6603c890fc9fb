package io.libgossip.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Deterministic mutations of valid inputs, for seeded fuzz loops: the same seed and the same seed
 * inputs give the same cases on every machine, so a failing case is reproduced by its seed and case
 * number alone.
 *
 * <p>Each case is one of the seed inputs with one to four mutations applied in a row:
 *
 * <ul>
 *   <li>a bit flip, or a byte set to 0x00, 0x01, 0x7F, 0x80, 0xFF or a random value;
 *   <li>truncation at a random length;
 *   <li>splicing: the front of this input joined to the back of another seed input;
 *   <li>length-field inflation: the LEB128 varint at a random position replaced by a large one
 *       (2<sup>14</sup> to 2<sup>63</sup>), or four bytes overwritten with a large big-endian
 *       length (a TCP frame prefix, a fixed-size field);
 *   <li>overlong varints: the varint at a random position rewritten with redundant {@code 0x80}
 *       groups, or as more than ten bytes;
 *   <li>random bytes inserted, a range deleted, a range duplicated (a repeated update or entry).
 * </ul>
 *
 * Cases never grow beyond {@code maxLength} bytes. Not thread-safe; one instance per loop.
 */
public final class ByteMutator {
  private static final int[] INTERESTING = {0x00, 0x01, 0x7F, 0x80, 0xFF};
  private static final long[] LARGE = {
    1L << 14, (1L << 16) - 1, 1L << 21, 1L << 24, 1L << 28, Integer.MAX_VALUE, 1L << 32, -1L >>> 1
  };

  private final List<byte[]> seeds;
  private final SplittableRandom random;
  private final int maxLength;

  /**
   * A mutator of {@code seeds} (copied) driven by {@code seed}, whose cases are at most {@code
   * maxLength} bytes long.
   *
   * @throws IllegalArgumentException if {@code seeds} is empty or {@code maxLength} is below 1
   */
  public ByteMutator(List<byte[]> seeds, long seed, int maxLength) {
    Objects.requireNonNull(seeds, "seeds");
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("seeds must not be empty");
    }
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
    }
    List<byte[]> copy = new ArrayList<>(seeds.size());
    for (byte[] s : seeds) {
      copy.add(Objects.requireNonNull(s, "seed input").clone());
    }
    this.seeds = List.copyOf(copy);
    this.random = new SplittableRandom(seed);
    this.maxLength = maxLength;
  }

  /** How many seed inputs there are. */
  public int seedCount() {
    return seeds.size();
  }

  /** The next case: a seed input, picked at random, mutated one to four times. */
  public byte[] next() {
    byte[] b = seeds.get(random.nextInt(seeds.size()));
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      b = mutate(b);
    }
    return b.length > maxLength ? Arrays.copyOf(b, maxLength) : b;
  }

  /** Cuts {@code input} into consecutive chunks of random lengths from 1 to {@code max}. */
  public List<byte[]> chunks(byte[] input, int max) {
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < input.length) {
      int n = Math.min(input.length - pos, 1 + random.nextInt(Math.max(1, max)));
      out.add(Arrays.copyOfRange(input, pos, pos + n));
      pos += n;
    }
    return out;
  }

  /** A random int in {@code [0, bound)}, from this mutator's stream. */
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  private byte[] mutate(byte[] in) {
    if (in.length == 0) {
      return randomBytes(1 + random.nextInt(16));
    }
    int at = random.nextInt(in.length);
    switch (random.nextInt(10)) {
      case 0:
        {
          byte[] b = in.clone();
          b[at] ^= (byte) (1 << random.nextInt(8));
          return b;
        }
      case 1:
        {
          byte[] b = in.clone();
          int r = random.nextInt(INTERESTING.length + 1);
          b[at] = (byte) (r < INTERESTING.length ? INTERESTING[r] : random.nextInt(256));
          return b;
        }
      case 2:
        return Arrays.copyOf(in, random.nextInt(in.length));
      case 3:
        {
          byte[] other = seeds.get(random.nextInt(seeds.size()));
          int from = other.length == 0 ? 0 : random.nextInt(other.length);
          return concat(Arrays.copyOf(in, at), Arrays.copyOfRange(other, from, other.length));
        }
      case 4:
        return replaceVarint(in, at, varint(LARGE[random.nextInt(LARGE.length)]));
      case 5:
        {
          byte[] b = in.clone();
          long v = LARGE[random.nextInt(LARGE.length)] & 0xFFFF_FFFFL;
          for (int i = 0; i < 4 && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
          }
          return b;
        }
      case 6:
        return overlong(in, at);
      case 7:
        return concat(
            concat(Arrays.copyOf(in, at), randomBytes(1 + random.nextInt(8))),
            Arrays.copyOfRange(in, at, in.length));
      case 8:
        {
          int end = at + 1 + random.nextInt(Math.min(32, in.length - at));
          return concat(Arrays.copyOf(in, at), Arrays.copyOfRange(in, end, in.length));
        }
      default:
        {
          int end = at + 1 + random.nextInt(Math.min(64, in.length - at));
          return concat(Arrays.copyOf(in, end), Arrays.copyOfRange(in, at, in.length));
        }
    }
  }

  /** The varint at {@code at} (as much of one as is there) replaced by {@code replacement}. */
  private static byte[] replaceVarint(byte[] in, int at, byte[] replacement) {
    int end = at;
    while (end < in.length && end - at < 10 && (in[end] & 0x80) != 0) {
      end++;
    }
    end = Math.min(in.length, end + 1);
    return concat(
        concat(Arrays.copyOf(in, at), replacement), Arrays.copyOfRange(in, end, in.length));
  }

  /** The varint at {@code at} with redundant groups: the same value, not minimally encoded. */
  private byte[] overlong(byte[] in, int at) {
    long value = 0;
    int shift = 0;
    int end = at;
    while (end < in.length && shift < 63) {
      value |= (long) (in[end] & 0x7F) << shift;
      shift += 7;
      if ((in[end++] & 0x80) == 0) {
        break;
      }
    }
    byte[] minimal = varint(value);
    int extra = random.nextInt(3) == 0 ? 11 - minimal.length : 1 + random.nextInt(2);
    byte[] longer = Arrays.copyOf(minimal, minimal.length + Math.max(1, extra));
    for (int i = minimal.length - 1; i < longer.length - 1; i++) {
      longer[i] |= (byte) 0x80;
    }
    return concat(concat(Arrays.copyOf(in, at), longer), Arrays.copyOfRange(in, end, in.length));
  }

  private static byte[] varint(long value) {
    byte[] b = new byte[10];
    int n = 0;
    long v = value;
    while ((v & ~0x7FL) != 0) {
      b[n++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[n++] = (byte) v;
    return Arrays.copyOf(b, n);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
