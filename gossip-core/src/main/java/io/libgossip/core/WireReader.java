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
    return message(type, false);
  }

  /**
   * Reads the body of a message of {@code type}, followed by a user broadcast section when {@code
   * userSection}, ending exactly where the input does.
   *
   * @throws DecodeException naming the first thing wrong
   */
  GossipMessage message(GossipMessage.MessageType type, boolean userSection)
      throws DecodeException {
    return message(type, userSection, false);
  }

  /**
   * Reads the body of a message of {@code type}, followed by a user broadcast section when {@code
   * userSection} and a timing section when {@code timingSection} (a ping or an ack), ending exactly
   * where the input does.
   *
   * @throws DecodeException naming the first thing wrong
   */
  GossipMessage message(GossipMessage.MessageType type, boolean userSection, boolean timingSection)
      throws DecodeException {
    GossipMessage message = body(type);
    if (userSection) {
      message = message.withBroadcasts(broadcasts());
    }
    if (timingSection) {
      message = withTiming(message);
    }
    if (pos != end) {
      throw new DecodeException(
          DropReason.MALFORMED, (end - pos) + " trailing bytes after the message");
    }
    return message;
  }

  /** {@code message} (a ping or an ack) with the timing section that follows. */
  private GossipMessage withTiming(GossipMessage message) throws DecodeException {
    if (message instanceof GossipMessage.Ping p) {
      return p.withTiming(ProbeTiming.ping(fixedLong("timing origin")));
    }
    GossipMessage.Ack a = (GossipMessage.Ack) message;
    int flags = u8();
    if ((flags & ~WireWriter.TIMING_HAS_COORDINATE) != 0) {
      throw new DecodeException(
          DropReason.MALFORMED, "unknown timing flags 0x" + Integer.toHexString(flags));
    }
    long origin = fixedLong("timing origin");
    long received = fixedLong("timing received");
    long sent = fixedLong("timing sent");
    NetworkCoordinate c = null;
    if ((flags & WireWriter.TIMING_HAS_COORDINATE) != 0) {
      double[] v = new double[NetworkCoordinate.DIMENSIONS];
      for (int i = 0; i < v.length; i++) {
        v[i] = fixedFloat("coordinate");
      }
      double height = fixedFloat("coordinate height");
      double adjustment = fixedFloat("coordinate adjustment");
      double error = fixedFloat("coordinate error");
      if (height < 0 || error < 0) {
        throw new DecodeException(
            DropReason.MALFORMED, "negative coordinate height or error: " + height + ", " + error);
      }
      c = new NetworkCoordinate(v, height, adjustment, error);
    }
    return a.withTiming(new ProbeTiming(origin, received, sent, c));
  }

  private long fixedLong(String what) throws DecodeException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[pos++] & 0xFF);
    }
    return v;
  }

  private double fixedFloat(String what) throws DecodeException {
    need(4, what);
    int bits =
        (b[pos] & 0xFF) << 24
            | (b[pos + 1] & 0xFF) << 16
            | (b[pos + 2] & 0xFF) << 8
            | (b[pos + 3] & 0xFF);
    pos += 4;
    float f = Float.intBitsToFloat(bits);
    if (!Float.isFinite(f)) {
      throw new DecodeException(DropReason.MALFORMED, what + " is not finite: " + f);
    }
    if (Float.floatToIntBits(f) != bits) {
      throw new DecodeException(DropReason.MALFORMED, what + " is not canonical"); // a NaN payload
    }
    return f;
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
                  | (version >= BinarySerializer.RANGE_VERSION ? BinarySerializer.FLAG_RANGES : 0)
                  | (version >= BinarySerializer.USER_VERSION
                      ? BinarySerializer.FLAG_APP_STATE
                      : 0);
          if ((flags & ~known) != 0) {
            throw new DecodeException(
                DropReason.MALFORMED, "unknown push-pull flags 0x" + Integer.toHexString(flags));
          }
          List<MemberUpdate> updates = updates();
          Map<String, WireVersions> ranges =
              (flags & BinarySerializer.FLAG_RANGES) != 0 ? ranges(updates) : Map.of();
          byte[] appState = EMPTY;
          if ((flags & BinarySerializer.FLAG_APP_STATE) != 0) {
            appState = bytes("application state");
            if (appState.length == 0) {
              throw new DecodeException(
                  DropReason.MALFORMED, "empty application state (the flag must be clear)");
            }
          }
          return new GossipMessage.PushPull(
              from,
              fromAddress,
              (flags & BinarySerializer.FLAG_JOIN) != 0,
              (flags & BinarySerializer.FLAG_REPLY) != 0,
              updates,
              ranges,
              appState);
        }
      case USER:
        {
          long id = varint();
          int flags = u8();
          if ((flags & UserCodec.USER_RESERVED) != 0) {
            throw new DecodeException(
                DropReason.MALFORMED, "reserved user flags 0x" + Integer.toHexString(flags));
          }
          UserMessage.Kind kind = UserMessage.Kind.fromCode(flags & UserCodec.USER_KIND_MASK);
          if (kind == null) {
            throw new DecodeException(
                DropReason.MALFORMED, "unknown user message kind " + (flags & 7));
          }
          String topic = string(UserMessage.MAX_TOPIC_BYTES, "topic");
          byte[] payload = bytes("payload");
          return new UserMessage(
              from,
              fromAddress,
              id,
              kind,
              (flags & UserCodec.USER_RELIABLE) != 0,
              topic,
              payload,
              updates());
        }
      case QUERY:
        {
          long id = varint();
          int flags = u8();
          if ((flags & ~UserCodec.QUERY_ACK) != 0) {
            throw new DecodeException(
                DropReason.MALFORMED, "reserved query flags 0x" + Integer.toHexString(flags));
          }
          String name = string(UserMessage.MAX_TOPIC_BYTES, "query name");
          long timeoutMillis = varint();
          int n = count(2, "query filter");
          if (n > QueryMessage.MAX_FILTERS) {
            throw new DecodeException(DropReason.TOO_LARGE, n + " query filters");
          }
          java.util.TreeMap<String, String> filters = new java.util.TreeMap<>();
          String last = null;
          for (int i = 0; i < n; i++) {
            String key = string(QueryMessage.MAX_FILTER_BYTES, "filter key");
            if (last != null && last.compareTo(key) >= 0) {
              throw new DecodeException(
                  DropReason.MALFORMED, "query filter keys not in strictly ascending order");
            }
            last = key;
            filters.put(key, string(QueryMessage.MAX_FILTER_BYTES, "filter pattern"));
          }
          byte[] payload = bytes("payload");
          return new QueryMessage(
              from,
              fromAddress,
              id,
              name,
              (flags & UserCodec.QUERY_ACK) != 0,
              timeoutMillis,
              filters,
              payload,
              updates());
        }
      case QUERY_REPLY:
        {
          long queryId = varint();
          int flags = u8();
          if ((flags & ~UserCodec.REPLY_ACK) != 0) {
            throw new DecodeException(
                DropReason.MALFORMED, "reserved reply flags 0x" + Integer.toHexString(flags));
          }
          byte[] payload = bytes("payload");
          return new QueryReplyMessage(
              from, fromAddress, queryId, (flags & UserCodec.REPLY_ACK) != 0, payload, updates());
        }
      case BROADCAST_PULL:
        {
          int flags = u8();
          if ((flags & WireWriter.PULL_RESERVED) != 0
              || (flags & (WireWriter.PULL_REPLY | WireWriter.PULL_MISSING))
                  == WireWriter.PULL_MISSING) {
            throw new DecodeException(
                DropReason.MALFORMED, "bad broadcast pull flags 0x" + Integer.toHexString(flags));
          }
          boolean reply = (flags & WireWriter.PULL_REPLY) != 0;
          boolean missing = (flags & WireWriter.PULL_MISSING) != 0;
          String origin = id("origin");
          long life = nonNegative("life");
          long seq = sequence();
          byte[] body = reply && !missing ? bytes("broadcast body") : EMPTY;
          return new GossipMessage.BroadcastPull(
              from, fromAddress, reply, missing, origin, life, seq, body, updates());
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

  /** The smallest item of a user broadcast section. */
  private static final int MIN_ITEM_BYTES = 8;

  /** A user broadcast section: a count of at least one, then the items. */
  private List<BroadcastItem> broadcasts() throws DecodeException {
    int n = count(MIN_ITEM_BYTES, "broadcast");
    if (n == 0) {
      throw new DecodeException(
          DropReason.MALFORMED, "empty user broadcast section (the type flag must be clear)");
    }
    BroadcastItem[] items = new BroadcastItem[n];
    for (int i = 0; i < n; i++) {
      int flags = u8();
      if ((flags & WireWriter.ITEM_RESERVED) != 0) {
        throw new DecodeException(
            DropReason.MALFORMED, "reserved broadcast flags set: 0x" + Integer.toHexString(flags));
      }
      String origin = id("broadcast origin");
      long life = nonNegative("broadcast life");
      long seq = sequence();
      span(BroadcastItem.MAX_TOPIC_BYTES, "broadcast topic");
      String topic = printable(spanString(), "broadcast topic", BroadcastItem.MAX_TOPIC_BYTES);
      String key = null;
      if ((flags & WireWriter.ITEM_HAS_KEY) != 0) {
        span(BroadcastItem.MAX_TOPIC_BYTES, "broadcast key");
        key = printable(spanString(), "broadcast key", BroadcastItem.MAX_TOPIC_BYTES);
      }
      long size = varint();
      if (size < 0 || size > MAX_BROADCAST_SIZE) {
        throw new DecodeException(
            DropReason.TOO_LARGE,
            "broadcast of " + Long.toUnsignedString(size) + " bytes exceeds " + MAX_BROADCAST_SIZE);
      }
      byte[] payload;
      if ((flags & WireWriter.ITEM_ANNOUNCED) != 0) {
        if (size == 0) {
          throw new DecodeException(DropReason.MALFORMED, "announced broadcast of 0 bytes");
        }
        payload = EMPTY;
      } else {
        payload = take(size, "broadcast payload");
      }
      items[i] = new BroadcastItem(origin, life, seq, topic, key, (int) size, payload);
    }
    return List.of(items);
  }

  /** The largest announced broadcast the format carries, 2^30 bytes. */
  static final int MAX_BROADCAST_SIZE = 1 << 30;

  /** A length-prefixed byte string, bounded by the message size and by what remains. */
  private byte[] bytes(String what) throws DecodeException {
    long n = varint();
    if (n < 0 || n > maxMessageSize) {
      throw new DecodeException(
          DropReason.TOO_LARGE, what + " of " + Long.toUnsignedString(n) + " bytes");
    }
    return take(n, what);
  }

  private byte[] take(long n, String what) throws DecodeException {
    if (n > end - pos) {
      throw new DecodeException(
          DropReason.TRUNCATED, what + " of " + n + " bytes exceeds the remaining bytes");
    }
    if (n == 0) {
      return EMPTY;
    }
    byte[] out = Arrays.copyOfRange(b, pos, pos + (int) n);
    pos += (int) n;
    return out;
  }

  private long nonNegative(String what) throws DecodeException {
    long v = varint();
    if (v < 0) {
      throw new DecodeException(
          DropReason.MALFORMED, what + " " + Long.toUnsignedString(v) + " exceeds 2^63-1");
    }
    return v;
  }

  private long sequence() throws DecodeException {
    long v = varint();
    if (v < 1) {
      throw new DecodeException(
          DropReason.MALFORMED,
          "broadcast seq " + Long.toUnsignedString(v) + " is not in [1, 2^63)");
    }
    return v;
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
