package io.libgossip.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Where a node listens: a host (name or literal IPv4/IPv6 address) and a port.
 *
 * <p>The core never resolves the host; it only carries it. The runtime turns it into a socket
 * address. IPv6 literals are written in brackets when formatted ({@code [::1]:7946}). Immutable;
 * two addresses are equal when host and port are.
 */
public final class NodeAddress {
  private static final VarHandle HOST_BITS;

  static {
    try {
      HOST_BITS = MethodHandles.lookup().findVarHandle(NodeAddress.class, "hostBits", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String host;
  private final int port;

  /**
   * What the binary format needs to know of the host, found on first use (every encode of the
   * address needs it): 0 not yet known, 1 not a canonical IPv4 literal, otherwise 2 + its 32 bits.
   * Read and written only through {@link #HOST_BITS} with opaque access: racing threads compute the
   * same value, and a long so accessed is never seen half-written.
   */
  @SuppressWarnings("unused") // accessed through HOST_BITS
  private long hostBits;

  /** The largest host length, in UTF-8 bytes, accepted anywhere in libgossip. */
  public static final int MAX_HOST_BYTES = WireLimits.MAX_HOST_BYTES;

  /**
   * Validates the host and port.
   *
   * @param host host name or literal address, non-empty, at most 255 bytes of UTF-8, printable
   *     ({@link TextRules})
   * @param port port number in {@code [0, 65535]}
   * @throws IllegalArgumentException naming what is wrong
   */
  public NodeAddress(String host, int port) {
    Objects.requireNonNull(host, "host");
    String problem = WireLimits.textProblem(host, "host", MAX_HOST_BYTES);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    this.host = host;
    this.port = port;
  }

  /** The host name or literal address. */
  public String host() {
    return host;
  }

  /** The port number. */
  public int port() {
    return port;
  }

  /**
   * An address decoded from the wire, already checked by the decoder; {@code ipv4} is what {@link
   * #ipv4()} returns.
   */
  NodeAddress(String host, int port, long ipv4) {
    this.host = host;
    this.port = port;
    HOST_BITS.setOpaque(this, ipv4 + 2);
  }

  /** The host as an IPv4 address in the low 32 bits, or -1 when it is no canonical literal. */
  long ipv4() {
    long bits = (long) HOST_BITS.getOpaque(this);
    if (bits == 0) {
      bits = HostCodec.ipv4(host) + 2;
      HOST_BITS.setOpaque(this, bits);
    }
    return bits - 2;
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port}, or a bare host with {@code defaultPort}.
   *
   * @throws IllegalArgumentException naming the text when it is not a valid address
   */
  public static NodeAddress parse(String text, int defaultPort) {
    Objects.requireNonNull(text, "text");
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("address must not be empty");
    }
    String host;
    String portText = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("address '" + text + "': missing ']'");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("address '" + text + "': expected ':' after ']'");
        }
        portText = rest.substring(1);
      }
    } else {
      int colon = s.lastIndexOf(':');
      if (colon >= 0 && s.indexOf(':') == colon) {
        host = s.substring(0, colon);
        portText = s.substring(colon + 1);
      } else {
        host = s; // no port, or a bare IPv6 literal
      }
    }
    int port = defaultPort;
    if (portText != null) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "address '" + text + "': port '" + portText + "' is not a number", e);
      }
    }
    try {
      return new NodeAddress(host, port);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address '" + text + "': " + e.getMessage(), e);
    }
  }

  /** Parses {@code host:port}; the port is required. */
  public static NodeAddress parse(String text) {
    NodeAddress a = parse(text, -1);
    return a;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof NodeAddress a && port == a.port && host.equals(a.host));
  }

  @Override
  public int hashCode() {
    return 31 * host.hashCode() + port;
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
