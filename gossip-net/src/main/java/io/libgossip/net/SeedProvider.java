package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where a {@link GossipNode} finds the members to join through: a fixed list, the A/AAAA records of
 * a name, or the SRV records of a service (a Kubernetes headless service). Asked again before every
 * join attempt, and from time to time while the node is alone.
 *
 * <pre>{@code
 * SeedProvider.of("10.0.0.5:7946", "seed.example.com:7946")      // fixed, names resolved each time
 * SeedProvider.dns("gossip.default.svc.cluster.local", 7946)    // every A/AAAA record
 * SeedProvider.srv("_gossip._udp.gossip.default.svc.cluster.local") // SRV targets and ports
 * DnsSeedProvider.srv(name).nameServers(List.of(dnsServer)).build() // another name server
 * }</pre>
 *
 * <p>An implementation must not block the caller: do the lookup elsewhere and complete the stage
 * later. It is never called on the node's event loop's critical path, but a blocking call would
 * still stall one thread.
 */
@FunctionalInterface
public interface SeedProvider {
  /**
   * The seeds now, as IP addresses (literal IPv4 or IPv6 hosts) with ports. Completes exceptionally
   * with a {@link SeedResolutionException} naming the host and the DNS error when a lookup fails;
   * an empty list means "nobody yet".
   */
  CompletionStage<List<NodeAddress>> seeds();

  /**
   * A fixed list written {@code host:port} (port default {@value GossipNode#DEFAULT_PORT}). IP
   * literals are used as they are; host names are resolved by the system resolver, off the caller's
   * thread, to every address they have, each time the seeds are asked for.
   *
   * @throws IllegalArgumentException naming a seed that is not {@code host[:port]}
   */
  static SeedProvider of(String... seeds) {
    return Seeds.fixed(Seeds.parse(Arrays.asList(seeds)));
  }

  /** A fixed list (see {@link #of(String...)}). */
  static SeedProvider of(Collection<NodeAddress> seeds) {
    return Seeds.fixed(List.copyOf(seeds));
  }

  /**
   * Every A and AAAA record of {@code host}, with {@code port}, looked up through the system's name
   * servers (see {@link DnsSeedProvider} for others).
   */
  static SeedProvider dns(String host, int port) {
    return DnsSeedProvider.dns(host, port).build();
  }

  /**
   * The targets and ports of the SRV records of {@code name} (such as {@code
   * _gossip._udp.gossip.default.svc.cluster.local}), each target resolved to every A and AAAA
   * record, through the system's name servers (see {@link DnsSeedProvider} for others).
   */
  static SeedProvider srv(String name) {
    return DnsSeedProvider.srv(name).build();
  }
}
