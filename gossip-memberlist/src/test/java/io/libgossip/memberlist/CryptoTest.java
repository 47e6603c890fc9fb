package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CryptoTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void matchesTheGcmSpecVectorForAes128() {
    // McGrew & Viega GCM test case 2: zero key, zero IV, 16 zero bytes, no AAD.
    byte[] out = Crypto.encrypt(1, WireBytes.of(new byte[16]), new byte[16], new byte[0], n -> {});
    assertThat(HEX.formatHex(out))
        .isEqualTo(
            "01"
                + "00".repeat(12)
                + "0388dace60b6a392f328c2b971b2fe78"
                + "ab6e47d42cec13bdf53a67b21257bddf");
  }

  @Test
  void matchesTheGcmSpecVectorForAes256() {
    // GCM test case 14: 32-byte zero key, zero IV, 16 zero bytes, no AAD.
    byte[] out = Crypto.encrypt(1, WireBytes.of(new byte[32]), new byte[16], new byte[0], n -> {});
    assertThat(HEX.formatHex(out))
        .isEqualTo(
            "01"
                + "00".repeat(12)
                + "cea7403d4d606b6e074ec5d3baf39d18"
                + "d0d1c8a799996bf0265b98b5d48ab919");
  }

  @Test
  void roundTripsWithEveryKeySizeAndBothVersions() throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    for (int size : new int[] {16, 24, 32}) {
      byte[] key = new byte[size];
      random.nextBytes(key);
      Keyring ring = Keyring.of(key);
      for (int version : new int[] {0, 1}) {
        for (int len : new int[] {0, 1, 15, 16, 17, 1000}) {
          byte[] plain = new byte[len];
          random.nextBytes(plain);
          byte[] aad = "label".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          byte[] enc = Crypto.encrypt(version, ring.primary(), plain, aad, random::nextBytes);
          assertThat(enc.length).isEqualTo(len + Crypto.overhead(version, len));
          assertThat(Crypto.decrypt(ring, enc, 0, enc.length, aad)).isEqualTo(plain);
        }
      }
    }
  }

  @Test
  void everyFlippedBitIsDetected() {
    Keyring ring = Keyring.of(new byte[24]);
    byte[] aad = {1, 2};
    byte[] enc = Crypto.encrypt(1, ring.primary(), new byte[40], aad, n -> n[0] = 7);
    for (int i = 1; i < enc.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] tampered = enc.clone();
        tampered[i] ^= (byte) (1 << bit);
        assertThatThrownBy(() -> Crypto.decrypt(ring, tampered, 0, tampered.length, aad))
            .isInstanceOf(MemberlistDecodeException.class);
      }
    }
  }

  @Test
  void wrongKeyOrWrongAdditionalDataIsRejectedAndSecondaryKeysDecrypt() throws Exception {
    byte[] k1 = new byte[16];
    byte[] k2 = new byte[16];
    k2[0] = 1;
    byte[] enc = Crypto.encrypt(1, WireBytes.of(k2), new byte[] {42}, new byte[0], n -> {});
    assertThatThrownBy(() -> Crypto.decrypt(Keyring.of(k1), enc, 0, enc.length, new byte[0]))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("no key");
    assertThat(Crypto.decrypt(Keyring.of(k1, k2), enc, 0, enc.length, new byte[0]))
        .containsExactly(42);
    assertThatThrownBy(() -> Crypto.decrypt(Keyring.of(k2), enc, 0, enc.length, new byte[] {1}))
        .isInstanceOf(MemberlistDecodeException.class);
  }

  @Test
  void keysOfOtherSizesAreRefused() {
    assertThatThrownBy(() -> Keyring.of(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15");
  }
}
