package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import java.util.BitSet;
import java.util.Map;

/**
 * The faults and commands {@link Simulation} applies to nodes from outside the loop: crash,
 * restart, pause, partition and heal, metadata updates and graceful leaves. It also decides which
 * nodes count as healthy, since that depends on the faults they recently suffered.
 *
 * <p>Arguments are validated by {@link Simulation}.
 */
final class NodeCommands {
  private final SimEngine engine;
  private final Network net;
  private final Measurements measure;
  private final LiveNodes live;
  private final long leaveTimeoutNanos;
  private final long excuseNanos;
  private long partitionExcuseUntil = Long.MIN_VALUE / 4;

  /**
   * @param leaveTimeoutNanos the longest a leaving node keeps running
   * @param excuseNanos how long after a disturbance or a partition suspecting a node is excused
   */
  NodeCommands(SimEngine engine, Network net, long leaveTimeoutNanos, long excuseNanos) {
    this.engine = engine;
    this.net = net;
    this.measure = engine.measure;
    this.live = engine.live;
    this.leaveTimeoutNanos = leaveTimeoutNanos;
    this.excuseNanos = excuseNanos;
  }

  /** Crashes a running node now. */
  void crash(SimNode node) {
    engine.stopNode(node);
    node.lastDisturbance = engine.now();
    measure.detection.crashed(node.index, engine.now(), liveExcept(-1));
  }

  /** Restarts a stopped node now. */
  void restart(SimNode node) {
    measure.faults.restarted();
    engine.startNode(node);
  }

  /** Pauses a running node for {@code nanos} from now (or until a longer pause ends). */
  void pause(SimNode node, long nanos) {
    long now = engine.now();
    long end = now + nanos;
    if (node.paused && node.pauseEnd > end) {
      end = node.pauseEnd;
    }
    node.pauseEnd = end;
    node.paused = true;
    measure.faults.paused();
    node.lastDisturbance = now;
    engine.push(end, new SimEvent.PauseEnd(node, node.life));
  }

  /**
   * Makes a node slow: it drops each best-effort packet that reaches it with probability {@code p}
   * from now on (drawn from a generator seeded with {@code seed}); it stays healthy.
   */
  void slow(SimNode node, double p, long seed) {
    net.slow(node.index, live.size(), p, seed);
    measure.falsePositives.slow(node.index, p > 0);
  }

  boolean isSlow(int node) {
    return net.isSlow(node);
  }

  long slowDrops() {
    return net.slowDrops();
  }

  void partition(Network.Cut cut) {
    net.addCut(cut);
    measure.faults.partitioned();
  }

  boolean partitioned() {
    return net.partitioned();
  }

  /** Removes every cut; suspicions stay excused for the detection bound after the heal. */
  void heal() {
    if (net.partitioned()) {
      net.clearCuts();
      partitionExcuseUntil = engine.now() + excuseNanos;
    }
  }

  /** Replaces a running, unpaused node's metadata now and tracks its dissemination. */
  void updateMetadata(SimNode node, Map<String, String> metadata) {
    long now = engine.now();
    GossipCore c = node.running();
    c.updateMetadata(metadata, now);
    long version = c.self().metadataVersion();
    measure.dissemination.updated(node.index, version, now, liveExcept(node.index));
    engine.afterCall(node, false);
  }

  /** Makes a running, unpaused node leave; it stops when its leave has spread or times out. */
  void leave(SimNode node) {
    if (node.leaving) {
      return;
    }
    long now = engine.now();
    node.leaving = true;
    engine.push(now + leaveTimeoutNanos, new SimEvent.LeaveDeadline(node, node.life));
    node.running().leave(now);
    engine.afterCall(node, false);
  }

  /** The running nodes other than {@code except}, as a set. */
  private BitSet liveExcept(int except) {
    BitSet s = new BitSet(live.size());
    for (int k = 0; k < live.count(); k++) {
      int o = live.at(k);
      if (o != except) {
        s.set(o);
      }
    }
    return s;
  }

  /**
   * Whether node {@code s} counts as healthy now, so that suspecting it is a mistake: running, not
   * paused, undisturbed for the detection bound, and no partition now or within the detection
   * bound.
   */
  boolean healthy(int s) {
    SimNode node = live.node(s);
    long now = engine.now();
    return node.up
        && !node.paused
        && now - node.lastDisturbance >= excuseNanos
        && !net.partitioned()
        && now - partitionExcuseUntil >= 0;
  }
}
