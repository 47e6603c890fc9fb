package io.libgossip.sim;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.WireVersions;
import org.jspecify.annotations.Nullable;

/**
 * What the simulation loop can have scheduled. Each event knows which {@link SimEngine} step it
 * triggers; events for one life of a node carry that life (or tick generation) and do nothing when
 * they fire in another.
 */
sealed interface SimEvent {

  /** Runs the event at the engine's current time. */
  void fire(SimEngine engine);

  /** Node {@code node} starts for the first time (restarts are commands, not events). */
  record Start(SimNode node) implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      engine.onStart(node);
    }
  }

  /** The node's core is due; stale unless {@code generation} is the node's current one. */
  record Tick(SimNode node, int generation) implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      engine.onTick(node, generation);
    }
  }

  /**
   * A packet from node {@code src} arrives at {@code dst}; lost if {@code dst} is no longer in life
   * {@code dstLife} or a partition now cuts the link. It went out at wire {@code version} (0: the
   * serializer's default), with the sender's range in its header when {@code senderVersions} is not
   * null.
   */
  record Deliver(
      SimNode dst,
      int dstLife,
      int src,
      int size,
      GossipMessage message,
      int version,
      @Nullable WireVersions senderVersions)
      implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      engine.onDeliver(this);
    }
  }

  /** The node's pause may end (a later pause may have extended it). */
  record PauseEnd(SimNode node, int life) implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      engine.onPauseEnd(node, life);
    }
  }

  /** A leaving node that is still running in life {@code life} stops now. */
  record LeaveDeadline(SimNode node, int life) implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      engine.onLeaveDeadline(node, life);
    }
  }

  /** A user or scenario action scheduled with {@link Simulation#schedule}. */
  record Action(Runnable action) implements SimEvent {
    @Override
    public void fire(SimEngine engine) {
      action.run();
    }
  }
}
