package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Format version 5: the timing section of probe pings and acks (decision 061). */
class BinarySerializerV5Test {
  private static final int MAX = 1 << 20;
  private final BinarySerializer five =
      new BinarySerializer(SerializerTestData.CLUSTER, MAX, WireVersions.WITH_TIMING);
  private final BinarySerializer four =
      new BinarySerializer(SerializerTestData.CLUSTER, MAX, WireVersions.SUPPORTED);

  private static final NetworkCoordinate COORD =
      new NetworkCoordinate(
          new double[] {0.001, -0.002, 0.5, 0, -0.0, 1e-9, 3.25, -7}, 0.0001, -0.003, 0.75);

  private static final BroadcastItem ITEM =
      new BroadcastItem("a", 1_765_000_000L, 1, "config", null, 3, new byte[] {1, 2, 3});

  private static List<GossipMessage> timed() {
    List<MemberUpdate> updates =
        List.of(
            SerializerTestData.online("b", SerializerTestData.ADDR_B, Map.of("k", "v")),
            SerializerTestData.online("c", SerializerTestData.ADDR_A, Map.of()));
    NodeAddress a = SerializerTestData.ADDR_A;
    return List.of(
        new GossipMessage.Ping("a", a, 7, "b", List.of()).withTiming(ProbeTiming.ping(-5)),
        new GossipMessage.Ping("a", a, 1L << 40, "b", updates, List.of(ITEM))
            .withTiming(ProbeTiming.ping(1_765_000_000_123_456_789L)),
        new GossipMessage.Ack("b", a, 7, List.of())
            .withTiming(new ProbeTiming(Long.MIN_VALUE, Long.MAX_VALUE, 0, null)),
        new GossipMessage.Ack("b", a, 8, updates, List.of(ITEM))
            .withTiming(new ProbeTiming(1, 2, 3, COORD)));
  }

