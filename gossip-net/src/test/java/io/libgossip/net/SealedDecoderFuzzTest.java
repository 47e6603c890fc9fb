package io.libgossip.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.libgossip.core.BinarySerializer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;

/**
 * Coverage-guided fuzzing of the sealed decoder ({@link KeyringTransform#decode}, and the whole
 * inbound {@link PacketPipeline} behind it) with Jazzer.
 *
 * <p>In a normal {@code ./mvnw test} run Jazzer replays each saved input under {@code
 * src/test/resources/io/libgossip/net/SealedDecoderFuzzTestInputs/<method>/} (sealed packets made
 * with {@link #KEY} at {@link #NOW}, and garbage) as one test case, in well under a second.
 *
 * <p>To fuzz for real, by hand (bounded; Ctrl-C stops early):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp test -pl gossip-net -Dtest=SealedDecoderFuzzTest \
 *     -Djazzer.max_duration=10m
 * </pre>
 *
 * A crashing input is written to the inputs directory, where it replays in every build: commit it
 * with the fix. {@link SealedDecoderMutationTest} runs seeded mutations of valid sealed packets in
 * every build as well.
 */
class SealedDecoderFuzzTest {
  /** A fixed test key (public, never used outside tests). */
  static final byte[] KEY = new byte[Keyring.KEY_BYTES];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (i + 1);
    }
  }

  /** The time the saved inputs were sealed at, and the receiver's clock in these tests. */
  static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");

  static final String LABEL = "fuzz";

  static final EnumSet<TransportDropReason> KEYRING_REASONS =
      EnumSet.of(
          TransportDropReason.KEYRING_PLAINTEXT_REFUSED,
          TransportDropReason.KEYRING_UNKNOWN_KEY,
          TransportDropReason.KEYRING_AUTH_FAILED,
          TransportDropReason.KEYRING_STALE,
          TransportDropReason.KEYRING_MALFORMED);

  static KeyringTransform transform() {
    return new KeyringTransform(
        Keyring.of(KEY), LABEL, Duration.ofMinutes(2), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static final KeyringTransform TRANSFORM = transform();
  private static final PacketPipeline PIPELINE =
      new PacketPipeline(new BinarySerializer(LABEL, 1 << 20), List.of(TRANSFORM));

  /**
   * Any bytes are accepted only if they are an authentic sealed packet (exactly {@link
   * KeyringTransform#OVERHEAD} bytes longer than what they hold, with the key's id), or rejected
   * with a {@code KEYRING_*} reason; nothing escapes. The pipeline behind never throws either.
   */
  @FuzzTest(maxDuration = "5m")
  void openRejectsCleanlyOrAccepts(byte[] data) {
    TransformResult r = TRANSFORM.decode(data.clone());
    if (r instanceof TransformResult.Accepted a) {
      if (a.packet().length != data.length - KeyringTransform.OVERHEAD
          || data[0] != KeyringTransform.MAGIC) {
        throw new AssertionError("accepted " + data.length + " bytes that are not sealed");
      }
    } else if (r instanceof TransformResult.Rejected rej) {
      if (!KEYRING_REASONS.contains(rej.reason())) {
        throw new AssertionError("rejected under " + rej.reason());
      }
    } else {
      throw new AssertionError("no result");
    }
    if (PIPELINE.decode(data.clone(), 0, data.length) == null) {
      throw new AssertionError("the pipeline returned nothing");
    }
  }

  /**
   * Whatever a holder of the key seals, the receiver opens to the very same bytes, and the
   * serializer behind rejects or decodes it without throwing.
   */
  @FuzzTest(maxDuration = "5m")
  void sealedPayloadsOpenToTheSameBytes(byte[] inner) {
    byte[] sealed = TRANSFORM.encode(inner.clone());
    TransformResult r = TRANSFORM.decode(sealed.clone());
    if (!(r instanceof TransformResult.Accepted a) || !java.util.Arrays.equals(a.packet(), inner)) {
      throw new AssertionError("a sealed payload did not open to itself: " + r);
    }
    PacketPipeline.Inbound in = PIPELINE.decode(sealed, 0, sealed.length);
    if (in instanceof PacketPipeline.Inbound.Rejected) {
      throw new AssertionError("the pipeline rejected an authentic packet: " + in);
    }
  }
}
