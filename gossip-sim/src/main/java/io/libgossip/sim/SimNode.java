package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.WireVersions;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One simulated node: its fixed identity, its current core, and the simulator's state about it. The
 * same object serves every life of the node (a restart builds a new core, not a new node).
 *
 * <p>Fields are read and written by {@link SimEngine}; everyone else reads them.
 */
final class SimNode {
  /** Marks "no pending tick" and "never stalled". */
  static final long NONE = Long.MIN_VALUE;

  /** A packet that reached the node while it was paused, handled when the pause ends. */
  record Held(GossipMessage message, int size, @Nullable WireVersions senderVersions) {}

  /** Index in the simulation, 0-based. */
  final int index;

  /** Core id: {@code "n" + index}. */
  final String id;

  /**
   * Where the node listens: {@link Simulation#addressOf(int)} until {@link Simulation#restartAt}
   * moves it (changed only through {@link LiveNodes#move}).
   */
  NodeAddress address;

  /** The running core; null while the node is not running (never started, crashed or left). */
  @Nullable GossipCore core;

  /** Started, not crashed, not left. A paused node is up. */
  boolean up;

  /** Started at least once (so a later start is a restart). */
  boolean everStarted;

  /** Paused: no ticks and no packets until {@link #pauseEnd}. */
  boolean paused;

  /** Virtual time the current pause ends. */
  long pauseEnd;

  /** Leaving gracefully: stops once {@link #leaveSpread} or at the leave deadline. */
  boolean leaving;

  /** Its core reported its own join complete ({@code SelfJoined}). */
  boolean joined;

  /** Its core reported that its leave has spread ({@code LeaveSpread}). */
  boolean leaveSpread;

  /**
   * Incremented at every start and stop, so that events meant for one life (packets in flight, a
   * pause end, a leave deadline) are recognised as stale in the next.
   */
  int life;

  /** Generation of the pending tick; a tick event with another generation is stale. */
  int tickGen;

  /** Time of the pending tick, or {@link #NONE}. */
  long tickAt = NONE;

  /** The instant a tick last left the core still due, or {@link #NONE}. */
  long stalledAt = NONE;

  /** Last crash, restart or pause (start or end): the node is excused from false positives. */
  long lastDisturbance = Long.MIN_VALUE / 4;

  /** Bytes sent during the current call into the core, reported to it when the call returns. */
  long pendingBytes;

  /** Packets that arrived during the current pause, in arrival order; empty when none. */
  List<Held> held = List.of();

  /** Position in the live list while up. */
  int livePos;

  SimNode(int index) {
    this.index = index;
    this.id = "n" + index;
    this.address = Simulation.addressOf(index);
  }

  /** Buffers a packet that arrived during a pause. */
  void hold(GossipMessage message, int size, @Nullable WireVersions senderVersions) {
    if (held.isEmpty()) {
      held = new ArrayList<>();
    }
    held.add(new Held(message, size, senderVersions));
  }

  /** Removes and returns the buffered packets. */
  List<Held> takeHeld() {
    List<Held> h = held;
    held = List.of();
    return h;
  }

  @Override
  public String toString() {
    return "node " + index;
  }

  /** The running core; a node that is not running here is a bookkeeping error. */
  GossipCore running() {
    GossipCore c = core;
    if (c == null) {
      throw new IllegalStateException("node " + index + " is not running");
    }
    return c;
  }
}
