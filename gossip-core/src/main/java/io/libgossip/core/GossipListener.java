package io.libgossip.core;

/**
 * Receives {@link ClusterEvent}s from a {@link GossipCore}, on the core's thread.
 *
 * <p>A listener that throws is counted in {@link GossipStats#listenerErrors()} and otherwise
 * ignored: it cannot corrupt the membership table.
 */
@FunctionalInterface
public interface GossipListener {
  /** Called once per change, in the order changes happen. Must not call back into the core. */
  void onEvent(ClusterEvent event);
}
