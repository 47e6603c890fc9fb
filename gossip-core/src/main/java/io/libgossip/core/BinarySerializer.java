package io.libgossip.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The compact binary wire format of libgossip, version 1.
 *
 * <p>Every message is one frame: a fixed 8-byte header, the sender, the type-specific fields and
 * the piggybacked updates. Integers are unsigned LEB128 varints unless noted; multi-byte fixed
 * fields are big-endian.
 *
 * <pre>
 *  0        1        2        3        4        5        6        7
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |  0x4C  |  0x47  | ver=1  |  type  |  cluster hash: FNV-1a 32 of the   |
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
 * +-----------+-------------------+--------+-------------+-----------------+
 * | id:string | address: address  | status | incarnation | metadataVersion |
 * |           |                   | 1 byte | varint      | varint          |
 * +-----------+-------------------+--------+-------------+-----------------+
 * | configEpoch: varint | from: string | entry count: varint | entries ...  |
 * +---------------------+--------------+---------------------+--------------+
 *   status: 1 ONLINE, 2 SUSPECT, 3 FAILED, 4 LEFT
 *   entry:  key: string | value: string, keys in ascending unsigned byte order, no duplicates
 *
 * string:  length: varint | length bytes of UTF-8
 * address: host: string | port: varint
 * </pre>
 *
 * <p>Bounds: ids, hosts and metadata keys are at most 255 bytes, metadata values at most 65535
 * bytes, incarnations below 2<sup>32</sup>, ports at most 65535, and the whole message at most the
 * configured maximum message size. Varints are minimal (no redundant trailing groups) and at most
 * 10 bytes.
 *
 * <p>Encoding is canonical: equal messages encode to equal bytes, and the decoder accepts only
 * canonical encodings, so a message that decodes re-encodes to exactly the bytes it came from.
 * Strings are written as {@link String#getBytes(java.nio.charset.Charset)} writes them: an unpaired
 * surrogate becomes {@code '?'}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BinarySerializer implements MessageSerializer {

  /** The wire format version this class reads and writes. */
  public static final int VERSION = 1;

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

  /**
   * The fewest bytes an update can occupy as far as the structure goes: one byte each for the id
   * length, host length, port, status, incarnation, metadata version, config epoch, from length and
   * metadata entry count.
   */
  private static final int MIN_UPDATE_BYTES = 9;

  /** The fewest bytes a metadata entry can occupy (two empty strings). */
  private static final int MIN_ENTRY_BYTES = 2;

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
    long size =
        stringSize(update.id())
            + addressSize(update.address())
            + 1L
            + varintSize(update.incarnation())
            + varintSize(update.metadataVersion())
            + varintSize(update.configEpoch())
            + stringSize(update.from())
            + metadataSize(update.id(), update.metadata());
    return checkedInt(size);
  }

  @Override
  public int encodedSize(GossipMessage message) {
    Objects.requireNonNull(message, "message");
    long size = HEADER_BYTES + stringSize(message.from()) + addressSize(message.fromAddress());
    if (message instanceof GossipMessage.Ping) {
      GossipMessage.Ping m = (GossipMessage.Ping) message;
      size += varintSize(m.seq()) + stringSize(m.target());
    } else if (message instanceof GossipMessage.Ack) {
      size += varintSize(((GossipMessage.Ack) message).seq());
    } else if (message instanceof GossipMessage.PingReq) {
      GossipMessage.PingReq m = (GossipMessage.PingReq) message;
      size += varintSize(m.seq()) + stringSize(m.target()) + addressSize(m.targetAddress());
    } else if (message instanceof GossipMessage.Nack) {
      size += varintSize(((GossipMessage.Nack) message).seq());
    } else if (message instanceof GossipMessage.PushPull) {
      size += 1;
    }
    List<MemberUpdate> updates = message.updates();
    int n = updates.size();
    size += varintSize(n);
    for (int i = 0; i < n; i++) {
      size += updateSize(updates.get(i));
    }
    return checkedInt(size);
  }

  private static int stringSize(String s) {
    int len = Utf8.length(s);
    return varintSize(len) + len;
  }

  private static int addressSize(NodeAddress a) {
    return stringSize(a.host()) + varintSize(a.port());
  }

  private static long metadataSize(String id, Map<String, String> metadata) {
    long size = varintSize(metadata.size());
    if (metadata.isEmpty()) {
      return size;
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      int k = Utf8.length(e.getKey());
      int v = Utf8.length(e.getValue());
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
    int size = encodedSize(message);
    byte[] dst = new byte[size];
    write(message, dst, 0, size);
    return dst;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Messages larger than {@link #maxMessageSize()} are written; deciding whether to send them is
   * the caller's business.
   *
   * @throws IllegalArgumentException when a metadata key or value exceeds the wire bounds, or two
   *     metadata keys of one member encode to the same bytes
   */
  @Override
  public int encode(GossipMessage message, byte[] dst, int offset) {
    Objects.requireNonNull(dst, "dst");
    int size = encodedSize(message);
    Objects.checkFromIndexSize(offset, size, dst.length);
    write(message, dst, offset, size);
    return size;
  }

  private void write(GossipMessage message, byte[] d, int offset, int size) {
    int p = offset;
    d[p++] = MAGIC_0;
    d[p++] = MAGIC_1;
    d[p++] = (byte) VERSION;
    d[p++] = (byte) message.type().code();
    d[p++] = (byte) (clusterHash >>> 24);
    d[p++] = (byte) (clusterHash >>> 16);
    d[p++] = (byte) (clusterHash >>> 8);
    d[p++] = (byte) clusterHash;
    p = writeString(d, p, message.from());
    p = writeAddress(d, p, message.fromAddress());
    if (message instanceof GossipMessage.Ping) {
      GossipMessage.Ping m = (GossipMessage.Ping) message;
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target());
    } else if (message instanceof GossipMessage.Ack) {
      p = writeVarint(d, p, ((GossipMessage.Ack) message).seq());
    } else if (message instanceof GossipMessage.PingReq) {
      GossipMessage.PingReq m = (GossipMessage.PingReq) message;
      p = writeVarint(d, p, m.seq());
      p = writeString(d, p, m.target());
      p = writeAddress(d, p, m.targetAddress());
    } else if (message instanceof GossipMessage.Nack) {
      p = writeVarint(d, p, ((GossipMessage.Nack) message).seq());
    } else if (message instanceof GossipMessage.PushPull) {
      GossipMessage.PushPull m = (GossipMessage.PushPull) message;
      d[p++] = (byte) ((m.join() ? FLAG_JOIN : 0) | (m.reply() ? FLAG_REPLY : 0));
    }
    List<MemberUpdate> updates = message.updates();
    int n = updates.size();
    p = writeVarint(d, p, n);
    for (int i = 0; i < n; i++) {
      p = writeUpdate(d, p, updates.get(i));
    }
    assert p - offset == size : "wrote " + (p - offset) + " bytes, computed " + size;
  }

  private static int writeUpdate(byte[] d, int p, MemberUpdate u) {
    p = writeString(d, p, u.id());
    p = writeAddress(d, p, u.address());
    d[p++] = (byte) statusCode(u.status());
    p = writeVarint(d, p, u.incarnation());
    p = writeVarint(d, p, u.metadataVersion());
    p = writeVarint(d, p, u.configEpoch());
    p = writeString(d, p, u.from());
    Map<String, String> metadata = u.metadata();
    int n = metadata.size();
    p = writeVarint(d, p, n);
    if (n == 1) {
      Map.Entry<String, String> e = metadata.entrySet().iterator().next();
      p = writeString(d, p, e.getKey());
      p = writeString(d, p, e.getValue());
    } else if (n > 1) {
      String[] keys = metadata.keySet().toArray(new String[0]);
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
      for (String k : keys) {
        p = writeString(d, p, k);
        p = writeString(d, p, metadata.get(k));
      }
    }
    return p;
  }

  private static int writeAddress(byte[] d, int p, NodeAddress a) {
    p = writeString(d, p, a.host());
    return writeVarint(d, p, a.port());
  }

  private static int writeVarint(byte[] d, int p, long v) {
    while ((v & ~0x7FL) != 0) {
      d[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    d[p++] = (byte) v;
    return p;
  }

  /** Writes the length and UTF-8 bytes of {@code s}; unpaired surrogates become '?'. */
  private static int writeString(byte[] d, int p, String s) {
    p = writeVarint(d, p, Utf8.length(s));
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
        return 1;
      case SUSPECT:
        return 2;
      case FAILED:
        return 3;
      case LEFT:
        return 4;
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
      span(MemberUpdate.MAX_ID_BYTES, "update id");
      int idStart = spanStart;
      int idLength = spanLength;
      String id = sameAsFrom() ? from : spanString();
      NodeAddress address = address();
      int statusCode = u8();
      NodeStatus status;
      switch (statusCode) {
        case 1:
          status = NodeStatus.ONLINE;
          break;
        case 2:
          status = NodeStatus.SUSPECT;
          break;
        case 3:
          status = NodeStatus.FAILED;
          break;
        case 4:
          status = NodeStatus.LEFT;
          break;
        default:
          throw new DecodeException(DropReason.MALFORMED, "bad status byte " + statusCode);
      }
      long incarnation = varint();
      if (incarnation < 0 || incarnation > MemberUpdate.MAX_INCARNATION) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "incarnation " + Long.toUnsignedString(incarnation) + " exceeds 2^32-1");
      }
      long metadataVersion = nonNegativeVarint("metadataVersion");
      long configEpoch = nonNegativeVarint("configEpoch");
      span(MemberUpdate.MAX_ID_BYTES, "update from");
      String claimant;
      if (sameAsFrom()) {
        claimant = from;
      } else if (Arrays.equals(
          b, spanStart, spanStart + spanLength, b, idStart, idStart + idLength)) {
        claimant = id;
      } else {
        claimant = spanString();
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
      String host = string(NodeAddress.MAX_HOST_BYTES, "host");
      long port = varint();
      if (port < 0 || port > 0xFFFF) {
        throw new DecodeException(
            DropReason.MALFORMED, "port " + Long.toUnsignedString(port) + " exceeds 65535");
      }
      return new NodeAddress(host, (int) port);
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
      long n = varint();
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

    private long nonNegativeVarint(String what) throws DecodeException {
      long v = varint();
      if (v < 0) {
        throw new DecodeException(
            DropReason.MALFORMED, what + " " + Long.toUnsignedString(v) + " exceeds 2^63-1");
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
