package io.libgossip.net;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory budget of one transport's inbound frame buffers: every connection reserves the
 * capacity of its unfinished frame here before it grows, and releases it when the frame is
 * delivered or dropped. Thread-safe.
 */
final class InboundBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  /**
   * @param limit the most bytes reserved at once
   */
  InboundBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    this.limit = limit;
  }

  /** Reserves {@code bytes} if that keeps the total within the limit; returns whether it did. */
  boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        peak.accumulateAndGet(now + bytes, Math::max);
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes reserved now. */
  long used() {
    return used.get();
  }

  /** The most bytes reserved at once since creation. */
  long peak() {
    return peak.get();
  }

  /** The limit. */
  long limit() {
    return limit;
  }
}
