package io.libgossip.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The simulated network's decisions: whether a packet is lost, how long it travels, and whether a
 * link is cut by a partition. All randomness comes from one seeded generator, drawn in the order
 * packets are sent, so the same sequence of sends gets the same fates.
 */
final class Network {
  /** A cut between two node sets; {@code twoWay == false} cuts only a → b. */
  record Cut(BitSet a, BitSet b, boolean twoWay) {
    boolean blocks(int from, int to) {
      return (a.get(from) && b.get(to)) || (twoWay && b.get(from) && a.get(to));
    }
  }

  private final SplittableRandom rng;
  private final double loss;
  private final LinkLatency latency;
  private final long jitterNanos;
  private final int reliableLatencyFactor;
  private final List<Cut> cuts = new ArrayList<>();

  /**
   * Slow nodes: per node, the probability that a best-effort packet to it is dropped on arrival (an
   * overloaded host whose receive buffer overflows); null until a node is slowed.
   */
  private double @Nullable [] inboundLoss;

  /** Draws the slow nodes' drops, apart from {@link #rng} so other packets keep their fates. */
  private @Nullable SplittableRandom slowRng;

  private long slowDrops;

  Network(
      SplittableRandom rng,
      double loss,
      LinkLatency latency,
      long jitterNanos,
      int reliableLatencyFactor) {
    this.rng = rng;
    this.loss = loss;
    this.latency = latency;
    this.jitterNanos = jitterNanos;
    this.reliableLatencyFactor = reliableLatencyFactor;
  }

  /** Whether a packet from {@code from} to {@code to} is blocked by a partition right now. */
  boolean cut(int from, int to) {
    List<Cut> cs = cuts;
    for (int i = 0, n = cs.size(); i < n; i++) {
      if (cs.get(i).blocks(from, to)) {
        return true;
      }
    }
    return false;
  }

  boolean partitioned() {
    return !cuts.isEmpty();
  }

  void addCut(Cut c) {
    cuts.add(c);
  }

  boolean removeCut(Cut c) {
    return cuts.remove(c);
  }

  void clearCuts() {
    cuts.clear();
  }

  /** Whether the next best-effort packet is lost (draws from the generator only when loss > 0). */
  boolean lose() {
    return loss > 0 && rng.nextDouble() < loss;
  }

  /**
   * Makes node {@code node} drop each best-effort packet that reaches it with probability {@code p}
   * (0 makes it normal again). The drops are drawn from a generator seeded with {@code seed} on the
   * first call, so a run without slow nodes draws nothing extra.
   */
  void slow(int node, int nodes, double p, long seed) {
    if (inboundLoss == null) {
      inboundLoss = new double[nodes];
      slowRng = new SplittableRandom(seed);
    }
    inboundLoss[node] = p;
  }

  /** Whether node {@code node} is slow (see {@link #slow}). */
  boolean isSlow(int node) {
    double[] in = inboundLoss;
    return in != null && in[node] > 0;
  }

  /**
   * Whether a best-effort packet to {@code to} is dropped because {@code to} is slow (draws only
   * for slow nodes).
   */
  boolean loseInbound(int to) {
    double[] in = inboundLoss;
    SplittableRandom r = slowRng;
    if (in == null || r == null || in[to] <= 0 || r.nextDouble() >= in[to]) {
      return false;
    }
    slowDrops++;
    return true;
  }

  /** Best-effort packets dropped by slow nodes so far. */
  long slowDrops() {
    return slowDrops;
  }

  /** Transit time of a best-effort packet: base latency plus uniform jitter in [0, jitter]. */
  long bestEffortDelay(int from, int to) {
    return latency.nanos(from, to) + jitter();
  }

  /**
   * Transit time of a reliable (TCP) message: the base latency scaled for the handshake, plus
   * jitter.
   */
  long reliableDelay(int from, int to) {
    return reliableLatencyFactor * latency.nanos(from, to) + jitter();
  }

  private long jitter() {
    return jitterNanos > 0 ? rng.nextLong(jitterNanos + 1) : 0;
  }
}
