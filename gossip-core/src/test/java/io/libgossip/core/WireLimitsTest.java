package io.libgossip.core;

import static io.libgossip.core.SerializerTestData.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.SerializerTestData.Bytes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one metadata rule, and the bounds the public constants repeat. */
class WireLimitsTest {
  private static final NodeAddress ADDR = new NodeAddress("h", 1);
  private final BinarySerializer serializer = new BinarySerializer(CLUSTER, 1 << 20);

  @Test
  void publicConstantsAreTheWireLimits() {
    assertThat(MemberUpdate.MAX_ID_BYTES).isEqualTo(WireLimits.MAX_ID_BYTES);
    assertThat(MemberUpdate.MAX_INCARNATION).isEqualTo(WireLimits.MAX_INCARNATION);
    assertThat(NodeAddress.MAX_HOST_BYTES).isEqualTo(WireLimits.MAX_HOST_BYTES);
    assertThat(BinarySerializer.MAX_METADATA_KEY_BYTES)
        .isEqualTo(WireLimits.MAX_METADATA_KEY_BYTES);
    assertThat(BinarySerializer.MAX_METADATA_VALUE_BYTES)
        .isEqualTo(WireLimits.MAX_METADATA_VALUE_BYTES);
    assertThat(WireSizes.varintSize(-1)).isEqualTo(WireLimits.MAX_VARINT_BYTES);
  }

  /**
   * For each entry size, the decoder accepts exactly what the local rule accepts, and the encoder
   * writes exactly that too.
   */
  @ParameterizedTest
  @CsvSource({"0,0", "0,1", "1,0", "1,65535", "255,1", "255,65535"})
  void decoderEncoderAndLocalRuleAgreeOnEachEntry(int keyBytes, int valueBytes)
      throws DecodeException {
    String key = "k".repeat(keyBytes);
    String value = "v".repeat(valueBytes);
    boolean valid = WireLimits.checkMetadata(Map.of(key, value)) == null;
    assertThat(valid).isEqualTo(WireLimits.entryProblem(keyBytes, valueBytes) == null);
    byte[] bytes =
        Bytes.header(5)
            .str("a")
            .address("h", 1)
            .varint(1)
            .raw(0)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(1)
            .str(key)
            .str(value)
            .build();
    MemberUpdate u = SerializerTestData.online("x", ADDR, Map.of(key, value));
    GossipMessage m = new GossipMessage.Gossip("a", ADDR, List.of(u));

    if (valid) {
      assertThat(serializer.decode(bytes).updates().get(0).metadata()).containsEntry(key, value);
      assertThat(serializer.encodedSize(m)).isPositive();
    } else {
      assertThatThrownBy(() -> serializer.decode(bytes))
          .isInstanceOfSatisfying(
              DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.MALFORMED));
      assertThatThrownBy(() -> serializer.encode(m))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metadata key");
    }
  }

  @Test
  void checkMetadataNamesWhatIsWrong() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("k", null);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");

    assertThat(WireLimits.checkMetadata(Map.of())).isNull();
    assertThat(WireLimits.checkMetadata(Map.of("role", "web", "zone", ""))).isNull();
    assertThat(WireLimits.checkMetadata(nullValue)).contains("null");
    assertThat(WireLimits.checkMetadata(nullKey)).contains("null");
    assertThat(WireLimits.checkMetadata(Map.of("", "v"))).contains("metadata key");
    assertThat(WireLimits.checkMetadata(Map.of("é".repeat(128), "v")))
        .contains("metadata key")
        .contains("256");
    assertThat(WireLimits.checkMetadata(Map.of("k", "v".repeat(65536)))).contains("metadata value");
  }

  @Test
  void keysThatEncodeAlikeAreInvalid() {
    // both unpaired surrogates go out as '?': the encoder could not write them as two keys
    Map<String, String> clash = Map.of("\uD800", "a", "\uDC00", "b");

    assertThat(WireLimits.checkMetadata(clash)).contains("metadata key must not contain U+D");
    assertThat(WireLimits.checkMetadata(Map.of("\uD800", "a", "b", "c"))).contains("U+D800");
    assertThatThrownBy(
            () ->
                serializer.encode(
                    new GossipMessage.Gossip(
                        "a", ADDR, List.of(SerializerTestData.online("x", ADDR, clash)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same UTF-8");
  }

  @Test
  void checkMetadataBoundsTheEncodedSize() {
    Map<String, String> m = Map.of("k", "v".repeat(100));
    long size = WireSizes.metadataSize(m);

    assertThat(size).isEqualTo(1 + 1 + 1 + 1 + 100);
    assertThat(WireLimits.checkMetadata(m, size)).isNull();
    assertThat(WireLimits.checkMetadata(m, size - 1))
        .contains("maxMetadataBytes")
        .contains(String.valueOf(size))
        .contains(String.valueOf(size - 1));
  }

  @Test
  void theOneMetadataSizerMatchesTheEncoder() {
    Map<String, String> m = Map.of("région", "Zürich", "k", "v".repeat(300));
    MemberUpdate with = SerializerTestData.online("x", ADDR, m);
    MemberUpdate without = SerializerTestData.online("x", ADDR, Map.of());

    assertThat(WireSizes.updateSize(with) - WireSizes.updateSize(without) + 1)
        .isEqualTo(WireSizes.metadataSize(m));
  }
}
