package io.libgossip.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * How hosts go on the wire: the tag that says whether a host is 4 raw IPv4 bytes, 16 raw IPv6 bytes
 * or a name, and the parsing and printing of the canonical IP literals that go out raw. Only text
 * is parsed; nothing is ever resolved.
 *
 * <p>A host goes out raw only when its text is exactly what {@link #formatIpv4} or {@link
 * #formatIpv6} prints for those bytes, so that it decodes to the very text it was sent as; an IPv6
 * literal of at most {@link #MAX_IPV6_NAME} bytes goes out as a name, which is then no longer.
 */
final class HostCodec {
  private HostCodec() {}

  /** Host tags; a name of n bytes has tag n + {@code HOST_NAME_BIAS}. */
  static final int HOST_IPV4 = 0;

  static final int HOST_IPV6 = 1;
  static final int HOST_NAME_BIAS = 1;

  /** What {@link #hostKind(String)} returns for a host sent as a name. */
  static final int HOST_NAME = -1;

  /**
   * The longest canonical IPv6 text sent as a name: as a name it takes at most the 17 bytes the raw
   * address would ({@code ::1} takes 4).
   */
  static final int MAX_IPV6_NAME = 16;

  /**
   * How {@code host} goes on the wire: {@link #HOST_IPV4}, {@link #HOST_IPV6}, or {@code -1} for a
   * name. Parses the text only; never resolves anything.
   */
  static int hostKind(String host) {
    return ipv4(host) >= 0 ? HOST_IPV4 : rawIpv6(host) ? HOST_IPV6 : HOST_NAME;
  }

  /** Whether {@code host}, not an IPv4 literal, goes on the wire as 16 raw IPv6 bytes. */
  static boolean rawIpv6(String host) {
    return host.length() > MAX_IPV6_NAME && ipv6(host, null, 0);
  }

  /**
   * Whether {@code host} could be a canonical IPv4 literal as far as its length and its first and
   * last chars go. Every one is; a host that is not, but passes ({@code 1.2.3.4.5}, {@code
   * 123456789}), makes the one-pass write give up.
   */
  static boolean looksLikeIpv4(String host) {
    int n = host.length();
    if (n < 7 || n > 15) {
      return false;
    }
    char first = host.charAt(0);
    char last = host.charAt(n - 1);
    return first >= '0' && first <= '9' && last >= '0' && last <= '9';
  }

  /**
   * The address {@code s} denotes when it is a canonical IPv4 literal (four decimal octets, no
   * leading zeros: exactly what {@link #formatIpv4} prints), otherwise {@code -1}.
   */
  static long ipv4(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return -1;
    }
    long value = 0;
    int i = 0;
    for (int part = 0; ; part++) {
      // an octet: '0', or 1 to 3 digits without a leading zero, at most 255
      int octet = s.charAt(i++) - '0';
      if (octet < 0 || octet > 9) {
        return -1;
      }
      if (octet != 0) {
        for (int k = 0; k < 2 && i < n; k++) {
          int digit = s.charAt(i) - '0';
          if (digit < 0 || digit > 9) {
            break;
          }
          octet = octet * 10 + digit;
          i++;
        }
        if (octet > 255) {
          return -1;
        }
      }
      value = value << 8 | octet;
      if (part == 3) {
        return i == n ? value : -1;
      }
      if (i >= n - 1 || s.charAt(i++) != '.') {
        return -1; // no '.', or nothing after it
      }
    }
  }

  /**
   * Whether {@code s} is a canonical IPv6 literal (RFC 5952: lowercase hex groups without leading
   * zeros, the longest run of two or more zero groups, the first of equal runs, compressed to
   * {@code ::}; exactly what {@link #formatIpv6} prints). When it is and {@code d} is not null,
   * writes its 16 bytes at {@code d[p]}; when it is not, {@code d[p..p+16)} may be overwritten.
   */
  static boolean ipv6(String s, byte @Nullable [] d, int p) {
    int n = s.length();
    if (n < 2 || n > 39 || s.indexOf(':') < 0) {
      return false;
    }
    if (d != null) {
      Arrays.fill(d, p, p + 16, (byte) 0);
    }
    int groups = 0; // groups read so far
    int gapAt = -1; // groups before "::", or -1 when there is none
    int zeros = 0; // bit g set when the g-th group read is zero
    int i = 0;
    if (s.charAt(0) == ':') {
      if (s.charAt(1) != ':') {
        return false;
      }
      gapAt = 0;
      i = 2;
    }
    while (i < n) {
      int start = i;
      int v = 0;
      while (i < n && i - start < 4) {
        int h = hexDigit(s.charAt(i));
        if (h < 0) {
          break;
        }
        v = v << 4 | h;
        i++;
      }
      int len = i - start;
      if (len == 0 || (len > 1 && s.charAt(start) == '0') || groups == 8) {
        return false;
      }
      if (d != null) {
        d[p + 2 * groups] = (byte) (v >>> 8);
        d[p + 2 * groups + 1] = (byte) v;
      }
      if (v == 0) {
        zeros |= 1 << groups;
      }
      groups++;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':' || ++i == n) {
        return false; // not a separator, or a trailing single ':'
      }
      if (s.charAt(i) == ':') {
        if (gapAt >= 0) {
          return false; // a second "::"
        }
        gapAt = groups;
        i++;
      }
    }
    int gap = 8 - groups;
    int mask;
    if (gapAt < 0) {
      if (gap != 0) {
        return false;
      }
      mask = zeros;
    } else {
      if (gap < 2) {
        return false; // "::" never stands for a single zero group (RFC 5952 4.2.2)
      }
      int before = zeros & ((1 << gapAt) - 1);
      int after = zeros >>> gapAt;
      mask = before | (((1 << gap) - 1) << gapAt) | (after << (gapAt + gap));
    }
    int runAt = longestZeroRun(mask);
    if (runAt != gapAt || (gapAt >= 0 && Integer.numberOfTrailingZeros(~(mask >>> gapAt)) != gap)) {
      return false;
    }
    if (d != null && gapAt >= 0) {
      int from = p + 2 * gapAt;
      System.arraycopy(d, from, d, from + 2 * gap, 2 * (groups - gapAt));
      Arrays.fill(d, from, from + 2 * gap, (byte) 0);
    }
    return true;
  }

  /** Where the longest run of two or more set bits of the 8-bit {@code mask} starts, or -1. */
  private static int longestZeroRun(int mask) {
    int bestAt = -1;
    int bestLength = 1;
    int g = 0;
    while (g < 8) {
      if ((mask >>> g & 1) == 0) {
        g++;
        continue;
      }
      int start = g;
      while (g < 8 && (mask >>> g & 1) != 0) {
        g++;
      }
      if (g - start > bestLength) {
        bestLength = g - start;
        bestAt = start;
      }
    }
    return bestAt;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }

  /** The dotted-decimal text of the 4 bytes at {@code b[p]}. */
  static String formatIpv4(byte[] b, int p) {
    byte[] text = new byte[15];
    return new String(text, 0, formatIpv4(b, p, text), StandardCharsets.ISO_8859_1);
  }

  /** Writes the dotted-decimal text of the 4 bytes at {@code b[p]} to {@code text}; its length. */
  static int formatIpv4(byte[] b, int p, byte[] text) {
    int n = 0;
    for (int i = 0; i < 4; i++) {
      if (i > 0) {
        text[n++] = '.';
      }
      int v = b[p + i] & 0xFF;
      if (v >= 100) {
        text[n++] = (byte) ('0' + v / 100);
      }
      if (v >= 10) {
        text[n++] = (byte) ('0' + v / 10 % 10);
      }
      text[n++] = (byte) ('0' + v % 10);
    }
    return n;
  }

  /** The RFC 5952 text of the 16 bytes at {@code b[p]}. */
  static String formatIpv6(byte[] b, int p) {
    byte[] text = new byte[39];
    return new String(text, 0, formatIpv6(b, p, text), StandardCharsets.ISO_8859_1);
  }

  /** Writes the RFC 5952 text of the 16 bytes at {@code b[p]} to {@code text}; its length. */
  static int formatIpv6(byte[] b, int p, byte[] text) {
    int mask = 0;
    for (int g = 0; g < 8; g++) {
      if (b[p + 2 * g] == 0 && b[p + 2 * g + 1] == 0) {
        mask |= 1 << g;
      }
    }
    int gapAt = longestZeroRun(mask);
    int gapEnd = gapAt < 0 ? -1 : gapAt + Integer.numberOfTrailingZeros(~(mask >>> gapAt));
    int n = 0;
    for (int g = 0; g < 8; g++) {
      if (g == gapAt) {
        text[n++] = ':';
        text[n++] = ':';
        g = gapEnd - 1;
        continue;
      }
      if (g > 0 && g != gapEnd) {
        text[n++] = ':';
      }
      int v = (b[p + 2 * g] & 0xFF) << 8 | (b[p + 2 * g + 1] & 0xFF);
      for (int shift = 12; shift >= 0; shift -= 4) {
        if (shift == 0 || v >>> shift != 0) {
          text[n++] = (byte) Character.forDigit((v >>> shift) & 0xF, 16);
        }
      }
    }
    return n;
  }
}
