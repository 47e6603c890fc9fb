package io.libgossip.core;

import static io.libgossip.core.SerializerTestData.ADDR_A;
import static io.libgossip.core.SerializerTestData.ADDR_B;
import static io.libgossip.core.SerializerTestData.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BinarySerializerTest {
  private final BinarySerializer serializer = new BinarySerializer(CLUSTER, 16 * 1024 * 1024);

  static List<GossipMessage> examples() {
    return SerializerTestData.examples();
  }

  private GossipMessage roundTrip(GossipMessage m) throws DecodeException {
    return serializer.decode(serializer.encode(m));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyMessageTypeRoundTrips(GossipMessage message) throws DecodeException {
    byte[] bytes = serializer.encode(message);

    assertThat(serializer.decode(bytes)).isEqualTo(message);
    assertThat(bytes).hasSize(serializer.encodedSize(message));
    assertThat(bytes[3]).isEqualTo((byte) message.type().code());
  }

  @Test
  void pingEncodesToTheDocumentedBytes() {
    MemberUpdate u =
        new MemberUpdate(
            "n1",
            new NodeAddress("h", 300),
            NodeStatus.SUSPECT,
            128,
            Map.of("b", "2", "a", "1"),
            0,
            5,
            "n0");
    GossipMessage ping = new GossipMessage.Ping("n0", new NodeAddress("h", 7), 1, "n1", List.of(u));
    int h = BinarySerializer.clusterHash(CLUSTER);

    byte[] expected = {
      0x4C,
      0x47,
      1,
      1,
      (byte) (h >>> 24),
      (byte) (h >>> 16),
      (byte) (h >>> 8),
      (byte) h,
      2,
      'n',
      '0', // from
      1,
      'h',
      7, // fromAddress
      1, // seq
      2,
      'n',
      '1', // target
      1, // one update
      2,
      'n',
      '1',
      1,
      'h',
      (byte) 0xAC,
      0x02, // id, address h:300
      2, // SUSPECT
      (byte) 0x80,
      0x01, // incarnation 128
      0,
      5, // metadataVersion, configEpoch
      2,
      'n',
      '0', // from
      2,
      1,
      'a',
      1,
      '1',
      1,
      'b',
      1,
      '2' // metadata, keys sorted
    };
    assertThat(serializer.encode(ping)).containsExactly(expected);
  }

  @Test
  void clusterHashIsFnv1a32OfTheUtf8Name() {
    assertThat(BinarySerializer.clusterHash("")).isEqualTo(0x811C9DC5);
    assertThat(BinarySerializer.clusterHash("a")).isEqualTo(0xE40C292C);
    assertThat(BinarySerializer.clusterHash("foobar")).isEqualTo(0xBF9CF968);
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 42L, 0xC0FFEEL, -7L, 20_240_601L})
  void randomMessagesRoundTripWithExactSizes(long seed) throws DecodeException {
    SerializerTestData.Generator gen = new SerializerTestData.Generator(seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < 2_000; i++) {
      String where = "seed " + seed + " iteration " + i;
      GossipMessage m = gen.message();

      byte[] bytes = serializer.encode(m);
      assertThat(bytes.length).as(where).isEqualTo(serializer.encodedSize(m));
      assertThat(serializer.decode(bytes)).as(where).isEqualTo(m);

      // into a larger buffer at an offset: same bytes, neighbours untouched
      int offset = rnd.nextInt(5);
      byte[] dst = new byte[offset + bytes.length + 3];
      java.util.Arrays.fill(dst, (byte) 0x5A);
      assertThat(serializer.encode(m, dst, offset)).as(where).isEqualTo(bytes.length);
      assertThat(java.util.Arrays.copyOfRange(dst, offset, offset + bytes.length))
          .as(where)
          .isEqualTo(bytes);
      assertThat(dst[dst.length - 1]).as(where).isEqualTo((byte) 0x5A);
      assertThat(serializer.decode(dst, offset, bytes.length)).as(where).isEqualTo(m);

      // the packing identity the core relies on
      long packed = serializer.encodedSize(SerializerTestData.withoutUpdates(m)) - 1L;
      packed += BinarySerializer.varintSize(m.updates().size());
      for (MemberUpdate u : m.updates()) {
        packed += BinarySerializer.updateSize(u);
      }
      assertThat(packed).as(where).isEqualTo(bytes.length);
    }
  }

  @Test
  void packingIdentityHoldsAcrossTheUpdateCountVarintBoundary() {
    GossipMessage base = new GossipMessage.Gossip("a", ADDR_A, List.of());
    SerializerTestData.Generator gen = new SerializerTestData.Generator(99);
    List<MemberUpdate> updates = new ArrayList<>();
    for (int n = 0; n <= 130; n++) {
      GossipMessage m = SerializerTestData.withUpdates(base, updates);
      int expected = serializer.encodedSize(base) - 1 + BinarySerializer.varintSize(n);
      for (MemberUpdate u : updates) {
        expected += BinarySerializer.updateSize(u);
      }
      assertThat(serializer.encodedSize(m)).as("%d updates", n).isEqualTo(expected);
      assertThat(serializer.encode(m)).as("%d updates", n).hasSize(expected);
      updates.add(gen.update());
    }
  }

  @Test
  void varintSizeMatchesTheLeb128Length() {
    assertThat(BinarySerializer.varintSize(0)).isEqualTo(1);
    assertThat(BinarySerializer.varintSize(127)).isEqualTo(1);
    assertThat(BinarySerializer.varintSize(128)).isEqualTo(2);
    assertThat(BinarySerializer.varintSize(16_383)).isEqualTo(2);
    assertThat(BinarySerializer.varintSize(16_384)).isEqualTo(3);
    assertThat(BinarySerializer.varintSize(0xFFFF_FFFFL)).isEqualTo(5);
    assertThat(BinarySerializer.varintSize(Long.MAX_VALUE)).isEqualTo(9);
    assertThat(BinarySerializer.varintSize(-1L)).isEqualTo(10);
    assertThat(BinarySerializer.varintSize(Long.MIN_VALUE)).isEqualTo(10);
    for (int bits = 0; bits < 64; bits++) {
      long v = 1L << bits;
      int expected = new SerializerTestData.Bytes().varint(v).build().length;
      assertThat(BinarySerializer.varintSize(v)).as("2^%d", bits).isEqualTo(expected);
    }
  }

  @Test
  void encodingIsCanonicalWhateverTheMetadataInsertionOrder() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add("key-" + i + (i % 3 == 0 ? "é" : i % 3 == 1 ? "\uD83D\uDE00" : "\uFFFD"));
    }
    byte[] first = null;
    SplittableRandom rnd = new SplittableRandom(5);
    for (int round = 0; round < 20; round++) {
      List<String> shuffled = new ArrayList<>(keys);
      Collections.shuffle(shuffled, new java.util.Random(rnd.nextLong()));
      Map<String, String> metadata = new LinkedHashMap<>();
      for (String k : shuffled) {
        metadata.put(k, "v" + k);
      }
      GossipMessage m =
          new GossipMessage.Gossip(
              "a", ADDR_A, List.of(SerializerTestData.online("a", ADDR_A, metadata)));
      byte[] bytes = serializer.encode(m);
      if (first == null) {
        first = bytes;
      }
      assertThat(bytes).as("round %d", round).isEqualTo(first);
    }
  }

  @Test
  void metadataKeysAreOrderedByTheirUtf8Bytes() throws DecodeException {
    // UTF-16 order puts U+FFFD after U+1F600 (a surrogate pair); UTF-8 byte order puts it before.
    Map<String, String> metadata = Map.of("\uD83D\uDE00", "emoji", "\uFFFD", "replacement");
    GossipMessage m =
        new GossipMessage.Gossip(
            "a", ADDR_A, List.of(SerializerTestData.online("a", ADDR_A, metadata)));
    byte[] bytes = serializer.encode(m);

    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text.indexOf("replacement")).isLessThan(text.indexOf("emoji"));
    assertThat(serializer.decode(bytes)).isEqualTo(m);
  }

  @Test
  void unicodeIdsHostsAndMetadataRoundTrip() throws DecodeException {
    String id = "ノード-α-\uD83D\uDE80";
    NodeAddress host = new NodeAddress("bücher.example", 80);
    MemberUpdate u =
        new MemberUpdate(
            id,
            host,
            NodeStatus.ONLINE,
            1,
            Map.of("région", "Zürich", "emoji", "\uD83C\uDF0D", "", ""),
            1,
            1,
            "Ωmega");
    GossipMessage m = new GossipMessage.PingReq(id, host, 7, "Ωmega", ADDR_B, List.of(u));

    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Test
  void unpairedSurrogatesAreWrittenAsQuestionMarks() throws DecodeException {
    GossipMessage m = new GossipMessage.Ack("x\uD800y", ADDR_A, 1, List.of());

    GossipMessage decoded = roundTrip(m);

    assertThat(decoded.from()).isEqualTo("x?y");
    assertThat(serializer.encodedSize(m)).isEqualTo(serializer.encode(m).length);
  }

  @Test
  void metadataKeysThatEncodeAlikeAreRejectedWhenEncoding() {
    GossipMessage m =
        new GossipMessage.Gossip(
            "a",
            ADDR_A,
            List.of(SerializerTestData.online("a", ADDR_A, Map.of("k?", "1", "k\uDC00", "2"))));

    assertThatThrownBy(() -> serializer.encode(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same UTF-8");
  }

  @Test
  void boundaryValuesRoundTrip() throws DecodeException {
    String id255 = "€".repeat(85); // 3 bytes each
    String host255 = "h".repeat(255);
    MemberUpdate u =
        new MemberUpdate(
            id255,
            new NodeAddress(host255, 65535),
            NodeStatus.LEFT,
            MemberUpdate.MAX_INCARNATION,
            Map.of("k".repeat(255), "v".repeat(65535)),
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            id255);
    GossipMessage m =
        new GossipMessage.Ping(id255, new NodeAddress(host255, 65535), -1L, id255, List.of(u));

    assertThat(roundTrip(m)).isEqualTo(m);
    assertThat(roundTrip(new GossipMessage.Ack("a", ADDR_A, Long.MIN_VALUE, List.of())))
        .isEqualTo(new GossipMessage.Ack("a", ADDR_A, Long.MIN_VALUE, List.of()));
  }

  @Test
  void idsLongerThan255BytesAreRejectedByTheRecords() {
    assertThatThrownBy(() -> new GossipMessage.Nack("€".repeat(85) + "x", ADDR_A, 1, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeAddress("h".repeat(256), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void metadataBeyondTheWireBoundsIsRejectedWhenEncoding() {
    MemberUpdate longKey = SerializerTestData.online("a", ADDR_A, Map.of("k".repeat(256), "v"));
    MemberUpdate longValue = SerializerTestData.online("a", ADDR_A, Map.of("k", "v".repeat(65536)));

    assertThatThrownBy(() -> BinarySerializer.updateSize(longKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata key");
    assertThatThrownBy(
            () -> serializer.encode(new GossipMessage.Gossip("a", ADDR_A, List.of(longValue))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata value");
  }

  @Test
  void encodingIntoATooSmallBufferThrowsIndexOutOfBounds() {
    GossipMessage m = SerializerTestData.examples().get(1);
    int size = serializer.encodedSize(m);
    byte[] dst = new byte[size + 2];

    assertThatThrownBy(() -> serializer.encode(m, new byte[size - 1], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> serializer.encode(m, dst, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(dst).containsOnly(0); // nothing written before the check
    assertThat(serializer.encode(m, dst, 2)).isEqualTo(size);
  }

  @Test
  void messagesLargerThanTheLimitEncodeButDoNotDecode() {
    BinarySerializer small = new BinarySerializer(CLUSTER, 64);
    GossipMessage m = SerializerTestData.examples().get(1);

    byte[] bytes = small.encode(m);

    assertThat(bytes.length).isGreaterThan(64);
    assertThatThrownBy(() -> small.decode(bytes))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.TOO_LARGE));
  }

  @Test
  void anotherClustersMessagesAreRejected() {
    byte[] bytes =
        new BinarySerializer("other", 1 << 20).encode(SerializerTestData.examples().get(0));

    assertThatThrownBy(() -> serializer.decode(bytes))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.WRONG_CLUSTER));
  }

  @Test
  void forConfigTakesTheClusterNameAndMessageLimit() {
    GossipConfig config =
        GossipConfig.lan().toBuilder().clusterName("prod").maxMessageSize(1 << 20).build();

    BinarySerializer s = BinarySerializer.forConfig(config);

    assertThat(s.name()).isEqualTo("binary");
    assertThat(s.clusterName()).isEqualTo("prod");
    assertThat(s.maxMessageSize()).isEqualTo(1 << 20);
  }

  @Test
  void decodedUpdatesShareTheSendersIdString() throws DecodeException {
    GossipMessage m =
        new GossipMessage.PushPull(
            "node-a",
            ADDR_A,
            false,
            false,
            List.of(SerializerTestData.online("node-a", ADDR_A, Map.of())));

    GossipMessage decoded = roundTrip(m);

    assertThat(decoded.updates().get(0).id()).isSameAs(decoded.from());
    assertThat(decoded.updates().get(0).from()).isSameAs(decoded.from());
  }
}
