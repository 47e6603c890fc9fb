package io.libgossip.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What text other nodes may send, and how to print it. Member ids, hosts and metadata keys are
 * printable and bounded: every libgossip wire format rejects, as a counted {@link
 * DropReason#MALFORMED} drop, what breaks these rules, and the builders refuse it locally, so a
 * node cannot be given an id or host it would reject from the network.
 *
 * <p>An id, a host or a metadata key is 1 to 255 bytes of UTF-8 and holds none of: C0 controls
 * (U+0000..U+001F), DEL (U+007F), C1 controls (U+0080..U+009F), the line and paragraph separators
 * (U+2028, U+2029), the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069), the zero-width characters (U+200B..U+200D,
 * U+2060..U+2064, U+FEFF), the interlinear annotation marks (U+FFF9..U+FFFB), the noncharacters
 * U+FFFE and U+FFFF, and unpaired surrogates. Spaces and every other printable character of any
 * script are allowed. The list is fixed (not the JDK's Unicode tables), so nodes on different JDKs
 * agree.
 *
 * <p>Metadata values are only bounded ({@link MetadataLimits}): they may hold any text, control
 * characters included, so whatever prints one must escape it; {@link #escape} does.
 */
public final class TextRules {
  private TextRules() {}

  /** Longer text is cut by {@link #escape}: a log line must stay a line. */
  public static final int MAX_ESCAPED_CHARS = 512;

  /**
   * Why {@code id} cannot be a member id (a message naming the problem, with the id escaped), or
   * empty when it can.
   */
  public static Optional<String> idProblem(String id) {
    return Optional.ofNullable(
        WireLimits.textProblem(Objects.requireNonNull(id, "id"), "id", WireLimits.MAX_ID_BYTES));
  }

  /**
   * Why {@code host} cannot be a host (a message naming the problem, with the host escaped), or
   * empty when it can. Only the characters and the length are checked; the host is not resolved.
   */
  public static Optional<String> hostProblem(String host) {
    return Optional.ofNullable(
        WireLimits.textProblem(
            Objects.requireNonNull(host, "host"), "host", WireLimits.MAX_HOST_BYTES));
  }

  /** Whether {@code s} holds a character that no id, host or metadata key may hold. */
  public static boolean hasForbiddenCharacter(String s) {
    return WireLimits.firstForbidden(Objects.requireNonNull(s, "s")) >= 0;
  }

  /**
   * {@code s} made safe for one line of a log or a terminal: control characters, line and paragraph
   * separators, invisible format characters (bidirectional overrides and isolates included),
   * backslashes and double quotes are escaped as Java writes them in a string literal ({@code \n},
   * {@code \t}, a backslash and {@code u} with four hex digits for the others), and text longer
   * than {@value #MAX_ESCAPED_CHARS} characters is cut with a marker that gives its length. Returns
   * {@code s} itself when nothing needs escaping.
   */
  public static String escape(String s) {
    Objects.requireNonNull(s, "s");
    int n = s.length();
    int i = 0;
    while (i < n && plain(s.charAt(i))) {
      i++;
    }
    if (i == n && n <= MAX_ESCAPED_CHARS) {
      return s; // the usual case: nothing to escape, no copy
    }
    StringBuilder b = new StringBuilder(Math.min(n, MAX_ESCAPED_CHARS) + 24);
    for (int j = 0; j < n; j++) {
      if (b.length() >= MAX_ESCAPED_CHARS) {
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
        default -> {
          String h = Integer.toHexString(c);
          b.append("\\u").append("0000", h.length(), 4).append(h);
        }
      }
    }
    return b.toString();
  }

  /** {@code m} with every key and value {@linkplain #escape escaped}, in key order. */
  public static Map<String, String> escape(Map<String, String> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(escape(k), escape(v)));
    return out;
  }

  /**
   * Whether {@code c} prints as itself: not a control, separator or format character (JDK
   * categories, and every character {@link #hasForbiddenCharacter} looks for), backslash or quote.
   */
  private static boolean plain(char c) {
    if (c < 0x7F) {
      return c >= 0x20 && c != '\\' && c != '"';
    }
    if (Character.isISOControl(c) || (!Character.isSurrogate(c) && WireLimits.forbidden(c))) {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR
        && type != Character.FORMAT;
  }
}
