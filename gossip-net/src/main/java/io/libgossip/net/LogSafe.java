package io.libgossip.net;

import java.util.Map;
import java.util.TreeMap;

/**
 * Makes text that came from the network safe to put in a log line. Member ids, hosts and metadata
 * are chosen by other nodes; written as they are, a newline in one could start a forged log line.
 * Control characters, Unicode line and paragraph separators, invisible format characters (such as
 * bidirectional overrides), backslashes and double quotes are escaped the way Java writes them in a
 * string literal, and text longer than {@value #MAX_CHARS} characters is cut with a marker.
 */
final class LogSafe {
  /** Longer text is cut: a log line must stay a line. */
  static final int MAX_CHARS = 512;

  private LogSafe() {}

  /** {@code s} with every character that could break or forge a log line escaped. */
  static String text(String s) {
    int n = s.length();
    int i = 0;
    while (i < n && plain(s.charAt(i))) {
      i++;
    }
    if (i == n && n <= MAX_CHARS) {
      return s; // the usual case: nothing to escape, no copy
    }
    StringBuilder b = new StringBuilder(Math.min(n, MAX_CHARS) + 24);
    for (int j = 0; j < n; j++) {
      if (b.length() >= MAX_CHARS) {
        b.append("...(").append(n).append(" chars)");
        break;
      }
      char c = s.charAt(j);
      if (plain(c)) {
        b.append(c);
        continue;
      }
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        default -> b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  /** {@code m} with keys and values escaped, in key order, for a log line. */
  static Map<String, String> map(Map<String, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(text(k), text(v)));
    return out;
  }

  private static boolean plain(char c) {
    if (Character.isISOControl(c) || c == '\\' || c == '"') {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.FORMAT;
  }
}
