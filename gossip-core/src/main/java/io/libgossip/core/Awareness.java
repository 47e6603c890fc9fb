package io.libgossip.core;

/**
 * Lifeguard's local health multiplier: a score in {@code [0, max)} that rises when this node misses
 * nacks or must refute a suspicion and falls with each successful probe. Timeouts are stretched by
 * {@code score + 1}, so a slow node waits longer before accusing anyone.
 */
final class Awareness {
  private final int max;
  private int score;

  Awareness(int max) {
    this.max = max;
  }

  void apply(int delta) {
    score = Math.max(0, Math.min(max - 1, score + delta));
  }

  int score() {
    return score;
  }

  long scale(long nanos) {
    return nanos * (score + 1);
  }

  void reset() {
    score = 0;
  }
}
