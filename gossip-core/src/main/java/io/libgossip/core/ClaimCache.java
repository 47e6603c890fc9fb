package io.libgossip.core;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Claims that are some member's current state, each in the slot its id, incarnation and status hash
 * to (a later one overwrites). Gossip repeats every claim many times, so most claims a node
 * receives equal the state it already holds; such a claim is found here and skipped without a
 * lookup in the member table, which at thousands of members misses every cache.
 *
 * <p>Invariant, kept by {@link MemberTable}: an entry is always the current state of its member. A
 * claim equal to a member's current state changes nothing under the ordering rules, so skipping it
 * is exact.
 */
final class ClaimCache {
  /** Slots (16 KB of references). */
  private static final int SLOTS = 4096;

  private final @Nullable MemberUpdate[] slots = new MemberUpdate[SLOTS];

  /** Whether {@code u} equals a claim held as some member's current state. */
  @SuppressWarnings("ReferenceEquality") // identity first: the simulator shares claim objects
  boolean contains(MemberUpdate u) {
    MemberUpdate held = slots[slot(u)];
    return held == u || (held != null && held.equals(u));
  }

  /** Records {@code u} as its member's current state. */
  void remember(MemberUpdate u) {
    slots[slot(u)] = u;
  }

  /** Forgets {@code u}, which is no longer its member's current state. */
  @SuppressWarnings("ReferenceEquality") // forgets only this very claim object
  void forget(MemberUpdate u) {
    int slot = slot(u);
    if (slots[slot] == u) {
      slots[slot] = null;
    }
  }

  void clear() {
    Arrays.fill(slots, null);
  }

  private static int slot(MemberUpdate u) {
    int h = u.id().hashCode();
    h = h * 31 + (int) u.incarnation();
    h = h * 31 + u.status().ordinal();
    h *= 0x9E3779B9;
    return (h ^ (h >>> 16)) & (SLOTS - 1);
  }
}
