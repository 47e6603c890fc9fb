package io.libgossip.core;

import java.util.Objects;

/**
 * Where a node listens: a host (name or literal IPv4/IPv6 address) and a port.
 *
 * <p>The core never resolves the host; it only carries it. The runtime turns it into a socket
 * address. IPv6 literals are written in brackets when formatted ({@code [::1]:7946}).
 *
 * @param host host name or literal address, non-empty, at most 255 bytes of UTF-8
 * @param port port number in {@code [0, 65535]}
 */
public record NodeAddress(String host, int port) {

  /** The largest host length, in UTF-8 bytes, accepted anywhere in libgossip. */
  public static final int MAX_HOST_BYTES = 255;

  /** Validates the host and port. */
  public NodeAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (Utf8.length(host) > MAX_HOST_BYTES) {
      throw new IllegalArgumentException(
          "host must be at most " + MAX_HOST_BYTES + " bytes of UTF-8, got " + host.length());
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
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
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
