package io.libgossip.net;

import io.libgossip.core.TextRules;
import java.util.Map;

/**
 * Makes text that came from the network safe to put in a log line. Member ids, hosts and metadata
 * are chosen by other nodes; written as they are, a newline in one could start a forged log line.
 * The rule is {@link TextRules#escape}: control characters, Unicode line and paragraph separators,
 * invisible format characters (such as bidirectional overrides), backslashes and double quotes are
 * escaped the way Java writes them in a string literal, and text longer than {@value #MAX_CHARS}
 * characters is cut with a marker.
 */
final class LogSafe {
  /** Longer text is cut: a log line must stay a line. */
  static final int MAX_CHARS = TextRules.MAX_ESCAPED_CHARS;

  private LogSafe() {}

  /** {@code s} with every character that could break or forge a log line escaped. */
  static String text(String s) {
    return TextRules.escape(s);
  }

  /** {@code m} with keys and values escaped, in key order, for a log line. */
  static Map<String, String> map(Map<String, String> m) {
    return TextRules.escape(m);
  }
}
