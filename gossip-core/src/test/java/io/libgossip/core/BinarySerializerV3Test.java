package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Format version 3: version 2 plus the sender's range of versions in the header. */
class BinarySerializerV3Test {
  private static final String CLUSTER = SerializerTestData.CLUSTER;
  private static final int MAX = 1 << 20;

  private final BinarySerializer both = new BinarySerializer(CLUSTER, MAX);
  private final BinarySerializer old = new BinarySerializer(CLUSTER, MAX, new WireVersions(2, 2));
  private final BinarySerializer newOnly =
      new BinarySerializer(CLUSTER, MAX, new WireVersions(3, 3));

  private static DropReason rejectionOf(BinarySerializer s, byte[] bytes) {
    try {
      GossipMessage m = s.decode(bytes);
      return fail("expected a DecodeException, decoded " + m);
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  @Test
  void version3IsVersion2WithTheSendersRangeAfterTheFixedHeader() throws DecodeException {
    for (GossipMessage m : SerializerTestData.examples()) {
      byte[] v2 = both.encode(m, 2);
      byte[] v3 = both.encode(m, 3);

      assertThat(v3).hasSize(v2.length + 2);
      assertThat(both.encodedSize(m, 3)).isEqualTo(v3.length);
      assertThat(v3[2]).isEqualTo((byte) 3);
      assertThat(Arrays.copyOfRange(v3, 3, 8)).isEqualTo(Arrays.copyOfRange(v2, 3, 8));
      assertThat(new byte[] {v3[8], v3[9]})
          .containsExactly(WireVersions.OLDEST, WireVersions.NEWEST);
      assertThat(Arrays.copyOfRange(v3, 10, v3.length))
          .isEqualTo(Arrays.copyOfRange(v2, 8, v2.length));

      assertThat(both.decode(v3)).isEqualTo(m);
      assertThat(both.senderVersions(v3, 0, v3.length)).isEqualTo(WireVersions.SUPPORTED);
      assertThat(both.senderVersions(v2, 0, v2.length)).isNull();
      byte[] into = new byte[v3.length + 5];
      assertThat(both.encode(m, 3, into, 5)).isEqualTo(v3.length);
      assertThat(Arrays.copyOfRange(into, 5, into.length)).isEqualTo(v3);
    }
  }

  @Test
  void withoutAVersionTheSerializerWritesItsOldestSoVersion2BytesAreUnchanged() {
    for (GossipMessage m : SerializerTestData.examples()) {
      assertThat(both.encode(m)).isEqualTo(both.encode(m, 2)).isEqualTo(old.encode(m));
      assertThat(both.encodedSize(m)).isEqualTo(old.encodedSize(m));
      assertThat(both.encode(m)[2]).isEqualTo((byte) BinarySerializer.VERSION);
      assertThat(newOnly.encode(m)[2]).isEqualTo((byte) 3);
    }
  }

  @Test
  void aNodeReadsOnlyTheVersionsOfItsRange() throws DecodeException {
    GossipMessage m = SerializerTestData.examples().get(1);
    assertThat(rejectionOf(old, both.encode(m, 3))).isEqualTo(DropReason.UNSUPPORTED_VERSION);
    assertThat(rejectionOf(newOnly, both.encode(m, 2))).isEqualTo(DropReason.UNSUPPORTED_VERSION);
    assertThat(old.decode(both.encode(m, 2))).isEqualTo(m);
    assertThat(newOnly.decode(both.encode(m, 3))).isEqualTo(m);
    assertThat(newOnly.senderVersions(newOnly.encode(m), 0, newOnly.encode(m).length))
        .isEqualTo(new WireVersions(3, 3));
    try {
      old.decode(both.encode(m, 3));
    } catch (DecodeException e) {
      assertThat(e.getMessage()).contains("wire version 3").contains("[2, 2]");
    }
  }

  @Test
  void writingAVersionOutsideTheRangeIsAnError() {
    GossipMessage m = SerializerTestData.examples().get(0);
    assertThatThrownBy(() -> old.encode(m, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wire version 3");
    assertThatThrownBy(() -> old.encodedSize(m, 3)).isInstanceOf(IllegalArgumentException.class);
    int beyond = WireVersions.TIMING + 1; // version 5 is spoken when configured (decision 061)
    assertThatThrownBy(() -> both.encode(m, beyond, new byte[100], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BinarySerializer(CLUSTER, MAX, new WireVersions(2, beyond)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, " + beyond + "]");
    assertThatThrownBy(() -> new WireVersions(3, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WireVersions(0, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WireVersions(2, 256)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> GossipConfig.lan().toBuilder().wireVersions(new WireVersions(1, 3)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 3]");
  }

  @ParameterizedTest(name = "range [{0}]")
  @ValueSource(strings = {"0,3", "4,5", "1,2", "3,2", "0,0", "255,3"})
  void aHeaderRangeThatDoesNotHoldItsVersionIsMalformed(String range) {
    String[] r = range.split(",");
    byte[] bytes = both.encode(SerializerTestData.examples().get(2), 3);
    bytes[8] = (byte) Integer.parseInt(r[0]);
    bytes[9] = (byte) Integer.parseInt(r[1]);
    assertThat(rejectionOf(both, bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void aWiderRangeThanOursIsAcceptedAndReported() throws DecodeException {
    byte[] bytes = both.encode(SerializerTestData.examples().get(2), 3);
    bytes[8] = 1;
    bytes[9] = 9;
    assertThat(both.decode(bytes)).isEqualTo(SerializerTestData.examples().get(2));
    assertThat(both.senderVersions(bytes, 0, bytes.length)).isEqualTo(new WireVersions(1, 9));
  }

  @Test
  void everyPrefixOfAVersion3MessageIsRejectedWithoutThrowingAnythingElse() {
    byte[] bytes = both.encode(SerializerTestData.examples().get(1), 3);
    for (int len = 0; len < bytes.length; len++) {
      DropReason r = rejectionOf(both, Arrays.copyOf(bytes, len));
      assertThat(r).as("prefix of %d bytes", len).isEqualTo(DropReason.TRUNCATED);
    }
  }

  @Test
  void randomMutationsOfVersion3BytesEitherDecodeCanonicallyOrAreRejected() {
    long seed = 28;
    SplittableRandom random = new SplittableRandom(seed);
    for (GossipMessage m : SerializerTestData.examples()) {
      byte[] good = both.encode(m, 3);
      for (int round = 0; round < 300; round++) {
        byte[] bytes = good.clone();
        int flips = 1 + random.nextInt(3);
        for (int f = 0; f < flips; f++) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        try {
          GossipMessage decoded = both.decode(bytes);
          WireVersions sender = both.senderVersions(bytes, 0, bytes.length);
          int version = bytes[2] & 0xFF;
          if (version == 3 && WireVersions.SUPPORTED.equals(sender)) {
            assertThat(both.encode(decoded, 3))
                .as("seed %d round %d", seed, round)
                .isEqualTo(bytes);
          } else if (version == 2) {
            assertThat(sender).isNull();
          }
        } catch (DecodeException e) {
          assertThat(e.reason()).isNotNull();
        }
      }
    }
  }
}
