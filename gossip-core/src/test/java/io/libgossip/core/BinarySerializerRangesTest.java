package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Version 3 push-pulls carry the wire version range of the members they list. */
class BinarySerializerRangesTest {
  private static final int MAX = 1 << 20;
  private static final WireVersions NEW = WireVersions.SUPPORTED;

  private final BinarySerializer both = new BinarySerializer(SerializerTestData.CLUSTER, MAX);

  /** The join push-pull of the examples (a, b, c, d) with ranges for a and c. */
  private static GossipMessage.PushPull withRanges() {
    GossipMessage.PushPull p = (GossipMessage.PushPull) SerializerTestData.examples().get(6);
    assertThat(p.updates()).extracting(MemberUpdate::id).containsExactly("a", "b", "c", "d");
    return new GossipMessage.PushPull(
        p.from(),
        p.fromAddress(),
        p.join(),
        p.reply(),
        p.updates(),
        Map.of("a", NEW, "c", new WireVersions(3, 7)));
  }

  private DropReason rejectionOf(byte[] bytes) {
    try {
      GossipMessage m = both.decode(bytes);
      return fail("expected a DecodeException, decoded " + m);
    } catch (DecodeException e) {
      return e.reason();
    }
  }

  @Test
  void atVersion3ARangePerUpdateFollowsTheUpdatesAndRoundTrips() throws DecodeException {
    GossipMessage.PushPull p = withRanges();
    byte[] plain = both.encode(p.withoutRanges(), 3);
    byte[] ranged = both.encode(p, 3);

    assertThat(ranged).hasSize(plain.length + 2 * 4);
    assertThat(both.encodedSize(p, 3)).isEqualTo(ranged.length);
    assertThat(ranged[10 + 2 + 7]).as("push-pull flags: join and ranges").isEqualTo((byte) 0x05);
    assertThat(Arrays.copyOfRange(ranged, ranged.length - 8, ranged.length))
        .containsExactly(NEW.min(), NEW.max(), 0, 0, 3, 7, 0, 0);
    assertThat(both.decode(ranged)).isEqualTo(p);
    assertThat(((GossipMessage.PushPull) both.decode(ranged)).ranges())
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", NEW, "c", new WireVersions(3, 7)));
    assertThat(both.decode(plain)).isEqualTo(p.withoutRanges());
    byte[] into = new byte[ranged.length + 3];
    assertThat(both.encode(p, 3, into, 3)).isEqualTo(ranged.length);
    assertThat(Arrays.copyOfRange(into, 3, into.length)).isEqualTo(ranged);
  }

  @Test
  void atVersion2RangesAreLeftOutAndTheBytesAreThoseOfBefore() {
    GossipMessage.PushPull p = withRanges();
    assertThat(both.encode(p, 2)).isEqualTo(both.encode(p.withoutRanges(), 2));
    assertThat(both.encodedSize(p, 2)).isEqualTo(both.encodedSize(p.withoutRanges(), 2));
  }

  @Test
  void rangesOfMembersNotListedAreDroppedAndOtherMessagesAreUnchanged() {
    GossipMessage.PushPull p = withRanges();
    GossipMessage.PushPull stranger =
        new GossipMessage.PushPull(
            "b", p.fromAddress(), false, true, p.updates(), Map.of("zzz", NEW));
    assertThat(stranger.ranges()).isEmpty();
    assertThat(p.withUpdates(p.updates().subList(1, 3)).ranges()).containsOnlyKeys("c");
    for (GossipMessage m : SerializerTestData.examples()) {
      assertThat(m instanceof GossipMessage.PushPull pp ? pp.ranges() : Map.of()).isEmpty();
    }
  }

  @Test
  void theRangeFlagAtVersion2IsMalformed() {
    byte[] bytes = both.encode(SerializerTestData.examples().get(6), 2);
    int flags = 8 + 2 + 7; // header, from "a", its IPv4 address
    assertThat(bytes[flags]).isEqualTo((byte) 0x01);
    bytes[flags] = 0x05;
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void aFlaggedListWithoutAKnownRangeIsMalformed() {
    byte[] bytes = both.encode(withRanges(), 3);
    Arrays.fill(bytes, bytes.length - 8, bytes.length, (byte) 0);
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @ParameterizedTest(name = "range [{0}]")
  @ValueSource(strings = {"0,3", "3,0", "4,3", "255,1"})
  void anInvalidRangeIsMalformed(String range) {
    String[] r = range.split(",");
    byte[] bytes = both.encode(withRanges(), 3);
    bytes[bytes.length - 8] = (byte) Integer.parseInt(r[0]);
    bytes[bytes.length - 7] = (byte) Integer.parseInt(r[1]);
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void twoUpdatesOfOneMemberWithDifferentRangesAreMalformedAndWithTheSameOneDecode()
      throws DecodeException {
    MemberUpdate a = SerializerTestData.examples().get(6).updates().get(0);
    GossipMessage.PushPull twice =
        new GossipMessage.PushPull("b", a.address(), false, true, List.of(a, a), Map.of("a", NEW));
    byte[] bytes = both.encode(twice, 3);
    assertThat(Arrays.copyOfRange(bytes, bytes.length - 4, bytes.length))
        .containsExactly(NEW.min(), NEW.max(), NEW.min(), NEW.max());
    assertThat(both.decode(bytes)).isEqualTo(twice);
    bytes[bytes.length - 1] = (byte) (NEW.max() + 1);
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
    bytes[bytes.length - 2] = 0;
    bytes[bytes.length - 1] = 0;
    assertThat(rejectionOf(bytes)).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void aCutOrExtendedListIsRejected() {
    byte[] bytes = both.encode(withRanges(), 3);
    for (int cut = 1; cut <= 8; cut++) {
      assertThat(rejectionOf(Arrays.copyOf(bytes, bytes.length - cut)))
          .as("cut by %d", cut)
          .isIn(DropReason.TRUNCATED, DropReason.MALFORMED);
    }
    assertThat(rejectionOf(Arrays.copyOf(bytes, bytes.length + 2))).isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void randomMutationsEitherDecodeCanonicallyOrAreRejected() {
    long seed = 29;
    SplittableRandom random = new SplittableRandom(seed);
    byte[] good = both.encode(withRanges(), 3);
    for (int round = 0; round < 3000; round++) {
      byte[] bytes = good.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        int at =
            random.nextInt(2) == 0
                ? good.length - 1 - random.nextInt(8)
                : random.nextInt(good.length);
        bytes[at] = (byte) random.nextInt(256);
      }
      try {
        GossipMessage decoded = both.decode(bytes);
        if ((bytes[2] & 0xFF) == 3 && NEW.equals(both.senderVersions(bytes, 0, bytes.length))) {
          assertThat(both.encode(decoded, 3)).as("seed %d round %d", seed, round).isEqualTo(bytes);
        }
      } catch (DecodeException e) {
        assertThat(e.reason()).isNotNull();
      }
    }
  }
}
