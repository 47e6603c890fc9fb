package io.libgossip.net;

import java.util.Objects;

/**
 * What {@link PacketTransform#decode} made of an inbound packet: the inner bytes, or a rejection
 * that the transport counts as a drop.
 */
public sealed interface TransformResult {

  /** The packet was accepted; {@code packet} is what the next stage (or the serializer) reads. */
  static TransformResult accepted(byte[] packet) {
    return new Accepted(packet);
  }

  /** The packet is not accepted; {@code why} goes to the (rate-limited) drop log. */
  static TransformResult rejected(String why) {
    return new Rejected(why);
  }

  /** The inner bytes of an accepted packet, for the next stage (or the serializer) to read. */
  final class Accepted implements TransformResult {
    private final byte[] packet;

    /** Accepts {@code packet}, which is kept, not copied. */
    public Accepted(byte[] packet) {
      this.packet = Objects.requireNonNull(packet, "packet");
    }

    /** The inner bytes (the array given, not a copy). */
    public byte[] packet() {
      return packet;
    }

    @Override
    public String toString() {
      return "Accepted[" + packet.length + " bytes]";
    }
  }

  /**
   * A packet the transform does not accept: not this cluster's (another label, no key fits) or
   * damaged (checksum, authentication tag, too short).
   *
   * @param why a short explanation for logs
   */
  record Rejected(String why) implements TransformResult {
    /** Checks that {@code why} is there. */
    public Rejected {
      Objects.requireNonNull(why, "why");
    }
  }
}
