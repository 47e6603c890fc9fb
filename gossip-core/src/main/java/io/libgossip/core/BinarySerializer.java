package io.libgossip.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The compact binary wire format of libgossip, versions 2 to 5.
 *
 * <p>Every message is one frame: a fixed 8-byte header, the sender, the type-specific fields and
 * the piggybacked updates. Integers are unsigned LEB128 varints unless noted; multi-byte fixed
 * fields are big-endian.
 *
 * <pre>
 *  0        1        2        3        4        5        6        7
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |  0x4C  |  0x47  |  ver   |  type  |  cluster hash: FNV-1a 32 of the   |
 * |  'L'   |  'G'   |  2..4  |        |  UTF-8 cluster name, big-endian   |
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | [min]  | [max]  |   version 3 and later: the sender's range
 * +--------+--------+
 * | from: string | fromAddress: address | type fields ...                 |
 * +--------------+----------------------+---------------------------------+
 * | update count: varint | update ... (count times)                       |
 * +----------------------+------------------------------------------------+
 * | [ranges: 2 bytes per update]  PUSH_PULL from version 3, flag bit 2 only |
 * +-----------------------------------------------------------------------+
 *
 * type fields, by type code:
 *   1 PING       seq: varint (64-bit, unsigned) | target: string
 *   2 ACK        seq: varint
 *   3 PING_REQ   seq: varint | target: string | targetAddress: address
 *   4 NACK       seq: varint
 *   5 GOSSIP     (none)
 *   6 PUSH_PULL  flags: 1 byte (bit 0 join, bit 1 reply, bit 2 ranges (version 3 and later;
 *                zero in version 2), bit 3 application state (version 4 and later), bits 4..7
 *                zero)
 *   7 USER, 8 QUERY, 9 QUERY_REPLY   version 4 and later: see UserCodec
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
 * <p>Version 3 is version 2 with two more header bytes: the oldest and newest version the sender
 * speaks, with {@code 1 <= min <= ver <= max}. Everything after the header is the same in both. A
 * node writes each message at a version its receiver reads (see {@link WireVersions}); the range in
 * a version 3 header is how receivers learn what the sender speaks. Ping and ack with sequence
 * number 0 are version hellos: a node sends one, at its newest version, to a member whose range it
 * does not know, and the answer tells it that member's range. A node whose range is {@code [2, 2]}
 * writes exactly what libgossip wrote before version 3 existed.
 *
 * <p>From version 3 on, a push-pull may also carry the ranges its sender knows of the members it
 * lists ({@link GossipMessage.PushPull#ranges()}): flag bit 2 is then set and the updates are
 * followed by one range per update, in update order, each two bytes {@code min max}: {@code 0 0}
 * for a member whose range the sender does not know, otherwise {@code 1 <= min <= max}. The flag is
 * set exactly when at least one range is known (a list of only {@code 0 0} is not canonical), and
 * every update of one member carries the same range. Anything else (the flag in version 2, a range
 * with {@code min} 0 or above {@code max}, two ranges for one member, a list cut short or followed
 * by more bytes) is {@link DropReason#MALFORMED} or {@link DropReason#TRUNCATED}. The list is
 * bounded by the update count, itself bounded by the message size. At version 2 the ranges are left
 * out, so the bytes are those of the push-pull without them.
 *
 * <p>Version 4 is version 3 plus user broadcasts ({@link GossipCore#broadcast}). Bit 7 of the type
 * byte, set only from version 4 on, says a user broadcast section ends the message (pings, acks,
 * indirect probes, nacks and gossip only); without it the bytes after the header are those of
 * version 3. Type 10 is {@link GossipMessage.BroadcastPull}, also from version 4 on.
 *
 * <pre>
 * section: count: varint (at least 1) | item ... (count times)
 * item:    flags: 1 byte (bit 0 key present, bit 1 announcement, bits 2..7 zero)
 *          origin: string | life: varint | seq: varint (at least 1) | topic: string
 *          [key: string] | size: varint | payload: size bytes (absent in an announcement,
 *          whose size is at least 1)
 * 10 BROADCAST_PULL type fields:
 *          flags: 1 byte (bit 0 reply, bit 1 missing: only with bit 0; bits 2..7 zero)
 *          origin: string | life: varint | seq: varint (at least 1)
 *          [body: length varint | length bytes]  in a reply that is not missing
 * </pre>
 *
 * A section or a pull in a message of version 2 or 3 is {@link
 * DropReason#BROADCAST_BEFORE_VERSION_4}; a section on a push-pull or a pull, an empty section, a
 * set reserved flag, an announcement of 0 bytes or a seq of 0 is {@link DropReason#MALFORMED}.
 * Topics and keys are printable, 1 to 64 bytes.
 *
 * <p>Version 4 is version 3 plus application data: message types 7 to 9 (direct messages, queries
 * and their replies, laid out in {@code UserCodec}) and, in a push-pull, the sender's application
 * state after the range list (flag bit 3, then a varint length and the bytes, at least one). A type
 * 7 to 9 in a packet of version 2 or 3 is {@link DropReason#UNKNOWN_TYPE}, flag bit 3 {@link
 * DropReason#MALFORMED}; encoding them at an older version is an {@link IllegalArgumentException},
 * and a push-pull written at version 3 or older leaves its state out.
 *
 * <p>Version 5 is version 4 plus the probe timestamps of {@link GossipConfig#clockOffsets()}
 * (decision 061), spoken only by nodes configured for it. Bit 6 of the type byte, set only on a
 * ping or an ack from version 5 on, says a timing section ends the message (after any user
 * broadcast section); without it the bytes after the header are those of version 4. Written at an
 * older version, a message's {@link ProbeTiming} is left out.
 *
 * <pre>
 * ping timing: origin: 8 bytes, signed big-endian (nanoseconds since the epoch, sender's clock)
 * ack timing:  flags: 1 byte (bit 0 coordinate, bits 1..7 zero)
 *              origin | received | sent: 8 bytes each, signed big-endian
 *              [coordinate: 11 IEEE-754 float32, big-endian: 8 components, height, adjustment,
 *               error; finite, height and error at least 0]   with flag bit 0
 * </pre>
 *
 * Bit 6 below version 5 leaves an unknown type code ({@link DropReason#UNKNOWN_TYPE}); bit 6 on
 * another type, a reserved flag, a component that is not finite (or a NaN of any bit pattern), a
 * negative height or error is {@link DropReason#MALFORMED}, a section cut short {@link
 * DropReason#TRUNCATED}.
 *
 * <p>A host goes out as raw address bytes only when its text is exactly the canonical form the
 * decoder prints for those bytes: four decimal octets without leading zeros for IPv4; for IPv6
 * lowercase hex groups without leading zeros, with the longest run of two or more zero groups (the
 * first of equal runs) written as {@code ::}, no embedded IPv4 part or zone, and longer than 16
 * bytes (a shorter one, such as {@code ::1} or {@code fe80::1}, is smaller as a name). Any other
 * host ({@code 010.0.0.1}, {@code FE80::1}, {@code 0:0:0:0:0:0:0:1}, {@code fe80::1%eth0}, a DNS
 * name) goes out as a name, unchanged. Nothing is ever resolved.
 *
 * <p>Bounds: ids, hosts and metadata keys are 1 to 255 bytes, metadata values at most 65535 bytes,
 * incarnations below 2<sup>32</sup>, and the whole message at most the configured maximum message
 * size. Varints are minimal (no redundant trailing groups) and at most 10 bytes. Metadata a node
 * could not set locally (an empty key, two keys encoding alike) is {@link DropReason#MALFORMED}.
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
 * but the output array of {@link #encode(GossipMessage)}, except for updates with more than eight
 * metadata entries, whose keys are sorted in a temporary array, and a message with a non-ASCII
 * string, whose one-pass attempt is abandoned (a second array for {@code encode}).
 *
 * <p>This class holds the header and the format's tables and dispatches to package-private parts:
 * {@code WireSizes} measures, {@code WireWriter} writes, {@code WireReader} reads the body, {@code
 * HostCodec} turns hosts into tags and raw addresses and back, and {@code WireLimits} holds every
 * bound.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BinarySerializer implements MessageSerializer {

  /**
   * The version {@link #encode(GossipMessage)} writes for a serializer of the default range: 2, the
   * oldest, which every node since format version 2 reads.
   */
  public static final int VERSION = WireVersions.OLDEST;

  /** Size of the fixed header of version 2 (magic, version, type, cluster hash) in bytes. */
  public static final int HEADER_BYTES = 8;

  /** The first version whose header carries the sender's range. */
  static final int RANGE_VERSION = 3;

  /**
   * The first version that carries application data: user broadcasts, broadcast pulls, message
   * types 7 to 9 and the push-pull's application state.
   */
  static final int USER_VERSION = 4;

  /** The first version that carries probe timestamps: bit 6 of the type byte. */
  static final int TIMING_VERSION = WireVersions.TIMING;

  /** Whether {@code message} goes out at {@code version} with its timing section. */
  static boolean hasTiming(GossipMessage message, int version) {
    if (version < TIMING_VERSION) {
      return false;
    }
    if (message instanceof GossipMessage.Ping p) {
      return p.timing() != null;
    }
    return message instanceof GossipMessage.Ack a && a.timing() != null;
  }

  /**
   * What is wrong with a message of {@code type} at {@code version} that has a user broadcast
   * section or not, or null: only pings, acks, indirect probes, nacks and gossip carry one, and
   * only at version 4 and later, the first with broadcast pulls too.
   */
  static @Nullable String userProblem(
      GossipMessage.MessageType type, boolean userSection, int version) {
    if (version < USER_VERSION
        && (userSection || type == GossipMessage.MessageType.BROADCAST_PULL)) {
      return (userSection ? "user broadcast section" : "broadcast pull")
          + " in a message of wire version "
          + version
          + "; version "
          + USER_VERSION
          + " is the first that carries one";
    }
    if (userSection
        && (type == GossipMessage.MessageType.PUSH_PULL
            || type == GossipMessage.MessageType.BROADCAST_PULL)) {
      return "a " + type + " carries no user broadcast section";
    }
    return null;
  }

  /** The largest metadata key, in bytes of UTF-8. */
  public static final int MAX_METADATA_KEY_BYTES = WireLimits.MAX_METADATA_KEY_BYTES;

  /** The largest metadata value, in bytes of UTF-8. */
  public static final int MAX_METADATA_VALUE_BYTES = WireLimits.MAX_METADATA_VALUE_BYTES;

  static final byte MAGIC_0 = 0x4C; // 'L'
  static final byte MAGIC_1 = 0x47; // 'G'

  /** Push-pull flags. */
  static final int FLAG_JOIN = 1;

  static final int FLAG_REPLY = 2;

  /** Push-pull flag, version 3 and later: a range per update follows the updates. */
  static final int FLAG_RANGES = 4;

  /** Push-pull flag, version 4 and later: the application state follows the ranges. */
  static final int FLAG_APP_STATE = 8;

  /** The two bytes standing for an unknown range in a push-pull's range list. */
  static final int NO_RANGE = 0;

  /** Update flags: the status in bits 0..1, then which optional fields are present. */
  static final int UPDATE_STATUS_MASK = 0x03;

  static final int UPDATE_HAS_FROM = 0x04;
  static final int UPDATE_HAS_METADATA_VERSION = 0x08;
  static final int UPDATE_HAS_CONFIG_EPOCH = 0x10;
  static final int UPDATE_RESERVED = 0xE0;

  private final String clusterName;
  private final int clusterHash;
  private final int maxMessageSize;
  private final WireVersions versions;

  /**
   * A serializer for the cluster {@code clusterName} that rejects incoming messages longer than
   * {@code maxMessageSize} bytes and speaks every version of {@link WireVersions#SUPPORTED}.
   *
   * @throws IllegalArgumentException when {@code maxMessageSize} is smaller than {@link
   *     #HEADER_BYTES}
   */
  public BinarySerializer(String clusterName, int maxMessageSize) {
    this(clusterName, maxMessageSize, WireVersions.SUPPORTED);
  }

  /**
   * A serializer for the cluster {@code clusterName} that rejects incoming messages longer than
   * {@code maxMessageSize} bytes, reads only the versions of {@code versions} and writes them in
   * version 3 headers.
   *
   * @throws IllegalArgumentException when {@code maxMessageSize} is smaller than {@link
   *     #HEADER_BYTES} or {@code versions} is not within {@link WireVersions#SUPPORTED}
   */
  public BinarySerializer(String clusterName, int maxMessageSize, WireVersions versions) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    if (maxMessageSize < HEADER_BYTES) {
      throw new IllegalArgumentException(
          "maxMessageSize must be at least " + HEADER_BYTES + ", got " + maxMessageSize);
    }
    this.versions = checkSupported(versions);
    this.clusterHash = clusterHash(clusterName);
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * A serializer for the cluster name, maximum message size and wire versions of {@code config}.
   */
  public static BinarySerializer forConfig(GossipConfig config) {
    Objects.requireNonNull(config, "config");
    return new BinarySerializer(
        config.clusterName(), config.maxMessageSize(), config.wireVersions());
  }

  /** {@code versions}, when this build speaks all of them. */
  static WireVersions checkSupported(WireVersions versions) {
    Objects.requireNonNull(versions, "versions");
    if (versions.min() < WireVersions.OLDEST || versions.max() > WireVersions.TIMING) {
      throw new IllegalArgumentException(
          "wire versions "
              + versions
              + " are not within the versions this build speaks, "
              + WireVersions.WITH_TIMING);
    }
    return versions;
  }

  /** The versions this serializer reads and writes. */
  public WireVersions versions() {
    return versions;
  }

  /** The size of the header of {@code version}. */
  static int headerBytes(int version) {
    return version >= RANGE_VERSION ? HEADER_BYTES + 2 : HEADER_BYTES;
  }

  private int checkVersion(int version) {
    if (!versions.contains(version)) {
      throw new IllegalArgumentException(
          "wire version " + version + " is not one this serializer writes, " + versions);
    }
    return version;
  }

  private static int checkCarries(GossipMessage message, int version) {
    String problem = userProblem(message.type(), !message.broadcasts().isEmpty(), version);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return version;
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
    return "BinarySerializer{cluster="
        + clusterName
        + ", maxMessageSize="
        + maxMessageSize
        + ", versions="
        + versions
        + "}";
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

  /** The wire code of a claim's {@code status}. */
  static int statusCode(NodeStatus status) {
    return switch (status) {
      case ONLINE -> 0;
      case SUSPECT -> 1;
      case FAILED -> 2;
      case LEFT -> 3;
      default -> throw new IllegalArgumentException("status " + status + " is never sent");
    };
  }

  /** The status with wire code {@code code}, in [0, 3]. */
  static NodeStatus status(int code) {
    return switch (code) {
      case 0 -> NodeStatus.ONLINE;
      case 1 -> NodeStatus.SUSPECT;
      case 2 -> NodeStatus.FAILED;
      default -> NodeStatus.LEFT;
    };
  }

  /** The flags byte of a push-pull. */
  static byte pushPullFlags(GossipMessage.PushPull m, int version) {
    return (byte)
        ((m.join() ? FLAG_JOIN : 0)
            | (m.reply() ? FLAG_REPLY : 0)
            | (hasRanges(m, version) ? FLAG_RANGES : 0)
            | (hasAppState(m, version) ? FLAG_APP_STATE : 0));
  }

  /** Whether {@code m} goes out at {@code version} with its application state. */
  static boolean hasAppState(GossipMessage.PushPull m, int version) {
    return version >= USER_VERSION && m.appState().length != 0;
  }

  /** Whether {@code m} goes out at {@code version} with its range list. */
  static boolean hasRanges(GossipMessage.PushPull m, int version) {
    return version >= RANGE_VERSION && !m.ranges().isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /** {@inheritDoc} At the oldest version of {@link #versions()}. */
  @Override
  public int encodedSize(GossipMessage message) {
    return encodedSize(message, versions.min());
  }

  /**
   * The exact number of bytes {@link #encode(GossipMessage, int)} produces for {@code message} at
   * {@code version}.
   *
   * @throws IllegalArgumentException when {@code version} is not in {@link #versions()}
   */
  @Override
  public int encodedSize(GossipMessage message, int version) {
    checkCarries(message, checkVersion(version));
    return WireSizes.checkedInt(WireSizes.messageSize(message, false, version));
  }

  /**
   * {@inheritDoc} At the oldest version of {@link #versions()}.
   *
   * @throws IllegalArgumentException when a metadata key or value exceeds the wire bounds, or two
   *     metadata keys of one member encode to the same bytes
   */
  @Override
  public byte[] encode(GossipMessage message) {
    return encode(message, versions.min());
  }

  /**
   * Encodes {@code message} at wire {@code version} into a new array.
   *
   * @throws IllegalArgumentException when {@code version} is not in {@link #versions()}, a metadata
   *     key or value exceeds the wire bounds, or two metadata keys of one member encode to the same
   *     bytes
   */
  @Override
  public byte[] encode(GossipMessage message, int version) {
    checkCarries(message, checkVersion(version));
    // One pass when every string is ASCII (the size is then known without reading them).
    int guess = WireSizes.checkedInt(WireSizes.messageSize(message, true, version));
    byte[] dst = new byte[guess];
    if (WireWriter.write(message, clusterHash, version, versions, dst, 0, true) == guess) {
      return dst;
    }
    int size = encodedSize(message, version);
    dst = new byte[size];
    int end = WireWriter.write(message, clusterHash, version, versions, dst, 0, false);
    assert end == size : "wrote " + end + " bytes, computed " + size;
    return dst;
  }

  /**
   * {@inheritDoc} At the oldest version of {@link #versions()}.
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
    return encode(message, versions.min(), dst, offset);
  }

  /**
   * Encodes {@code message} at wire {@code version} into {@code dst} at {@code offset}, as {@link
   * #encode(GossipMessage, byte[], int)} does.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException when {@code version} is not in {@link #versions()}, a metadata
   *     key or value exceeds the wire bounds, or two metadata keys of one member encode to the same
   *     bytes
   */
  @Override
  public int encode(GossipMessage message, int version, byte[] dst, int offset) {
    Objects.requireNonNull(dst, "dst");
    checkCarries(message, checkVersion(version));
    // One pass when every string is ASCII and the room suffices (see encode(GossipMessage)).
    int guess = WireSizes.checkedInt(WireSizes.messageSize(message, true, version));
    if (offset >= 0 && offset <= dst.length && dst.length - offset >= guess) {
      int end = WireWriter.write(message, clusterHash, version, versions, dst, offset, true);
      if (end >= 0) {
        return end - offset;
      }
    }
    int size = encodedSize(message, version);
    Objects.checkFromIndexSize(offset, size, dst.length);
    int end = WireWriter.write(message, clusterHash, version, versions, dst, offset, false);
    assert end - offset == size : "wrote " + (end - offset) + " bytes, computed " + size;
    return size;
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /**
   * {@inheritDoc}
   *
   * <p>Reads the versions of {@link #versions()}. Fails with {@link DropReason#TRUNCATED}, {@link
   * DropReason#BAD_MAGIC}, {@link DropReason#UNSUPPORTED_VERSION} (a version outside {@link
   * #versions()}), {@link DropReason#WRONG_CLUSTER}, {@link DropReason#UNKNOWN_TYPE}, {@link
   * DropReason#TOO_LARGE} (a message, length or count beyond its bound) or {@link
   * DropReason#MALFORMED} (any other invalid or non-canonical content). No other exception escapes
   * for any content of the range, and decoding allocates at most a small multiple of {@code
   * length}.
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
    int version = length >= 3 ? bytes[offset + 2] & 0xFF : versions.min();
    if (!versions.contains(version)) {
      throw new DecodeException(
          DropReason.UNSUPPORTED_VERSION,
          "wire version " + version + ", this node speaks " + versions);
    }
    int headerBytes = headerBytes(version);
    GossipMessage.MessageType type = null;
    boolean userSection = false;
    boolean timingSection = false;
    if (length >= 4) {
      int typeCode = bytes[offset + 3] & 0xFF;
      userSection = (typeCode & WireWriter.USER_FLAG) != 0;
      timingSection = version >= TIMING_VERSION && (typeCode & WireWriter.TIMING_FLAG) != 0;
      int code = typeCode & ~WireWriter.USER_FLAG & ~(timingSection ? WireWriter.TIMING_FLAG : 0);
      type = GossipMessage.MessageType.fromCode(code);
      if (type == null
          || (code >= UserCodec.FIRST_USER_TYPE
              && code <= GossipMessage.MessageType.QUERY_REPLY.code()
              && version < USER_VERSION)) {
        throw new DecodeException(
            DropReason.UNKNOWN_TYPE,
            "unknown message type " + typeCode + " at wire version " + version);
      }
      if (timingSection
          && type != GossipMessage.MessageType.PING
          && type != GossipMessage.MessageType.ACK) {
        throw new DecodeException(
            DropReason.MALFORMED, "a " + type + " carries no timing section (type bit 6)");
      }
      String userProblem = userProblem(type, userSection, version);
      if (userProblem != null) {
        throw new DecodeException(
            version < USER_VERSION ? DropReason.BROADCAST_BEFORE_VERSION_4 : DropReason.MALFORMED,
            userProblem);
      }
    }
    if (length < headerBytes || type == null) {
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
    if (version >= RANGE_VERSION) {
      int min = bytes[offset + 8] & 0xFF;
      int max = bytes[offset + 9] & 0xFF;
      if (min < 1 || min > version || version > max) {
        throw new DecodeException(
            DropReason.MALFORMED,
            "header range [" + min + ", " + max + "] does not hold its version " + version);
      }
    }
    try {
      return new WireReader(bytes, offset + headerBytes, end, maxMessageSize, version)
          .message(type, userSection, timingSection);
    } catch (IllegalArgumentException | NullPointerException e) {
      // a field the wire can carry but the model rejects (an empty id or host, ...)
      throw new DecodeException(DropReason.MALFORMED, "invalid field: " + e.getMessage());
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The range in the header of a version 3 message; null for version 2, whose header has none.
   */
  @Override
  public @Nullable WireVersions senderVersions(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (length < HEADER_BYTES + 2 || (bytes[offset + 2] & 0xFF) < RANGE_VERSION) {
      return null;
    }
    int min = bytes[offset + 8] & 0xFF;
    int max = bytes[offset + 9] & 0xFF;
    if (versions.min() == min && versions.max() == max) {
      return versions; // the common case: a peer of the same build and settings
    }
    return min >= 1 && min <= max ? new WireVersions(min, max) : null;
  }
}
