package io.libgossip.core;

import java.util.Arrays;
import java.util.Collection;

/**
 * UTF-8 as the wire writes it: lengths and the byte order of strings (without allocating), strict
 * validation of received bytes. Strings are written as {@link
 * String#getBytes(java.nio.charset.Charset)} writes them: an unpaired surrogate becomes {@code
 * '?'}.
 */
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

  /**
   * Compares strings by their UTF-8 bytes as written (code point order, unpaired surrogates read as
   * '?').
   */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    int na = a.length();
    int nb = b.length();
    while (i < na && j < nb) {
      int ca = a.charAt(i);
      int cb = b.charAt(j);
      if (ca < 0xD800 && cb < 0xD800) { // common case: neither can be a surrogate
        if (ca != cb) {
          return ca - cb;
        }
        i++;
        j++;
        continue;
      }
      ca = codePointAt(a, i);
      cb = codePointAt(b, j);
      if (ca != cb) {
        return ca - cb;
      }
      i += ca >= 0x10000 ? 2 : 1;
      j += cb >= 0x10000 ? 2 : 1;
    }
    return (na - i) - (nb - j) == 0 ? 0 : (i < na ? 1 : -1);
  }

  /** The code point at {@code i} as written on the wire ('?' for an unpaired surrogate). */
  private static int codePointAt(String s, int i) {
    char c = s.charAt(i);
    if (!Character.isSurrogate(c)) {
      return c;
    }
    if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
      char next = s.charAt(i + 1);
      if (Character.isLowSurrogate(next)) {
        return Character.toCodePoint(c, next);
      }
    }
    return '?';
  }

  /** Whether {@code s} contains a surrogate without its partner (written as {@code '?'}). */
  static boolean hasUnpairedSurrogate(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether {@code a} and {@code b} encode to the same bytes (equal, or alike but for '?'). */
  static boolean sameOnWire(String a, String b) {
    // Equal UTF-8 implies equal UTF-16 length: only a surrogate pair makes a 4-byte sequence.
    return a.equals(b) || (a.length() == b.length() && compare(a, b) == 0);
  }

  /**
   * {@code strings} in the order of their UTF-8 bytes as written.
   *
   * @throws IllegalArgumentException naming the first two that encode to the same bytes
   */
  static String[] sorted(Collection<String> strings) {
    String[] sorted = strings.toArray(new String[0]);
    Arrays.sort(sorted, Utf8::compare);
    for (int i = 1; i < sorted.length; i++) {
      if (compare(sorted[i - 1], sorted[i]) == 0) {
        throw new IllegalArgumentException(
            "'" + sorted[i - 1] + "' and '" + sorted[i] + "' encode to the same UTF-8");
      }
    }
    return sorted;
  }

  /** Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
  static boolean valid(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      if (c < 0xC2) {
        return false; // stray continuation byte, or overlong 2-byte form
      } else if (c < 0xE0) {
        if (i + 1 >= to || (b[i + 1] & 0xC0) != 0x80) {
          return false;
        }
        i += 2;
      } else if (c < 0xF0) {
        if (i + 2 >= to) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c1 & 0xC0) != 0x80
            || (b[i + 2] & 0xC0) != 0x80
            || (c == 0xE0 && c1 < 0xA0) // overlong
            || (c == 0xED && c1 >= 0xA0)) { // surrogate
          return false;
        }
        i += 3;
      } else if (c < 0xF5) {
        if (i + 3 >= to) {
          return false;
        }
        int c1 = b[i + 1] & 0xFF;
        if ((c1 & 0xC0) != 0x80
            || (b[i + 2] & 0xC0) != 0x80
            || (b[i + 3] & 0xC0) != 0x80
            || (c == 0xF0 && c1 < 0x90) // overlong
            || (c == 0xF4 && c1 >= 0x90)) { // above U+10FFFF
          return false;
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }
}
