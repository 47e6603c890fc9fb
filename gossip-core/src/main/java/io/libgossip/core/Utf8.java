package io.libgossip.core;

/** UTF-8 length arithmetic without allocating. */
final class Utf8 {
  private Utf8() {}

  /**
   * Number of bytes {@code s} takes in UTF-8 (unpaired surrogates count as one '?'). An ASCII
   * string is measured by one tight scan; the general count starts at its first other character.
   */
  static int length(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return i + length(s, i);
      }
    }
    return n;
  }

  /** Number of bytes {@code s} takes in UTF-8 (unpaired surrogates count as one '?'). */
  static int length(CharSequence s) {
    return length(s, 0);
  }

  /** Number of bytes {@code s.subSequence(from, s.length())} takes in UTF-8. */
  private static int length(CharSequence s, int from) {
    int n = s.length();
    int bytes = n - from;
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        // one byte, already counted
      } else if (c < 0x800) {
        bytes += 1;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 2; // 4 bytes for 2 chars
        i++;
      } else if (Character.isSurrogate(c)) {
        // encoded as '?' by String.getBytes
      } else {
        bytes += 2;
      }
    }
    return bytes;
  }
}
