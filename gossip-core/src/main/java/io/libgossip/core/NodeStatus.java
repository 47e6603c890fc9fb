package io.libgossip.core;

/**
 * The life cycle of a member as one node sees it.
 *
 * <pre>
 * UNKNOWN → JOINING → ONLINE ⇄ SUSPECT → FAILED
 *                       └────────────────→ LEFT
 * </pre>
 *
 * <p>{@code FAILED} and {@code LEFT} are tombstones, so that stale claims cannot resurrect the
 * node: {@code LEFT} kept for {@link GossipConfig#tombstoneTimeout()}, {@code FAILED} for {@link
 * GossipConfig#reconnectTimeout()} (tried meanwhile, in case a partition heals), then removed.
 */
public enum NodeStatus {
  /** Only an address is known (a seed before it answers). Never a member of the table. */
  UNKNOWN,
  /** The local node itself before its join has completed. */
  JOINING,
  /** Alive: answers probes or was vouched for with a current incarnation. */
  ONLINE,
  /** Missed a probe; will be declared {@link #FAILED} unless it refutes in time. */
  SUSPECT,
  /** Declared dead after its suspicion timed out. */
  FAILED,
  /** Left the cluster gracefully. */
  LEFT;

  /**
   * Precedence of claims about one node at equal incarnation: {@code LEFT} beats {@code FAILED} (a
   * leave heard after a failure, or a force-leave), which beats {@code SUSPECT}, which beats {@code
   * ONLINE}.
   */
  int precedence() {
    switch (this) {
      case LEFT:
        return 3;
      case FAILED:
        return 2;
      case SUSPECT:
        return 1;
      default:
        return 0;
    }
  }

  /** True for {@code FAILED} and {@code LEFT}: the node is gone. */
  public boolean isGone() {
    return this == FAILED || this == LEFT;
  }

  /** True for {@code ONLINE} and {@code SUSPECT}: the node counts as a live member. */
  public boolean isAlive() {
    return this == ONLINE || this == SUSPECT || this == JOINING;
  }
}
