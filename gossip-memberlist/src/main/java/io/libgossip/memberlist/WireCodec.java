package io.libgossip.memberlist;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Packet (UDP) and stream (TCP) framing of memberlist messages.
 *
 * <pre>
 * packet:  [244 len label]? ( [vsn nonce AES-GCM(aad = label)] | plain )
 *   plain: [12 crc32:4]? body          crc32 (IEEE) over body
 *   body:  [7 n len:2*n part*] | [9 msgpack{Algo,Buf}] | message
 * stream:  [244 len label]? ( [10 len:4 vsn nonce AES-GCM(aad = 10 len:4 label)] | plain )
 *   plain: [9 msgpack{Algo,Buf}] | message    (push-pull: 6 header node* userState)
 * </pre>
 *
 * <p>Decoding never trusts a length: each is checked against the bytes present and the limits of
 * {@link WireConfig}; anything else raises {@link MemberlistDecodeException}. A label that differs
 * from the configured one, or plaintext when a keyring is configured, is rejected.
 */
public final class WireCodec {
  private static final int MAX_NESTING = 4;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final WireConfig config;
  private final Consumer<byte[]> nonceSource;

  /**
   * A codec with random nonces.
   *
   * @param config the framing options
   */
  public WireCodec(WireConfig config) {
    this(config, RANDOM::nextBytes);
  }

  /**
   * A codec with a caller-supplied nonce source (tests with fixed vectors).
   *
   * @param config the framing options
   * @param nonceSource fills a 12-byte array with a nonce; must never repeat for a key
   */
  public WireCodec(WireConfig config, Consumer<byte[]> nonceSource) {
    this.config = config;
    this.nonceSource = nonceSource;
  }

  /**
   * The encoded size of one message, type byte included, without any framing (a compound adds 2
   * bytes per part, plus the packet's label, encryption and CRC).
   *
   * @param msg the message (not push-pull or err, which are stream-only)
   * @return its size in bytes
   */
  public static int messageSize(MemberlistMessage msg) {
    return MessageCodec.encode(msg).length;
  }

  /**
   * The bytes this codec's framing adds to a packet of one message at most: label, encryption and
   * CRC (a compound adds 2 bytes of header and 2 per part on top).
   *
   * @return the overhead in bytes
   */
  public int packetOverhead() {
    int n = labelBytes().length;
    int overhead = n == 0 ? 0 : 2 + n;
    if (config.crc()) {
      overhead += 5;
    }
    if (config.keyring() != null) {
      overhead += 1 + 12 + 16 + (config.encryptionVersion() == 0 ? 16 : 0);
    }
    return overhead;
  }

  /**
   * Encodes one message as a packet.
   *
   * @param msg the message (not push-pull or err, which are stream-only)
   * @return the packet bytes
   */
  public byte[] encodePacket(MemberlistMessage msg) {
    return encodePacket(List.of(msg));
  }

  /**
   * Encodes messages as one packet, compound when there is more than one.
   *
   * @param msgs 1 to 255 messages, each at most 65535 bytes encoded
   * @return the packet bytes
   * @throws IllegalArgumentException for an empty list, too many or too large messages
   */
  public byte[] encodePacket(List<? extends MemberlistMessage> msgs) {
    if (msgs.isEmpty() || msgs.size() > 255) {
      throw new IllegalArgumentException("a packet holds 1 to 255 messages: " + msgs.size());
    }
    byte[] body;
    if (msgs.size() == 1) {
      body = MessageCodec.encode(msgs.get(0));
    } else {
      List<byte[]> parts = new ArrayList<>();
      for (MemberlistMessage m : msgs) {
        byte[] p = MessageCodec.encode(m);
        if (p.length > 0xffff) {
          throw new IllegalArgumentException("compound part over 65535 bytes: " + p.length);
        }
        parts.add(p);
      }
      Msgpack.Writer w = new Msgpack.Writer().raw(MemberlistMessage.COMPOUND).raw(parts.size());
      for (byte[] p : parts) {
        w.raw(p.length >>> 8).raw(p.length & 0xff);
      }
      for (byte[] p : parts) {
        w.raw(p);
      }
      body = w.toByteArray();
    }
    if (config.crc()) {
      CRC32 crc = new CRC32();
      crc.update(body);
      long v = crc.getValue();
      byte[] withCrc = new byte[body.length + 5];
      withCrc[0] = (byte) MemberlistMessage.HAS_CRC;
      withCrc[1] = (byte) (v >>> 24);
      withCrc[2] = (byte) (v >>> 16);
      withCrc[3] = (byte) (v >>> 8);
      withCrc[4] = (byte) v;
      System.arraycopy(body, 0, withCrc, 5, body.length);
      body = withCrc;
    }
    Keyring keyring = config.keyring();
    if (keyring != null) {
      body =
          Crypto.encrypt(
              config.encryptionVersion(), keyring.primary(), body, labelBytes(), nonceSource);
    }
    return withLabel(body);
  }

