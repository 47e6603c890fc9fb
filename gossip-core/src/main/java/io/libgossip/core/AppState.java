package io.libgossip.core;

/**
 * Application state carried in push-pull anti-entropy exchanges (memberlist's {@code LocalState}
 * and {@code MergeRemoteState}): every exchange sends the local state and merges the peer's, so
 * state kept convergent by the application (a CRDT, a hash ring) heals after partitions.
 *
 * <p>Called on the core's thread, synchronously from the core call that makes or receives an
 * exchange; keep both methods fast and do not call back into the core.
 */
public interface AppState {
  /**
   * The local state to send, at most {@link GossipConfig#maxAppStateBytes()} bytes; an empty array
   * for none.
   *
   * @param join whether the exchange is a join
   */
  byte[] localState(boolean join);

  /**
   * Merges a peer's state, as its {@link #localState} gave it.
   *
   * @param from the peer's id
   * @param state the peer's bytes; not copied, do not modify
   * @param join whether the exchange is a join
   */
  void mergeRemoteState(String from, byte[] state, boolean join);
}
