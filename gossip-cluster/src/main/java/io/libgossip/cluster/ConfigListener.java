package io.libgossip.cluster;

/**
 * Receives the changes of a {@link ClusterConfig}: every change, those of one key, or those of keys
 * with a prefix (see {@link ClusterConfig#addListener}, {@link ClusterConfig#subscribe} and {@link
 * ClusterConfig#subscribePrefix}).
 */
@FunctionalInterface
public interface ConfigListener {
  /**
   * A key's visible value changed. Called on the config's listener executor, one change at a time,
   * in the order this node applied them. A listener that throws is counted, not propagated.
   */
  void onChange(ConfigChange change);
}