  private DropReason rejectionOf(byte[] bytes) {
    try {
      GossipMessage m = five.decode(bytes);
      return fail("expected a DecodeException, decoded " + m);
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  @Test
  void timedPingsAndAcksRoundTripAtVersion5AndEncodedSizeIsExact() throws DecodeException {
    for (GossipMessage m : timed()) {
      byte[] bytes = five.encode(m, 5);
      assertThat(bytes[2]).isEqualTo((byte) 5);
      assertThat(bytes[3] & WireWriter.TIMING_FLAG).isNotZero();
      assertThat(five.encodedSize(m, 5)).as("%s", m).isEqualTo(bytes.length);
      GossipMessage back = five.decode(bytes);
      assertThat(back).as("%s", m).isEqualTo(m);
      assertThat(five.encode(back, 5)).isEqualTo(bytes);
      byte[] into = new byte[bytes.length + 3];
      assertThat(five.encode(m, 5, into, 3)).isEqualTo(bytes.length);
      assertThat(Arrays.copyOfRange(into, 3, into.length)).isEqualTo(bytes);
    }
  }

  @Test
  void belowVersion5TheTimingIsLeftOutAndTheBytesAreThoseWithoutIt() throws DecodeException {
    for (GossipMessage m : timed()) {
      GossipMessage plain =
          m instanceof GossipMessage.Ping p
              ? p.withTiming(null)
              : ((GossipMessage.Ack) m).withTiming(null);
      for (int v = m.broadcasts().isEmpty() ? 2 : 4; v <= 4; v++) {
        assertThat(five.encode(m, v)).as("%s at %d", m, v).isEqualTo(five.encode(plain, v));
        assertThat(five.encodedSize(m, v)).isEqualTo(five.encodedSize(plain, v));
      }
      // only the header's range differs from what a node of the default range writes
      byte[] ours = five.encode(m, 4);
      byte[] theirs = four.encode(plain, 4);
      assertThat(Arrays.copyOfRange(ours, 10, ours.length))
          .isEqualTo(Arrays.copyOfRange(theirs, 10, theirs.length));
      assertThat(four.decode(five.encode(m, 4))).isEqualTo(plain);
    }
  }

  @Test
  void theDefaultRangeRejectsVersion5() {
    byte[] bytes = five.encode(timed().get(0), 5);
    try {
      four.decode(bytes);
      fail("decoded a version 5 message at [2, 4]");
    } catch (DecodeException e) {
      assertThat(e.reason()).isEqualTo(DropReason.UNSUPPORTED_VERSION);
    }
  }

  @Test
  void theTimingBitBeforeVersion5IsAnUnknownType() throws DecodeException {
    byte[] bytes = five.encode(timed().get(0), 4);
    bytes[3] |= WireWriter.TIMING_FLAG;
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.UNKNOWN_TYPE);
  }

  @Test
  void aTimingSectionOnAnotherTypeIsMalformed() {
    GossipMessage nack = new GossipMessage.Nack("a", SerializerTestData.ADDR_A, 3, List.of());
    byte[] base = five.encode(nack, 5);
    byte[] bytes = Arrays.copyOf(base, base.length + 8);
    bytes[3] |= WireWriter.TIMING_FLAG;
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void malformedTimingSectionsAreDropsNotCrashes() {
    byte[] ack = five.encode(timed().get(3), 5);
    int section = ack.length - (1 + 24 + 44);
    // unknown flag bits
    byte[] flags = ack.clone();
    flags[section] = 0x03;
    assertThat(rejectionOf(flags)).isEqualTo(DropReason.MALFORMED);
    // a NaN component
    byte[] nan = ack.clone();
    int bits = Float.floatToIntBits(Float.NaN);
    int at = section + 25;
    nan[at] = (byte) (bits >>> 24);
    nan[at + 1] = (byte) (bits >>> 16);
    nan[at + 2] = (byte) (bits >>> 8);
    nan[at + 3] = (byte) bits;
    assertThat(rejectionOf(nan)).isEqualTo(DropReason.MALFORMED);
    // an infinite height, then a negative one
    byte[] inf = ack.clone();
    int h = section + 25 + 32;
    int infBits = Float.floatToIntBits(Float.POSITIVE_INFINITY);
    inf[h] = (byte) (infBits >>> 24);
    inf[h + 1] = (byte) (infBits >>> 16);
    inf[h + 2] = (byte) (infBits >>> 8);
    inf[h + 3] = (byte) infBits;
    assertThat(rejectionOf(inf)).isEqualTo(DropReason.MALFORMED);
    byte[] negative = ack.clone();
    negative[h] |= (byte) 0x80;
    assertThat(rejectionOf(negative)).isEqualTo(DropReason.MALFORMED);
    // cut short, and followed by more bytes
    for (int cut = 1; cut <= 69; cut++) {
      assertThat(rejectionOf(Arrays.copyOf(ack, ack.length - cut)))
          .as("cut %d", cut)
          .isIn(DropReason.TRUNCATED, DropReason.MALFORMED);
    }
    assertThat(rejectionOf(Arrays.copyOf(ack, ack.length + 1))).isEqualTo(DropReason.MALFORMED);
    byte[] ping = five.encode(timed().get(0), 5);
    assertThat(rejectionOf(Arrays.copyOf(ping, ping.length - 1))).isEqualTo(DropReason.TRUNCATED);
  }

  @Test
  void randomlyMutatedTimedMessagesNeverThrowAnythingButADecodeException() {
    long seed = 61;
    SplittableRandom random = new SplittableRandom(seed);
    List<GossipMessage> messages = timed();
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = five.encode(messages.get(random.nextInt(messages.size())), 5);
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        int at = 10 + random.nextInt(bytes.length - 10);
        bytes[at] = (byte) random.nextInt(256);
      }
      if (random.nextInt(4) == 0) {
        bytes = Arrays.copyOf(bytes, 10 + random.nextInt(bytes.length - 9));
      }
      try {
        GossipMessage m = five.decode(bytes);
        assertThat(five.encode(m, 5)).as("seed %d, case %d", seed, i).isEqualTo(bytes);
      } catch (DecodeException expected) {
        // a counted drop
      }
    }
  }
}
