package io.libgossip.core;

import static io.libgossip.core.SerializerTestData.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.libgossip.core.SerializerTestData.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile input: every failure is a {@link DecodeException} with the right reason. */
class BinarySerializerMalformedInputTest {
  private static final int PING = 1;
  private static final int GOSSIP = 5;
  private static final int PUSH_PULL = 6;

  /** Where the sender's address starts in a message from "a": header, then 1, 'a'. */
  private static final int HEADER_AND_FROM_A = BinarySerializer.HEADER_BYTES + 2;

  private final BinarySerializer serializer = new BinarySerializer(CLUSTER, 16 * 1024 * 1024);

  /** Decodes {@code bytes} expecting a rejection, and returns its reason. */
  private DropReason rejectionOf(byte[] bytes) {
    try {
      GossipMessage m = serializer.decode(bytes);
      return fail("expected a DecodeException, decoded " + m);
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  /** A Gossip message from "a" at h:1, with the rest appended by the caller. */
  private static Bytes gossipFromA() {
    return Bytes.header(GOSSIP).str("a").address("h", 1);
  }

  static List<GossipMessage> examples() {
    return SerializerTestData.examples();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void truncatedPacketIsRejectedNotThrown(GossipMessage message) {
    byte[] bytes = serializer.encode(message);
    for (int len = 0; len < bytes.length; len++) {
      byte[] prefix = Arrays.copyOf(bytes, len);
      assertThat(rejectionOf(prefix)).as("prefix of %d bytes", len).isEqualTo(DropReason.TRUNCATED);
      // the same prefix inside a larger array must not read past its range
      byte[] padded = Arrays.copyOf(bytes, bytes.length);
      try {
        serializer.decode(padded, 0, len);
        fail("decoded a prefix of " + len + " bytes");
      } catch (DecodeException e) {
        assertThat(e.reason()).as("prefix of %d bytes", len).isEqualTo(DropReason.TRUNCATED);
      }
    }
  }

  @Test
  void randomlyGeneratedMessagesTruncatedAnywhereAreRejected() {
    SerializerTestData.Generator gen = new SerializerTestData.Generator(77);
    SplittableRandom rnd = new SplittableRandom(77);
    for (int i = 0; i < 2_000; i++) {
      byte[] bytes = serializer.encode(gen.message());
      int len = rnd.nextInt(bytes.length);
      assertThat(rejectionOf(Arrays.copyOf(bytes, len)))
          .as("seed 77 iteration %d, prefix %d of %d", i, len, bytes.length)
          .isEqualTo(DropReason.TRUNCATED);
    }
  }

  @Test
  @Timeout(5)
  void stringLengthClaimingTwoGigabytesIsTooLarge() {
    byte[] bytes = Bytes.header(GOSSIP).varint(1L << 31).raw('a', 'b').build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TOO_LARGE);
  }

  @Test
  void stringLengthBeyondTheRemainingBytesIsTruncated() {
    byte[] bytes = Bytes.header(GOSSIP).varint(200).raw('a', 'b').build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TRUNCATED);
  }

  @Test
  void metadataValueLengthAboveItsBoundIsTooLarge() {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(0)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(1)
            .str("k")
            .varint(65536)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TOO_LARGE);
  }

