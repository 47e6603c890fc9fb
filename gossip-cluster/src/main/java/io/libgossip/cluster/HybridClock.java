package io.libgossip.cluster;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): stamps that follow the physical clock when it
 * moves forward, never go backwards, and order after every stamp this node has seen. Thread-safe.
 *
 * <p>{@link #now()} gives {@code (max(last, physical), counter)}: the physical time when it is
 * ahead of the last stamp (counter 0), else the last stamp's time with the counter one higher.
 * {@link #observe} moves the clock past a remote stamp. A physical clock that goes backwards leaves
 * the clock where it was, counting up. A counter at its maximum moves the time one millisecond on.
 */
final class HybridClock {
  private final LongSupplier physicalMillis;
  private final String node;
  private long wall;
  private int counter;

  HybridClock(LongSupplier physicalMillis, String node) {
    this.physicalMillis = Objects.requireNonNull(physicalMillis, "physicalMillis");
    this.node = Objects.requireNonNull(node, "node");
  }

  /** A new stamp for a local write, after every stamp given or observed so far. */
  synchronized ConfigStamp now() {
    long pt = Math.max(0, physicalMillis.getAsLong());
    if (pt > wall) {
      wall = pt;
      counter = 0;
    } else {
      tick();
    }
    return new ConfigStamp(wall, counter, node);
  }

  /** Moves the clock past {@code remote}, a stamp received from another node. */
  synchronized void observe(ConfigStamp remote) {
    long pt = Math.max(0, physicalMillis.getAsLong());
    long max = Math.max(pt, Math.max(wall, remote.wallMillis()));
    if (max == wall && max == remote.wallMillis()) {
      counter = Math.max(counter, remote.counter());
      tick();
    } else if (max == wall) {
      tick();
    } else if (max == remote.wallMillis()) {
      wall = max;
      counter = remote.counter();
      tick();
    } else {
      wall = max;
      counter = 0;
    }
  }

  /** The last stamp's time and counter, as a stamp of this node (for tests and diagnostics). */
  synchronized ConfigStamp last() {
    return new ConfigStamp(wall, counter, node);
  }

  private void tick() {
    if (counter == Integer.MAX_VALUE) {
      wall++;
      counter = 0;
    } else {
      counter++;
    }
  }
}
