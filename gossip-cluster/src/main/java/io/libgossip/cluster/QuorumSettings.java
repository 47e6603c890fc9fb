package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The quorum and lease options that {@link QuorumLeaderElection.Builder} and {@link
 * JobScheduler.Builder} share: each setter checks its value, {@link #checkLease()} checks them
 * together, and {@link #quorumView} builds the quorum they describe.
 */
final class QuorumSettings {
  int expectedSize;
  boolean forgetRemoved;
  Duration takeoverDelay = Duration.ofSeconds(15);
  Duration maxTickGap = Duration.ofSeconds(2);
  Duration freshness = Duration.ofSeconds(10);
  LeaseClock clock = LeaseClock.system();

  void expectedSize(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("expectedSize must be >= 0, got " + n);
    }
    expectedSize = n;
  }

  void takeoverDelay(Duration d) {
    takeoverDelay = positive(d, "takeoverDelay");
  }

  void maxTickGap(Duration d) {
    maxTickGap = positive(d, "maxTickGap");
  }

  void freshness(Duration d) {
    freshness = positive(d, "freshness");
  }

  void clock(LeaseClock c) {
    clock = Objects.requireNonNull(c, "clock");
  }

  /**
   * @throws IllegalStateException when the takeover delay is not longer than the largest tick gap
   *     and the freshness window
   */
  void checkLease() {
    if (takeoverDelay.compareTo(maxTickGap) <= 0 || takeoverDelay.compareTo(freshness) <= 0) {
      throw new IllegalStateException(
          "takeoverDelay ("
              + takeoverDelay
              + ") must be longer than maxTickGap ("
              + maxTickGap
              + ") and freshness ("
              + freshness
              + ")");
    }
  }

  QuorumView quorumView(Predicate<NodeView> inGroup, String localId) {
    return new QuorumView(inGroup, localId, expectedSize, forgetRemoved, freshness.toNanos());
  }

  static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
