package io.libgossip.core;

/**
 * Timings of protocol steps as they happen, for metrics: the round-trip time of an answered probe,
 * how long a member stayed suspected, how long a periodic state exchange took. Every method has a
 * no-op default, so an observer implements only what it needs.
 *
 * <p>Calls come on the thread that drives the core (in {@code gossip-net}, the node's event loop)
 * while a {@code tick} or {@code handleMessage} runs, with times on the core's clock. They must
 * return quickly and must not call back into the core: record a number and return. Observing
 * changes nothing in the protocol. A method that throws is counted in {@link
 * GossipStats#listenerErrors()} and otherwise ignored.
 */
public interface ProtocolObserver {

  /** An observer that ignores everything. */
  ProtocolObserver NONE = new ProtocolObserver() {};

  /**
   * A probe of this node was answered: {@code rttNanos} from its ping until the first ack for it,
   * direct or relayed by an indirect check.
   */
  default void probeAcked(long rttNanos) {}

  /**
   * A member this node held {@code SUSPECT} is no longer: {@code nanos} since it became suspect
   * here, and the status it moved to ({@code FAILED} when the suspicion timed out or a failure was
   * learned, {@code ONLINE} when it was refuted, {@code LEFT}).
   */
  default void suspicionEnded(long nanos, NodeStatus outcome) {}

  /**
   * A periodic state exchange this node started was answered: {@code nanos} from its request until
   * the reply was merged.
   */
  default void pushPullCompleted(long nanos) {}
}
