package io.libgossip.cluster;

import org.jspecify.annotations.Nullable;

/**
 * How a {@link ClusterConfig} sends a write to the other members: a user broadcast of the node it
 * runs on. For a {@code GossipNode}: {@code node::broadcast}; for a {@code GossipCore}: {@code (t,
 * p, k) -> core.broadcast(t, p, k, now)} on the core's thread.
 */
@FunctionalInterface
public interface ConfigBroadcaster {
  /**
   * Broadcasts {@code payload} on {@code topic}; a newer broadcast with the same {@code key}
   * replaces this one where it still waits. May throw (node not started, closed): the write stays
   * applied locally and spreads by anti-entropy.
   */
  void broadcast(String topic, byte[] payload, @Nullable String key);
}
