package io.libgossip.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JsonSerializerTest {
  private final JsonSerializer json = new JsonSerializer("test", 1 << 20);

  static Iterable<GossipMessage> messages() {
    return TestMessages.everyType();
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageTypeRoundTrips(GossipMessage message) throws DecodeException {
    byte[] bytes = json.encode(message);
    assertThat(json.encodedSize(message)).isEqualTo(bytes.length);
    assertThat(json.decode(bytes)).isEqualTo(message);
  }

  @ParameterizedTest
  @MethodSource("messages")
  void encodesIntoAnArrayAtAnOffset(GossipMessage message) throws DecodeException {
    int size = json.encodedSize(message);
    byte[] dst = new byte[size + 10];
    assertThat(json.encode(message, dst, 7)).isEqualTo(size);
    assertThat(json.decode(dst, 7, size)).isEqualTo(message);
    assertThatThrownBy(() -> json.encode(message, new byte[size - 1], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void outputIsReadableVersionedEnvelope() {
    String text = new String(json.encode(TestMessages.ping(42)), StandardCharsets.UTF_8);
    assertThat(text)
        .startsWith(
            "{\"format\":\"libgossip\",\"version\":1,\"cluster\":\"test\",\"type\":\"ping\"")
        .contains("\"seq\":42", "\"target\":\"b\"", "\"fromAddress\":\"127.0.0.1:7946\"");
  }

  @Test
  void largePushPullRoundTrips() throws DecodeException {
    GossipMessage big = TestMessages.bigPushPull(2000);
    assertThat(json.decode(json.encode(big))).isEqualTo(big);
  }

  private DropReason reasonFor(String text) {
    return reasonFor(text.getBytes(StandardCharsets.UTF_8));
  }

  private DropReason reasonFor(byte[] bytes) {
    try {
      json.decode(bytes);
    } catch (DecodeException e) {
      return e.reason();
    }
    throw new AssertionError("decoded: " + new String(bytes, StandardCharsets.UTF_8));
  }

  private static String valid() {
    return new String(
        new JsonSerializer("test", 1 << 20).encode(TestMessages.everyType().get(0)),
        StandardCharsets.UTF_8);
  }

  @Test
  void rejectsHostileInputWithTheRightReason() {
    String ok = valid();
    assertThat(reasonFor("")).isEqualTo(DropReason.TRUNCATED);
    assertThat(reasonFor("   ")).isEqualTo(DropReason.TRUNCATED);
    assertThat(reasonFor("hello")).isEqualTo(DropReason.BAD_MAGIC);
    assertThat(reasonFor("[1,2]")).isEqualTo(DropReason.BAD_MAGIC);
    assertThat(reasonFor("{\"format\":\"other\"}")).isEqualTo(DropReason.BAD_MAGIC);
    assertThat(reasonFor(ok.replace("\"version\":1", "\"version\":2")))
        .isEqualTo(DropReason.UNSUPPORTED_VERSION);
    assertThat(reasonFor(ok.replace("\"cluster\":\"test\"", "\"cluster\":\"prod\"")))
        .isEqualTo(DropReason.WRONG_CLUSTER);
    assertThat(reasonFor(ok.replace("\"type\":\"ping\"", "\"type\":\"bogus\"")))
        .isEqualTo(DropReason.UNKNOWN_TYPE);
    assertThat(reasonFor(ok.substring(0, ok.length() / 2))).isEqualTo(DropReason.TRUNCATED);
    assertThat(reasonFor(ok + " {}")).isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"seq\":1", "\"seq\":\"1\""))).isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"seq\":1", "\"seq\":1.5"))).isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"seq\":1", "\"seq\":123456789012345678901234567890")))
        .isIn(DropReason.MALFORMED, DropReason.TOO_LARGE);
    assertThat(reasonFor(ok.replace("\"status\":\"ONLINE\"", "\"status\":\"JOINING\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"incarnation\":0", "\"incarnation\":-1")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"from\":\"a\"", "\"from\":\"\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(
            reasonFor(
                ok.replace("\"fromAddress\":\"127.0.0.1:7946\"", "\"fromAddress\":\"nohost\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"target\":\"b\"", "\"target\":\"b\",\"target\":\"c\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"updates\":[", "\"updates\":7,\"x\":[")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"role\":\"web\"", "\"role\":5")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor("{\"format\":\"libgossip\",\"version\":1}"))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor("{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}"))
        .isIn(DropReason.TOO_LARGE, DropReason.BAD_MAGIC, DropReason.MALFORMED);
    assertThat(reasonFor(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}))
        .isEqualTo(DropReason.MALFORMED);
  }

  /**
   * Regression: like the binary decoder, the JSON decoder accepted metadata that a local update
   * rejects (an empty key, a key beyond 255 bytes).
   */
  /** Issue 13: ids, hosts and metadata keys follow the binary format's rule ({@code TextRules}). */
  @Test
  void unprintableIdsHostsAndKeysAreMalformed() throws DecodeException {
    String ok = valid();
    assertThat(ok).contains("\"from\":\"a\"", "\"role\":\"web\"", "127.0.0.1:7946");

    for (String bad : new String[] {"\\n", "\\r", "\\u0000", "\\u0085", "\\u2028", "\\u202e"}) {
      assertThat(reasonFor(ok.replace("\"from\":\"a\"", "\"from\":\"a" + bad + "b\"")))
          .as("id with %s", bad)
          .isEqualTo(DropReason.MALFORMED);
      assertThat(reasonFor(ok.replace("\"role\":\"web\"", "\"ro" + bad + "le\":\"web\"")))
          .as("key with %s", bad)
          .isEqualTo(DropReason.MALFORMED);
      assertThat(reasonFor(ok.replace("127.0.0.1:7946", "h" + bad + "x:7946")))
          .as("host with %s", bad)
          .isEqualTo(DropReason.MALFORMED);
    }
    // values may hold control characters: printers escape them
    GossipMessage m =
        json.decode(
            ok.replace("\"role\":\"web\"", "\"role\":\"w\\neb\"").getBytes(StandardCharsets.UTF_8));
    assertThat(m.updates().get(0).metadata()).containsEntry("role", "w\neb");
  }

  @Test
  void metadataALocalUpdateWouldRejectIsMalformed() throws DecodeException {
    String ok = valid();
    assertThat(ok).contains("\"role\":\"web\"");

    assertThat(reasonFor(ok.replace("\"role\":\"web\"", "\"\":\"web\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"role\":\"web\"", "\"" + "k".repeat(256) + "\":\"web\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"role\":\"web\"", "\"\\ud800\":\"a\",\"\\udc00\":\"b\"")))
        .isEqualTo(DropReason.MALFORMED);
    String longestKey = ok.replace("\"role\":\"web\"", "\"" + "k".repeat(255) + "\":\"\"");
    assertThat(json.decode(longestKey.getBytes(StandardCharsets.UTF_8)).updates().get(0).metadata())
        .containsEntry("k".repeat(255), "");
  }

  @Test
  void rejectsInputOverTheSizeLimit() {
    JsonSerializer small = new JsonSerializer("test", 100);
    byte[] bytes = json.encode(TestMessages.bigPushPull(10));
    assertThatThrownBy(() -> small.decode(bytes))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.TOO_LARGE));
  }

  @Test
  void rejectsBadRanges() {
    assertThatThrownBy(() -> json.decode(new byte[4], 2, 5)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> json.decode(new byte[4], -1, 2)).isInstanceOf(DecodeException.class);
  }

  @Test
  void randomAndMutatedInputOnlyEverRaisesDecodeException() {
    long seed = 20240601L;
    SplittableRandom random = new SplittableRandom(seed);
    byte[][] valid = TestMessages.everyType().stream().map(json::encode).toArray(byte[][]::new);
    for (int i = 0; i < 20_000; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(64)];
        for (int j = 0; j < input.length; j++) {
          input[j] = (byte) random.nextInt(256);
        }
        if (input.length > 0 && random.nextBoolean()) {
          input[0] = '{';
        }
      } else {
        input = valid[random.nextInt(valid.length)].clone();
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
          input[random.nextInt(input.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        GossipMessage m = json.decode(input);
        assertThat(json.decode(json.encode(m))).as("seed %d case %d", seed, i).isEqualTo(m);
      } catch (DecodeException expected) {
        assertThat(expected.reason()).isNotNull();
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " case " + i + " escaped: " + e, e);
      }
    }
  }
}
