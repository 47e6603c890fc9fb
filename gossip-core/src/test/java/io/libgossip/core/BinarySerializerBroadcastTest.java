package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.libgossip.core.GossipMessage.BroadcastPull;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The user broadcast section and the broadcast pull of wire version 4. */
class BinarySerializerBroadcastTest {
  static final int V = BinarySerializer.USER_VERSION;
  static final BinarySerializer CODEC = new BinarySerializer("test-cluster", 1 << 20);
  static final NodeAddress A = SerializerTestData.ADDR_A;

  static final BroadcastItem INLINE =
      new BroadcastItem("a", 1_765_000_000L, 1, "config", null, 3, new byte[] {1, 2, 3});
  static final BroadcastItem KEYED =
      new BroadcastItem("b", 0, 300, "thème", "clé-7", 0, new byte[0]);
  static final BroadcastItem ANNOUNCED =
      new BroadcastItem("c", 42, 7, "blob", "k", 1 << 20, new byte[0]);

  /** Every message type that carries broadcasts, with some, and pulls of every kind. */
  static List<GossipMessage> examples() {
    List<BroadcastItem> items = List.of(INLINE, KEYED, ANNOUNCED);
    MemberUpdate u = SerializerTestData.online("a", A, java.util.Map.of("zone", "eu"));
    return List.of(
        new GossipMessage.Ping("a", A, 1, "b", List.of(u), items),
        new GossipMessage.Ack("a", A, 2, List.of(), List.of(INLINE)),
        new GossipMessage.PingReq("a", A, 3, "c", SerializerTestData.ADDR_B, List.of(u), items),
        new GossipMessage.Nack("a", A, 4, List.of(), List.of(ANNOUNCED)),
        new GossipMessage.Gossip("a", A, List.of(u), items),
        new BroadcastPull("a", A, false, false, "c", 42, 7, new byte[0], List.of()),
        new BroadcastPull("b", A, true, false, "c", 42, 7, new byte[] {9, 8, 7}, List.of(u)),
        new BroadcastPull("b", A, true, true, "c", 42, 7, new byte[0], List.of()));
  }

  @Test
  void everyExampleRoundTripsAtVersionFour() throws DecodeException {
    for (GossipMessage m : examples()) {
      byte[] bytes = CODEC.encode(m, V);
      assertThat(bytes).hasSize(CODEC.encodedSize(m, V));
      assertThat(CODEC.decode(bytes)).as("%s", m).isEqualTo(m);
      byte[] into = new byte[bytes.length + 5];
      assertThat(CODEC.encode(m, V, into, 5)).isEqualTo(bytes.length);
      assertThat(Arrays.copyOfRange(into, 5, into.length)).isEqualTo(bytes);
    }
  }

  @Test
  void withoutBroadcastsTheBytesAreThoseOfVersionThreeButTheHeader() {
    GossipMessage m = new GossipMessage.Gossip("a", A, List.of());
    byte[] v3 = CODEC.encode(m, 3);
    byte[] v4 = CODEC.encode(m, V);
    v4[2] = 3;
    assertThat(v4).isEqualTo(v3);
  }

  @Test
  void olderVersionsCannotCarryThem() {
    for (GossipMessage m : examples()) {
      assertThatThrownBy(() -> CODEC.encode(m, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("version 4 is the first");
    }
  }

  static DropReason reason(byte[] bytes) {
    DecodeException e = catchThrowableOfType(DecodeException.class, () -> CODEC.decode(bytes));
    assertThat(e).as("decoding must fail").isNotNull();
    return e.reason();
  }

  @Test
  void aSectionOrPullInAnOlderVersionIsACountedDrop() {
    for (GossipMessage m : examples()) {
      byte[] bytes = CODEC.encode(m, V);
      bytes[2] = 3; // same header length, range [2, 4] holds 3
      assertThat(reason(bytes)).as("%s", m).isEqualTo(DropReason.BROADCAST_BEFORE_VERSION_4);
    }
  }

  @Test
  void malformedSectionsAreDrops() {
    GossipMessage plain = new GossipMessage.Gossip("a", A, List.of());
    byte[] base = CODEC.encode(plain, V);
    // flag set, empty section
    byte[] empty = Arrays.copyOf(base, base.length + 1);
    empty[3] |= (byte) 0x80;
    assertThat(reason(empty)).isEqualTo(DropReason.MALFORMED);
    // flag set on a push-pull
    byte[] pp = CODEC.encode(new GossipMessage.PushPull("a", A, false, false, List.of()), V);
    pp[3] |= (byte) 0x80;
    assertThat(reason(pp)).isEqualTo(DropReason.MALFORMED);
    byte[] good = CODEC.encode(plain.withBroadcasts(List.of(INLINE)), V);
    int item = base.length + 1; // after the count
    byte[] reserved = good.clone();
    reserved[item] = 0x04;
    assertThat(reason(reserved)).isEqualTo(DropReason.MALFORMED);
    // announced with size 0: flags 0x02, origin "a", life, seq 1, topic, size 0
    byte[] zero =
        CODEC.encode(
            plain.withBroadcasts(List.of(new BroadcastItem("a", 0, 1, "t", null, 0, new byte[0]))),
            V);
    zero[item] = 0x02;
    assertThat(reason(zero)).isEqualTo(DropReason.MALFORMED);
    // seq 0: flags, origin (2 bytes), life 0 (1 byte), then seq
    byte[] seq0 = zero.clone();
    seq0[item] = 0;
    seq0[item + 4] = 0;
    assertThat(reason(seq0)).isEqualTo(DropReason.MALFORMED);
    // cut short anywhere, or followed by more bytes
    for (int n = 0; n < good.length; n++) {
      reason(Arrays.copyOf(good, n));
    }
    assertThat(reason(Arrays.copyOf(good, good.length + 1))).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void mutatedMessagesDecodeCleanlyOrRoundTrip() {
    SplittableRandom r = new SplittableRandom(14);
    List<GossipMessage> examples = examples();
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = CODEC.encode(examples.get(r.nextInt(examples.size())), V);
      int flips = 1 + r.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[10 + r.nextInt(bytes.length - 10)] = (byte) r.nextInt(256);
      }
      GossipMessage m;
      try {
        m = CODEC.decode(bytes);
      } catch (DecodeException e) {
        assertThat(e.reason()).isNotNull();
        continue;
      }
      assertThat(CODEC.encode(m, bytes[2] & 0xFF)).isEqualTo(bytes);
    }
  }

  /**
   * Writes the examples as Jazzer inputs for {@link BinarySerializerFuzzTest} when run with {@code
   * -Dfuzz.writeSeeds=true}; otherwise checks they are there.
   */
  @Test
  void fuzzInputsHoldTheExamples() throws IOException {
    Path dir =
        Path.of(
            "src/test/resources/io/libgossip/core/BinarySerializerFuzzTestInputs/"
                + "decodeRejectsCleanlyOrRoundTrips");
    List<GossipMessage> examples = examples();
    for (int i = 0; i < examples.size(); i++) {
      Path p = dir.resolve("broadcast-v4-" + i);
      byte[] bytes = new BinarySerializer("fuzz", 1 << 20).encode(examples.get(i), V);
      if (Boolean.getBoolean("fuzz.writeSeeds")) {
        Files.createDirectories(dir);
        Files.write(p, bytes);
      }
      assertThat(p).exists();
      assertThat(Files.readAllBytes(p)).isEqualTo(bytes);
    }
  }
}