  /**
   * Decodes a packet into its messages (a compound yields its parts in order).
   *
   * @param packet the datagram
   * @return the messages
   * @throws MemberlistDecodeException if the packet is malformed, too large, wrongly labelled,
   *     unauthenticated or not decryptable
   */
  public List<MemberlistMessage> decodePacket(byte[] packet) throws MemberlistDecodeException {
    if (packet.length > config.maxPacketBytes()) {
      throw new MemberlistDecodeException("packet of " + packet.length + " bytes over the limit");
    }
    int off = checkLabel(packet);
    byte[] buf = packet;
    int len = packet.length - off;
    Keyring keyring = config.keyring();
    if (keyring != null) {
      buf = Crypto.decrypt(keyring, packet, off, len, labelBytes());
      off = 0;
      len = buf.length;
    }
    if (len >= 1 && (buf[off] & 0xff) == MemberlistMessage.HAS_CRC) {
      if (len < 5) {
        throw new MemberlistDecodeException("truncated CRC header");
      }
      long expected =
          ((buf[off + 1] & 0xffL) << 24)
              | ((buf[off + 2] & 0xffL) << 16)
              | ((buf[off + 3] & 0xffL) << 8)
              | (buf[off + 4] & 0xffL);
      CRC32 crc = new CRC32();
      crc.update(buf, off + 5, len - 5);
      if (crc.getValue() != expected) {
        throw new MemberlistDecodeException("CRC mismatch");
      }
      off += 5;
      len -= 5;
    }
    List<MemberlistMessage> out = new ArrayList<>();
    command(buf, off, len, out, 0);
    return out;
  }

  private void command(byte[] buf, int off, int len, List<MemberlistMessage> out, int depth)
      throws MemberlistDecodeException {
    if (depth > MAX_NESTING) {
      throw new MemberlistDecodeException("compound or compressed nesting too deep");
    }
    if (len < 1) {
      throw new MemberlistDecodeException("empty message");
    }
    int type = buf[off] & 0xff;
    if (type == MemberlistMessage.COMPOUND) {
      if (len < 2) {
        throw new MemberlistDecodeException("compound without a part count");
      }
      int n = buf[off + 1] & 0xff;
      int pos = off + 2;
      int end = off + len;
      if (end - pos < 2 * n) {
        throw new MemberlistDecodeException("compound part lengths truncated");
      }
      int data = pos + 2 * n;
      for (int i = 0; i < n; i++) {
        int partLen = ((buf[pos + 2 * i] & 0xff) << 8) | (buf[pos + 2 * i + 1] & 0xff);
        if (end - data < partLen) {
          throw new MemberlistDecodeException("compound part " + i + " truncated");
        }
        command(buf, data, partLen, out, depth + 1);
        data += partLen;
      }
    } else if (type == MemberlistMessage.COMPRESS) {
      byte[] plain = decompress(buf, off, len, config.maxPacketBytes());
      command(plain, 0, plain.length, out, depth + 1);
    } else {
      out.add(MessageCodec.decode(buf, off, len, false, config.maxPushNodes()));
    }
  }

  private static byte[] decompress(byte[] buf, int off, int len, int max)
      throws MemberlistDecodeException {
    Msgpack.Fields f = new Msgpack.Reader(buf, off + 1, len - 1).readMap("compress");
    int algo = f.u8("Algo");
    if (algo != 0) {
      throw new MemberlistDecodeException("unknown compression algorithm " + algo);
    }
    byte[] plain = Lzw.decompress(f.bytes("Buf").unsafeArray(), max);
    if (plain.length == 0) {
      throw new MemberlistDecodeException("compressed message is empty");
    }
    return plain;
  }

  /**
   * Encodes one message for a stream: push-pull, ping, ack, user message or err.
   *
   * @param msg the message
   * @return the bytes to write to the connection
   */
  public byte[] encodeStream(MemberlistMessage msg) {
    byte[] plain =
        msg instanceof MemberlistMessage.User u
            ? MessageCodec.encodeStreamUser(u)
            : MessageCodec.encode(msg);
    Keyring keyring = config.keyring();
    if (keyring != null) {
      int encLen = plain.length + Crypto.overhead(config.encryptionVersion(), plain.length);
      byte[] header = streamHeader(encLen);
      byte[] enc =
          Crypto.encrypt(
              config.encryptionVersion(), keyring.primary(), plain, aad(header), nonceSource);
      byte[] out = Arrays.copyOf(header, header.length + enc.length);
      System.arraycopy(enc, 0, out, header.length, enc.length);
      plain = out;
    }
    return withLabel(plain);
  }

