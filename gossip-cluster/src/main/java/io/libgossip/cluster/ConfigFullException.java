package io.libgossip.cluster;

/**
 * A {@link ClusterConfig} write refused because the map would exceed its bound on entries or bytes
 * (tombstones count until they are purged). Nothing changed.
 */
public final class ConfigFullException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  ConfigFullException(String message) {
    super(message);
  }
}
