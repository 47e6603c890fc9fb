package io.libgossip.net;

import io.netty.channel.EventLoopGroup;
import java.util.Objects;

/**
 * Builds transports by type, and the event-loop groups they run on. The concrete transports are
 * internal; a {@link Transport} is all a caller sees.
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
   * A new group of {@code threads} event loops (epoll when the native library loads, NIO otherwise)
   * with daemon threads named {@code namePrefix-N}. The caller owns it and shuts it down after
   * closing every node or transport that runs on it.
   *
   * <p>Many nodes in one JVM (tests, benchmarks, examples) should share one group and pass it to
   * each node ({@link GossipNode.Builder#eventLoopGroup}); a node without one creates and owns a
   * small group of its own.
   *
   * @throws IllegalArgumentException when {@code threads < 1}
   */
  public static EventLoopGroup newEventLoopGroup(int threads, String namePrefix) {
    return EventLoops.newGroup(threads, namePrefix);
  }

  /** Whether native epoll is available on this machine (groups made here then use it). */
  public static boolean epollAvailable() {
    return EventLoops.epollAvailable();
  }
}
