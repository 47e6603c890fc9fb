package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Hash64Test {
  @Test
  void matchesTheXxh64ReferenceVectors() {
    assertThat(Hash64.hash("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(Hash64.hash("abc")).isEqualTo(0x44BC2CF5AD770999L);
    // 39 bytes: the 32-byte stripe loop, an 8-byte word and single bytes
    assertThat(Hash64.hash("Nobody inspects the spammish repetition"))
        .isEqualTo(0xFBCEA83C8A378BF1L);
  }

  @Test
  void stringsHashAsTheirUtf8Bytes() {
    String s = "clé-ключ-鍵";
    assertThat(Hash64.hash(s)).isEqualTo(Hash64.hash(s.getBytes(StandardCharsets.UTF_8), 0));
    assertThat(Hash64.hash(s, 7)).isNotEqualTo(Hash64.hash(s, 8));
  }

  @Test
  void everyInputBitFlipsAboutHalfTheOutputBits() {
    // avalanche: over many inputs, flipping one input bit flips each output bit about half the time
    byte[] data = new byte[40];
    long flips = 0;
    int trials = 0;
    for (int t = 0; t < 200; t++) {
      for (int j = 0; j < data.length; j++) {
        data[j] = (byte) (t * 31 + j * 7);
      }
      long base = Hash64.hash(data, 0);
      for (int bit = 0; bit < data.length * 8; bit += 13) {
        data[bit / 8] ^= (byte) (1 << (bit % 8));
        flips += Long.bitCount(base ^ Hash64.hash(data, 0));
        data[bit / 8] ^= (byte) (1 << (bit % 8));
        trials++;
      }
    }
    assertThat((double) flips / trials).isBetween(31.0, 33.0);
    long mixFlips = 0;
    for (long k = 0; k < 10_000; k++) {
      mixFlips += Long.bitCount(Hash64.mix(1234, k) ^ Hash64.mix(1234, k ^ (1L << (k % 64))));
    }
    assertThat(mixFlips / 10_000.0).isBetween(31.0, 33.0);
  }
}
