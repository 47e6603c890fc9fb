package io.libgossip.core;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes messages in the binary format of {@link BinarySerializer} into a caller's array, which
 * must have room for the size {@link WireSizes} computes.
 *
 * <p>Every writer can run in one of two modes. In the general mode it writes any message. With
 * {@code asciiOnly} it writes only what the ASCII guess of {@link WireSizes} counted (every string
 * ASCII, every host that looks like an IPv4 address one) and returns {@link #GAVE_UP} at the first
 * thing that is not, having written no further than the guess; the caller then measures exactly and
 * writes again.
 */
final class WireWriter {
  private WireWriter() {}

  /**
   * What the one-pass writers return when the guess they write to does not hold: a string is not
   * ASCII, or a host that looks like an IPv4 address is not one.
   */
  static final int GAVE_UP = -1;

  /**
   * Metadata with at most this many entries is written in key order by repeated scans (quadratic,
   * but without allocating); larger metadata sorts its keys in a temporary array.
   */
  static final int SMALL_METADATA = 8;

  /**
   * Writes {@code message} at {@code d[offset]} and returns where it ends. With {@code asciiOnly},
   * gives up where {@code size(message, true)} guessed wrong (a string that is not ASCII, a host
   * that looks like an IPv4 address but is not one) and returns {@link #GAVE_UP}, having written no
   * further than that guess. From version 3 on, the header ends with the sender's range {@code
   * versions}.
   */
  static int write(
      GossipMessage message,
      int clusterHash,
      int version,
      WireVersions versions,
      byte[] d,
      int offset,
      boolean asciiOnly) {
    int p = offset;
    d[p++] = BinarySerializer.MAGIC_0;
    d[p++] = BinarySerializer.MAGIC_1;
    d[p++] = (byte) version;
    d[p++] =
        (byte)
            (message.type().code()
                | (message.broadcasts().isEmpty() ? 0 : USER_FLAG)
                | (BinarySerializer.hasTiming(message, version) ? TIMING_FLAG : 0));
    d[p++] = (byte) (clusterHash >>> 24);
    d[p++] = (byte) (clusterHash >>> 16);
    d[p++] = (byte) (clusterHash >>> 8);
    d[p++] = (byte) clusterHash;
    if (version >= BinarySerializer.RANGE_VERSION) {
      d[p++] = (byte) versions.min();
      d[p++] = (byte) versions.max();
    }
    p = writeString(d, p, message.from(), 0, asciiOnly);
    p = p < 0 ? GAVE_UP : writeAddress(d, p, message.fromAddress(), asciiOnly);
    if (p < 0) {
      return GAVE_UP;
    }
    if (message instanceof GossipMessage.Ping m) {
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target(), 0, asciiOnly);
    } else if (message instanceof GossipMessage.Ack m) {
      p = writeVarint(d, p, m.seq());
    } else if (message instanceof GossipMessage.PingReq m) {
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target(), 0, asciiOnly);
      p = p < 0 ? GAVE_UP : writeAddress(d, p, m.targetAddress(), asciiOnly);
    } else if (message instanceof GossipMessage.Nack m) {
      p = writeVarint(d, p, m.seq());
    } else if (message instanceof GossipMessage.PushPull m) {
      d[p++] = BinarySerializer.pushPullFlags(m, version);
    } else if (message instanceof GossipMessage.BroadcastPull m) {
      p = writePullFields(d, p, m);
    } else {
      p = writeUserFields(d, p, message, asciiOnly);
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
    if (p >= 0
        && message instanceof GossipMessage.PushPull m
        && BinarySerializer.hasRanges(m, version)) {
      Map<String, WireVersions> ranges = m.ranges();
      for (int i = 0; i < n; i++) {
        WireVersions w = ranges.get(updates.get(i).id());
        d[p++] = (byte) (w == null ? BinarySerializer.NO_RANGE : w.min());
        d[p++] = (byte) (w == null ? BinarySerializer.NO_RANGE : w.max());
      }
    }
    if (p >= 0
        && message instanceof GossipMessage.PushPull m
        && BinarySerializer.hasAppState(m, version)) {
      p = writeBytes(d, p, m.appState());
    }
    if (p >= 0 && !message.broadcasts().isEmpty()) {
      p = writeBroadcasts(d, p, message.broadcasts());
    }
    if (p >= 0 && BinarySerializer.hasTiming(message, version)) {
      p = writeTiming(d, p, message);
    }
    return p;
  }

  /** Bit 6 of the type byte, version 5 and later: a timing section ends a ping or an ack. */
  static final int TIMING_FLAG = 0x40;

  /** Timing section flag: the responder's network coordinate follows the timestamps. */
  static final int TIMING_HAS_COORDINATE = 0x01;

  /** The timing section of a ping ({@code origin}) or an ack. */
  private static int writeTiming(byte[] d, int p, GossipMessage message) {
    if (message instanceof GossipMessage.Ping m) {
      return writeLong(d, p, Objects.requireNonNull(m.timing()).origin());
    }
    ProbeTiming t = Objects.requireNonNull(((GossipMessage.Ack) message).timing());
    NetworkCoordinate c = t.coordinate();
    d[p++] = (byte) (c == null ? 0 : TIMING_HAS_COORDINATE);
    p = writeLong(d, p, t.origin());
    p = writeLong(d, p, t.received());
    p = writeLong(d, p, t.sent());
    if (c != null) {
      for (int i = 0; i < NetworkCoordinate.DIMENSIONS; i++) {
        p = writeFloat(d, p, c.component(i));
      }
      p = writeFloat(d, p, c.height());
      p = writeFloat(d, p, c.adjustment());
      p = writeFloat(d, p, c.error());
    }
    return p;
  }

  /** The size of {@code message}'s timing section at {@code version}; 0 when it has none. */
  static int timingSize(GossipMessage message, int version) {
    if (!BinarySerializer.hasTiming(message, version)) {
      return 0;
    }
    if (message instanceof GossipMessage.Ping) {
      return 8;
    }
    ProbeTiming t = Objects.requireNonNull(((GossipMessage.Ack) message).timing());
    return 1 + 24 + (t.coordinate() == null ? 0 : 4 * (NetworkCoordinate.DIMENSIONS + 3));
  }

  private static int writeLong(byte[] d, int p, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      d[p++] = (byte) (v >>> shift);
    }
    return p;
  }

  private static int writeFloat(byte[] d, int p, double v) {
    int bits = Float.floatToIntBits((float) v);
    d[p++] = (byte) (bits >>> 24);
    d[p++] = (byte) (bits >>> 16);
    d[p++] = (byte) (bits >>> 8);
    d[p++] = (byte) bits;
    return p;
  }

  /** Bit 7 of the type byte, version 4 and later: a user broadcast section ends the message. */
  static final int USER_FLAG = 0x80;

  /** User broadcast item flags. */
  static final int ITEM_HAS_KEY = 0x01;

  static final int ITEM_ANNOUNCED = 0x02;
  static final int ITEM_RESERVED = 0xFC;

  /** Broadcast pull flags. */
  static final int PULL_REPLY = 0x01;

  static final int PULL_MISSING = 0x02;
  static final int PULL_RESERVED = 0xFC;

  private static int writeBroadcasts(byte[] d, int p, List<BroadcastItem> items) {
    p = writeVarint(d, p, items.size());
    for (BroadcastItem item : items) {
      String key = item.key();
      d[p++] = (byte) ((key == null ? 0 : ITEM_HAS_KEY) | (item.announced() ? ITEM_ANNOUNCED : 0));
      p = writeString(d, p, item.origin(), 0, false);
      p = writeVarint(d, p, item.life());
      p = writeVarint(d, p, item.seq());
      p = writeString(d, p, item.topic(), 0, false);
      if (key != null) {
        p = writeString(d, p, key, 0, false);
      }
      p = writeVarint(d, p, item.size());
      byte[] payload = item.payload();
      System.arraycopy(payload, 0, d, p, payload.length);
      p += payload.length;
    }
    return p;
  }

  private static int writePullFields(byte[] d, int p, GossipMessage.BroadcastPull m) {
    boolean body = m.reply() && !m.missing();
    d[p++] = (byte) ((m.reply() ? PULL_REPLY : 0) | (m.missing() ? PULL_MISSING : 0));
    p = writeString(d, p, m.origin(), 0, false);
    p = writeVarint(d, p, m.life());
    p = writeVarint(d, p, m.seq());
    if (body) {
      p = writeVarint(d, p, m.body().length);
      System.arraycopy(m.body(), 0, d, p, m.body().length);
      p += m.body().length;
    }
    return p;
  }

  /** The type fields of the application message types (version 4), see {@link UserCodec}. */
  private static int writeUserFields(byte[] d, int p, GossipMessage message, boolean asciiOnly) {
    if (message instanceof UserMessage m) {
      p = writeVarint(d, p, m.id());
      d[p++] = (byte) UserCodec.userFlags(m);
      p = writeString(d, p, m.topic(), 0, asciiOnly);
      return p < 0 ? GAVE_UP : writeBytes(d, p, m.payload());
    } else if (message instanceof QueryMessage m) {
      p = writeVarint(d, p, m.id());
      d[p++] = (byte) (m.ackRequested() ? UserCodec.QUERY_ACK : 0);
      p = writeString(d, p, m.name(), 0, asciiOnly);
      if (p < 0) {
        return GAVE_UP;
      }
      p = writeVarint(d, p, m.timeoutMillis());
      p = writeVarint(d, p, m.filters().size());
      for (Map.Entry<String, String> f : m.filters().entrySet()) {
        p = writeString(d, p, f.getKey(), 0, asciiOnly);
        p = p < 0 ? GAVE_UP : writeString(d, p, f.getValue(), 0, asciiOnly);
        if (p < 0) {
          return GAVE_UP;
        }
      }
      return writeBytes(d, p, m.payload());
    } else if (message instanceof QueryReplyMessage m) {
      p = writeVarint(d, p, m.queryId());
      d[p++] = (byte) (m.ack() ? UserCodec.REPLY_ACK : 0);
      return writeBytes(d, p, m.payload());
    }
    return p; // GOSSIP: no type fields
  }

  /** Writes {@code bytes} as a varint length and the bytes. */
  private static int writeBytes(byte[] d, int p, byte[] bytes) {
    p = writeVarint(d, p, bytes.length);
    System.arraycopy(bytes, 0, d, p, bytes.length);
    return p + bytes.length;
  }

  private static int writeUpdate(byte[] d, int p, MemberUpdate u, boolean asciiOnly) {
    String id = u.id();
    String from = u.from();
    long metadataVersion = u.metadataVersion();
    long configEpoch = u.configEpoch();
    boolean hasFrom = !Utf8.sameOnWire(from, id);
    d[p++] =
        (byte)
            (BinarySerializer.statusCode(u.status())
                | (hasFrom ? BinarySerializer.UPDATE_HAS_FROM : 0)
                | (metadataVersion != 0 ? BinarySerializer.UPDATE_HAS_METADATA_VERSION : 0)
                | (configEpoch != 0 ? BinarySerializer.UPDATE_HAS_CONFIG_EPOCH : 0));
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
        // the keys come from the map, whose values are never null (the metadata rule)
        String value = Objects.requireNonNull(metadata.get(keys[i]), keys[i]);
        p = writeEntry(d, p, keys[i], value, asciiOnly);
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
      int order = Utf8.compare(first.getKey(), second.getKey());
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
        if ((last == null || Utf8.compare(k, last) > 0)
            && (key == null || Utf8.compare(k, key) < 0)) {
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
    try {
      return Utf8.sorted(u.metadata().keySet());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "metadata keys of member '" + u.id() + "': " + e.getMessage(), e);
    }
  }

  private static int writeAddress(byte[] d, int p, NodeAddress a, boolean asciiOnly) {
    String host = a.host();
    long v4 = a.ipv4();
    if (asciiOnly && v4 < 0 && HostCodec.looksLikeIpv4(host)) {
      return GAVE_UP; // the guess counted it as an IPv4 address
    }
    if (v4 >= 0) {
      d[p++] = HostCodec.HOST_IPV4;
      d[p++] = (byte) (v4 >>> 24);
      d[p++] = (byte) (v4 >>> 16);
      d[p++] = (byte) (v4 >>> 8);
      d[p++] = (byte) v4;
    } else if (HostCodec.rawIpv6(host)) {
      d[p] = HostCodec.HOST_IPV6;
      HostCodec.ipv6(host, d, p + 1);
      p += 1 + 16;
    } else {
      p = writeString(d, p, host, HostCodec.HOST_NAME_BIAS, asciiOnly);
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
}
