package io.libgossip.serf;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * What this node knows of another member, to answer Serf's name-conflict query ({@code
 * _serf_conflict}) about it.
 *
 * @param name node name
 * @param address its memberlist address (a resolved IP address and port)
 * @param tags its Serf tags
 */
public record SerfMemberInfo(String name, InetSocketAddress address, Map<String, String> tags) {
  /** Checks the fields and copies the tags. */
  public SerfMemberInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    if (address.getAddress() == null) {
      throw new IllegalArgumentException("address must be resolved: " + address);
    }
    tags = Map.copyOf(tags);
  }
}
