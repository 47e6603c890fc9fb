package io.libgossip.net;

/** The kinds of {@link Transport} that {@link TransportFactory} builds. */
public enum TransportType {
  /** UDP only: every message must fit one datagram; reliable messages are sent as datagrams too. */
  UDP,
  /** TCP only: every message travels as a length-prefixed frame over a pooled connection. */
  TCP,
  /**
   * UDP for best-effort messages that fit one datagram, TCP for reliable ones and anything larger;
   * both bind the same port number. The default.
   */
  HYBRID
}
