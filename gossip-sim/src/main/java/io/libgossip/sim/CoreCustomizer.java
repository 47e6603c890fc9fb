package io.libgossip.sim;

import io.libgossip.core.GossipCore;

/**
 * Changes the builder of one node's core before the simulation builds it: a per-node setting such
 * as {@link GossipCore.Builder#packetOverhead(int)}, initial metadata or a different {@link
 * io.libgossip.core.GossipConfig}. Set it with {@link Simulation.Builder#customizeCore}.
 *
 * <p>It is called every time a node starts, restarts included, in the simulation loop. The builder
 * it gets already holds the simulation's config; after it returns, the simulator sets the node's
 * id, address, random generator, outbox and listener, which it owns, and builds the core. Runs stay
 * deterministic as long as the customizer is.
 */
@FunctionalInterface
public interface CoreCustomizer {
  /**
   * Customizes the core of node {@code node}.
   *
   * @param node the node's index, {@code 0 <= node < nodes}
   * @param builder its core's builder
   */
  void customize(int node, GossipCore.Builder builder);
}
