package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LzwTest {
  /** Packs codes LSB-first with widths growing as the decoder expects (no code == hi tricks). */
  static byte[] pack(int[] codes) {
    byte[] out = new byte[codes.length * 2 + 2];
    int len = 0;
    long bits = 0;
    int nBits = 0;
    int width = 9;
    int hi = 257;
    boolean haveLast = false;
    for (int code : codes) {
      bits |= (long) code << nBits;
      nBits += width;
      while (nBits >= 8) {
        out[len++] = (byte) bits;
        bits >>>= 8;
        nBits -= 8;
      }
      if (code == 256) {
        width = 9;
        hi = 257;
        haveLast = false;
        continue;
      }
      if (code == 257) {
        break;
      }
      hi++;
      if (!haveLast) {
        haveLast = true;
      }
      if (hi >= (1 << width) && width < 12) {
        width++;
      }
    }
    if (nBits > 0) {
      out[len++] = (byte) bits;
    }
    return java.util.Arrays.copyOf(out, len);
  }

  @Test
  void literalsAndBackReferencesExpand() throws Exception {
    // a, b, then code 258 = "ab" (defined when b followed a).
    byte[] out = Lzw.decompress(pack(new int[] {256, 'a', 'b', 258, 257}), 100);
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("abab");
  }

  @Test
  void codeEqualToTheNextFreeEntryExpandsToLastPlusItsFirstByte() throws Exception {
    byte[] out = Lzw.decompress(pack(new int[] {256, 'a', 258, 257}), 100);
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("aaa");
  }

  @Test
  void outputOverTheLimitIsRejected() {
    int[] codes = new int[102];
    codes[0] = 256;
    java.util.Arrays.fill(codes, 1, 101, 'x');
    codes[101] = 257;
    assertThatThrownBy(() -> Lzw.decompress(pack(codes), 50))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void randomBytesNeverEscapeAsUncheckedExceptions() {
    SplittableRandom random = new SplittableRandom(63);
    for (int i = 0; i < 5000; i++) {
      byte[] in = new byte[random.nextInt(200)];
      random.nextBytes(in);
      try {
        assertThat(Lzw.decompress(in, 4096).length).isLessThanOrEqualTo(4096);
      } catch (MemberlistDecodeException expected) {
        // Malformed: fine.
      }
    }
  }
}
