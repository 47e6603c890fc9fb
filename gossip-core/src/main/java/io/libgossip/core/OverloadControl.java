package io.libgossip.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * The parts of the core's overload control in dissemination, each of which {@link
 * GossipConfig.Builder#overloadControl} can turn on or off ({@link #defaults()}: all but {@link
 * #DEFER_WHEN_SATURATED}). They keep a cluster stable when there is more news than its nodes can
 * send: under heavy packet loss, in large clusters, or on overloaded hosts.
 */
public enum OverloadControl {
  /**
   * This node's own claims (its refutations, its {@code ONLINE} claim) are sent before any other
   * news, and claims that end a suspicion of another member before new accusations.
   */
  PRIORITY_LANES,
  /**
   * A node that refutes an accusation also tells the member that raised it directly (besides the
   * member that brought it).
   */
  TELL_ACCUSERS,
  /**
   * Corrections (the newer claim sent back to a node that gossiped an outdated accusation) and
   * refutations told to accusers share a budget of {@link GossipConfig#gossipNodes()} packets per
   * gossip interval, and a correction is never answered with a correction.
   */
  CORRECTION_BUDGET,
  /**
   * The broadcast queue holds at most what this node can send in time in a cluster of its size (at
   * least 1,024 claims, at most {@link GossipConfig#maxQueuedUpdates()}); when full, the most-sent
   * of the least urgent claims go first.
   */
  SCALED_CAPACITY,
  /**
   * A node whose queue holds more than it can send within half the shortest suspicion timeout
   * raises no suspicion after a failed probe: it probes the member again instead. Off by default:
   * in the simulator (1,000 nodes, 20% loss) it delayed the first suspicion of a crashed node by
   * about a second on average and removed no false positive (decision 052).
   */
  DEFER_WHEN_SATURATED;

  /** The default: every part but {@link #DEFER_WHEN_SATURATED}. */
  public static Set<OverloadControl> defaults() {
    Set<OverloadControl> s = all();
    s.remove(DEFER_WHEN_SATURATED);
    return s;
  }

  /** Every part. */
  public static Set<OverloadControl> all() {
    return EnumSet.allOf(OverloadControl.class);
  }

  /** No part: dissemination as before decision 052 (for comparison). */
  public static Set<OverloadControl> none() {
    return EnumSet.noneOf(OverloadControl.class);
  }
}
