package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** Conversions between {@link NodeAddress} and socket addresses. */
final class Addresses {
  private Addresses() {}

  /**
   * The socket address of {@code address}. Literal IPs are converted without any lookup; host names
   * are resolved (through the JVM's DNS cache).
   *
   * @throws UnknownHostException when a host name does not resolve
   */
  static InetSocketAddress toSocketAddress(NodeAddress address) throws UnknownHostException {
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(address.host());
    if (literal != null) {
      return new InetSocketAddress(literal, address.port());
    }
    InetSocketAddress resolved = new InetSocketAddress(address.host(), address.port());
    if (resolved.isUnresolved()) {
      throw new UnknownHostException("cannot resolve host '" + address.host() + "'");
    }
    return resolved;
  }

  /** The socket address of {@code address} when its host is an IP literal, else null. */
  static @Nullable InetSocketAddress literal(NodeAddress address) {
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address.host());
    return ip != null ? new InetSocketAddress(ip, address.port()) : null;
  }

  /** The {@link NodeAddress} of a socket address, with the literal IP as host. */
  static NodeAddress fromSocketAddress(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    String host = ip != null ? NetUtil.toAddressString(ip) : address.getHostString();
    return new NodeAddress(host, address.getPort());
  }
}
