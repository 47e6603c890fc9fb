package io.libgossip.memberlist;

import java.util.Arrays;

/**
 * Decompression of memberlist's compressed messages: LZW with least-significant-bit-first code
 * packing and 8-bit literals (as Go's {@code compress/lzw} with {@code LSB, 8}): code 256 clears
 * the table, 257 ends the data, codes grow from 9 to 12 bits.
 */
final class Lzw {
  private static final int CLEAR = 256;
  private static final int EOF = 257;
  private static final int MAX_WIDTH = 12;
  private static final int TABLE = 1 << MAX_WIDTH;

  private Lzw() {}

  static byte[] decompress(byte[] in, int maxOut) throws MemberlistDecodeException {
    int[] prefix = new int[TABLE];
    byte[] suffix = new byte[TABLE];
    byte[] scratch = new byte[TABLE];
    byte[] out = new byte[Math.min(Math.max(64, in.length * 4), maxOut)];
    int outLen = 0;
    int width = 9;
    int hi = EOF;
    int overflow = 1 << width;
    int last = -1;
    long bits = 0;
    int nBits = 0;
    int pos = 0;
    while (true) {
      while (nBits < width) {
        if (pos >= in.length) {
          throw new MemberlistDecodeException("compressed data ends without an end code");
        }
        bits |= (long) (in[pos++] & 0xff) << nBits;
        nBits += 8;
      }
      int code = (int) (bits & ((1L << width) - 1));
      bits >>>= width;
      nBits -= width;
      if (code == CLEAR) {
        width = 9;
        hi = EOF;
        overflow = 1 << width;
        last = -1;
        continue;
      }
      if (code == EOF) {
        return Arrays.copyOf(out, outLen);
      }
      int first;
      int start;
      if (code < CLEAR) {
        scratch[TABLE - 1] = (byte) code;
        start = TABLE - 1;
        first = code;
      } else if (code <= hi) {
        int i = TABLE - 1;
        int c = code;
        if (code == hi) {
          if (last == -1) {
            throw new MemberlistDecodeException("compressed data uses an undefined code");
          }
          c = last;
          while (c >= CLEAR) {
            c = prefix[c];
          }
          scratch[i--] = (byte) c;
          c = last;
        }
        while (c >= CLEAR) {
          if (i < 0) {
            throw new MemberlistDecodeException("compressed data has a code chain too long");
          }
          scratch[i--] = suffix[c];
          c = prefix[c];
        }
        if (i < 0) {
          throw new MemberlistDecodeException("compressed data has a code chain too long");
        }
        scratch[i] = (byte) c;
        start = i;
        first = c;
      } else {
        throw new MemberlistDecodeException("compressed data has an invalid code " + code);
      }
      int n = TABLE - start;
      if (outLen + n > maxOut) {
        throw new MemberlistDecodeException("decompressed data exceeds " + maxOut + " bytes");
      }
      if (outLen + n > out.length) {
        out = Arrays.copyOf(out, Math.min(maxOut, Math.max(out.length * 2, outLen + n)));
      }
      System.arraycopy(scratch, start, out, outLen, n);
      outLen += n;
      if (last != -1) {
        suffix[hi] = (byte) first;
        prefix[hi] = last;
      }
      last = code;
      hi++;
      if (hi >= overflow) {
        if (width == MAX_WIDTH) {
          last = -1;
          hi--;
        } else {
          width++;
          overflow = 1 << width;
        }
      }
    }
  }
}
