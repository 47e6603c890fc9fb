package io.libgossip.agent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formatting helpers: aligned tables and text from the agent made safe for a terminal. */
final class Text {
  private static final String GAP = "  ";

  private Text() {}

  /**
   * {@code rows} (the first one is the header) as lines whose columns are aligned, two spaces apart
   * (like {@code serf members}); the last column is not padded.
   */
  static List<String> table(List<List<String>> rows) {
    int columns = 0;
    for (List<String> row : rows) {
      columns = Math.max(columns, row.size());
    }
    int[] width = new int[columns];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).codePointCount(0, row.get(i).length()));
      }
    }
    List<String> lines = new ArrayList<>(rows.size());
    for (List<String> row : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        b.append(cell);
        if (i < row.size() - 1) {
          b.append(" ".repeat(width[i] - cell.codePointCount(0, cell.length()))).append(GAP);
        }
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }

  /**
   * {@code s} with control characters (line breaks, escape sequences) written as {@code \n}, {@code
   * \t} or {@code \\uXXXX}, so that text from the cluster cannot break a line of output or drive
   * the terminal.
   */
  static String safe(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
      if (control && b == null) {
        b = new StringBuilder(s.length() + 8).append(s, 0, i);
      }
      if (b != null) {
        if (!control) {
          b.append(c);
        } else if (c == '\n') {
          b.append("\\n");
        } else if (c == '\r') {
          b.append("\\r");
        } else if (c == '\t') {
          b.append("\\t");
        } else {
          b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        }
      }
    }
    return b == null ? s : b.toString();
  }

  /** {@code s} cut to at most {@code max} characters, with "..." when it was longer. */
  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
