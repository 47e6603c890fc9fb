package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipMessage;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutations of authentic sealed packets, in every build: no change to a sealed packet is
 * ever accepted, every rejection has a {@code KEYRING_*} reason, and nothing throws. The seed is in
 * every failure message.
 */
class SealedDecoderMutationTest {
  private static final int CASES_PER_SEED = 2_000;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void mutatedSealedPacketsAreRejectedCleanly(long seed) {
    RandomGenerator random = new SplittableRandom(seed);
    KeyringTransform t = SealedDecoderFuzzTest.transform();
    t.keyring().install(Keyring.generateKey()); // a second key id the mutations may hit
    BinarySerializer serializer = new BinarySerializer(SealedDecoderFuzzTest.LABEL, 1 << 20);
    List<GossipMessage> messages = TestMessages.everyType();
    for (int i = 0; i < CASES_PER_SEED; i++) {
      byte[] inner = serializer.encode(messages.get(random.nextInt(messages.size())));
      byte[] sealed = t.encode(inner.clone());
      byte[] mutated = mutate(sealed, random);
      if (java.util.Arrays.equals(mutated, sealed)) {
        continue;
      }
      TransformResult r;
      try {
        r = t.decode(mutated.clone());
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " case " + i + ": decode threw", e);
      }
      assertThat(r).as("seed %d case %d", seed, i).isInstanceOf(TransformResult.Rejected.class);
      assertThat(((TransformResult.Rejected) r).reason())
          .as("seed %d case %d", seed, i)
          .isIn(SealedDecoderFuzzTest.KEYRING_REASONS);
    }
  }

  private static byte[] mutate(byte[] p, RandomGenerator random) {
    byte[] m = p.clone();
    switch (random.nextInt(6)) {
      case 0 -> { // flip 1..4 bits anywhere
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          int bit = random.nextInt(m.length * 8);
          m[bit / 8] ^= (byte) (1 << (bit % 8));
        }
      }
      case 1 -> m = java.util.Arrays.copyOf(m, random.nextInt(m.length)); // truncate
      case 2 -> { // extend with random bytes
        int extra = 1 + random.nextInt(32);
        m = java.util.Arrays.copyOf(m, m.length + extra);
        for (int j = p.length; j < m.length; j++) {
          m[j] = (byte) random.nextInt(256);
        }
      }
      case 3 -> { // overwrite a random run
        int at = random.nextInt(m.length);
        int len = 1 + random.nextInt(Math.min(16, m.length - at));
        for (int j = at; j < at + len; j++) {
          m[j] = (byte) random.nextInt(256);
        }
      }
      case 4 -> { // swap two bytes of the ciphertext or header
        int a = random.nextInt(m.length);
        int b = random.nextInt(m.length);
        byte x = m[a];
        m[a] = m[b];
        m[b] = x;
      }
      default -> { // splice the tail of another packet's tag in
        int at = KeyringTransform.HEADER + random.nextInt(m.length - KeyringTransform.HEADER);
        m[at] = (byte) (m[at] + 1 + random.nextInt(255));
      }
    }
    return m;
  }
}
