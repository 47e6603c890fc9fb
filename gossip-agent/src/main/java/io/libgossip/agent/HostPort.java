package io.libgossip.agent;

import io.libgossip.core.NodeAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict parsing of the addresses given on a command line: {@code host:port}, {@code [ipv6]:port},
 * or a host alone where a default port applies. A bad address is an {@link
 * AgentMain.UsageException} whose message names the option and the bad value.
 */
final class HostPort {
  /** The hint for a host with more than one colon and no brackets. */
  static final String IPV6_HINT = "an IPv6 address goes in brackets, e.g. [::1]:7946";

  private HostPort() {}

  /**
   * Parses one address given to {@code flag}.
   *
   * @param defaultPort the port of a host given alone, or -1 when the port is required
   * @param portZero whether port 0 is accepted (it means "pick one" or "the bound port")
   */
  static NodeAddress parse(String flag, String text, int defaultPort, boolean portZero) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw bad(flag, text, "empty");
    }
    if (s.chars().anyMatch(Character::isWhitespace)) {
      throw bad(flag, text, "it contains a space");
    }
    String host;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        throw bad(flag, text, "missing ']'");
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw bad(flag, text, "expected ':' after ']'");
        }
        port = rest.substring(1);
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && colon != s.lastIndexOf(':')) {
        throw bad(flag, text, IPV6_HINT);
      }
      host = colon < 0 ? s : s.substring(0, colon);
      port = colon < 0 ? null : s.substring(colon + 1);
    }
    if (host.isEmpty()) {
      throw bad(flag, text, "no host");
    }
    int p;
    if (port == null) {
      if (defaultPort < 0) {
        throw bad(flag, text, "no port");
      }
      p = defaultPort;
    } else {
      if (port.isEmpty()
          || port.length() > 5
          || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw bad(flag, text, "port '" + port + "' is not a number");
      }
      p = Integer.parseInt(port);
      if (p > 65_535) {
        throw bad(flag, text, "port " + p + " is above 65535");
      }
      if (p == 0 && !portZero) {
        throw bad(flag, text, "port 0 cannot be reached");
      }
    }
    try {
      return new NodeAddress(host, p);
    } catch (IllegalArgumentException e) {
      throw bad(flag, text, String.valueOf(e.getMessage()));
    }
  }

  /**
   * Parses a comma-separated list of seeds given to {@code flag} (port default {@code
   * defaultPort}); an empty entry (two commas, or one at either end) is an error.
   */
  static List<NodeAddress> list(String flag, String text, int defaultPort) {
    List<NodeAddress> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw new AgentMain.UsageException(
            flag
                + ": expected HOST:PORT[,HOST:PORT...], got '"
                + text
                + "' (an empty address: a stray comma?)");
      }
      out.add(parse(flag, part, defaultPort, false));
    }
    return out;
  }

  private static AgentMain.UsageException bad(String flag, String text, String why) {
    return new AgentMain.UsageException(
        flag + ": expected HOST:PORT, got '" + text + "' (" + why + ")");
  }
}
