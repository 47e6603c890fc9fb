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
   * The inner bytes of an accepted packet.
   *
   * @param packet the bytes for the next stage; the record compares it by identity
   */
  record Accepted(byte[] packet) implements TransformResult {
    /** Checks that {@code packet} is there. */
    public Accepted {
      Objects.requireNonNull(packet, "packet");
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
