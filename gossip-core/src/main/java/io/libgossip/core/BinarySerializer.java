package io.libgossip.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The compact binary wire format of libgossip, version 2.
 *
 * <p>Every message is one frame: a fixed 8-byte header, the sender, the type-specific fields and
 * the piggybacked updates. Integers are unsigned LEB128 varints unless noted; multi-byte fixed
 * fields are big-endian.
 *
 * <pre>
 *  0        1        2        3        4        5        6        7
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |  0x4C  |  0x47  | ver=2  |  type  |  cluster hash: FNV-1a 32 of the   |
 * |  'L'   |  'G'   |        |        |  UTF-8 cluster name, big-endian   |
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | from: string | fromAddress: address | type fields ...                 |
 * +--------------+----------------------+---------------------------------+
 * | update count: varint | update ... (count times)                       |
 * +----------------------+------------------------------------------------+
 *
 * type fields, by type code:
 *   1 PING       seq: varint (64-bit, unsigned) | target: string
 *   2 ACK        seq: varint
 *   3 PING_REQ   seq: varint | target: string | targetAddress: address
 *   4 NACK       seq: varint
 *   5 GOSSIP     (none)
 *   6 PUSH_PULL  flags: 1 byte (bit 0 join, bit 1 reply, bits 2..7 zero)
 *
 * update:
 * +--------+-----------+------------------+-------------+
 * | flags  | id:string | address: address | incarnation |
 * | 1 byte |           |                  | varint      |
 * +--------+-----------+------------------+-------------+
 * | [metadataVersion: varint] | [configEpoch: varint] | [from: string] |
 * +---------------------------+-----------------------+----------------+
 * | entry count: varint | entry ... (count times)                      |
 * +---------------------+----------------------------------------------+
 *   flags:  bits 0..1 status: 0 ONLINE, 1 SUSPECT, 2 FAILED, 3 LEFT
 *           bit 2     from present: set exactly when from differs from id (on the wire);
 *                     when clear, from is id
 *           bit 3     metadataVersion present: set exactly when it is not 0
 *           bit 4     configEpoch present: set exactly when it is not 0
 *           bits 5..7 zero
 *   entry:  key: string | value: string, keys in ascending unsigned byte order, no duplicates
 *
 * string:  length: varint | length bytes of UTF-8
 * address: host | port: 2 bytes, big-endian
 * host:    tag: varint, then
 *            tag 0:  an IPv4 address, 4 bytes (the host was dotted decimal: 10.0.0.1)
 *            tag 1:  an IPv6 address, 16 bytes (the host was in RFC 5952 form and longer
 *                    than 16 bytes: 2001:db8:85a3::8a2e:370:7334)
 *            tag n+1 (n = 1..255): a name, n bytes of UTF-8
 * </pre>
 *
 * <p>A host goes out as raw address bytes only when its text is exactly the canonical form the
 * decoder prints for those bytes: four decimal octets without leading zeros for IPv4; for IPv6
 * lowercase hex groups without leading zeros, with the longest run of two or more zero groups (the
 * first of equal runs) written as {@code ::}, no embedded IPv4 part or zone, and longer than 16
 * bytes (a shorter one, such as {@code ::1} or {@code fe80::1}, is smaller as a name). Any other
 * host ({@code 010.0.0.1}, {@code FE80::1}, {@code 0:0:0:0:0:0:0:1}, {@code fe80::1%eth0}, a DNS
 * name) goes out as a name, unchanged. Nothing is ever resolved.
 *
 * <p>Bounds: ids, hosts and metadata keys are at most 255 bytes, metadata values at most 65535
 * bytes, incarnations below 2<sup>32</sup>, and the whole message at most the configured maximum
 * message size. Varints are minimal (no redundant trailing groups) and at most 10 bytes.
 *
 * <p>Encoding is canonical: equal messages encode to equal bytes, and the decoder accepts only
 * canonical encodings, so a message that decodes re-encodes to exactly the bytes it came from. It
 * rejects in particular a present field holding the value its absence stands for (a {@code from}
 * equal to the id, a metadataVersion or configEpoch of 0), a set reserved flag bit, a name host
 * that should have gone out raw, and a raw IPv6 address that should have gone out as a name.
 * Strings are written as {@link String#getBytes(java.nio.charset.Charset)} writes them: an unpaired
 * surrogate becomes {@code '?'}.
 *
 * <p>Encoding writes in one pass when every string of the message is ASCII (the size is then known
 * without reading the strings), and otherwise measures first and writes again. It allocates nothing
 * but the output array of {@link #encode(GossipMessage)}, except for updates with more than {@value
 * #SMALL_METADATA} metadata entries, whose keys are sorted in a temporary array, and a message with
 * a non-ASCII string, whose one-pass attempt is abandoned (a second array for {@code encode}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BinarySerializer implements MessageSerializer {

  /** The wire format version this class reads and writes. */
  public static final int VERSION = 2;

  /** Size of the fixed header (magic, version, type, cluster hash) in bytes. */
  public static final int HEADER_BYTES = 8;

  /** The largest metadata key, in bytes of UTF-8. */
  public static final int MAX_METADATA_KEY_BYTES = 255;

  /** The largest metadata value, in bytes of UTF-8. */
  public static final int MAX_METADATA_VALUE_BYTES = 65535;

  private static final byte MAGIC_0 = 0x4C; // 'L'
  private static final byte MAGIC_1 = 0x47; // 'G'

  private static final int FLAG_JOIN = 1;
  private static final int FLAG_REPLY = 2;

  /** Update flags: the status in bits 0..1, then which optional fields are present. */
  static final int UPDATE_STATUS_MASK = 0x03;

  static final int UPDATE_HAS_FROM = 0x04;
  static final int UPDATE_HAS_METADATA_VERSION = 0x08;
  static final int UPDATE_HAS_CONFIG_EPOCH = 0x10;
  static final int UPDATE_RESERVED = 0xE0;

  private static final NodeStatus[] STATUSES = {
    NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
  };

  /** Host tags; a name of n bytes has tag n + {@code HOST_NAME_BIAS}. */
  static final int HOST_IPV4 = 0;

  static final int HOST_IPV6 = 1;
  private static final int HOST_NAME_BIAS = 1;

  /**
   * The longest canonical IPv6 text sent as a name: as a name it takes at most the 17 bytes the raw
   * address would ({@code ::1} takes 4).
   */
  static final int MAX_IPV6_NAME = 16;

  /** What {@link #hostKind(String)} returns for a host sent as a name. */
  private static final int HOST_NAME = -1;

  /**
   * The fewest bytes an update can occupy as far as the structure goes: the flags, the id length,
   * the host tag, the 2-byte port, the incarnation and the metadata entry count.
   */
  private static final int MIN_UPDATE_BYTES = 7;

  private static final byte[] EMPTY = new byte[0];

  /**
   * What the one-pass writers return when the guess they write to does not hold: a string is not
   * ASCII, or a host that looks like an IPv4 address is not one.
   */
  private static final int GAVE_UP = -1;

  /** The fewest bytes a metadata entry can occupy (two empty strings). */
  private static final int MIN_ENTRY_BYTES = 2;

  /**
   * Metadata with at most this many entries is written in key order by repeated scans (quadratic,
   * but without allocating); larger metadata sorts its keys in a temporary array.
   */
  static final int SMALL_METADATA = 8;

  private static final Comparator<String> UTF8_ORDER = BinarySerializer::compareUtf8;

  private final String clusterName;
  private final int clusterHash;
  private final int maxMessageSize;

  /**
   * A serializer for the cluster {@code clusterName} that rejects incoming messages longer than
   * {@code maxMessageSize} bytes.
   *
   * @throws IllegalArgumentException when {@code maxMessageSize} is smaller than {@link
   *     #HEADER_BYTES}
   */
  public BinarySerializer(String clusterName, int maxMessageSize) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    if (maxMessageSize < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "maxMessageSize must be at least " + HEADER_BYTES + ", got " + maxMessageSize);
    }
    this.clusterHash = clusterHash(clusterName);
    this.maxMessageSize = maxMessageSize;
  }

  /** A serializer for the cluster name and maximum message size of {@code config}. */
  public static BinarySerializer forConfig(GossipConfig config) {
    Objects.requireNonNull(config, "config");
    return new BinarySerializer(config.clusterName(), config.maxMessageSize());
  }

  @Override
  public String name() {
    return "binary";
  }

  /** The cluster whose messages this serializer writes and accepts. */
  public String clusterName() {
    return clusterName;
  }

  /** The largest message {@link #decode(byte[], int, int)} accepts, in bytes. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public String toString() {
    return "BinarySerializer{cluster=" + clusterName + ", maxMessageSize=" + maxMessageSize + "}";
  }

  /** FNV-1a, 32 bits, over the UTF-8 bytes of {@code name}. */
  static int clusterHash(String name) {
    int h = 0x811C9DC5;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x01000193;
    }
    return h;
  }

  // ---------------------------------------------------------------------------------------------
  // Sizes

  /** The number of bytes {@code v} takes as an unsigned LEB128 varint (1 to 10). */
  public static int varintSize(long v) {
    // 1 + floor((bit length - 1) / 7), with 0 taking one byte
    int bits = 64 - Long.numberOfLeadingZeros(v | 1);
    return (bits + 6) / 7;
  }

  /**
   * The exact number of bytes {@code update} takes inside a message. A message's size is its size
   * without updates, less one, plus {@link #varintSize(long) varintSize(count)}, plus the sum of
   * its updates' sizes.
   *
   * @throws IllegalArgumentException when a metadata key or value exceeds the wire bounds
   */
  public static int updateSize(MemberUpdate update) {
    int size = update.wireSize;
    if (size == 0) {
      size = checkedInt(updateSize(update, false));
      update.wireSize = size;
    }
    return size;
  }

  /**
   * The size of {@code update}; or with {@code ascii} a guess found without reading the strings:
   * the size it has if all its strings are ASCII and each host that {@link #looksLikeIpv4 looks
   * like} an IPv4 address is one (then exact; otherwise smaller than exact).
   */
  private static long updateSize(MemberUpdate update, boolean ascii) {
    long size =
        1L
            + stringSize(update.id(), ascii)
            + addressSize(update.address(), ascii)
            + varintSize(update.incarnation());
    if (update.metadataVersion() != 0) {
      size += varintSize(update.metadataVersion());
    }
    if (update.configEpoch() != 0) {
      size += varintSize(update.configEpoch());
    }
    if (!sameOnWire(update.from(), update.id())) {
      size += stringSize(update.from(), ascii);
    }
    return size + metadataSize(update.id(), update.metadata(), ascii);
  }

  @Override
  public int encodedSize(GossipMessage message) {
    return checkedInt(size(message, false));
  }

  /**
   * The size of {@code message}; with {@code ascii}, as {@link #updateSize(MemberUpdate, boolean)}.
   */
  private static long size(GossipMessage message, boolean ascii) {
    Objects.requireNonNull(message, "message");
    long size =
        (long) HEADER_BYTES
            + stringSize(message.from(), ascii)
            + addressSize(message.fromAddress(), ascii);
    if (message instanceof GossipMessage.Ping) {
      GossipMessage.Ping m = (GossipMessage.Ping) message;
      size += varintSize(m.seq()) + stringSize(m.target(), ascii);
    } else if (message instanceof GossipMessage.Ack) {
      size += varintSize(((GossipMessage.Ack) message).seq());
    } else if (message instanceof GossipMessage.PingReq) {
      GossipMessage.PingReq m = (GossipMessage.PingReq) message;
      size +=
          varintSize(m.seq())
              + stringSize(m.target(), ascii)
              + addressSize(m.targetAddress(), ascii);
    } else if (message instanceof GossipMessage.Nack) {
      size += varintSize(((GossipMessage.Nack) message).seq());
    } else if (message instanceof GossipMessage.PushPull) {
      size += 1;
    }
    List<MemberUpdate> updates = message.updates();
    int n = updates.size();
    size += varintSize(n);
    for (int i = 0; i < n; i++) {
      MemberUpdate u = updates.get(i);
      // A claim already sized (every queued claim is) counts exactly, which is what the guess
      // would give for an all-ASCII claim; for any other the one-pass write gives up anyway.
      size += ascii && u.wireSize == 0 ? updateSize(u, true) : updateSize(u);
    }
    return size;
  }

  private static int stringSize(String s, boolean ascii) {
    int len = ascii ? s.length() : Utf8.length(s);
    return varintSize(len) + len;
  }

  private static int addressSize(NodeAddress a, boolean ascii) {
    String host = a.host();
    // the address knows whether it is IPv4 (parsed once); the ASCII guess also takes a host that
    // merely looks like one for one, and the write checks it
    int kind =
        a.ipv4() >= 0 || (ascii && looksLikeIpv4(host))
            ? HOST_IPV4
            : rawIpv6(host) ? HOST_IPV6 : HOST_NAME;
    int hostSize;
    if (kind == HOST_IPV4) {
      hostSize = 1 + 4;
    } else if (kind == HOST_IPV6) {
      hostSize = 1 + 16;
    } else {
      int len = ascii ? host.length() : Utf8.length(host);
      hostSize = varintSize(len + HOST_NAME_BIAS) + len;
    }
    return hostSize + 2;
  }

  private static long metadataSize(String id, Map<String, String> metadata, boolean ascii) {
    long size = varintSize(metadata.size());
    if (metadata.isEmpty()) {
      return size;
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      // with ascii, a lower bound: a non-ASCII key beyond the bound is caught by the exact pass
      int k = ascii ? e.getKey().length() : Utf8.length(e.getKey());
      int v = ascii ? e.getValue().length() : Utf8.length(e.getValue());
      if (k > MAX_METADATA_KEY_BYTES) {
        throw new IllegalArgumentException(
            "metadata key of member '"
                + id
                + "' must be at most "
                + MAX_METADATA_KEY_BYTES
                + " bytes of UTF-8, got "
                + k);
      }
      if (v > MAX_METADATA_VALUE_BYTES) {
        throw new IllegalArgumentException(
            "metadata value of key '"
                + e.getKey()
                + "' of member '"
                + id
                + "' must be at most "
                + MAX_METADATA_VALUE_BYTES
                + " bytes of UTF-8, got "
                + v);
      }
      size += varintSize(k) + k + varintSize(v) + v;
    }
    return size;
  }

  private static int checkedInt(long size) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("message too large to encode: " + size + " bytes");
    }
    return (int) size;
  }

  /** Whether {@code a} and {@code b} encode to the same bytes (equal, or alike but for '?'). */
  private static boolean sameOnWire(String a, String b) {
    // Equal UTF-8 implies equal UTF-16 length: only a surrogate pair makes a 4-byte sequence.
    return a.equals(b) || (a.length() == b.length() && compareUtf8(a, b) == 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Hosts

  /**
   * How {@code host} goes on the wire: {@link #HOST_IPV4}, {@link #HOST_IPV6}, or {@code -1} for a
   * name. Parses the text only; never resolves anything.
   */
  static int hostKind(String host) {
    return ipv4(host) >= 0 ? HOST_IPV4 : rawIpv6(host) ? HOST_IPV6 : HOST_NAME;
  }

  /** Whether {@code host}, not an IPv4 literal, goes on the wire as 16 raw IPv6 bytes. */
  private static boolean rawIpv6(String host) {
    return host.length() > MAX_IPV6_NAME && ipv6(host, null, 0);
  }

  /**
   * Whether {@code host} could be a canonical IPv4 literal as far as its length and its first and
   * last chars go. Every one is; a host that is not, but passes ({@code 1.2.3.4.5}, {@code
   * 123456789}), makes the one-pass write give up.
   */
  private static boolean looksLikeIpv4(String host) {
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
  private static int formatIpv4(byte[] b, int p, byte[] text) {
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
  private static int formatIpv6(byte[] b, int p, byte[] text) {
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

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when a metadata key or value exceeds the wire bounds, or two
   *     metadata keys of one member encode to the same bytes
   */
  @Override
  public byte[] encode(GossipMessage message) {
    // One pass when every string is ASCII (the size is then known without reading them).
    int guess = checkedInt(size(message, true));
    byte[] dst = new byte[guess];
    if (write(message, dst, 0, true) == guess) {
      return dst;
    }
    int size = encodedSize(message);
    dst = new byte[size];
    int end = write(message, dst, 0, false);
    assert end == size : "wrote " + end + " bytes, computed " + size;
    return dst;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Messages larger than {@link #maxMessageSize()} are written; deciding whether to send them is
   * the caller's business. When it throws {@link IndexOutOfBoundsException} for a message with a
   * non-ASCII string, the bytes of {@code dst} from {@code offset} may have been overwritten.
   *
   * @throws IllegalArgumentException when a metadata key or value exceeds the wire bounds, or two
   *     metadata keys of one member encode to the same bytes
   */
  @Override
  public int encode(GossipMessage message, byte[] dst, int offset) {
    Objects.requireNonNull(dst, "dst");
    // One pass when every string is ASCII and the room suffices (see encode(GossipMessage)).
    int guess = checkedInt(size(message, true));
    if (offset >= 0 && offset <= dst.length && dst.length - offset >= guess) {
      int end = write(message, dst, offset, true);
      if (end >= 0) {
        return end - offset;
      }
    }
    int size = encodedSize(message);
    Objects.checkFromIndexSize(offset, size, dst.length);
    int end = write(message, dst, offset, false);
    assert end - offset == size : "wrote " + (end - offset) + " bytes, computed " + size;
    return size;
  }

  /**
   * Writes {@code message} at {@code d[offset]} and returns where it ends. With {@code asciiOnly},
   * gives up where {@code size(message, true)} guessed wrong (a string that is not ASCII, a host
   * that looks like an IPv4 address but is not one) and returns {@link #GAVE_UP}, having written no
   * further than that guess.
   */
  private int write(GossipMessage message, byte[] d, int offset, boolean asciiOnly) {
    int p = offset;
    d[p++] = MAGIC_0;
    d[p++] = MAGIC_1;
    d[p++] = (byte) VERSION;
    d[p++] = (byte) message.type().code();
    d[p++] = (byte) (clusterHash >>> 24);
    d[p++] = (byte) (clusterHash >>> 16);
    d[p++] = (byte) (clusterHash >>> 8);
    d[p++] = (byte) clusterHash;
    p = writeString(d, p, message.from(), 0, asciiOnly);
    p = p < 0 ? GAVE_UP : writeAddress(d, p, message.fromAddress(), asciiOnly);
    if (p < 0) {
      return GAVE_UP;
    }
    if (message instanceof GossipMessage.Ping) {
      GossipMessage.Ping m = (GossipMessage.Ping) message;
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target(), 0, asciiOnly);
    } else if (message instanceof GossipMessage.Ack) {
      p = writeVarint(d, p, ((GossipMessage.Ack) message).seq());
    } else if (message instanceof GossipMessage.PingReq) {
      GossipMessage.PingReq m = (GossipMessage.PingReq) message;
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target(), 0, asciiOnly);
      p = p < 0 ? GAVE_UP : writeAddress(d, p, m.targetAddress(), asciiOnly);
    } else if (message instanceof GossipMessage.Nack) {
      p = writeVarint(d, p, ((GossipMessage.Nack) message).seq());
    } else if (message instanceof GossipMessage.PushPull) {
      GossipMessage.PushPull m = (GossipMessage.PushPull) message;
      d[p++] = (byte) ((m.join() ? FLAG_JOIN : 0) | (m.reply() ? FLAG_REPLY : 0));
    }
    if (p < 0) {
      return GAVE_UP;
    }
    List<MemberUpdate> updates = message.updates();
    int n = updates.size();
    p = writeVarint(d, p, n);
    for (int i = 0; i < n && p >= 0; i++) {
      p = writeUpdate(d, p, updates.get(i), asciiOnly);
    }
    return p;
  }

  private static int writeUpdate(byte[] d, int p, MemberUpdate u, boolean asciiOnly) {
    String id = u.id();
    String from = u.from();
    long metadataVersion = u.metadataVersion();
    long configEpoch = u.configEpoch();
    boolean hasFrom = !sameOnWire(from, id);
    d[p++] =
        (byte)
            (statusCode(u.status())
                | (hasFrom ? UPDATE_HAS_FROM : 0)
                | (metadataVersion != 0 ? UPDATE_HAS_METADATA_VERSION : 0)
                | (configEpoch != 0 ? UPDATE_HAS_CONFIG_EPOCH : 0));
    p = writeString(d, p, id, 0, asciiOnly);
    p = p < 0 ? GAVE_UP : writeAddress(d, p, u.address(), asciiOnly);
    if (p < 0) {
      return GAVE_UP;
    }
    p = writeVarint(d, p, u.incarnation());
    if (metadataVersion != 0) {
      p = writeVarint(d, p, metadataVersion);
    }
    if (configEpoch != 0) {
      p = writeVarint(d, p, configEpoch);
    }
    if (hasFrom) {
      p = writeString(d, p, from, 0, asciiOnly);
      if (p < 0) {
        return GAVE_UP;
      }
    }
    return writeMetadata(d, p, u, asciiOnly);
  }

  private static int writeMetadata(byte[] d, int p, MemberUpdate u, boolean asciiOnly) {
    Map<String, String> metadata = u.metadata();
    int n = metadata.size();
    p = writeVarint(d, p, n);
    if (n == 0) {
      return p;
    }
    if (n > SMALL_METADATA) {
      String[] keys = sortedKeys(u);
      for (int i = 0; i < keys.length && p >= 0; i++) {
        p =
            writeEntry(
                d, p, keys[i], Objects.requireNonNull(metadata.get(keys[i]), keys[i]), asciiOnly);
      }
      return p;
    }
    if (n <= 2) {
      // the common sizes, in one pass over the entries
      Iterator<Map.Entry<String, String>> it = metadata.entrySet().iterator();
      Map.Entry<String, String> first = it.next();
      if (n == 1) {
        return writeEntry(d, p, first.getKey(), first.getValue(), asciiOnly);
      }
      Map.Entry<String, String> second = it.next();
      int order = compareUtf8(first.getKey(), second.getKey());
      if (order == 0) {
        sortedKeys(u); // throws, naming the keys
      }
      if (order > 0) {
        Map.Entry<String, String> t = first;
        first = second;
        second = t;
      }
      p = writeEntry(d, p, first.getKey(), first.getValue(), asciiOnly);
      return p < 0 ? GAVE_UP : writeEntry(d, p, second.getKey(), second.getValue(), asciiOnly);
    }
    // Selection: each round writes the smallest key above the last one written. With keys that
    // encode alike, fewer than n rounds find one.
    String last = null;
    for (int round = 0; round < n && p >= 0; round++) {
      String key = null;
      String value = null;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        String k = e.getKey();
        if ((last == null || compareUtf8(k, last) > 0)
            && (key == null || compareUtf8(k, key) < 0)) {
          key = k;
          value = e.getValue();
        }
      }
      if (key == null || value == null) {
        sortedKeys(u); // throws, naming the keys
        throw new AssertionError("metadata keys of '" + u.id() + "' did not sort");
      }
      p = writeEntry(d, p, key, value, asciiOnly);
      last = key;
    }
    return p;
  }

  private static int writeEntry(byte[] d, int p, String key, String value, boolean asciiOnly) {
    p = writeString(d, p, key, 0, asciiOnly);
    return p < 0 ? GAVE_UP : writeString(d, p, value, 0, asciiOnly);
  }

  /**
   * The metadata keys of {@code u} in wire order.
   *
   * @throws IllegalArgumentException when two keys encode to the same bytes
   */
  private static String[] sortedKeys(MemberUpdate u) {
    String[] keys = u.metadata().keySet().toArray(new String[0]);
    Arrays.sort(keys, UTF8_ORDER);
    for (int i = 1; i < keys.length; i++) {
      if (compareUtf8(keys[i - 1], keys[i]) == 0) {
        throw new IllegalArgumentException(
            "metadata keys of member '"
                + u.id()
                + "' encode to the same UTF-8: '"
                + keys[i - 1]
                + "' and '"
                + keys[i]
                + "'");
      }
    }
    return keys;
  }

  private static int writeAddress(byte[] d, int p, NodeAddress a, boolean asciiOnly) {
    String host = a.host();
    long v4 = a.ipv4();
    if (asciiOnly && v4 < 0 && looksLikeIpv4(host)) {
      return GAVE_UP; // the guess counted it as an IPv4 address
    }
    if (v4 >= 0) {
      d[p++] = HOST_IPV4;
      d[p++] = (byte) (v4 >>> 24);
      d[p++] = (byte) (v4 >>> 16);
      d[p++] = (byte) (v4 >>> 8);
      d[p++] = (byte) v4;
    } else if (rawIpv6(host)) {
      d[p] = HOST_IPV6;
      ipv6(host, d, p + 1);
      p += 1 + 16;
    } else {
      p = writeString(d, p, host, HOST_NAME_BIAS, asciiOnly);
      if (p < 0) {
        return GAVE_UP;
      }
    }
    int port = a.port();
    d[p++] = (byte) (port >>> 8);
    d[p++] = (byte) port;
    return p;
  }

  private static int writeVarint(byte[] d, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      d[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    d[p++] = (byte) v;
    return p;
  }

  /**
   * Writes the UTF-8 length of {@code s} plus {@code bias}, then its bytes; unpaired surrogates
   * become '?'. An ASCII string is copied in one pass. At its first other character the string is
   * written again by the general path, or, with {@code asciiOnly}, the call returns {@link
   * #GAVE_UP}. Either way it writes no further than an ASCII string of this length would.
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): see below
  private static int writeString(byte[] d, int p, String s, int bias, boolean asciiOnly) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return asciiOnly ? GAVE_UP : writeUtf8(d, p, s, bias);
      }
    }
    p = writeVarint(d, p, n + bias);
    // Every char is ASCII, so its low byte is its UTF-8 encoding: exactly what this (deprecated
    // for not encoding) method copies, in bulk for a Latin-1 string.
    s.getBytes(0, n, d, p);
    return p + n;
  }

  private static int writeUtf8(byte[] d, int p, String s, int bias) {
    p = writeVarint(d, p, Utf8.length(s) + bias);
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        d[p++] = (byte) c;
      } else if (c < 0x800) {
        d[p++] = (byte) (0xC0 | (c >>> 6));
        d[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        char next;
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(next = s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, next);
          d[p++] = (byte) (0xF0 | (cp >>> 18));
          d[p++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
          d[p++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
          d[p++] = (byte) (0x80 | (cp & 0x3F));
          i++;
        } else {
          d[p++] = '?';
        }
      } else {
        d[p++] = (byte) (0xE0 | (c >>> 12));
        d[p++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
        d[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return p;
  }

  /**
   * Compares strings by their UTF-8 bytes as written (code point order, unpaired surrogates read as
   * '?').
   */
  private static int compareUtf8(String a, String b) {
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

  private static int statusCode(NodeStatus status) {
    switch (status) {
      case ONLINE:
        return 0;
      case SUSPECT:
        return 1;
      case FAILED:
        return 2;
      case LEFT:
        return 3;
      default:
        throw new IllegalArgumentException("status " + status + " is never sent");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /**
   * {@inheritDoc}
   *
   * <p>Fails with {@link DropReason#TRUNCATED}, {@link DropReason#BAD_MAGIC}, {@link
   * DropReason#UNSUPPORTED_VERSION}, {@link DropReason#WRONG_CLUSTER}, {@link
   * DropReason#UNKNOWN_TYPE}, {@link DropReason#TOO_LARGE} (a message, length or count beyond its
   * bound) or {@link DropReason#MALFORMED} (any other invalid or non-canonical content). No other
   * exception escapes for any content of the range, and decoding allocates at most a small multiple
   * of {@code length}.
   *
   * @throws IndexOutOfBoundsException when the range lies outside {@code bytes} (a caller bug)
   */
  @Override
  public GossipMessage decode(byte[] bytes, int offset, int length) throws DecodeException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (length > maxMessageSize) {
      throw new DecodeException(
          DropReason.TOO_LARGE,
          "message of " + length + " bytes exceeds maxMessageSize " + maxMessageSize);
    }
    int end = offset + length;
    // Header fields are checked as far as they are present, so a short packet of another
    // protocol or version is named as such rather than as truncated.
    if ((length >= 1 && bytes[offset] != MAGIC_0)
        || (length >= 2 && bytes[offset + 1] != MAGIC_1)) {
      throw new DecodeException(DropReason.BAD_MAGIC, "not a libgossip binary message");
    }
    if (length >= 3 && (bytes[offset + 2] & 0xFF) != VERSION) {
      throw new DecodeException(
          DropReason.UNSUPPORTED_VERSION,
          "wire version " + (bytes[offset + 2] & 0xFF) + ", expected " + VERSION);
    }
    GossipMessage.MessageType type = null;
    if (length >= 4) {
      int typeCode = bytes[offset + 3] & 0xFF;
      type = GossipMessage.MessageType.fromCode(typeCode);
      if (type == null) {
        throw new DecodeException(DropReason.UNKNOWN_TYPE, "unknown message type " + typeCode);
      }
    }
    if (length < HEADER_BYTES || type == null) {
      throw new DecodeException(
          DropReason.TRUNCATED, "message of " + length + " bytes is shorter than its header");
    }
    int hash =
        (bytes[offset + 4] & 0xFF) << 24
            | (bytes[offset + 5] & 0xFF) << 16
            | (bytes[offset + 6] & 0xFF) << 8
            | (bytes[offset + 7] & 0xFF);
    if (hash != clusterHash) {
      throw new DecodeException(
          DropReason.WRONG_CLUSTER,
          "cluster hash "
              + Integer.toHexString(hash)
              + " is not "
              + Integer.toHexString(clusterHash));
    }
    Reader r = new Reader(bytes, offset + HEADER_BYTES, end, maxMessageSize);
    try {
      GossipMessage message = r.body(type);
      if (r.pos != end) {
        throw new DecodeException(
            DropReason.MALFORMED, (end - r.pos) + " trailing bytes after the message");
      }
      return message;
    } catch (IllegalArgumentException | NullPointerException e) {
      // a field the wire can carry but the model rejects (an empty id or host, ...)
      throw new DecodeException(DropReason.MALFORMED, "invalid field: " + e.getMessage());
    }
  }

  /** A cursor over one message body. One per decode; never shared. */
  private static final class Reader {
    private final byte[] b;
    private final int end;
    private final int maxMessageSize;
    private int pos;

    /** Start and length of the last string span read by {@link #span}. */
    private int spanStart;

    private int spanLength;

    /** Where the message's {@code from} lies, to share its String with updates naming it. */
    private int fromStart;

    private int fromLength;
    private String from = "";

    private byte[] text = EMPTY;

    Reader(byte[] b, int pos, int end, int maxMessageSize) {
      this.b = b;
      this.pos = pos;
      this.end = end;
      this.maxMessageSize = maxMessageSize;
    }

    GossipMessage body(GossipMessage.MessageType type) throws DecodeException {
      span(MemberUpdate.MAX_ID_BYTES, "from");
      fromStart = spanStart;
      fromLength = spanLength;
      from = spanString();
      NodeAddress fromAddress = address();
      switch (type) {
        case PING:
          {
            long seq = varint();
            String target = string(MemberUpdate.MAX_ID_BYTES, "target");
            return new GossipMessage.Ping(from, fromAddress, seq, target, updates());
          }
        case ACK:
          {
            long seq = varint();
            return new GossipMessage.Ack(from, fromAddress, seq, updates());
          }
        case PING_REQ:
          {
            long seq = varint();
            String target = string(MemberUpdate.MAX_ID_BYTES, "target");
            NodeAddress targetAddress = address();
            return new GossipMessage.PingReq(
                from, fromAddress, seq, target, targetAddress, updates());
          }
        case NACK:
          {
            long seq = varint();
            return new GossipMessage.Nack(from, fromAddress, seq, updates());
          }
        case GOSSIP:
          return new GossipMessage.Gossip(from, fromAddress, updates());
        case PUSH_PULL:
          {
            int flags = u8();
            if ((flags & ~(FLAG_JOIN | FLAG_REPLY)) != 0) {
              throw new DecodeException(
                  DropReason.MALFORMED, "unknown push-pull flags 0x" + Integer.toHexString(flags));
            }
            return new GossipMessage.PushPull(
                from, fromAddress, (flags & FLAG_JOIN) != 0, (flags & FLAG_REPLY) != 0, updates());
          }
        default:
          throw new DecodeException(DropReason.UNKNOWN_TYPE, "unknown message type " + type);
      }
    }

    private List<MemberUpdate> updates() throws DecodeException {
      int n = count(MIN_UPDATE_BYTES, "update");
      if (n == 0) {
        return List.of();
      }
      MemberUpdate[] updates = new MemberUpdate[n];
      for (int i = 0; i < n; i++) {
        updates[i] = update();
      }
      return List.of(updates);
    }

    private MemberUpdate update() throws DecodeException {
      int flags = u8();
      if ((flags & UPDATE_RESERVED) != 0) {
        throw new DecodeException(
            DropReason.MALFORMED, "reserved update flags set: 0x" + Integer.toHexString(flags));
      }
      NodeStatus status = STATUSES[flags & UPDATE_STATUS_MASK];
      span(MemberUpdate.MAX_ID_BYTES, "update id");
      int idStart = spanStart;
      int idLength = spanLength;
      String id = sameAsFrom() ? from : spanString();
      NodeAddress address = address();
      long incarnation = varint();
      if (incarnation < 0 || incarnation > MemberUpdate.MAX_INCARNATION) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "incarnation " + Long.toUnsignedString(incarnation) + " exceeds 2^32-1");
      }
      long metadataVersion =
          (flags & UPDATE_HAS_METADATA_VERSION) != 0 ? presentVarint("metadataVersion") : 0;
      long configEpoch = (flags & UPDATE_HAS_CONFIG_EPOCH) != 0 ? presentVarint("configEpoch") : 0;
      String claimant = id;
      if ((flags & UPDATE_HAS_FROM) != 0) {
        span(MemberUpdate.MAX_ID_BYTES, "update from");
        if (Arrays.equals(b, spanStart, spanStart + spanLength, b, idStart, idStart + idLength)) {
          throw new DecodeException(
              DropReason.MALFORMED, "update from equals its id but is not omitted");
        }
        claimant = sameAsFrom() ? from : spanString();
      }
      Map<String, String> metadata = metadata();
      return new MemberUpdate(
          id, address, status, incarnation, metadata, metadataVersion, configEpoch, claimant);
    }

    private Map<String, String> metadata() throws DecodeException {
      int n = count(MIN_ENTRY_BYTES, "metadata entry");
      if (n == 0) {
        return Map.of();
      }
      @SuppressWarnings({"unchecked", "rawtypes"})
      Map.Entry<String, String>[] entries = n == 1 ? null : new Map.Entry[n];
      int prevStart = 0;
      int prevLength = 0;
      for (int i = 0; i < n; i++) {
        span(MAX_METADATA_KEY_BYTES, "metadata key");
        // Keys are strictly ascending in unsigned byte order: canonical and free of duplicates.
        if (i > 0
            && Arrays.compareUnsigned(
                    b, prevStart, prevStart + prevLength, b, spanStart, spanStart + spanLength)
                >= 0) {
          throw new DecodeException(
              DropReason.MALFORMED, "metadata keys not in strictly ascending order");
        }
        prevStart = spanStart;
        prevLength = spanLength;
        String key = spanString();
        String value = string(MAX_METADATA_VALUE_BYTES, "metadata value");
        if (entries == null) {
          return Map.of(key, value);
        }
        entries[i] = Map.entry(key, value);
      }
      return Map.ofEntries(entries);
    }

    private boolean sameAsFrom() {
      return spanLength == fromLength
          && Arrays.equals(
              b, spanStart, spanStart + spanLength, b, fromStart, fromStart + fromLength);
    }

    private NodeAddress address() throws DecodeException {
      long tag = varint();
      String host;
      long v4 = -1;
      if (tag == HOST_IPV4) {
        need(4, "IPv4 address");
        byte[] t = text();
        host = new String(t, 0, formatIpv4(b, pos, t), StandardCharsets.ISO_8859_1);
        v4 =
            (b[pos] & 0xFFL) << 24
                | (b[pos + 1] & 0xFF) << 16
                | (b[pos + 2] & 0xFF) << 8
                | (b[pos + 3] & 0xFF);
        pos += 4;
      } else if (tag == HOST_IPV6) {
        need(16, "IPv6 address");
        byte[] t = text();
        int length = formatIpv6(b, pos, t);
        if (length <= MAX_IPV6_NAME) {
          throw new DecodeException(
              DropReason.MALFORMED, "IPv6 address with a text of " + length + " bytes sent raw");
        }
        host = new String(t, 0, length, StandardCharsets.ISO_8859_1);
        pos += 16;
      } else {
        host = stringOfLength(tag - HOST_NAME_BIAS, NodeAddress.MAX_HOST_BYTES, "host");
        if (host.isEmpty()) {
          throw new DecodeException(DropReason.MALFORMED, "empty host");
        }
        if (hostKind(host) != HOST_NAME) {
          throw new DecodeException(
              DropReason.MALFORMED, "host " + host + " is an IP address written as a name");
        }
      }
      need(2, "port");
      int port = (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
      pos += 2;
      // host: a formatted IP literal, or a name of at most MAX_HOST_BYTES checked above
      return new NodeAddress(host, port, v4);
    }

    /** Scratch for the text of IP addresses, shared by all the hosts of one message. */
    private byte[] text() {
      if (text.length == 0) {
        text = new byte[39];
      }
      return text;
    }

    private void need(int n, String what) throws DecodeException {
      if (end - pos < n) {
        throw new DecodeException(DropReason.TRUNCATED, "message ends inside the " + what);
      }
    }

    /** Reads a count of items that each take at least {@code minBytes}, bounded by the input. */
    private int count(int minBytes, String what) throws DecodeException {
      long n = varint();
      if (n < 0 || n > maxMessageSize / minBytes) {
        throw new DecodeException(
            DropReason.TOO_LARGE, what + " count " + Long.toUnsignedString(n) + " too large");
      }
      if (n > (end - pos) / minBytes) {
        throw new DecodeException(
            DropReason.TRUNCATED, what + " count " + n + " exceeds the remaining bytes");
      }
      return (int) n;
    }

    private String string(int maxBytes, String what) throws DecodeException {
      span(maxBytes, what);
      return spanString();
    }

    /** Reads a string's length, checks bounds and UTF-8, and skips it, recording its span. */
    private void span(int maxBytes, String what) throws DecodeException {
      spanOfLength(varint(), maxBytes, what);
    }

    private String stringOfLength(long n, int maxBytes, String what) throws DecodeException {
      spanOfLength(n, maxBytes, what);
      return spanString();
    }

    /** Checks bounds and UTF-8 of a string of {@code n} bytes at pos, and skips it. */
    private void spanOfLength(long n, int maxBytes, String what) throws DecodeException {
      if (n < 0 || n > maxBytes) {
        throw new DecodeException(
            DropReason.TOO_LARGE,
            what + " of " + Long.toUnsignedString(n) + " bytes exceeds " + maxBytes);
      }
      int len = (int) n;
      if (len > end - pos) {
        throw new DecodeException(
            DropReason.TRUNCATED, what + " of " + len + " bytes exceeds the remaining bytes");
      }
      if (!validUtf8(b, pos, pos + len)) {
        throw new DecodeException(DropReason.MALFORMED, what + " is not valid UTF-8");
      }
      spanStart = pos;
      spanLength = len;
      pos += len;
    }

    private String spanString() {
      return spanLength == 0 ? "" : new String(b, spanStart, spanLength, StandardCharsets.UTF_8);
    }

    private int u8() throws DecodeException {
      if (pos >= end) {
        throw new DecodeException(DropReason.TRUNCATED, "message ends early");
      }
      return b[pos++] & 0xFF;
    }

    /** Reads an optional field that is present: in [1, 2^63). */
    private long presentVarint(String what) throws DecodeException {
      long v = varint();
      if (v < 0) {
        throw new DecodeException(
            DropReason.MALFORMED, what + " " + Long.toUnsignedString(v) + " exceeds 2^63-1");
      }
      if (v == 0) {
        throw new DecodeException(DropReason.MALFORMED, what + " 0 is present but must be omitted");
      }
      return v;
    }

    /** Reads a minimal unsigned LEB128 varint of at most 10 bytes. */
    private long varint() throws DecodeException {
      long result = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos >= end) {
          throw new DecodeException(DropReason.TRUNCATED, "message ends inside a varint");
        }
        int x = b[pos++];
        if (shift == 63 && (x & 0xFE) != 0) {
          throw new DecodeException(DropReason.MALFORMED, "varint longer than 64 bits");
        }
        result |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          if (x == 0 && shift != 0) {
            throw new DecodeException(DropReason.MALFORMED, "varint not minimally encoded");
          }
          return result;
        }
      }
    }
  }

  /** Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
  static boolean validUtf8(byte[] b, int from, int to) {
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
