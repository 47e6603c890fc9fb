package io.libgossip.cluster;

/** A registered {@link ConfigListener}; {@link #close()} stops its calls. */
public interface ConfigSubscription extends AutoCloseable {
  /** Stops calling the listener (a call already under way finishes). Idempotent. */
  @Override
  void close();
}
