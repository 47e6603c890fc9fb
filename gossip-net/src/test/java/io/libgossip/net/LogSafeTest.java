package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Text from the network cannot break or forge a log line. */
class LogSafeTest {

  @Test
  void plainTextIsReturnedAsIs() {
    String id = "node-1.example.com:7946";
    assertThat(LogSafe.text(id)).isSameAs(id);
    assertThat(LogSafe.text("ünïcødé-节点")).isEqualTo("ünïcødé-节点");
  }

  @Test
  void newlinesAndControlCharactersAreEscaped() {
    String forged =
        "a\nINFO io.libgossip.net.membership member failed member=db-1\r\t\u0000\u001b[31m";
    String safe = LogSafe.text(forged);
    assertThat(safe).doesNotContain("\n", "\r", "\t", "\u0000", "\u001b");
    assertThat(safe).startsWith("a\\nINFO").contains("\\r\\t\\u0000\\u001b[31m");
  }

  @Test
  void unicodeLineSeparatorsFormatCharactersQuotesAndBackslashesAreEscaped() {
    String s = "x" + (char) 0x2028 + "y" + (char) 0x2029 + "z" + (char) 0x202e + "\"q\\";
    assertThat(LogSafe.text(s)).isEqualTo("x\\u2028y\\u2029z\\u202e\\\"q\\\\");
  }

  @Test
  void longTextIsCutWithItsLength() {
    String s = "x".repeat(2000) + "\n";
    String safe = LogSafe.text(s);
    assertThat(safe).hasSize(LogSafe.MAX_CHARS + "...(2001 chars)".length());
    assertThat(safe).endsWith("...(2001 chars)").doesNotContain("\n");
  }

  @Test
  void metadataKeysAndValuesAreEscaped() {
    assertThat(LogSafe.map(Map.of("role\n", "web\r\nFAKE LINE", "zone", "a")))
        .containsExactly(Map.entry("role\\n", "web\\r\\nFAKE LINE"), Map.entry("zone", "a"));
  }
}
