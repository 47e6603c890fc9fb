package io.libgossip.net;

import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.WireVersions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The byte-level path between messages and the network: the serializer, then each {@link
 * PacketTransform} in order on the way out, and the reverse on the way in. Decoding never throws:
 * every outcome is an {@link Inbound} value. Thread-safe when the serializer and transforms are.
 */
final class PacketPipeline {
  private final MessageSerializer serializer;
  private final PacketTransform[] transforms;
  private final int overhead;

  PacketPipeline(MessageSerializer serializer, List<PacketTransform> transforms) {
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.transforms = transforms.toArray(new PacketTransform[0]);
    this.overhead = overhead(transforms);
  }

  /**
   * The sum of the transforms' overheads.
   *
   * @throws IllegalArgumentException naming a transform whose overhead is negative
   */
  static int overhead(List<PacketTransform> transforms) {
    long sum = 0;
    for (PacketTransform t : transforms) {
      Objects.requireNonNull(t, "transform");
      int o = t.overhead();
      if (o < 0) {
        throw new IllegalArgumentException(
            "transform " + t.name() + " declares a negative overhead: " + o);
      }
      sum += o;
    }
    if (sum > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("transforms add more than 2^31 bytes per packet");
    }
    return (int) sum;
  }

  /** Bytes the transforms add to a packet at most. */
  int overhead() {
    return overhead;
  }

  /**
   * Encodes {@code message} into a new array with {@code headroom} free bytes in front; the packet
   * is the rest of the array.
   *
   * @throws RuntimeException with a message saying what failed (the serializer, or which transform)
   */
  byte[] encode(GossipMessage message, int headroom) {
    return encode(message, 0, headroom);
  }

  /** As {@link #encode(GossipMessage, int)}, at wire {@code version} (0: the default). */
  byte[] encode(GossipMessage message, int version, int headroom) {
    int size =
        version == 0 ? serializer.encodedSize(message) : serializer.encodedSize(message, version);
    if (transforms.length == 0) {
      byte[] out = new byte[headroom + size];
      checkWritten(
          version == 0
              ? serializer.encode(message, out, headroom)
              : serializer.encode(message, version, out, headroom),
          size);
      return out;
    }
    byte[] packet = new byte[size];
    checkWritten(
        version == 0
            ? serializer.encode(message, packet, 0)
            : serializer.encode(message, version, packet, 0),
        size);
    for (PacketTransform t : transforms) {
      int in = packet.length;
      byte[] out = t.encode(packet);
      if (out == null) {
        throw new IllegalStateException("transform " + t.name() + " returned no packet");
      }
      if (out.length - in > t.overhead()) {
        throw new IllegalStateException(
            "transform "
                + t.name()
                + " added "
                + (out.length - in)
                + " bytes, more than its declared overhead of "
                + t.overhead());
      }
      packet = out;
    }
    if (headroom == 0) {
      return packet;
    }
    byte[] out = new byte[headroom + packet.length];
    System.arraycopy(packet, 0, out, headroom, packet.length);
    return out;
  }

  private void checkWritten(int written, int size) {
    if (written != size) {
      throw new IllegalStateException(
          serializer.name() + " serializer wrote " + written + " bytes, announced " + size);
    }
  }

  /** Decodes the readable bytes of {@code payload}; does not move its indexes or release it. */
  Inbound decode(ByteBuf payload) {
    int length = payload.readableBytes();
    if (transforms.length == 0 && payload.hasArray()) {
      return decode(payload.array(), payload.arrayOffset() + payload.readerIndex(), length);
    }
    byte[] bytes = ByteBufUtil.getBytes(payload, payload.readerIndex(), length, false);
    return decode(bytes, 0, length);
  }

  /** Decodes {@code length} bytes of {@code bytes} at {@code offset}; never throws. */
  Inbound decode(byte[] bytes, int offset, int length) {
    byte[] packet = bytes;
    int off = offset;
    int len = length;
    if (transforms.length > 0) {
      if (off != 0 || len != bytes.length) {
        packet = new byte[len];
        System.arraycopy(bytes, off, packet, 0, len);
        off = 0;
      }
      for (int i = transforms.length - 1; i >= 0; i--) {
        PacketTransform t = transforms[i];
        TransformResult r;
        try {
          r = t.decode(packet);
        } catch (RuntimeException e) { // a transform bug must not escape into the pipeline
          return new Inbound.Rejected(t.name(), "decode threw " + e);
        }
        if (r instanceof TransformResult.Accepted a) {
          packet = a.packet();
        } else if (r instanceof TransformResult.Rejected rej) {
          return new Inbound.Rejected(t.name(), rej.why(), rej.reason());
        } else {
          return new Inbound.Rejected(t.name(), "decode returned no result");
        }
      }
      len = packet.length;
    }
    try {
      GossipMessage message = serializer.decode(packet, off, len);
      return new Inbound.Decoded(message, serializer.senderVersions(packet, off, len));
    } catch (DecodeException e) {
      return new Inbound.Undecodable(e.reason(), e.getMessage());
    } catch (RuntimeException e) { // a serializer bug must not escape into the pipeline
      return new Inbound.Undecodable(DropReason.MALFORMED, e.toString());
    }
  }

  /** What became of one inbound packet. */
  sealed interface Inbound {
    /** A message. */
    record Decoded(GossipMessage message, @Nullable WireVersions senderVersions)
        implements Inbound {}

    /** Bytes the serializer rejected. */
    record Undecodable(DropReason reason, @Nullable String detail) implements Inbound {}

    /** Bytes a transform rejected, counted under {@code reason}. */
    record Rejected(String transform, String why, TransportDropReason reason) implements Inbound {
      Rejected(String transform, String why) {
        this(transform, why, TransportDropReason.REJECTED_BY_TRANSFORM);
      }
    }
  }
}
