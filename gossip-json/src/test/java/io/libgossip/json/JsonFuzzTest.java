package io.libgossip.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of {@link JsonSerializer#decode(byte[], int, int)} with Jazzer.
 *
 * <p>In a normal {@code ./mvnw test} run Jazzer replays each saved input under {@code
 * src/test/resources/io/libgossip/json/JsonFuzzTestInputs/decodeRejectsCleanlyOrRoundTrips/} as one
 * test case ({@link #seeds()} writes them; {@link JsonSeededMutationTest} checks they are current).
 * To fuzz for real, by hand (bounded):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -o test -pl gossip-json -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest=JsonFuzzTest -Djazzer.max_duration=10m
 * </pre>
 *
 * A crashing input is written to the inputs directory above; commit it with the fix and it replays
 * as a regression test in every build. See docs/fuzzing.md.
 */
class JsonFuzzTest {
  static final String CLUSTER = "fuzz";
  static final int MAX_MESSAGE = 64 * 1024;
  static final JsonSerializer JSON = new JsonSerializer(CLUSTER, MAX_MESSAGE);
  static final BinarySerializer BINARY = new BinarySerializer(CLUSTER, MAX_MESSAGE);

  static final String DIRECTORY =
      "io/libgossip/json/JsonFuzzTestInputs/decodeRejectsCleanlyOrRoundTrips";

  /**
   * Any bytes either decode or raise {@link DecodeException} with a reason; nothing else escapes.
   * What decodes re-encodes to JSON that decodes to an equal message and is a fixed point of
   * decode-then-encode (JSON text itself is not canonical: whitespace, field order and unknown
   * fields vary), and is a valid message of the binary format too (both decoders accept the same
   * values).
   */
  @FuzzTest(maxDuration = "5m")
  void decodeRejectsCleanlyOrRoundTrips(byte[] data) {
    check(data);
  }

  /** The checks of {@link #decodeRejectsCleanlyOrRoundTrips}; true when {@code data} decoded. */
  static boolean check(byte[] data) {
    GossipMessage m;
    try {
      m = JSON.decode(data, 0, data.length);
    } catch (DecodeException e) {
      if (e.reason() == null) {
        throw new AssertionError("DecodeException without a reason", e);
      }
      return false;
    }
    byte[] json = JSON.encode(m);
    GossipMessage again;
    try {
      again = JSON.decode(json, 0, json.length);
    } catch (DecodeException e) {
      throw new AssertionError("re-encoded " + m + " does not decode: " + e.getMessage(), e);
    }
    if (!again.equals(m)) {
      throw new AssertionError("JSON round trip changed " + m + " into " + again);
    }
    if (!Arrays.equals(JSON.encode(again), json)) {
      throw new AssertionError("encoding is not a fixed point for " + m);
    }
    try {
      GossipMessage binary = BINARY.decode(BINARY.encode(m));
      if (!binary.equals(m)) {
        throw new AssertionError("binary round trip changed " + m + " into " + binary);
      }
    } catch (DecodeException e) {
      throw new AssertionError("JSON accepted what the binary format refuses: " + m, e);
    }
    return true;
  }

  /** The saved inputs by file name: every type, and malformed and hostile documents. */
  static Map<String, byte[]> seeds() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<GossipMessage> messages = new ArrayList<>(TestMessages.everyType());
    for (int i = 0; i < messages.size(); i++) {
      String type = messages.get(i).type().name().toLowerCase(java.util.Locale.ROOT);
      out.put("valid-" + type + "-" + i, JSON.encode(messages.get(i)));
    }
    out.put("garbage-not-an-object", bytes("[1,2,3]"));
    out.put("garbage-deep-nesting", bytes("{\"a\":".repeat(40) + "1" + "}".repeat(40)));
    out.put("garbage-duplicate-key", bytes("{\"format\":\"libgossip\",\"format\":\"x\"}"));
    out.put(
        "wrong-types",
        bytes(
            "{\"format\":\"libgossip\",\"version\":1,\"cluster\":\"fuzz\",\"type\":\"gossip\","
                + "\"from\":7,\"fromAddress\":\"a:1\",\"updates\":{}}"));
    out.put(
        "huge-numbers",
        bytes(
            "{\"format\":\"libgossip\",\"version\":1,\"cluster\":\"fuzz\",\"type\":\"ack\","
                + "\"from\":\"a\",\"fromAddress\":\"a:1\",\"seq\":1e400,\"updates\":[]}"));
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