  /**
   * Decodes the complete bytes a peer wrote on a stream (memberlist closes the connection after one
   * message, so read to the end, bounded by {@link WireConfig#maxStreamBytes()}).
   *
   * @param stream the bytes
   * @return the message
   * @throws MemberlistDecodeException if the bytes are malformed, truncated, too large, wrongly
   *     labelled, unauthenticated or not decryptable
   */
  public MemberlistMessage decodeStream(byte[] stream) throws MemberlistDecodeException {
    int off = checkLabel(stream);
    byte[] buf = stream;
    int len = stream.length - off;
    if (len < 1) {
      throw new MemberlistDecodeException("empty stream");
    }
    Keyring keyring = config.keyring();
    if ((buf[off] & 0xff) == MemberlistMessage.ENCRYPT) {
      if (keyring == null) {
        throw new MemberlistDecodeException("stream is encrypted but no keyring is configured");
      }
      if (len < 5) {
        throw new MemberlistDecodeException("truncated encrypted stream header");
      }
      long encLen =
          ((buf[off + 1] & 0xffL) << 24)
              | ((buf[off + 2] & 0xffL) << 16)
              | ((buf[off + 3] & 0xffL) << 8)
              | (buf[off + 4] & 0xffL);
      if (encLen > config.maxStreamBytes() || encLen > len - 5) {
        throw new MemberlistDecodeException(
            "encrypted stream length " + encLen + " over the limit or the input");
      }
      byte[] header = Arrays.copyOfRange(buf, off, off + 5);
      buf = Crypto.decrypt(keyring, buf, off + 5, (int) encLen, aad(header));
      off = 0;
      len = buf.length;
      if (len < 1) {
        throw new MemberlistDecodeException("empty encrypted stream message");
      }
    } else if (keyring != null) {
      throw new MemberlistDecodeException("stream is not encrypted but a keyring is configured");
    } else if (len > config.maxStreamBytes()) {
      throw new MemberlistDecodeException("stream of " + len + " bytes over the limit");
    }
    if ((buf[off] & 0xff) == MemberlistMessage.COMPRESS) {
      buf = decompress(buf, off, len, config.maxStreamBytes());
      off = 0;
      len = buf.length;
    }
    return MessageCodec.decode(buf, off, len, true, config.maxPushNodes());
  }

  private byte[] labelBytes() {
    return config.label().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] streamHeader(int encLen) {
    return new byte[] {
      (byte) MemberlistMessage.ENCRYPT,
      (byte) (encLen >>> 24),
      (byte) (encLen >>> 16),
      (byte) (encLen >>> 8),
      (byte) encLen
    };
  }

  private byte[] aad(byte[] header) {
    byte[] label = labelBytes();
    byte[] out = Arrays.copyOf(header, header.length + label.length);
    System.arraycopy(label, 0, out, header.length, label.length);
    return out;
  }

  private byte[] withLabel(byte[] body) {
    byte[] label = labelBytes();
    if (label.length == 0) {
      return body;
    }
    byte[] out = new byte[2 + label.length + body.length];
    out[0] = (byte) MemberlistMessage.HAS_LABEL;
    out[1] = (byte) label.length;
    System.arraycopy(label, 0, out, 2, label.length);
    System.arraycopy(body, 0, out, 2 + label.length, body.length);
    return out;
  }

  /** Checks the label header against the configured label; returns the offset after it. */
  private int checkLabel(byte[] buf) throws MemberlistDecodeException {
    String label = "";
    int off = 0;
    if (buf.length >= 1 && (buf[0] & 0xff) == MemberlistMessage.HAS_LABEL) {
      if (buf.length < 2) {
        throw new MemberlistDecodeException("truncated label header");
      }
      int size = buf[1] & 0xff;
      if (size < 1) {
        throw new MemberlistDecodeException("empty label header");
      }
      if (buf.length < 2 + size) {
        throw new MemberlistDecodeException("truncated label");
      }
      label = new String(buf, 2, size, StandardCharsets.UTF_8);
      off = 2 + size;
    }
    if (!label.equals(config.label())) {
      throw new MemberlistDecodeException(
          "label '" + label + "' differs from the configured '" + config.label() + "'");
    }
    return off;
  }
}
