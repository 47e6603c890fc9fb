package io.libgossip.serf;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A Lamport clock as Serf keeps three of them (members, user events, queries): {@link #witness}
 * moves it past any time seen, {@link #increment} ticks it for a local act. Thread-safe.
 */
final class SerfLamportClock {
  private final AtomicLong counter = new AtomicLong();

  /** The current time. */
  long time() {
    return counter.get();
  }

  /** Advances by one; returns the new time. */
  long increment() {
    return counter.incrementAndGet();
  }

  /** Makes the clock at least {@code v + 1} (a time another node has used). */
  void witness(long v) {
    counter.accumulateAndGet(
        v, (cur, other) -> other < cur ? cur : (other == Long.MAX_VALUE ? other : other + 1));
  }
}
