package io.libgossip.net;

/**
 * Why a transport dropped a packet for a reason of its own, not because the bytes were invalid
 * (those are counted by their {@link io.libgossip.core.DropReason}). Counted in {@link
 * TransportStats#transportDrops()}.
 */
public enum TransportDropReason {
  /** An outbound message larger than the datagram or frame limit of the path it had to take. */
  OVERSIZED,
  /** An outbound message the serializer or a {@link PacketTransform} failed to encode. */
  UNENCODABLE,
  /** A packet the transport could not deliver (unreachable, refused, connection lost). */
  SEND_FAILED,
  /**
   * A packet the transport could not take on: send buffer full, too many pending sends or
   * connections, transport not running, no inbound handler, or an inbound handler that threw.
   */
  OVERLOAD,
  /**
   * Inbound bytes a {@link PacketTransform} did not accept: another cluster's label, no key that
   * authenticates them, a failed checksum.
   */
  REJECTED_BY_TRANSFORM,
  /** A TCP connection that sent plaintext where TLS is required; it is closed. */
  TLS_PLAINTEXT,
  /**
   * A TCP connection whose TLS handshake failed: no certificate where one is required, one no trust
   * anchor signed, an expired one, or (mutual TLS) one without a {@code gossip://} id; closed.
   */
  TLS_HANDSHAKE_FAILED,
  /**
   * A message on a mutual-TLS connection whose sender is not the node id in the peer's certificate;
   * dropped, and the connection closed.
   */
  TLS_IDENTITY_MISMATCH
}
