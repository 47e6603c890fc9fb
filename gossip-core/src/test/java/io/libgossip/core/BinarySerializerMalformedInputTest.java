package io.libgossip.core;

import static io.libgossip.core.SerializerTestData.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.libgossip.core.SerializerTestData.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
            .str("x")
            .address("h", 1)
            .raw(1)
            .varint(0)
            .varint(0)
            .varint(0)
            .str("x")
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
            .str("x")
            .address("h", 1)
            .raw(1)
            .varint(0)
            .varint(0)
            .varint(0)
            .str("x")
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
  @ValueSource(ints = {0, 2, 0x7F, 0xFF})
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
  @ValueSource(ints = {0, 5, 0x81, 0xFF})
  void badStatusByteIsMalformed(int status) {
    byte[] bytes = gossipFromA().varint(1).update("x", status, 0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
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

  @Test
  void portAbove65535IsMalformed() {
    byte[] bytes = Bytes.header(GOSSIP).str("a").address("h", 65536).varint(0).build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
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
            .str("x")
            .address("h", 1)
            .raw(1)
            .varint(0)
            .varint(-1L)
            .varint(0)
            .str("x")
            .varint(0)
            .build();

    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void emptyIdsAndHostsAreMalformed() {
    assertThat(rejectionOf(Bytes.header(GOSSIP).str("").address("h", 1).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(Bytes.header(GOSSIP).str("a").address("", 1).varint(0).build()))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(rejectionOf(gossipFromA().varint(1).update("", 1, 0).build()))
        .isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void metadataKeysOutOfOrderOrRepeatedAreMalformed() {
    Bytes prefix =
        gossipFromA()
            .varint(1)
            .str("x")
            .address("h", 1)
            .raw(1)
            .varint(0)
            .varint(0)
            .varint(0)
            .str("x")
            .varint(2);

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
