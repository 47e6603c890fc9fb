package io.libgossip.serf;

import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.SerfCodec;
import io.libgossip.memberlist.SerfMessage;
import io.libgossip.memberlist.WireBytes;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Serf's query filters, checked against this node as Serf does: a node filter must name it, a tag
 * filter's expression must match somewhere in its tag's value (missing tag: the empty string), an
 * undecodable or unknown filter or a bad expression excludes it. Go's RE2 and Java's regular
 * expressions agree on the common syntax; Java's backtracking is bounded here by a step budget, so
 * a hostile expression costs at most {@link #MATCH_BUDGET} character reads and then fails to match.
 */
final class SerfQueryFilters {
  static final int MATCH_BUDGET = 200_000;

  /** Thrown by {@link BudgetedChars} when a match has read too many characters. */
  private static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("regular expression budget exceeded", null, false, false);
    }
  }

  /** A character sequence that allows only so many reads. */
  private static final class BudgetedChars implements CharSequence {
    private final String s;
    private final int[] budget;

    BudgetedChars(String s, int[] budget) {
      this.s = s;
      this.budget = budget;
    }

    @Override
    public char charAt(int index) {
      if (--budget[0] < 0) {
        throw new BudgetExceeded();
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new BudgetedChars(s.substring(start, end), budget);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private SerfQueryFilters() {}

  /** The outcome: whether the node passes, and why not (for the drop log). */
  record Outcome(boolean passes, String reason) {}

  static Outcome check(List<WireBytes> filters, String nodeName, Map<String, String> tags) {
    for (WireBytes raw : filters) {
      SerfMessage.Filter f;
      try {
        f = SerfCodec.decodeFilter(raw);
      } catch (MemberlistDecodeException e) {
        return new Outcome(false, "malformed filter: " + e.getMessage());
      }
      if (f instanceof SerfMessage.NodeFilter n) {
        if (!n.nodes().contains(nodeName)) {
          return new Outcome(false, "");
        }
      } else if (f instanceof SerfMessage.TagFilter t) {
        Pattern p;
        try {
          p = Pattern.compile(t.expr());
        } catch (PatternSyntaxException e) {
          return new Outcome(false, "bad tag filter expression: " + e.getDescription());
        }
        String value = tags.getOrDefault(t.tag(), "");
        try {
          if (!p.matcher(new BudgetedChars(value, new int[] {MATCH_BUDGET})).find()) {
            return new Outcome(false, "");
          }
        } catch (BudgetExceeded | StackOverflowError e) {
          return new Outcome(false, "tag filter expression too costly");
        }
      }
    }
    return new Outcome(true, "");
  }
}
