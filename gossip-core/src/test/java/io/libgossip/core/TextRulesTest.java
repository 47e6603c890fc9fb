package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One rule for ids, hosts and metadata keys: the local builders and the binary decoder refuse the
 * same characters, and {@link TextRules#escape} prints any text on one line.
 */
class TextRulesTest {
  private static final NodeAddress ADDR = new NodeAddress("10.0.0.1", 7946);
  private static final BinarySerializer SERIALIZER = new BinarySerializer("c", 1 << 20);

  /** Code points that no id, host or key may hold (a sample of each listed range). */
  @ParameterizedTest
  @ValueSource(
      ints = {
        0x00, 0x0A, 0x0D, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F, 0x061C, 0x200B, 0x200E, 0x200F,
        0x2028, 0x2029, 0x202A, 0x202E, 0x2060, 0x2066, 0x2069, 0xFEFF, 0xFFF9, 0xFFFE, 0xFFFF
      })
  void forbiddenCharactersAreRefusedLocallyAndFromTheWire(int cp) throws Exception {
    String bad = "n" + Character.toString(cp) + "x";
    assertThat(TextRules.idProblem(bad)).isPresent();
    assertThat(TextRules.hostProblem(bad)).isPresent();
    assertThat(MetadataLimits.problem(Map.of(bad, "v"))).isPresent();
    assertThatThrownBy(() -> new CoreFixture(GossipConfig.lan(), 1, b -> b.id(bad)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeAddress(bad, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MemberUpdate(bad, ADDR, NodeStatus.ONLINE, 0, Map.of(), 0, 0, "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(Character.toString(cp));

    // the same text spliced into messages the encoder would refuse to write
    for (String field : List.of("id", "host", "key")) {
      byte[] bytes = forge(field, bad);
      assertThatThrownBy(() -> SERIALIZER.decode(bytes))
          .as(field)
          .isInstanceOfSatisfying(
              DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.MALFORMED));
    }
  }

  /**
   * A message with {@code bad} as the update's id, host or metadata key: encoded with a placeholder
   * of the same length in UTF-8, then patched.
   */
  private static byte[] forge(String field, String bad) throws Exception {
    byte[] badBytes = bad.getBytes(StandardCharsets.UTF_8);
    String placeholder = "Q".repeat(badBytes.length);
    MemberUpdate u =
        switch (field) {
          case "id" ->
              new MemberUpdate(placeholder, ADDR, NodeStatus.ONLINE, 0, Map.of(), 0, 0, "a");
          case "host" ->
              new MemberUpdate(
                  "m", new NodeAddress(placeholder, 1), NodeStatus.ONLINE, 0, Map.of(), 0, 0, "a");
          default ->
              new MemberUpdate(
                  "m", ADDR, NodeStatus.ONLINE, 0, Map.of(placeholder, "v"), 0, 0, "m");
        };
    byte[] bytes = SERIALIZER.encode(new GossipMessage.Gossip("a", ADDR, List.of(u)));
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(placeholder);
    assertThat(at).isPositive();
    System.arraycopy(badBytes, 0, bytes, at, badBytes.length);
    return bytes;
  }

  @Test
  void printableTextOfAnyScriptIsAllowed() {
    for (String ok : List.of("node-1", "a b", "ünïcødé-节点", "emoji-\uD83D\uDE00", "x\"y\\z")) {
      assertThat(TextRules.idProblem(ok)).as(ok).isEmpty();
      assertThat(TextRules.hasForbiddenCharacter(ok)).isFalse();
    }
  }

  @Test
  void emptyAndOverlongTextIsRefused() {
    assertThat(TextRules.idProblem("")).contains("id must not be empty");
    assertThat(TextRules.idProblem("x".repeat(256))).get().asString().contains("at most 255");
    assertThat(TextRules.hostProblem("h".repeat(255))).isEmpty();
  }

  @Test
  void metadataValuesMayHoldControlCharactersAndArePrintedEscaped() {
    assertThat(MetadataLimits.problem(Map.of("k", "line1\nline2\u202e"))).isEmpty();
    assertThat(TextRules.escape("line1\nline2\u202e\u2028\r\t\"\\"))
        .isEqualTo("line1\\nline2\\u202e\\u2028\\r\\t\\\"\\\\");
    assertThat(TextRules.escape(Map.of("k\n", "v\r"))).containsEntry("k\\n", "v\\r");
  }

  @Test
  void escapeCutsLongTextAndKeepsPlainTextAsIs() {
    String plain = "node-1 ünïcødé \uD83D\uDE00";
    assertThat(TextRules.escape(plain)).isSameAs(plain);
    String cut = TextRules.escape("x".repeat(2000));
    assertThat(cut).hasSize(TextRules.MAX_ESCAPED_CHARS + "...(2000 chars)".length());
  }
}
