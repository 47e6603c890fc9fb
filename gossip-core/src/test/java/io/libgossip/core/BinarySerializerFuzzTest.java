package io.libgossip.core;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link BinarySerializer#decode(byte[], int, int)} with Jazzer.
 *
 * <p>In a normal {@code ./mvnw test} run Jazzer works in regression mode: it replays each saved
 * input under {@code src/test/resources/io/libgossip/core/BinarySerializerFuzzTestInputs/
 * decodeRejectsCleanlyOrRoundTrips/} (valid messages of every type and some garbage) as one test
 * case, without instrumentation or mutation, in well under a second.
 *
 * <p>To fuzz for real, by hand (bounded; Ctrl-C stops early):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp test -pl gossip-core -Dtest=BinarySerializerFuzzTest \
 *     -Djazzer.max_duration=10m
 * </pre>
 *
 * Without {@code -Djazzer.max_duration} the run stops after {@code maxDuration} below. The
 * generated corpus goes to {@code .cifuzz-corpus/} (not committed); a crashing input is written to
 * the inputs directory above, where it then replays as a regression test in every build: commit it
 * together with the fix.
 */
class BinarySerializerFuzzTest {
  private static final BinarySerializer SERIALIZER = new BinarySerializer("fuzz", 1 << 20);

  /**
   * Any bytes either decode or raise {@link DecodeException}; nothing else escapes. What decodes
   * re-encodes, at the version it came in (wire versions 2 and 3), to the very same bytes (the
   * format is canonical) and decodes again to an equal message.
   */
  @FuzzTest(maxDuration = "5m")
  void decodeRejectsCleanlyOrRoundTrips(byte[] data) {
    GossipMessage message;
    try {
      message = SERIALIZER.decode(data);
    } catch (DecodeException e) {
      if (e.reason() == null) {
        throw new AssertionError("DecodeException without a reason", e);
      }
      return;
    }
    // at the version it came in; a version 3 header keeps the sender's range, ours or not
    int version = data[2] & 0xFF;
    byte[] again = SERIALIZER.encode(message, version);
    WireVersions sender = SERIALIZER.senderVersions(data, 0, data.length);
    if (sender != null) {
      again[8] = (byte) sender.min();
      again[9] = (byte) sender.max();
    }
    if (again.length != SERIALIZER.encodedSize(message, version)) {
      throw new AssertionError("encodedSize disagrees with encode for " + message);
    }
    GossipMessage decodedAgain;
    try {
      decodedAgain = SERIALIZER.decode(again);
    } catch (DecodeException e) {
      throw new AssertionError("re-encoded message does not decode: " + e.getMessage(), e);
    }
    if (!decodedAgain.equals(message)) {
      throw new AssertionError("round trip changed " + message + " into " + decodedAgain);
    }
    if (!Arrays.equals(again, data)) {
      throw new AssertionError("accepted a non-canonical encoding of " + message);
    }
  }
}
