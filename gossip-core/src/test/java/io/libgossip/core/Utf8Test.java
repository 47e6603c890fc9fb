package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UTF-8 as the wire writes it, checked against the JDK's encoder and strict decoder. */
class Utf8Test {

  /** A string of BMP, supplementary and lone surrogate chars, to hit every branch. */
  private static String randomString(SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      switch (rnd.nextInt(6)) {
        case 0 -> sb.append((char) rnd.nextInt(0x80));
        case 1 -> sb.append((char) rnd.nextInt(0x80, 0x800));
        case 2 -> sb.append((char) rnd.nextInt(0xE000, 0x10000));
        case 3 -> sb.appendCodePoint(rnd.nextInt(0x10000, 0x110000));
        case 4 -> sb.append((char) rnd.nextInt(0xD800, 0xE000)); // unpaired, usually
        default -> sb.append('a');
      }
    }
    return sb.toString();
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L})
  void lengthAndOrderAreThoseOfTheBytesStringGetBytesWrites(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 20_000; i++) {
      String a = randomString(rnd);
      String b = randomString(rnd);
      byte[] ab = a.getBytes(StandardCharsets.UTF_8);
      byte[] bb = b.getBytes(StandardCharsets.UTF_8);

      assertThat(Utf8.length(a)).as("seed %d: %s", seed, a).isEqualTo(ab.length);
      assertThat(Integer.signum(Utf8.compare(a, b)))
          .as("seed %d: %s vs %s", seed, a, b)
          .isEqualTo(Integer.signum(Arrays.compareUnsigned(ab, bb)));
      assertThat(Utf8.sameOnWire(a, b)).isEqualTo(Arrays.equals(ab, bb));
      // only an unpaired surrogate (written as '?') keeps a string from surviving the trip
      assertThat(Utf8.hasUnpairedSurrogate(a))
          .isEqualTo(!new String(ab, StandardCharsets.UTF_8).equals(a));
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4L, 5L, 6L})
  void validAcceptsExactlyWhatAStrictDecoderAccepts(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 50_000; i++) {
      byte[] bytes = new byte[rnd.nextInt(1, 6)];
      for (int k = 0; k < bytes.length; k++) {
        // mostly the bytes that start or continue multi-byte sequences
        bytes[k] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(0x80) : rnd.nextInt(0x80, 0x100));
      }
      assertThat(Utf8.valid(bytes, 0, bytes.length))
          .as("seed %d: %s", seed, Arrays.toString(bytes))
          .isEqualTo(strictlyDecodes(bytes));
    }
  }

  private static boolean strictlyDecodes(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
