package io.libgossip.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A cursor over one message body in the binary format of {@link BinarySerializer}, after the
 * header: reads and checks every field, failing with a {@link DecodeException} that names the first
 * thing wrong. One per decode; never shared.
 *
 * <p>Every length and count is checked against the bytes that remain before anything is allocated
 * for it, so decoding allocates at most a small multiple of the input.
 */
final class WireReader {
  private static final byte[] EMPTY = new byte[0];

  private final byte[] b;
  private final int end;
  private final int maxMessageSize;
  private final int version;
  private int pos;

  /** Start and length of the last string span read by {@link #span}. */
  private int spanStart;

  private int spanLength;

  /** Where the message's {@code from} lies, to share its String with updates naming it. */
  private int fromStart;

  private int fromLength;
  private String from = "";

  private byte[] text = EMPTY;

  /** A reader of the bytes {@code b[pos..end)}, in a message of at most {@code maxMessageSize}. */
  WireReader(byte[] b, int pos, int end, int maxMessageSize, int version) {
    this.version = version;
    this.b = b;
    this.pos = pos;
    this.end = end;
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Reads the body of a message of {@code type}, which must end exactly where the input does.
   *
   * @throws DecodeException naming the first thing wrong
   */
  GossipMessage message(GossipMessage.MessageType type) throws DecodeException {
    GossipMessage message = body(type);
    if (pos != end) {
      throw new DecodeException(
          DropReason.MALFORMED, (end - pos) + " trailing bytes after the message");
    }
    return message;
  }

  private GossipMessage body(GossipMessage.MessageType type) throws DecodeException {
    span(WireLimits.MAX_ID_BYTES, "from");
    fromStart = spanStart;
    fromLength = spanLength;
    from = printable(spanString(), "from", WireLimits.MAX_ID_BYTES);
    NodeAddress fromAddress = address();
    switch (type) {
      case PING:
        {
          long seq = varint();
          String target = id("target");
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
          String target = id("target");
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
          int known =
              BinarySerializer.FLAG_JOIN
                  | BinarySerializer.FLAG_REPLY
                  | (version >= BinarySerializer.RANGE_VERSION ? BinarySerializer.FLAG_RANGES : 0);
          if ((flags & ~known) != 0) {
            throw new DecodeException(
                DropReason.MALFORMED, "unknown push-pull flags 0x" + Integer.toHexString(flags));
          }
          List<MemberUpdate> updates = updates();
          Map<String, WireVersions> ranges =
              (flags & BinarySerializer.FLAG_RANGES) != 0 ? ranges(updates) : Map.of();
          return new GossipMessage.PushPull(
              from,
              fromAddress,
              (flags & BinarySerializer.FLAG_JOIN) != 0,
              (flags & BinarySerializer.FLAG_REPLY) != 0,
              updates,
              ranges);
        }
      default:
        throw new DecodeException(DropReason.UNKNOWN_TYPE, "unknown message type " + type);
    }
  }

  /**
   * The range list of a version 3 push-pull: two bytes per update, in update order, {@code 0 0} for
   * an unknown range and otherwise {@code 1 <= min <= max}; at least one known (or the flag is not
   * set), and every update of one member with the same range.
   */
  private Map<String, WireVersions> ranges(List<MemberUpdate> updates) throws DecodeException {
    int n = updates.size();
    if (end - pos < 2L * n) {
      throw new DecodeException(
          DropReason.TRUNCATED, "range list of " + n + " entries runs past the message end");
    }
    Map<String, WireVersions> ranges = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      int min = b[pos++] & 0xFF;
      int max = b[pos++] & 0xFF;
      String id = updates.get(i).id();
      @Nullable WireVersions w;
      if (min == BinarySerializer.NO_RANGE && max == BinarySerializer.NO_RANGE) {
        w = null;
      } else if (min < 1 || min > max) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "range [" + min + ", " + max + "] of member '" + TextRules.escape(id) + "'");
      } else {
        w = new WireVersions(min, max);
      }
      if (!seen.add(id) && !Objects.equals(ranges.get(id), w)) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "two ranges for member '" + TextRules.escape(id) + "' in one push-pull");
      }
      if (w != null) {
        ranges.put(id, w);
      }
    }
    if (ranges.isEmpty()) {
      throw new DecodeException(
          DropReason.MALFORMED, "range list without a known range (the flag must be clear)");
    }
    return ranges;
  }

  private List<MemberUpdate> updates() throws DecodeException {
    int n = count(WireLimits.MIN_UPDATE_BYTES, "update");
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
    if ((flags & BinarySerializer.UPDATE_RESERVED) != 0) {
      throw new DecodeException(
          DropReason.MALFORMED, "reserved update flags set: 0x" + Integer.toHexString(flags));
    }
    NodeStatus status = BinarySerializer.status(flags & BinarySerializer.UPDATE_STATUS_MASK);
    span(WireLimits.MAX_ID_BYTES, "update id");
    int idStart = spanStart;
    int idLength = spanLength;
    String id = sameAsFrom() ? from : printable(spanString(), "update id", WireLimits.MAX_ID_BYTES);
    NodeAddress address = address();
    long incarnation = varint();
    if (incarnation < 0 || incarnation > WireLimits.MAX_INCARNATION) {
      throw new DecodeException(
          DropReason.MALFORMED,
          "incarnation " + Long.toUnsignedString(incarnation) + " exceeds 2^32-1");
    }
    long metadataVersion =
        (flags & BinarySerializer.UPDATE_HAS_METADATA_VERSION) != 0
            ? presentVarint("metadataVersion")
            : 0;
    long configEpoch =
        (flags & BinarySerializer.UPDATE_HAS_CONFIG_EPOCH) != 0 ? presentVarint("configEpoch") : 0;
    String claimant = id;
    if ((flags & BinarySerializer.UPDATE_HAS_FROM) != 0) {
      span(WireLimits.MAX_ID_BYTES, "update from");
      if (Arrays.equals(b, spanStart, spanStart + spanLength, b, idStart, idStart + idLength)) {
        throw new DecodeException(
            DropReason.MALFORMED, "update from equals its id but is not omitted");
      }
      claimant =
          sameAsFrom() ? from : printable(spanString(), "update from", WireLimits.MAX_ID_BYTES);
    }
    Map<String, String> metadata = metadata();
    return new MemberUpdate(
        id, address, status, incarnation, metadata, metadataVersion, configEpoch, claimant);
  }

  private Map<String, String> metadata() throws DecodeException {
    int n = count(WireLimits.MIN_ENTRY_BYTES, "metadata entry");
    if (n == 0) {
      return Map.of();
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map.Entry<String, String>[] entries = n == 1 ? null : new Map.Entry[n];
    int prevStart = 0;
    int prevLength = 0;
    for (int i = 0; i < n; i++) {
      span(WireLimits.MAX_METADATA_KEY_BYTES, "metadata key");
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
      String key = printable(spanString(), "metadata key", WireLimits.MAX_METADATA_KEY_BYTES);
      String value = string(WireLimits.MAX_METADATA_VALUE_BYTES, "metadata value");
      // the rule local updates follow: what a node could not set itself is malformed here
      String problem = WireLimits.entryProblem(prevLength, spanLength);
      if (problem != null) {
        throw new DecodeException(DropReason.MALFORMED, problem);
      }
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
    if (tag == HostCodec.HOST_IPV4) {
      need(4, "IPv4 address");
      byte[] t = text();
      host = new String(t, 0, HostCodec.formatIpv4(b, pos, t), StandardCharsets.ISO_8859_1);
      v4 =
          (b[pos] & 0xFFL) << 24
              | (b[pos + 1] & 0xFF) << 16
              | (b[pos + 2] & 0xFF) << 8
              | (b[pos + 3] & 0xFF);
      pos += 4;
    } else if (tag == HostCodec.HOST_IPV6) {
      need(16, "IPv6 address");
      byte[] t = text();
      int length = HostCodec.formatIpv6(b, pos, t);
      if (length <= HostCodec.MAX_IPV6_NAME) {
        throw new DecodeException(
            DropReason.MALFORMED, "IPv6 address with a text of " + length + " bytes sent raw");
      }
      host = new String(t, 0, length, StandardCharsets.ISO_8859_1);
      pos += 16;
    } else {
      host = stringOfLength(tag - HostCodec.HOST_NAME_BIAS, WireLimits.MAX_HOST_BYTES, "host");
      if (host.isEmpty()) {
        throw new DecodeException(DropReason.MALFORMED, "empty host");
      }
      printable(host, "host", WireLimits.MAX_HOST_BYTES);
      if (HostCodec.hostKind(host) != HostCodec.HOST_NAME) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "host " + TextRules.escape(host) + " is an IP address written as a name");
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
    if (n < 0 || n > WireLimits.maxCount(maxMessageSize, minBytes)) {
      throw new DecodeException(
          DropReason.TOO_LARGE, what + " count " + Long.toUnsignedString(n) + " too large");
    }
    if (n > (end - pos) / minBytes) {
      throw new DecodeException(
          DropReason.TRUNCATED, what + " count " + n + " exceeds the remaining bytes");
    }
    return (int) n;
  }

  /** Reads a member id: 1 to 255 bytes of UTF-8, printable ({@link TextRules}). */
  private String id(String what) throws DecodeException {
    span(WireLimits.MAX_ID_BYTES, what);
    return printable(spanString(), what, WireLimits.MAX_ID_BYTES);
  }

  /**
   * {@code s}, a {@code what} of at most {@code maxBytes}, when {@link WireLimits#textProblem}
   * finds nothing wrong with it (the rule local builders apply).
   */
  private static String printable(String s, String what, int maxBytes) throws DecodeException {
    String problem = WireLimits.textProblem(s, what, maxBytes);
    if (problem != null) {
      throw new DecodeException(DropReason.MALFORMED, problem);
    }
    return s;
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
    if (!Utf8.valid(b, pos, pos + len)) {
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
