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

  /**
   * The packet is not accepted and is counted under {@code reason} instead of {@link
   * TransportDropReason#REJECTED_BY_TRANSFORM}; {@code why} goes to the (rate-limited) drop log.
   */
  static TransformResult rejected(TransportDropReason reason, String why) {
    return new Rejected(why, reason);
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
   * @param reason the drop reason the transport counts it under
   */
  record Rejected(String why, TransportDropReason reason) implements TransformResult {
    /** Checks that {@code why} and {@code reason} are there. */
    public Rejected {
      Objects.requireNonNull(why, "why");
      Objects.requireNonNull(reason, "reason");
    }

    /** A rejection counted as {@link TransportDropReason#REJECTED_BY_TRANSFORM}. */
    public Rejected(String why) {
      this(why, TransportDropReason.REJECTED_BY_TRANSFORM);
    }
  }
}
