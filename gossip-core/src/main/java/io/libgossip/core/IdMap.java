package io.libgossip.core;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A map from member id to a value that carries its own id, for the core's per-member tables.
 *
 * <p>Open addressing with linear probing, at most three quarters full, with backward-shift deletion
 * (no tombstones). Values sit in one array and the hashes of their ids in a parallel one, so a
 * probe that passes other members' slots compares hashes and never touches those members, and
 * growing the table rehashes without reading a single value. A hit reads a hash, a slot and then
 * the value the caller was about to read anyway. {@link java.util.HashMap} reads its table, an
 * entry node, the key and then the value: at ten thousand members per node these tables no longer
 * fit in any cache, and the simulator runs ten thousand of them, so each read saved is a cache miss
 * saved on every lookup. Ids are compared by identity first, which is all a hit costs when the
 * caller passes the very string the value was stored with (the simulator shares claim objects
 * between nodes).
 *
 * <p>Not thread-safe; {@code null} ids and values are not allowed.
 */
final class IdMap<V extends IdMap.Keyed> {
  /** A value that knows the id it is stored under. The id never changes. */
  abstract static class Keyed {
    final String key;

    Keyed(String key) {
      this.key = key;
    }
  }

  private static final int MIN_CAPACITY = 8;

  /** Capacity is a power of two. */
  private Keyed[] slots;

  /** The spread hash of the id in each slot, so probes and rehashing never read a value. */
  private int[] hashes;

  private int mask;
  private int size;

  IdMap() {
    slots = new Keyed[MIN_CAPACITY];
    hashes = new int[MIN_CAPACITY];
    mask = MIN_CAPACITY - 1;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /**
   * The slot holding {@code id}, or {@code -(slot + 1)} for the empty slot where it would go (the
   * probe run ends at the first empty slot; there are no tombstones).
   */
  @SuppressWarnings("ReferenceEquality") // identity first, by design (see the class comment)
  private int find(String id, int hash) {
    Keyed[] s = slots;
    int[] h = hashes;
    int m = mask;
    int i = hash & m;
    while (true) {
      if (h[i] == hash) {
        Keyed v = s[i];
        if (v == null) {
          return -(i + 1);
        }
        if (v.key == id || v.key.equals(id)) {
          return i;
        }
      } else if (s[i] == null) {
        return -(i + 1);
      }
      i = (i + 1) & m;
    }
  }

  /** The value stored under {@code id}, or null. */
  @SuppressWarnings("unchecked")
  @Nullable V get(String id) {
    int i = find(id, spread(id.hashCode()));
    return i < 0 ? null : (V) slots[i];
  }

  boolean containsKey(String id) {
    return find(id, spread(id.hashCode())) >= 0;
  }

  /** Stores {@code value} under its id; returns the value it replaced, or null. */
  @SuppressWarnings("unchecked")
  @Nullable V put(V value) {
    int hash = spread(value.key.hashCode());
    int i = find(value.key, hash);
    if (i >= 0) {
      V old = (V) slots[i];
      slots[i] = value;
      return old;
    }
    slots[-i - 1] = value;
    hashes[-i - 1] = hash;
    if (++size > ((mask + 1) >>> 2) * 3) {
      resize();
    }
    return null;
  }

  /** Removes the value stored under {@code id}; returns it, or null if there was none. */
  @SuppressWarnings("unchecked")
  @Nullable V remove(String id) {
    int i = find(id, spread(id.hashCode()));
    if (i < 0) {
      return null;
    }
    Keyed[] s = slots;
    int[] h = hashes;
    int m = mask;
    V old = (V) s[i];
    // Backward-shift: move later members of the probe run into the gap so lookups never stop at
    // a hole that used to be occupied.
    int gap = i;
    int j = i;
    while (true) {
      j = (j + 1) & m;
      Keyed v = s[j];
      if (v == null) {
        break;
      }
      int home = h[j] & m;
      // Move v unless its home lies cyclically in (gap, j].
      boolean stays = gap <= j ? (gap < home && home <= j) : (gap < home || home <= j);
      if (!stays) {
        s[gap] = v;
        h[gap] = h[j];
        gap = j;
      }
    }
    s[gap] = null;
    h[gap] = 0;
    size--;
    return old;
  }

  void clear() {
    Arrays.fill(slots, null);
    Arrays.fill(hashes, 0);
    size = 0;
  }

  private void resize() {
    Keyed[] old = slots;
    int[] oldHashes = hashes;
    int cap = (mask + 1) << 1;
    Keyed[] s = new Keyed[cap];
    int[] h = new int[cap];
    int m = cap - 1;
    for (int p = 0; p < old.length; p++) {
      Keyed v = old[p];
      if (v != null) {
        int i = oldHashes[p] & m;
        while (s[i] != null) {
          i = (i + 1) & m;
        }
        s[i] = v;
        h[i] = oldHashes[p];
      }
    }
    slots = s;
    hashes = h;
    mask = m;
  }

  /** Scrambles the string hash so similar ids ("node-1", "node-2") do not cluster. */
  private static int spread(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
