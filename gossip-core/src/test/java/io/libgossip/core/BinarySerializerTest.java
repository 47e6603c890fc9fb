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
      2,
      1, // magic, version 2, PING
      (byte) (h >>> 24),
      (byte) (h >>> 16),
      (byte) (h >>> 8),
      (byte) h,
      2,
      'n',
      '0', // from
      2,
      'h',
      0,
      7, // fromAddress: a name host (tag = length + 1), port 7
      1, // seq
      2,
      'n',
      '1', // target
      1, // one update
      0x15, // flags: SUSPECT (1) | from present (0x04) | configEpoch present (0x10)
      2,
      'n',
      '1', // id
      2,
      'h',
      0x01,
      0x2C, // address h:300
      (byte) 0x80,
      0x01, // incarnation 128; metadataVersion 0 is omitted
      5, // configEpoch
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
  void selfClaimWithIpHostsEncodesToTheDocumentedBytes() throws DecodeException {
    MemberUpdate u =
        new MemberUpdate(
            "a",
            new NodeAddress("2001:db8:85a3::8a2e:370:7334", 7946),
            NodeStatus.ONLINE,
            0,
            Map.of(),
            0,
            0,
            "a");
    GossipMessage gossip =
        new GossipMessage.Gossip("a", new NodeAddress("10.0.0.1", 7946), List.of(u));
    int h = BinarySerializer.clusterHash(CLUSTER);

    byte[] expected = {
      0x4C,
      0x47,
      2,
      5, // magic, version 2, GOSSIP
      (byte) (h >>> 24),
      (byte) (h >>> 16),
      (byte) (h >>> 8),
      (byte) h,
      1,
      'a', // from
      0,
      10,
      0,
      0,
      1,
      0x1F,
      0x0A, // fromAddress: IPv4 tag, 10.0.0.1, port 7946
      1, // one update
      0, // flags: ONLINE, nothing optional present (from = id, versions 0)
      1,
      'a', // id
      1, // IPv6 tag
      0x20,
      0x01,
      0x0d,
      (byte) 0xb8,
      (byte) 0x85,
      (byte) 0xa3,
      0,
      0, // 2001:db8:85a3::
      0,
      0,
      (byte) 0x8a,
      0x2e,
      0x03,
      0x70,
      0x73,
      0x34, // 8a2e:370:7334
      0x1F,
      0x0A, // port 7946
      0, // incarnation
      0 // no metadata
    };
    assertThat(serializer.encode(gossip)).containsExactly(expected);
    assertThat(serializer.encodedSize(gossip)).isEqualTo(expected.length);
    assertThat(serializer.decode(expected)).isEqualTo(gossip);
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
      packed += WireSizes.varintSize(m.updates().size());
      for (MemberUpdate u : m.updates()) {
        packed += WireSizes.updateSize(u);
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
      int expected = serializer.encodedSize(base) - 1 + WireSizes.varintSize(n);
      for (MemberUpdate u : updates) {
        expected += WireSizes.updateSize(u);
      }
      assertThat(serializer.encodedSize(m)).as("%d updates", n).isEqualTo(expected);
      assertThat(serializer.encode(m)).as("%d updates", n).hasSize(expected);
      updates.add(gen.update());
    }
  }

  @Test
  void varintSizeMatchesTheLeb128Length() {
    assertThat(WireSizes.varintSize(0)).isEqualTo(1);
    assertThat(WireSizes.varintSize(127)).isEqualTo(1);
    assertThat(WireSizes.varintSize(128)).isEqualTo(2);
    assertThat(WireSizes.varintSize(16_383)).isEqualTo(2);
    assertThat(WireSizes.varintSize(16_384)).isEqualTo(3);
    assertThat(WireSizes.varintSize(0xFFFF_FFFFL)).isEqualTo(5);
    assertThat(WireSizes.varintSize(Long.MAX_VALUE)).isEqualTo(9);
    assertThat(WireSizes.varintSize(-1L)).isEqualTo(10);
    assertThat(WireSizes.varintSize(Long.MIN_VALUE)).isEqualTo(10);
    for (int bits = 0; bits < 64; bits++) {
      long v = 1L << bits;
      int expected = new SerializerTestData.Bytes().varint(v).build().length;
      assertThat(WireSizes.varintSize(v)).as("2^%d", bits).isEqualTo(expected);
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
            Map.of("région", "Zürich", "emoji", "\uD83C\uDF0D", "empty", ""),
            1,
            1,
            "Ωmega");
    GossipMessage m = new GossipMessage.PingReq(id, host, 7, "Ωmega", ADDR_B, List.of(u));

    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Test
  void unpairedSurrogatesAreWrittenAsQuestionMarks() throws DecodeException {
    // ids cannot hold one (TextRules); metadata values can
    GossipMessage m =
        new GossipMessage.Gossip(
            "a", ADDR_A, List.of(SerializerTestData.online("a", ADDR_A, Map.of("k", "x\uD800y"))));

    GossipMessage decoded = roundTrip(m);

    assertThat(decoded.updates().get(0).metadata()).containsEntry("k", "x?y");
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

    assertThatThrownBy(() -> WireSizes.updateSize(longKey))
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

  static List<org.junit.jupiter.params.provider.Arguments> hosts() {
    return java.util.stream.Stream.of(
            // host, how it goes on the wire: 4 = IPv4, 6 = IPv6, 0 = name
            "10.0.0.1 4",
            "0.0.0.0 4",
            "255.255.255.255 4",
            "192.168.100.200 4",
            "256.0.0.1 0",
            "010.0.0.1 0",
            "10.0.0.01 0",
            "1.2.3 0",
            "1.2.3.4.5 0",
            "1.2.3.4a 0",
            "1..2.3 0",
            "1.2.3.4444 0",
            ":: 0", // canonical IPv6, but shorter as a name
            "::1 0",
            "1:: 0",
            "fe80::1 0",
            "2001:db8:85a3::8a2e:370:7334 6",
            "fe80::1234:5678:9abc:def0 6",
            "1:2:3:4:5:6:7:890 6", // 17 bytes: the shortest sent raw
            "1:2:3:4:5:6:7:8 0", // 15 bytes
            "1:2:3:4:5:6::789 0", // 16 bytes
            "2001:db8::1 0",
            "2001:db8::1:0:0:1 6", // two runs of two zeros: the first is compressed
            "2001:db8:0:0:1::1 0", // ... not the second
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 6",
            "aa:bb:cc:dd:ee:ff::66 0", // "::" for a single zero group
            "a:b:c:d:e:f:0:6 0",
            "aa:bb:cc:dd:ee:ff:0:66 6",
            "aa:bb:cc:dd:ee:ff:: 6",
            "aa:bb:cc:dd:ee:ff:0:0 0", // a run of two zeros not compressed
            "1111:0:0:2222::3333 6", // the longer run is the one compressed
            "1111::2222:0:0:0:3333 0", // ... not the shorter
            "1111:0:0:2222:0:0:0:3333 0",
            "1111::2:3:4:5:666 6",
            "0::1 0",
            "::0 0",
            "2001:0db8::1 0", // leading zero
            "FE80::1 0", // uppercase
            "0:0:0:0:0:0:0:1 0", // what InetAddress prints
            "::ffff:1.2.3.4 0", // embedded IPv4
            "fe80::1%eth0 0", // zone
            "1:2:3:4:5:6:7:8:9 0",
            "1:2:3:4:5:6:7 0",
            "1:::2 0",
            ":1::2 0",
            "1::2: 0",
            "12345::1 0",
            "1::2::3 0",
            "g::1 0",
            "localhost 0",
            "node-b.example 0",
            "bücher.example 0")
        .map(line -> line.split(" "))
        .map(f -> org.junit.jupiter.params.provider.Arguments.of(f[0], Integer.parseInt(f[1])))
        .collect(java.util.stream.Collectors.toList());
  }

  @ParameterizedTest
  @MethodSource("hosts")
  void hostsGoOutAsRawAddressesExactlyWhenTheyAreCanonicalLiterals(String host, int kind)
      throws DecodeException {
    GossipMessage m = new GossipMessage.Ack("a", new NodeAddress(host, 7946), 1, List.of());
    GossipMessage named = new GossipMessage.Ack("a", new NodeAddress("n", 7946), 1, List.of());
    int hostBytes = serializer.encodedSize(m) - serializer.encodedSize(named) + 2; // "n": 2 bytes

    byte[] bytes = serializer.encode(m);

    int expectedKind = kind == 4 ? HostCodec.HOST_IPV4 : kind == 6 ? HostCodec.HOST_IPV6 : -1;
    assertThat(HostCodec.hostKind(host)).isEqualTo(expectedKind);
    int nameBytes = host.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    assertThat(hostBytes).isEqualTo(kind == 4 ? 5 : kind == 6 ? 17 : 1 + nameBytes);
    assertThat(bytes).hasSize(serializer.encodedSize(m));
    assertThat(bytes[BinarySerializer.HEADER_BYTES + 2])
        .isEqualTo((byte) (kind == 4 ? 0 : kind == 6 ? 1 : nameBytes + 1));
    assertThat(serializer.decode(bytes)).isEqualTo(m);
  }

  @Test
  void fromIsOmittedExactlyWhenItEqualsTheId() throws DecodeException {
    MemberUpdate self =
        new MemberUpdate("node-7", ADDR_A, NodeStatus.ONLINE, 1, Map.of(), 0, 0, "node-7");
    MemberUpdate accused =
        new MemberUpdate("node-7", ADDR_A, NodeStatus.SUSPECT, 1, Map.of(), 0, 0, "node-3");

    assertThat(WireSizes.updateSize(accused) - WireSizes.updateSize(self))
        .isEqualTo(1 + "node-3".length());
    GossipMessage m = new GossipMessage.Gossip("x", ADDR_B, List.of(self, accused));
    byte[] bytes = serializer.encode(m);
    GossipMessage decoded = serializer.decode(bytes);
    assertThat(decoded).isEqualTo(m);
    assertThat(decoded.updates().get(0).from()).isSameAs(decoded.updates().get(0).id());
    assertThat(bytes[bytes.length - WireSizes.updateSize(accused)] & 0xFF)
        .isEqualTo(1 | BinarySerializer.UPDATE_HAS_FROM);
  }

  @Test
  void anIdWithAnUnpairedSurrogateCannotBeBuilt() {
    // two such ids would go out alike ("x?"): ids are printable text, so neither can exist
    assertThatThrownBy(
            () -> new MemberUpdate("x\uD800", ADDR_A, NodeStatus.ONLINE, 1, Map.of(), 0, 0, "x?"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+D800");
  }

  @Test
  void zeroMetadataVersionAndConfigEpochAreOmitted() throws DecodeException {
    MemberUpdate zero = new MemberUpdate("a", ADDR_A, NodeStatus.LEFT, 5, Map.of(), 0, 0, "a");
    MemberUpdate version = new MemberUpdate("a", ADDR_A, NodeStatus.LEFT, 5, Map.of(), 200, 0, "a");
    MemberUpdate epoch = new MemberUpdate("a", ADDR_A, NodeStatus.LEFT, 5, Map.of(), 0, 1, "a");
    MemberUpdate both =
        new MemberUpdate("a", ADDR_A, NodeStatus.LEFT, 5, Map.of(), Long.MAX_VALUE, 1, "a");
    int base = WireSizes.updateSize(zero);

    assertThat(WireSizes.updateSize(version)).isEqualTo(base + 2);
    assertThat(WireSizes.updateSize(epoch)).isEqualTo(base + 1);
    assertThat(WireSizes.updateSize(both)).isEqualTo(base + 9 + 1);
    for (MemberUpdate u : List.of(zero, version, epoch, both)) {
      GossipMessage m = new GossipMessage.Gossip("b", ADDR_B, List.of(u));
      byte[] bytes = serializer.encode(m);
      int flags = bytes[bytes.length - WireSizes.updateSize(u)] & 0xFF;
      assertThat(flags & BinarySerializer.UPDATE_STATUS_MASK).isEqualTo(3); // LEFT
      assertThat((flags & BinarySerializer.UPDATE_HAS_METADATA_VERSION) != 0)
          .isEqualTo(u.metadataVersion() != 0);
      assertThat((flags & BinarySerializer.UPDATE_HAS_CONFIG_EPOCH) != 0)
          .isEqualTo(u.configEpoch() != 0);
      assertThat(serializer.decode(bytes)).isEqualTo(m);
    }
  }

  @Test
  void emptyAndNonEmptyMetadataDifferByTheirEntries() throws DecodeException {
    MemberUpdate none = SerializerTestData.online("a", ADDR_A, Map.of());
    MemberUpdate one = SerializerTestData.online("a", ADDR_A, Map.of("k", "vv"));

    assertThat(WireSizes.updateSize(one) - WireSizes.updateSize(none)).isEqualTo(2 + 3);
    GossipMessage m = new GossipMessage.Gossip("a", ADDR_A, List.of(none, one));
    assertThat(serializer.decode(serializer.encode(m))).isEqualTo(m);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 126, 127, 128, 200})
  void stringsTurningNonAsciiAfterAnAsciiPrefixAreMeasuredAgain(int prefix) throws DecodeException {
    // the ASCII pass reserves a length of s.length(); "é" then makes the UTF-8 longer, which at
    // 127 chars grows the length varint to two bytes
    for (String tail : List.of("é", "€", "\uD83D\uDE00", "\uD800")) {
      String value = "a".repeat(prefix) + tail;
      MemberUpdate u = SerializerTestData.online("a", ADDR_A, Map.of("k", value));
      GossipMessage m = new GossipMessage.Gossip("a", ADDR_A, List.of(u));

      byte[] bytes = serializer.encode(m);

      assertThat(bytes).as("%d + %s", prefix, tail).hasSize(serializer.encodedSize(m));
      byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] end = java.util.Arrays.copyOfRange(bytes, bytes.length - utf8.length, bytes.length);
      assertThat(end).as("%d + %s", prefix, tail).isEqualTo(utf8);
      assertThat(serializer.decode(bytes).updates().get(0).metadata().get("k"))
          .isEqualTo(new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 5, WireWriter.SMALL_METADATA, WireWriter.SMALL_METADATA + 1, 20})
  void metadataIsWrittenInKeyOrderWhateverItsSize(int entries) throws DecodeException {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      keys.add(i % 2 == 0 ? "k" + (char) ('a' + i) : "\uFFFD" + i); // U+FFFD: 3 bytes
    }
    byte[] first = null;
    SplittableRandom rnd = new SplittableRandom(entries);
    for (int round = 0; round < 10; round++) {
      List<String> shuffled = new ArrayList<>(keys);
      Collections.shuffle(shuffled, new java.util.Random(rnd.nextLong()));
      Map<String, String> metadata = new LinkedHashMap<>();
      shuffled.forEach(k -> metadata.put(k, "v"));
      GossipMessage m =
          new GossipMessage.Gossip(
              "a", ADDR_A, List.of(SerializerTestData.online("a", ADDR_A, metadata)));
      byte[] bytes = serializer.encode(m);
      if (first == null) {
        first = bytes;
        // decoding checks the order strictly, so this proves the keys went out sorted
        assertThat(serializer.decode(bytes)).isEqualTo(m);
      }
      assertThat(bytes).as("%d entries, round %d", entries, round).isEqualTo(first);
    }
  }

  @Test
  void manyMetadataKeysThatEncodeAlikeAreRejectedWhenEncoding() {
    Map<String, String> metadata = new java.util.HashMap<>();
    for (int i = 0; i < WireWriter.SMALL_METADATA + 4; i++) {
      metadata.put("key" + i, "v");
    }
    metadata.put("k?", "1");
    metadata.put("k\uDC00", "2");
    GossipMessage m =
        new GossipMessage.Gossip(
            "a", ADDR_A, List.of(SerializerTestData.online("a", ADDR_A, metadata)));

    assertThatThrownBy(() -> serializer.encode(m))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same UTF-8");
  }

  @Test
  void nonAsciiMessagesFallBackToMeasuringFirst() throws DecodeException {
    // the one-pass attempt assumes one byte per char; "é" takes two, so it must be abandoned
    GossipMessage m =
        new GossipMessage.Gossip(
            "a",
            ADDR_A,
            List.of(SerializerTestData.online("a", ADDR_A, Map.of("k", "é".repeat(10)))));
    int size = serializer.encodedSize(m);
    byte[] exact = serializer.encode(m);

    assertThat(exact).hasSize(size);
    assertThat(serializer.decode(exact)).isEqualTo(m);
    byte[] roomy = new byte[size + 4];
    assertThat(serializer.encode(m, roomy, 4)).isEqualTo(size);
    assertThat(java.util.Arrays.copyOfRange(roomy, 4, 4 + size)).isEqualTo(exact);
    // room for the ASCII guess (10 bytes less) but not for the message
    assertThatThrownBy(() -> serializer.encode(m, new byte[size - 1], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> serializer.encode(m, new byte[size - 10], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3.4.5", "123456789", "1.2.3.04", "256.1.1.1", "10.0.0.1"})
  void hostsThatLookLikeIpv4AddressesAreWrittenByWhatTheyAre(String host) throws DecodeException {
    // the one-pass guess counts these as IPv4 addresses; only the last one is
    GossipMessage m =
        new GossipMessage.PingReq(
            "a",
            ADDR_A,
            1,
            "b",
            new NodeAddress(host, 1),
            List.of(SerializerTestData.online("b", new NodeAddress(host, 2), Map.of())));
    int size = serializer.encodedSize(m);

    byte[] bytes = serializer.encode(m);
    byte[] roomy = new byte[size + 20];
    int written = serializer.encode(m, roomy, 1);

    assertThat(bytes).hasSize(size);
    assertThat(written).isEqualTo(size);
    assertThat(java.util.Arrays.copyOfRange(roomy, 1, 1 + size)).isEqualTo(bytes);
    assertThat(serializer.decode(bytes)).isEqualTo(m);
    assertThat(HostCodec.hostKind(host))
        .isEqualTo(host.equals("10.0.0.1") ? HostCodec.HOST_IPV4 : -1);
  }
}
