package io.libgossip.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sets one key of the local node's gossiped metadata: how a {@link QuorumLeaderElection} publishes
 * its term so that the next leader, on any node, takes a higher one.
 */
@FunctionalInterface
public interface MetadataPublisher {
  /** Sets {@code key} to {@code value} in the local node's metadata and spreads it. */
  void publish(String key, String value);

  /**
   * A publisher that reads the local metadata from {@code current}, sets the key and hands the
   * whole map to {@code replace}: for a {@code GossipNode}, {@code merging(() ->
   * node.self().metadata(), node::updateMetadata)}.
   */
  static MetadataPublisher merging(
      Supplier<Map<String, String>> current, Consumer<Map<String, String>> replace) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(replace, "replace");
    return (key, value) -> {
      Map<String, String> m = new HashMap<>(current.get());
      if (value.equals(m.get(key))) {
        return;
      }
      m.put(key, value);
      replace.accept(m);
    };
  }
}
