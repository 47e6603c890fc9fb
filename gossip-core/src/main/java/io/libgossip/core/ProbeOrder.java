package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The order in which members are probed (SWIM's round-robin probing): each live member once per
 * round, every round in a fresh random order, and a newcomer at a random place in the rest of the
 * current round, so it is probed within one round.
 */
final class ProbeOrder {
  private final RandomGenerator random;
  private final ArrayList<Member> order = new ArrayList<>();
  private int index;
  private int round = 1;

  ProbeOrder(RandomGenerator random) {
    this.random = random;
  }

  /**
   * The next member to probe: the next of this round that is still in the table and alive, or the
   * first of a new round shuffled from {@code members}. Null when no member is alive.
   */
  @Nullable Member next(MemberTable table) {
    for (int pass = 0; pass < 2; pass++) {
      while (index < order.size()) {
        Member m = order.get(index++);
        if (table.holds(m) && m.status().isAlive() && m.probedRound != round) {
          m.probedRound = round; // a member re-inserted after recovering is probed once
          return m;
        }
      }
      // One full round done: reshuffle the live members for the next one.
      order.clear();
      index = 0;
      round++;
      for (Member m : table.all()) {
        if (m.status().isAlive()) {
          order.add(m);
        }
      }
      shuffle(order);
      if (order.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  /** Puts {@code m} at a random place in the rest of this round. */
  void insert(Member m) {
    // Appended, then swapped with a random slot of the rest of the round (O(1); the member it
    // displaces moves to the end, still within the round).
    int lo = index;
    int pos = lo + random.nextInt(order.size() - lo + 1);
    order.add(m);
    order.set(order.size() - 1, order.get(pos));
    order.set(pos, m);
  }

  /** Empties the order; the round counter keeps counting. */
  void clear() {
    order.clear();
    index = 0;
  }

  private void shuffle(List<Member> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Member tmp = list.get(i);
      list.set(i, list.get(j));
      list.set(j, tmp);
    }
  }
}
