package io.libgossip.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Updates waiting to be piggybacked, least-sent first (newest first among equals).
 *
 * <p>At most one update per member is queued: a newer claim about a member replaces the queued one.
 * Each update retires after the retransmit limit, and the queue is bounded: when full, the
 * most-sent update is dropped to make room.
 */
final class BroadcastQueue {
  private static final class Entry implements Comparable<Entry> {
    final MemberUpdate update;
    final int size;
    final long order;
    int transmits;

    Entry(MemberUpdate update, int size, long order) {
      this.update = update;
      this.size = size;
      this.order = order;
    }

    @Override
    public int compareTo(Entry o) {
      if (transmits != o.transmits) {
        return transmits < o.transmits ? -1 : 1;
      }
      return Long.compare(o.order, order); // newer first
    }
  }

  /** The smallest possible encoded update; packing stops when less room than this is left. */
  static final int MIN_UPDATE_SIZE = 12;

  /** How many entries that do not fit are skipped before packing gives up. */
  private static final int MAX_SKIPPED = 32;

  private final TreeSet<Entry> queue = new TreeSet<>();
  private final Map<String, Entry> byNode = new HashMap<>();
  private final int capacity;
  private long nextOrder;
  private long dropped;

  BroadcastQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Queues {@code update}, replacing any queued update about the same member. */
  void add(MemberUpdate update) {
    Entry old = byNode.remove(update.id());
    if (old != null) {
      queue.remove(old);
    }
    if (queue.size() >= capacity) {
      Entry worst = queue.pollLast();
      if (worst != null) {
        byNode.remove(worst.update.id());
        dropped++;
      }
    }
    Entry e = new Entry(update, BinarySerializer.updateSize(update), nextOrder++);
    queue.add(e);
    byNode.put(update.id(), e);
  }

  /**
   * Takes up to {@code budget} bytes of updates for one packet, counting a transmission for each
   * and retiring those that reach {@code limit}. The result is in send order.
   */
  List<MemberUpdate> take(int budget, int limit, List<MemberUpdate> prefix) {
    if (queue.isEmpty()) {
      return prefix;
    }
    List<MemberUpdate> out = new ArrayList<>(prefix);
    List<Entry> taken = null;
    int remaining = budget;
    int skipped = 0;
    for (Entry e : queue) {
      if (remaining < MIN_UPDATE_SIZE) {
        break;
      }
      if (e.size > remaining) {
        if (++skipped > MAX_SKIPPED) {
          break;
        }
        continue;
      }
      if (taken == null) {
        taken = new ArrayList<>();
      }
      taken.add(e);
      out.add(e.update);
      remaining -= e.size;
    }
    if (taken != null) {
      for (Entry e : taken) {
        queue.remove(e);
        e.transmits++;
        if (e.transmits >= limit) {
          byNode.remove(e.update.id());
        } else {
          queue.add(e);
        }
      }
    }
    return out;
  }

  /** Whether an update about {@code id} is still queued. */
  boolean contains(String id) {
    return byNode.containsKey(id);
  }

  /** Drops every update whose transmit count already reached {@code limit}. */
  void retireAtLeast(int limit) {
    while (!queue.isEmpty() && queue.last().transmits >= limit) {
      Entry e = queue.pollLast();
      byNode.remove(e.update.id());
    }
  }

  int size() {
    return queue.size();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  long dropped() {
    return dropped;
  }

  void clear() {
    queue.clear();
    byNode.clear();
  }
}
