package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format version 4: the application message types (7 USER, 8 QUERY, 9 QUERY_REPLY) and the
 * push-pull's application state; see {@link UserCodec}.
 */
class BinarySerializerV4Test {
  private static final int MAX = 1 << 20;
  private final BinarySerializer both =
      new BinarySerializer(SerializerTestData.CLUSTER, MAX, WireVersions.SUPPORTED);

  private DropReason rejectionOf(byte[] bytes) {
    try {
      GossipMessage m = both.decode(bytes);
      return fail("expected a DecodeException, decoded " + m);
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  /** The header of a version 4 message of {@code type} from "a" at a name address, no fields. */
  private static SerializerTestData.Bytes v4(int type) {
    int h = BinarySerializer.clusterHash(SerializerTestData.CLUSTER);
    return new SerializerTestData.Bytes()
        .raw(0x4C, 0x47, 4, type, h >>> 24, h >>> 16, h >>> 8, h, 2, 4)
        .str("a")
        .address("h", 1);
  }

  @Test
  void everyApplicationMessageRoundTripsAtVersion4AndEncodedSizeIsExact() throws DecodeException {
    for (GossipMessage m : SerializerTestData.userExamples()) {
      byte[] bytes = both.encode(m, 4);
      assertThat(bytes[2]).isEqualTo((byte) 4);
      assertThat(both.encodedSize(m, 4)).as("%s", m).isEqualTo(bytes.length);
      GossipMessage back = both.decode(bytes);
      assertThat(back).as("%s", m).isEqualTo(m);
      assertThat(both.encode(back, 4)).isEqualTo(bytes);
      byte[] into = new byte[bytes.length + 3];
      assertThat(both.encode(m, 4, into, 3)).isEqualTo(bytes.length);
      assertThat(Arrays.copyOfRange(into, 3, into.length)).isEqualTo(bytes);
    }
  }

  @Test
  void generatedApplicationMessagesRoundTrip() throws DecodeException {
    SerializerTestData.Generator gen = new SerializerTestData.Generator(404);
    for (int i = 0; i < 2000; i++) {
      GossipMessage m = gen.userMessage();
      byte[] bytes = both.encode(m, 4);
      assertThat(both.encodedSize(m, 4)).as("seed 404 message %d", i).isEqualTo(bytes.length);
      assertThat(both.decode(bytes)).as("seed 404 message %d", i).isEqualTo(m);
    }
  }

  @Test
  void aUserMessageHasTheDocumentedLayout() {
    UserMessage m =
        new UserMessage(
            "a", new NodeAddress("h", 1), 300, UserMessage.Kind.REQUEST, true, "t", new byte[] {9});
    byte[] expected =
        v4(7).varint(300).raw(0x01 | 0x08).str("t").varint(1).raw(9).varint(0).build();
    assertThat(both.encode(m, 4)).isEqualTo(expected);
  }

  @Test
  void aQueryAndAReplyHaveTheDocumentedLayout() {
    java.util.TreeMap<String, String> filters = new java.util.TreeMap<>(Map.of("r", "w.*"));
    QueryMessage q =
        new QueryMessage(
            "a",
            new NodeAddress("h", 1),
            5,
            "q",
            true,
            1000,
            filters,
            new byte[] {1, 2},
            List.of());
    assertThat(both.encode(q, 4))
        .isEqualTo(
            v4(8)
                .varint(5)
                .raw(0x01)
                .str("q")
                .varint(1000)
                .varint(1)
                .str("r")
                .str("w.*")
                .varint(2)
                .raw(1, 2)
                .varint(0)
                .build());
    QueryReplyMessage r =
        new QueryReplyMessage("a", new NodeAddress("h", 1), 5, false, new byte[] {7}, List.of());
    assertThat(both.encode(r, 4))
        .isEqualTo(v4(9).varint(5).raw(0).varint(1).raw(7).varint(0).build());
  }

  @Test
  void appStateFollowsTheRangesUnderFlagBit3AndIsLeftOutBeforeVersion4() throws DecodeException {
    GossipMessage.PushPull p =
        (GossipMessage.PushPull) SerializerTestData.userExamples().get(11); // ranges and state
    byte[] v4 = both.encode(p, 4);
    byte[] v3 = both.encode(p, 3);
    assertThat(v4).hasSize(v3.length + 2); // length 1 and one byte
    assertThat(v4[v4.length - 1]).isEqualTo((byte) 42);
    assertThat(both.decode(v3)).isEqualTo(p.withoutAppState());
    assertThat(both.decode(v4)).isEqualTo(p);
    assertThat(both.encode(p, 2)).isEqualTo(both.encode(p.withoutRanges(), 2));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void applicationTypesAreUnknownBeforeVersion4AndAreNotWritten(int version) {
    for (GossipMessage m : SerializerTestData.userExamples().subList(0, 10)) {
      assertThatThrownBy(() -> both.encode(m, version))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("wire version 4");
      byte[] bytes = both.encode(m, 4);
      bytes[2] = (byte) version;
      byte[] cut = version == 2 ? dropRange(bytes) : bytes;
      assertThat(rejectionOf(cut)).as("%s at %d", m, version).isEqualTo(DropReason.UNKNOWN_TYPE);
    }
  }

  private static byte[] dropRange(byte[] v3) {
    byte[] out = new byte[v3.length - 2];
    System.arraycopy(v3, 0, out, 0, 8);
    System.arraycopy(v3, 10, out, 8, v3.length - 10);
    return out;
  }

  @Test
  void theAppStateFlagAtVersion3IsMalformedAndAnEmptyStateIsNotCanonical() {
    GossipMessage.PushPull p = (GossipMessage.PushPull) SerializerTestData.userExamples().get(10);
    byte[] v4 = both.encode(p, 4);
    byte[] asV3 = v4.clone();
    asV3[2] = 3;
    assertThat(rejectionOf(asV3)).isEqualTo(DropReason.MALFORMED);
    // the same push-pull with the flag and a zero length
    byte[] empty = both.encode(p.withoutAppState(), 4);
    int flagsAt = 10 + 2 + 7; // header, "a", address 10.0.0.1:7946
    empty[flagsAt] |= (byte) BinarySerializer.FLAG_APP_STATE;
    byte[] withZero = Arrays.copyOf(empty, empty.length + 1);
    assertThat(rejectionOf(withZero)).isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(empty)).isEqualTo(DropReason.TRUNCATED);
  }

  @Test
  void malformedApplicationMessagesAreCountedDropsNeverCrashes() {
    // reserved flag bits, unknown kind
    assertThat(rejectionOf(v4(7).varint(1).raw(0x10).str("t").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(v4(7).varint(1).raw(0x05).str("t").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // a receipt with a topic, a request with id 0, an empty topic on a message
    assertThat(rejectionOf(v4(7).varint(1).raw(0x03).str("t").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(v4(7).varint(0).raw(0x01).str("t").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(v4(7).varint(1).raw(0x00).str("").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // a topic too long, a control character in it
    assertThat(rejectionOf(v4(7).varint(1).raw(0).str("x".repeat(65)).varint(0).varint(0).build()))
        .isEqualTo(DropReason.TOO_LARGE);
    assertThat(rejectionOf(v4(7).varint(1).raw(0).str("a\u0007").varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // a payload longer than what remains, or than any message
    assertThat(rejectionOf(v4(7).varint(1).raw(0).str("t").varint(5).raw(1, 2).build()))
        .isEqualTo(DropReason.TRUNCATED);
    assertThat(rejectionOf(v4(7).varint(1).raw(0).str("t").varint(1L << 40).build()))
        .isEqualTo(DropReason.TOO_LARGE);
    // trailing bytes
    assertThat(rejectionOf(v4(9).varint(1).raw(0).varint(0).varint(0).raw(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // a query: id 0, bad timeout, bad pattern, unsorted or too many filters, reserved flags
    assertThat(
            rejectionOf(
                v4(8).varint(0).raw(0).str("q").varint(5).varint(0).varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(
            rejectionOf(
                v4(8).varint(1).raw(0).str("q").varint(0).varint(0).varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(
            rejectionOf(
                v4(8)
                    .varint(1)
                    .raw(0)
                    .str("q")
                    .varint(5)
                    .varint(1)
                    .str("k")
                    .str("(")
                    .varint(0)
                    .varint(0)
                    .build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(
            rejectionOf(
                v4(8)
                    .varint(1)
                    .raw(0)
                    .str("q")
                    .varint(5)
                    .varint(2)
                    .str("z")
                    .str("a")
                    .str("b")
                    .str("a")
                    .varint(0)
                    .varint(0)
                    .build()))
        .isEqualTo(DropReason.MALFORMED);
    SerializerTestData.Bytes many = v4(8).varint(1).raw(0).str("q").varint(5).varint(17);
    for (int i = 0; i < 17; i++) {
      many.str("k" + (char) ('a' + i)).str("x");
    }
    assertThat(rejectionOf(many.varint(0).varint(0).build())).isEqualTo(DropReason.TOO_LARGE);
    assertThat(
            rejectionOf(
                v4(8).varint(1).raw(2).str("q").varint(5).varint(0).varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // a reply: ack with a payload, reserved flags, id 0
    assertThat(rejectionOf(v4(9).varint(1).raw(1).varint(1).raw(5).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(v4(9).varint(1).raw(2).varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(v4(9).varint(0).raw(0).varint(0).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void everyPrefixAndRandomMutationOfApplicationMessagesIsRejectedCleanlyOrRoundTrips() {
    SplittableRandom rnd = new SplittableRandom(4044);
    for (GossipMessage m : SerializerTestData.userExamples()) {
      byte[] good = both.encode(m, 4);
      for (int len = 0; len < good.length; len++) {
        assertThat(rejectionOf(Arrays.copyOf(good, len))).isNotNull();
      }
      for (int round = 0; round < 500; round++) {
        byte[] bytes = good.clone();
        for (int f = 0; f < 1 + rnd.nextInt(3); f++) {
          bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        try {
          GossipMessage decoded = both.decode(bytes);
          int version = bytes[2] & 0xFF;
          WireVersions sender = both.senderVersions(bytes, 0, bytes.length);
          if (version == 4 && WireVersions.SUPPORTED.equals(sender)) {
            assertThat(both.encode(decoded, 4)).as("seed 4044 round %d", round).isEqualTo(bytes);
          }
        } catch (DecodeException e) {
          assertThat(e.reason()).isNotNull();
        }
      }
    }
  }

  /** The saved Jazzer inputs of {@link BinarySerializerFuzzTest} for version 4. */
  static Map<String, byte[]> fuzzInputs() {
    BinarySerializer fuzz = new BinarySerializer("fuzz", 1 << 20);
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<GossipMessage> examples = SerializerTestData.userExamples();
    for (int i = 0; i < examples.size(); i++) {
      GossipMessage m = examples.get(i);
      out.put(
          "valid-v4-" + m.type().name().toLowerCase(java.util.Locale.ROOT) + "-" + i,
          fuzz.encode(m, 4));
    }
    return out;
  }

  /**
   * The version 4 inputs saved for the fuzz test are what {@link #fuzzInputs()} writes; rewrite
   * them after a format change with {@code -Dfuzz.writeSeeds=true}.
   */
  @Test
  void committedVersion4FuzzInputsAreWhatTheExamplesEncodeTo() throws IOException {
    String dir =
        "io/libgossip/core/BinarySerializerFuzzTestInputs/decodeRejectsCleanlyOrRoundTrips/";
    for (Map.Entry<String, byte[]> e : fuzzInputs().entrySet()) {
      if (Boolean.getBoolean("fuzz.writeSeeds")) {
        Path p = Path.of("src/test/resources", dir, e.getKey());
        Files.write(p, e.getValue());
        continue;
      }
      try (InputStream in = getClass().getResourceAsStream("/" + dir + e.getKey())) {
        assertThat(in).as(e.getKey()).isNotNull();
        assertThat(in.readAllBytes()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }
}