  @Test
  @Timeout(5)
  void updateCountOfABillionIsTooLarge() {
    byte[] bytes = gossipFromA().varint(1_000_000_000L).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TOO_LARGE);
  }

  @Test
  void updateCountBeyondTheRemainingBytesIsTruncated() {
    byte[] bytes = gossipFromA().varint(1_000).update("x", 1, 0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TRUNCATED);
  }

  @Test
  @Timeout(5)
  void hugeMetadataCountIsTooLarge() {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(0)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(Long.MAX_VALUE)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TOO_LARGE);
  }

  @Test
  void messageLongerThanTheLimitIsTooLarge() {
    BinarySerializer small = new BinarySerializer(CLUSTER, 100);
    byte[] bytes = new byte[101];

    try {
      small.decode(bytes);
      fail("decoded");
    } catch (DecodeException e) {
      assertThat(e.reason()).isEqualTo(DropReason.TOO_LARGE);
    }
  }

  @Test
  void badMagicIsRejected() {
    byte[] good = serializer.encode(SerializerTestData.examples().get(0));
    byte[] bad = good.clone();
    bad[1] = 'X';

    assertThat(rejectionOf(bad)).isEqualTo(DropReason.BAD_MAGIC);
    assertThat(rejectionOf(new byte[] {'{'})).isEqualTo(DropReason.BAD_MAGIC);
    assertThat(rejectionOf("{\"type\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(DropReason.BAD_MAGIC);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, WireVersions.NEWEST + 1, 0x7F, 0xFF})
  void unsupportedVersionIsRejected(int version) {
    byte[] bytes = serializer.encode(SerializerTestData.examples().get(0));
    bytes[2] = (byte) version;

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.UNSUPPORTED_VERSION);
    assertThat(rejectionOf(Arrays.copyOf(bytes, 3))).isEqualTo(DropReason.UNSUPPORTED_VERSION);
  }

  @Test
  void wrongClusterHashIsRejected() {
    byte[] bytes = Bytes.header(GOSSIP, "other").str("a").address("h", 1).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.WRONG_CLUSTER);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 0x80, 0xFF})
  void unknownTypeIsRejected(int type) {
    byte[] bytes = Bytes.header(type).str("a").address("h", 1).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.UNKNOWN_TYPE);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x20, 0x40, 0x80, 0xE0, 0xFF})
  void reservedUpdateFlagBitsAreMalformed(int flags) {
    byte[] bytes = gossipFromA().varint(1).update("x", flags, 0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3})
  void everyStatusCodeDecodes(int code) throws DecodeException {
    byte[] bytes = gossipFromA().varint(1).update("x", code, 0).build();

    MemberUpdate u = serializer.decode(bytes).updates().get(0);

    assertThat(u.status())
        .isEqualTo(
            new NodeStatus[] {
                  NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
                }
                [code]);
    assertThat(u.from()).isEqualTo("x");
    assertThat(u.metadataVersion()).isZero();
    assertThat(u.configEpoch()).isZero();
    assertThat(serializer.encode(serializer.decode(bytes))).isEqualTo(bytes);
  }

  @Test
  void presentMetadataVersionOfZeroIsMalformed() {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(BinarySerializer.UPDATE_HAS_METADATA_VERSION)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(0) // present, but 0: must have been omitted
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void presentConfigEpochOfZeroIsMalformed() {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(BinarySerializer.UPDATE_HAS_CONFIG_EPOCH)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(0) // present, but 0
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void presentFromEqualToTheIdIsMalformed() throws DecodeException {
    Bytes prefix = gossipFromA().varint(1).raw(BinarySerializer.UPDATE_HAS_FROM).str("x");
    byte[] same = prefix.build();
    same = concat(same, new Bytes().address("h", 1).varint(0).str("x").varint(0).build());
    byte[] other =
        concat(prefix.build(), new Bytes().address("h", 1).varint(0).str("y").varint(0).build());

    assertThat(rejectionOf(same)).isEqualTo(DropReason.MALFORMED);
    assertThat(serializer.decode(other).updates().get(0).from()).isEqualTo("y");
  }

  @Test
  void presentOptionalFieldsDecode() throws DecodeException {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(
                BinarySerializer.UPDATE_HAS_METADATA_VERSION
                    | BinarySerializer.UPDATE_HAS_CONFIG_EPOCH)
            .str("x")
            .address("h", 1)
            .varint(9)
            .varint(300)
            .varint(7)
            .varint(0)
            .build();

    MemberUpdate u = serializer.decode(bytes).updates().get(0);

    assertThat(u.incarnation()).isEqualTo(9);
    assertThat(u.metadataVersion()).isEqualTo(300);
    assertThat(u.configEpoch()).isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "2001:db8:85a3::8a2e:370:7334"})
  void canonicalIpLiteralWrittenAsANameIsMalformed(String host) {
    byte[] bytes = Bytes.header(GOSSIP).str("a").address(host, 1).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "010.0.0.1",
        "10.0.0",
        "FE80::1",
        "0:0:0:0:0:0:0:1",
        "::ffff:1.2.3.4",
        "::1",
        "fe80::1"
      })
  void nonCanonicalIpTextIsAcceptedAsAName(String host) throws DecodeException {
    byte[] bytes = Bytes.header(GOSSIP).str("a").address(host, 1).varint(0).build();

    GossipMessage m = serializer.decode(bytes);

    assertThat(m.fromAddress().host()).isEqualTo(host);
    assertThat(serializer.encode(m)).isEqualTo(bytes);
  }

  @Test
  void rawIpv4AndIpv6HostsDecodeToTheirCanonicalText() throws DecodeException {
    byte[] v4 = Bytes.header(GOSSIP).str("a").ipv4(192, 168, 0, 10, 7946).varint(0).build();
    byte[] v6 =
        Bytes.header(GOSSIP)
            .str("a")
            .raw(HostCodec.HOST_IPV6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0)
            .raw(0, 0x0a, 0, 0, 0, 0, 0, 1)
            .port(80)
            .varint(0)
            .build();

    assertThat(serializer.decode(v4).fromAddress())
        .isEqualTo(new NodeAddress("192.168.0.10", 7946));
    assertThat(serializer.decode(v6).fromAddress())
        .isEqualTo(new NodeAddress("2001:db8::a:0:0:1", 80));
  }

  @Test
  void rawIpv6AddressWhoseTextIsShortIsMalformed() {
    // 2001:db8::1 is 11 bytes as a name, so it must not take the 17 of a raw address
    byte[] bytes =
        Bytes.header(GOSSIP)
            .str("a")
            .raw(HostCodec.HOST_IPV6, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0)
            .raw(0, 0, 0, 0, 0, 0, 0, 1)
            .port(80)
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void rawAddressesCutShortAreTruncated() {
    byte[] v4 = Bytes.header(GOSSIP).str("a").raw(HostCodec.HOST_IPV4, 10, 0, 0).build();
    byte[] v6 = Bytes.header(GOSSIP).str("a").raw(HostCodec.HOST_IPV6, 0xfe, 0x80).build();
    byte[] port = Bytes.header(GOSSIP).str("a").raw(HostCodec.HOST_IPV4, 10, 0, 0, 1, 0x1F).build();

    assertThat(rejectionOf(v4)).isEqualTo(DropReason.TRUNCATED);
    assertThat(rejectionOf(v6)).isEqualTo(DropReason.TRUNCATED);
    assertThat(rejectionOf(port)).isEqualTo(DropReason.TRUNCATED);
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 8, 0x80, 0xFF})
  void unknownPushPullFlagsAreMalformed(int flags) {
    byte[] bytes = Bytes.header(PUSH_PULL).str("a").address("h", 1).raw(flags).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void trailingGarbageIsMalformed() {
    byte[] good = serializer.encode(SerializerTestData.examples().get(3));
    byte[] bytes = Arrays.copyOf(good, good.length + 1);

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void varintLongerThanTenBytesIsMalformed() {
    byte[] bytes =
        Bytes.header(PING)
            .str("a")
            .address("h", 1)
            .raw(0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)
            .str("b")
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void varintOverflowingSixtyFourBitsIsMalformed() {
    byte[] bytes =
        Bytes.header(PING)
            .str("a")
            .address("h", 1)
            .raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02)
            .str("b")
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void largestTenByteVarintIsAccepted() throws DecodeException {
    byte[] bytes =
        Bytes.header(PING)
            .str("a")
            .address("h", 1)
            .raw(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)
            .str("b")
            .varint(0)
            .build();

    assertThat(((GossipMessage.Ping) serializer.decode(bytes)).seq()).isEqualTo(-1L);
  }

  @Test
  void nonMinimalVarintIsMalformed() {
    byte[] bytes =
        Bytes.header(PING).str("a").address("h", 1).raw(0x81, 0x00).str("b").varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @ParameterizedTest
  @MethodSource("invalidUtf8")
  void invalidUtf8IsMalformed(byte[] text) {
    byte[] bytes =
        Bytes.header(GOSSIP)
            .varint(text.length)
            .raw(toInts(text))
            .address("h", 1)
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  static List<byte[]> invalidUtf8() {
    return List.of(
        new byte[] {(byte) 0x80}, // lone continuation byte
        new byte[] {'a', (byte) 0xC3}, // cut 2-byte sequence
        new byte[] {(byte) 0xC0, (byte) 0x80}, // overlong NUL
        new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/'
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate U+D800
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // overlong 4-byte
        new byte[] {(byte) 0xE2, (byte) 0x82, 'x'}, // bad continuation
        new byte[] {(byte) 0xFF});
  }

  private static int[] toInts(byte[] b) {
    int[] r = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[i] & 0xFF;
    }
    return r;
  }

  @ParameterizedTest
  @ValueSource(longs = {257, 1L << 31, -1L})
  void hostTagBeyondTheLongestNameIsTooLarge(long tag) {
    byte[] bytes = Bytes.header(GOSSIP).str("a").varint(tag).raw('h', 0, 1).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.TOO_LARGE);
  }

  @Test
  void nameOf255BytesIsTheLongestHost() throws DecodeException {
    String host = "h".repeat(255);
    byte[] bytes = Bytes.header(GOSSIP).str("a").address(host, 1).varint(0).build();

    assertThat(bytes[HEADER_AND_FROM_A]).isEqualTo((byte) 0x80); // tag 256: a 2-byte varint
    assertThat(serializer.decode(bytes).fromAddress().host()).isEqualTo(host);
  }

  @Test
  void incarnationAbove32BitsIsMalformed() {
    byte[] bytes = gossipFromA().varint(1).update("x", 1, 1L << 32).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void metadataVersionAbove63BitsIsMalformed() {
    byte[] bytes =
        gossipFromA()
            .varint(1)
            .raw(BinarySerializer.UPDATE_HAS_METADATA_VERSION)
            .str("x")
            .address("h", 1)
            .varint(0)
            .varint(-1L)
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void emptyIdsAndHostsAreMalformed() {
    assertThat(rejectionOf(Bytes.header(GOSSIP).str("").address("h", 1).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    // an empty host cannot even be written: its tag, 1, means IPv6
    assertThat(rejectionOf(gossipFromA().varint(1).update("", 1, 0).build()))
        .isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void metadataKeysOutOfOrderOrRepeatedAreMalformed() {
    Bytes prefix = gossipFromA().varint(1).raw(0).str("x").address("h", 1).varint(0).varint(2);

    byte[] unordered = prefix.build();
    unordered = concat(unordered, new Bytes().str("b").str("1").str("a").str("2").build());
    byte[] repeated =
        concat(prefix.build(), new Bytes().str("a").str("1").str("a").str("2").build());
    byte[] ordered =
        concat(prefix.build(), new Bytes().str("a").str("1").str("b").str("2").build());

    assertThat(rejectionOf(unordered)).isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(repeated)).isEqualTo(DropReason.MALFORMED);
    try {
      assertThat(serializer.decode(ordered).updates().get(0).metadata()).hasSize(2);
    } catch (DecodeException e) {
      fail("ordered metadata rejected", e);
    }
  }

  /**
   * Regression: the decoder accepted a metadata entry with an empty key, which {@code
   * GossipCore.updateMetadata} rejects, so a peer could spread metadata no node could have set.
   */
  @Test
  void emptyMetadataKeyThatLocalUpdatesRejectIsMalformed() {
    Bytes prefix = gossipFromA().varint(1).raw(0).str("x").address("h", 1).varint(0);
    byte[] emptyKey = concat(prefix.build(), new Bytes().varint(1).str("").str("v").build());
    byte[] emptyKeyFirstOfTwo =
        concat(prefix.build(), new Bytes().varint(2).str("").str("v").str("k").str("v").build());
    byte[] emptyValue = concat(prefix.build(), new Bytes().varint(1).str("k").str("").build());

    assertThat(rejectionOf(emptyKey)).isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(emptyKeyFirstOfTwo)).isEqualTo(DropReason.MALFORMED);
    assertThat(WireLimits.checkMetadata(Map.of("", "v"))).contains("metadata key");
    try {
      assertThat(serializer.decode(emptyValue).updates().get(0).metadata()).containsEntry("k", "");
    } catch (DecodeException e) {
      fail("empty metadata value rejected", e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void randomBytesOnlyEverRaiseDecodeException() {
    long seed = 0x5EED;
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] header = Bytes.header(GOSSIP).build();
    for (int i = 0; i < 100_000; i++) {
      byte[] bytes = new byte[rnd.nextInt(80)];
      rnd.nextBytes(bytes);
      // most random arrays die at the magic; give two thirds a valid header to reach the body
      if (rnd.nextInt(3) != 0 && bytes.length >= header.length) {
        System.arraycopy(header, 0, bytes, 0, header.length);
        bytes[3] = (byte) rnd.nextInt(1, 7);
      }
      decodeExpectingOnlyDecodeException(bytes, "seed " + seed + " iteration " + i);
    }
  }

  @Test
  void singleByteMutationsOfValidMessagesOnlyEverRaiseDecodeException() {
    long seed = 0xB17F11L;
    SerializerTestData.Generator gen = new SerializerTestData.Generator(seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    List<byte[]> pool = new ArrayList<>();
    for (GossipMessage m : SerializerTestData.examples()) {
      pool.add(serializer.encode(m));
    }
    while (pool.size() < 200) {
      byte[] bytes = serializer.encode(gen.message());
      if (bytes.length <= 1500) { // packet-sized, so 100k mutants stay fast
        pool.add(bytes);
      }
    }
    int accepted = 0;
    for (int i = 0; i < 100_000; i++) {
      byte[] bytes = pool.get(rnd.nextInt(pool.size())).clone();
      int pos = rnd.nextInt(bytes.length);
      bytes[pos] = (byte) (bytes[pos] ^ rnd.nextInt(1, 256));
      if (decodeExpectingOnlyDecodeException(bytes, "seed " + seed + " iteration " + i)) {
        accepted++;
      }
    }
    // a sanity check that mutations reach beyond the header: some still decode
    assertThat(accepted).as("mutants that decoded").isPositive();
  }

  /**
   * Decodes {@code bytes}; fails on any exception but {@link DecodeException}. A message that
   * decodes must re-encode to exactly the same bytes (the format is canonical).
   *
   * @return whether the bytes decoded
   */
  private boolean decodeExpectingOnlyDecodeException(byte[] bytes, String where) {
    GossipMessage m;
    try {
      m = serializer.decode(bytes);
    } catch (DecodeException e) {
      return false;
    } catch (Throwable t) {
      throw new AssertionError(where + ": " + t + " for " + Arrays.toString(bytes), t);
    }
    byte[] again = serializer.encode(m);
    if (!Arrays.equals(again, bytes)) {
      fail(where + ": decoded " + m + " but re-encoded differently from " + Arrays.toString(bytes));
    }
    return true;
  }
}
