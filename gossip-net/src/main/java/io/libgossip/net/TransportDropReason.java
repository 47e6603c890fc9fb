package io.libgossip.net;

/**
 * Why a transport dropped a packet (or closed a connection, and with it a partial frame) for a
 * reason of its own, not because the bytes were invalid (those are counted by their {@link
 * io.libgossip.core.DropReason}). Counted in {@link TransportStats#transportDrops()}.
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
  /**
   * An inbound datagram or frame over its source address's token bucket ({@link
   * TransportOptions#inboundRatePerSource()}), dropped before it was decoded.
   */
  RATE_LIMITED,
  /**
   * An accepted TCP connection closed to make room for a new one ({@link
   * TransportOptions#maxInboundConnections()}, {@link TransportOptions#maxConnectionsPerPeer()}).
   */
  CONNECTION_EVICTED,
  /**
   * A TCP connection closed because a frame did not arrive whole within {@link
   * TransportOptions#slowReadTimeout()} of its first byte (the partial frame is dropped).
   */
  SLOW_READ,
  /**
   * A TCP connection closed because its unfinished frame would have taken the inbound buffers over
   * {@link TransportOptions#inboundBufferBudget()} (the partial frame is dropped).
   */
  MEMORY_BUDGET,
  /**
   * A plaintext packet at a node whose {@link Keyring} is in mode {@link KeyringMode#REQUIRED}: a
   * node without the key (or not yet upgraded), or a forgery.
   */
  KEYRING_PLAINTEXT_REFUSED,
  /**
   * A sealed packet whose key id is not in the {@link Keyring}: sealed with another key (a wrong
   * key, or one this node has removed or not installed yet).
   */
  KEYRING_UNKNOWN_KEY,
  /**
   * A sealed packet whose authentication tag does not verify with the key of its id: changed on the
   * way, forged, or sealed for another cluster label (cluster name).
   */
  KEYRING_AUTH_FAILED,
  /**
   * An authentic sealed packet whose timestamp is further from this node's clock than the replay
   * window: a replay, or clocks that disagree by more than the window (fix the clock).
   */
  KEYRING_STALE,
  /** Bytes that start like a sealed packet but are too short or of an unknown sealed version. */
  KEYRING_MALFORMED,
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
