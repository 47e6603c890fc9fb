package io.libgossip.core;

/**
 * Which of Lifeguard's additions to SWIM a node runs (Dadgar, Phillips and Currey, "Lifeguard:
 * Local Health Awareness for More Accurate Failure Detection", 2018). The default, {@link #full()},
 * runs all four; {@link #none()} is plain SWIM with suspicion. Switching parts off exists to
 * measure what each buys (decision 050): production clusters should keep {@link #full()}.
 *
 * <p>Every node of a cluster should run the same parts: the wire does not change, but a node
 * without nacks never answers an indirect probe it could not complete, so its peers' local health
 * rises as if their own links were bad.
 *
 * @param localHealth the local health multiplier ("LHM", awareness): a node that misses nacks, or
 *     is itself suspected, stretches its probe timeouts and intervals up to {@link
 *     GossipConfig#awarenessMaxMultiplier()}-fold, so a slow node accuses others less. Off: the
 *     multiplier stays 1
 * @param dynamicSuspicion dynamic suspicion timeouts: a fresh suspicion starts at {@link
 *     GossipConfig#suspicionTimeoutMax(int)} and shrinks towards {@link
 *     GossipConfig#suspicionTimeoutMin(int)} with each independent confirmation. Off: every
 *     suspicion lasts {@link GossipConfig#suspicionTimeoutMin(int)}, SWIM's fixed timeout (the
 *     value memberlist used before Lifeguard, and the paper's SWIM baseline), and confirmations are
 *     not counted or re-gossiped
 * @param buddy the buddy system: any packet to a member this node holds {@code SUSPECT} (or {@code
 *     FAILED}) carries that claim first, so the member learns of its suspicion from its prober and
 *     can refute it at once. Off: the claim travels only in its turn in the broadcast queue
 * @param nacks negative acknowledgements: a relay that cannot reach an indirect probe's target says
 *     so, and a prober that gets fewer nacks than it asked relays for blames its own links (its
 *     local health rises by the number missing). Off: relays stay silent and a failed probe raises
 *     the prober's local health by one
 */
public record Lifeguard(
    boolean localHealth, boolean dynamicSuspicion, boolean buddy, boolean nacks) {

  private static final Lifeguard FULL = new Lifeguard(true, true, true, true);
  private static final Lifeguard NONE = new Lifeguard(false, false, false, false);

  /** Every part on: the default of every profile. */
  public static Lifeguard full() {
    return FULL;
  }

  /** Every part off: SWIM with suspicion and a fixed suspicion timeout. */
  public static Lifeguard none() {
    return NONE;
  }

  /** This selection with the local health multiplier switched to {@code on}. */
  public Lifeguard withLocalHealth(boolean on) {
    return new Lifeguard(on, dynamicSuspicion, buddy, nacks);
  }

  /** This selection with dynamic suspicion timeouts switched to {@code on}. */
  public Lifeguard withDynamicSuspicion(boolean on) {
    return new Lifeguard(localHealth, on, buddy, nacks);
  }

  /** This selection with the buddy system switched to {@code on}. */
  public Lifeguard withBuddy(boolean on) {
    return new Lifeguard(localHealth, dynamicSuspicion, on, nacks);
  }

  /** This selection with nacks switched to {@code on}. */
  public Lifeguard withNacks(boolean on) {
    return new Lifeguard(localHealth, dynamicSuspicion, buddy, on);
  }

  /**
   * The selection a name stands for: {@code full}, {@code none}, or {@code no-lhm}, {@code
   * no-dynamic}, {@code no-buddy}, {@code no-nack} (full Lifeguard without that one part).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static Lifeguard named(String name) {
    return switch (name) {
      case "full" -> FULL;
      case "none" -> NONE;
      case "no-lhm" -> FULL.withLocalHealth(false);
      case "no-dynamic" -> FULL.withDynamicSuspicion(false);
      case "no-buddy" -> FULL.withBuddy(false);
      case "no-nack" -> FULL.withNacks(false);
      default ->
          throw new IllegalArgumentException(
              "lifeguard must be one of full, none, no-lhm, no-dynamic, no-buddy, no-nack, got '"
                  + name
                  + "'");
    };
  }
}
