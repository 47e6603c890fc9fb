package io.libgossip.memberlist;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Truncated and mutated valid inputs never escape the decoders as anything but {@link
 * MemberlistDecodeException}. Seeded: a failure message names the seed and the input.
 */
class MalformedInputTest {
  private static final Keyring KEYS = Keyring.of(new byte[32]);
  private static final int MUTATIONS = 3000;

  private interface Decoder {
    void decode(byte[] input) throws MemberlistDecodeException;
  }

  private static void check(String what, byte[] input, Decoder decoder) {
    try {
      decoder.decode(input);
    } catch (MemberlistDecodeException expected) {
      // A clear rejection.
    } catch (RuntimeException | Error e) {
      throw new AssertionError(what + " threw on " + Arrays.toString(input), e);
    }
  }

  private static void prefixesAndMutations(String what, byte[] valid, Decoder decoder, long seed) {
    for (int len = 0; len < valid.length; len++) {
      check(what + " prefix " + len, Arrays.copyOf(valid, len), decoder);
    }
    RandomGenerator random = new SplittableRandom(seed);
    for (int i = 0; i < MUTATIONS; i++) {
      byte[] m = valid.clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        switch (random.nextInt(4)) {
          case 0 -> m[random.nextInt(m.length)] = (byte) random.nextInt(256);
          case 1 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
          case 2 -> m = Arrays.copyOf(m, Math.max(1, random.nextInt(m.length + 1)));
          default -> {
            byte[] longer = Arrays.copyOf(m, m.length + 1 + random.nextInt(8));
            for (int j = m.length; j < longer.length; j++) {
              longer[j] = (byte) random.nextInt(256);
            }
            m = longer;
          }
        }
      }
      check(what + " seed " + seed + " mutation " + i, m, decoder);
    }
  }

  private static List<WireCodec> codecs() {
    List<WireCodec> out = new ArrayList<>();
    out.add(new WireCodec(new WireConfig("", null, 1, false, 65_536, 1 << 20, 100)));
    out.add(new WireCodec(WireConfig.defaults().withLabel("lbl")));
    return out;
  }

  @Test
  void packetsNeverThrowUnchecked() {
    long seed = 1;
    for (WireCodec codec : codecs()) {
      List<byte[]> valid = new ArrayList<>();
      for (MemberlistMessage m : Samples.packetMessages()) {
        valid.add(codec.encodePacket(m));
      }
      valid.add(codec.encodePacket(Samples.packetMessages()));
      for (byte[] v : valid) {
        prefixesAndMutations("packet", v, codec::decodePacket, seed++);
      }
    }
  }

  @Test
  void streamsNeverThrowUnchecked() {
    long seed = 100;
    for (WireCodec codec : codecs()) {
      prefixesAndMutations(
          "stream", codec.encodeStream(Samples.pushPull()), codec::decodeStream, seed++);
      prefixesAndMutations(
          "stream",
          codec.encodeStream(new MemberlistMessage.User(WireBytes.utf8("hello"))),
          codec::decodeStream,
          seed++);
    }
  }

  @Test
  void encryptedFramesNeverThrowUnchecked() {
    WireCodec codec = new WireCodec(WireConfig.defaults().withKeyring(KEYS).withLabel("x"));
    prefixesAndMutations(
        "encrypted packet", codec.encodePacket(Samples.packetMessages()), codec::decodePacket, 200);
    prefixesAndMutations(
        "encrypted stream", codec.encodeStream(Samples.pushPull()), codec::decodeStream, 201);
  }

  @Test
  void serfMessagesAndTagsNeverThrowUnchecked() {
    long seed = 300;
    for (SerfMessage m :
        List.of(
            new SerfMessage.Join(7, "n1"),
            new SerfMessage.Leave(8, "n2", false),
            new SerfMessage.UserEvent(3, "deploy", WireBytes.utf8("payload"), false),
            new SerfMessage.QueryResponse(9, 1, "n1", 0, WireBytes.utf8("ok")))) {
      prefixesAndMutations(
          "serf",
          SerfCodec.encode(m).toByteArray(),
          b -> SerfCodec.decode(WireBytes.of(b)),
          seed++);
    }
    prefixesAndMutations(
        "tags",
        SerfTags.encode(java.util.Map.of("role", "web", "dc", "x")).toByteArray(),
        b -> SerfTags.decode(WireBytes.of(b)),
        seed);
  }

  @Test
  void randomBytesNeverThrowUnchecked() {
    RandomGenerator random = new SplittableRandom(400);
    WireCodec codec = new WireCodec(WireConfig.defaults());
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(64)];
      random.nextBytes(b);
      if (b.length > 0 && random.nextBoolean()) {
        b[0] = (byte) random.nextInt(14);
      }
      check("random packet", b, codec::decodePacket);
      check("random stream", b, codec::decodeStream);
      check("random serf", b, x -> SerfCodec.decode(WireBytes.of(x)));
    }
  }
}
