package io.libgossip.core;

import java.util.Arrays;

/**
 * A map from member id to a value, for the core's per-member tables.
 *
 * <p>Open addressing with linear probing over one array that holds each key next to its value, at
 * most half full, with backward-shift deletion (no tombstones). A lookup reads one slot pair and
 * then the value, where a {@link java.util.HashMap} reads its table, an entry node and then the
 * value: at ten thousand members per node these tables no longer fit in any cache, and the
 * simulator runs ten thousand of them, so the node it saves is a cache miss on every lookup. Keys
 * are compared by identity first, which is all a hit costs when the caller passes the very string
 * the key was stored with (the simulator shares claim objects between nodes).
 *
 * <p>Not thread-safe; {@code null} keys and values are not allowed.
 */
final class IdMap<V> {
  private static final int MIN_CAPACITY = 8;

  /** {@code [key0, value0, key1, value1, ...]}; capacity (in pairs) is a power of two. */
  private Object[] slots;

  private int mask;
  private int size;

  IdMap() {
    slots = new Object[2 * MIN_CAPACITY];
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
  private int find(String id) {
    Object[] s = slots;
    int m = mask;
    int i = spread(id.hashCode()) & m;
    while (true) {
      Object k = s[i << 1];
      if (k == null) {
        return -(i + 1);
      }
      if (k == id || k.equals(id)) {
        return i;
      }
      i = (i + 1) & m;
    }
  }

  /** The value for {@code id}, or null. */
  @SuppressWarnings("unchecked")
  V get(String id) {
    int i = find(id);
    return i < 0 ? null : (V) slots[(i << 1) + 1];
  }

  boolean containsKey(String id) {
    return find(id) >= 0;
  }

  /** Maps {@code id} to {@code value}; returns the value it replaced, or null. */
  @SuppressWarnings("unchecked")
  V put(String id, V value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    int i = find(id);
    if (i >= 0) {
      V old = (V) slots[(i << 1) + 1];
      slots[(i << 1) + 1] = value;
      return old;
    }
    i = -i - 1;
    slots[i << 1] = id;
    slots[(i << 1) + 1] = value;
    if (++size > (mask + 1) >>> 1) {
      resize();
    }
    return null;
  }

  /** Removes {@code id}; returns its value, or null if it was absent. */
  @SuppressWarnings("unchecked")
  V remove(String id) {
    int i = find(id);
    if (i < 0) {
      return null;
    }
    Object[] s = slots;
    int m = mask;
    V old = (V) s[(i << 1) + 1];
    // Backward-shift: move later members of the probe run into the gap so lookups never stop at
    // a hole that used to be occupied.
    int gap = i;
    int j = i;
    while (true) {
      j = (j + 1) & m;
      Object k = s[j << 1];
      if (k == null) {
        break;
      }
      int home = spread(k.hashCode()) & m;
      // Move k unless its home lies cyclically in (gap, j].
      boolean stays = gap <= j ? (gap < home && home <= j) : (gap < home || home <= j);
      if (!stays) {
        s[gap << 1] = k;
        s[(gap << 1) + 1] = s[(j << 1) + 1];
        gap = j;
      }
    }
    s[gap << 1] = null;
    s[(gap << 1) + 1] = null;
    size--;
    return old;
  }

  void clear() {
    Arrays.fill(slots, null);
    size = 0;
  }

  private void resize() {
    Object[] old = slots;
    int cap = (mask + 1) << 1;
    Object[] s = new Object[2 * cap];
    int m = cap - 1;
    for (int p = 0; p < old.length; p += 2) {
      Object k = old[p];
      if (k != null) {
        int i = spread(k.hashCode()) & m;
        while (s[i << 1] != null) {
          i = (i + 1) & m;
        }
        s[i << 1] = k;
        s[(i << 1) + 1] = old[p + 1];
      }
    }
    slots = s;
    mask = m;
  }

  /** Scrambles the string hash so similar ids ("node-1", "node-2") do not cluster. */
  private static int spread(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
