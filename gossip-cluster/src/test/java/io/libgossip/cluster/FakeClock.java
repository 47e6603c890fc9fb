package io.libgossip.cluster;

import java.time.Duration;

/** A clock tests move by hand; both clocks start at {@code epochMillis}. */
final class FakeClock implements LeaseClock {
  private long nanos;
  private final long epochStart;

  FakeClock(long epochMillis) {
    this.epochStart = epochMillis;
  }

  void advance(Duration d) {
    nanos += d.toNanos();
  }

  void setNanos(long n) {
    nanos = n;
  }

  @Override
  public long nanoTime() {
    return nanos;
  }

  @Override
  public long epochMillis() {
    return epochStart + nanos / 1_000_000;
  }
}
