package io.libgossip.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/** Packet transforms for tests: a label prefix, an XOR-and-checksum, a fixed-size padding. */
final class TestTransforms {
  private TestTransforms() {}

  /** Prefixes every packet with a 4-byte label; rejects packets without it (like memberlist). */
  static final class Label implements PacketTransform {
    final byte[] label;
    final AtomicLong encoded = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    Label(String label) {
      this.label = label.getBytes(StandardCharsets.US_ASCII);
      if (this.label.length != 4) {
        throw new IllegalArgumentException("label must be 4 ASCII bytes: " + label);
      }
    }

    @Override
    public String name() {
      return "label";
    }

    @Override
    public int overhead() {
      return 4;
    }

    @Override
    public byte[] encode(byte[] packet) {
      encoded.incrementAndGet();
      byte[] out = new byte[4 + packet.length];
      System.arraycopy(label, 0, out, 0, 4);
      System.arraycopy(packet, 0, out, 4, packet.length);
      return out;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      if (packet.length < 4) {
        rejected.incrementAndGet();
        return TransformResult.rejected("shorter than the label");
      }
      if (!Arrays.equals(packet, 0, 4, label, 0, 4)) {
        rejected.incrementAndGet();
        return TransformResult.rejected("another label");
      }
      return TransformResult.accepted(Arrays.copyOfRange(packet, 4, packet.length));
    }
  }

  /**
   * Appends a CRC-32 of the packet and XORs every byte before it with a key byte; rejects a packet
   * whose checksum does not match after the XOR (damaged, or made with another key).
   */
  static final class XorCrc implements PacketTransform {
    private final byte key;

    XorCrc(int key) {
      this.key = (byte) key;
    }

    @Override
    public String name() {
      return "xor-crc";
    }

    @Override
    public int overhead() {
      return 4;
    }

    @Override
    public byte[] encode(byte[] packet) {
      byte[] out = Arrays.copyOf(packet, packet.length + 4);
      int crc = crc(packet, packet.length);
      out[packet.length] = (byte) (crc >>> 24);
      out[packet.length + 1] = (byte) (crc >>> 16);
      out[packet.length + 2] = (byte) (crc >>> 8);
      out[packet.length + 3] = (byte) crc;
      for (int i = 0; i < packet.length; i++) {
        out[i] ^= key;
      }
      return out;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      if (packet.length < 4) {
        return TransformResult.rejected("shorter than the checksum");
      }
      int n = packet.length - 4;
      byte[] out = Arrays.copyOf(packet, n);
      for (int i = 0; i < n; i++) {
        out[i] ^= key;
      }
      int crc =
          (packet[n] & 0xff) << 24
              | (packet[n + 1] & 0xff) << 16
              | (packet[n + 2] & 0xff) << 8
              | (packet[n + 3] & 0xff);
      if (crc != crc(out, n)) {
        return TransformResult.rejected("bad checksum");
      }
      return TransformResult.accepted(out);
    }

    private static int crc(byte[] b, int length) {
      CRC32 c = new CRC32();
      c.update(b, 0, length);
      return (int) c.getValue();
    }
  }

  /**
   * Appends exactly {@code overhead} bytes of a fixed pattern and checks them on the way in: a
   * transform as expensive as a large label plus an AEAD nonce and tag.
   */
  static class Padding implements PacketTransform {
    private final int overhead;

    Padding(int overhead) {
      this.overhead = overhead;
    }

    @Override
    public String name() {
      return "padding";
    }

    @Override
    public int overhead() {
      return overhead;
    }

    @Override
    public byte[] encode(byte[] packet) {
      byte[] out = Arrays.copyOf(packet, packet.length + overhead);
      for (int i = packet.length; i < out.length; i++) {
        out[i] = (byte) (0xA5 ^ i);
      }
      return out;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      int n = packet.length - overhead;
      if (n < 0) {
        return TransformResult.rejected("shorter than the padding");
      }
      for (int i = n; i < packet.length; i++) {
        if (packet[i] != (byte) (0xA5 ^ i)) {
          return TransformResult.rejected("bad padding");
        }
      }
      return TransformResult.accepted(Arrays.copyOf(packet, n));
    }
  }
}
