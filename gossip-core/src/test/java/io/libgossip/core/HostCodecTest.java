package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and printing the IP literals that go on the wire as raw bytes. */
class HostCodecTest {

  @Test
  void everyIpv4AddressPrintsAndParsesBackCanonically() {
    byte[] b = new byte[4];
    for (int octet = 0; octet < 256; octet++) {
      for (int at = 0; at < 4; at++) {
        Arrays.fill(b, (byte) 0);
        b[at] = (byte) octet;
        String text = HostCodec.formatIpv4(b, 0);
        long value = (octet & 0xFFL) << (8 * (3 - at));

        assertThat(text).isEqualTo(ipv4Text(b));
        assertThat(HostCodec.ipv4(text)).as(text).isEqualTo(value);
        assertThat(HostCodec.hostKind(text)).isEqualTo(HostCodec.HOST_IPV4);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "010.0.0.1",
        "1.2.3",
        "1.2.3.4.5",
        "256.0.0.1",
        "1.2.3.",
        ".1.2.3",
        "1..2.3",
        "a.b.c.d"
      })
  void nonCanonicalIpv4TextIsNoAddress(String text) {
    assertThat(HostCodec.ipv4(text)).isEqualTo(-1);
    assertThat(HostCodec.hostKind(text)).isEqualTo(HostCodec.HOST_NAME);
  }

  private static String ipv4Text(byte[] b) {
    return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
  }

  @ParameterizedTest
  @ValueSource(longs = {3L, 17L, 2026L})
  void ipv6TextAndBytesAgreeWithAnIndependentRfc5952Formatter(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] parsed = new byte[20];
    for (int i = 0; i < 5_000; i++) {
      byte[] address = new byte[16];
      int[] groups = new int[8];
      for (int g = 0; g < 8; g++) {
        // zero groups half the time, so that runs of every length and position occur
        groups[g] = rnd.nextBoolean() ? 0 : rnd.nextInt(5) == 0 ? rnd.nextInt(16) : rnd.nextInt();
        groups[g] &= 0xFFFF;
        address[2 * g] = (byte) (groups[g] >>> 8);
        address[2 * g + 1] = (byte) groups[g];
      }
      String expected = rfc5952(groups);

      String text = HostCodec.formatIpv6(address, 0);

      assertThat(text).as("seed %d iteration %d", seed, i).isEqualTo(expected);
      assertThat(HostCodec.ipv6(text, parsed, 2)).as(text).isTrue();
      assertThat(Arrays.copyOfRange(parsed, 2, 18)).as(text).isEqualTo(address);
      String uncompressed =
          Arrays.stream(groups).mapToObj(Integer::toHexString).collect(Collectors.joining(":"));
      assertThat(HostCodec.ipv6(uncompressed, null, 0))
          .as(uncompressed)
          .isEqualTo(uncompressed.equals(expected));
    }
  }

  /**
   * RFC 5952 text built differently from the serializer: every way to write the groups (none
   * compressed, or one maximal run of two or more zero groups compressed), keeping the one that
   * compresses the most groups, and of those the first.
   */
  private static String rfc5952(int[] groups) {
    String best = joinHex(groups, 0, 8);
    int bestRun = 1;
    for (int start = 0; start < 8; start++) {
      if (groups[start] != 0 || (start > 0 && groups[start - 1] == 0)) {
        continue;
      }
      int end = start;
      while (end < 8 && groups[end] == 0) {
        end++;
      }
      if (end - start > bestRun) {
        bestRun = end - start;
        best = joinHex(groups, 0, start) + "::" + joinHex(groups, end, 8);
      }
    }
    return best;
  }

  private static String joinHex(int[] groups, int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int g = from; g < to; g++) {
      sb.append(g > from ? ":" : "").append(Integer.toHexString(groups[g]));
    }
    return sb.toString();
  }
}
