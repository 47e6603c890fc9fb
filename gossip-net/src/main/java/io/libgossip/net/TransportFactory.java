package io.libgossip.net;

import java.util.Objects;

/**
 * Builds transports by type. The concrete transports are internal; a {@link Transport} is all a
 * caller sees. The threads they run on are an {@link EventLoopPool}.
 */
public final class TransportFactory {
  private TransportFactory() {}

  /** The default type: {@link TransportType#HYBRID}. */
  public static final TransportType DEFAULT_TYPE = TransportType.HYBRID;

  /** A new, not yet started transport of {@code type}. */
  public static Transport create(TransportType type, TransportOptions options) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(options, "options");
    switch (type) {
      case UDP:
        return new UdpTransport(options);
      case TCP:
        return new TcpTransport(options);
      case HYBRID:
        return new HybridTransport(options);
      default:
        throw new IllegalArgumentException("unknown transport type " + type);
    }
  }

  /** A new, not yet started {@link TransportType#HYBRID} transport. */
  public static Transport create(TransportOptions options) {
    return create(DEFAULT_TYPE, options);
  }

  /** The type named {@code name} ({@code udp}, {@code tcp}, {@code hybrid}; any case). */
  public static TransportType type(String name) {
    Objects.requireNonNull(name, "name");
    for (TransportType t : TransportType.values()) {
      if (t.name().equalsIgnoreCase(name.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "transport must be one of udp, tcp, hybrid; got '" + name + "'");
  }

  /**
   * Whether native epoll is available on this machine (Linux on x86_64 or aarch64, with Netty's
   * native library loaded); pools made by {@link EventLoopPool#create} then use it, NIO otherwise.
   */
  public static boolean epollAvailable() {
    return EventLoops.epollAvailable();
  }
}
