package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Items waiting to be piggybacked (member claims, and later user broadcasts), least-sent first and,
 * among equally sent ones, newest first.
 *
 * <p>At most one item per {@link Broadcast#key() key} is queued: a new item replaces the queued one
 * with its key when it {@link Broadcast#invalidates invalidates} it (a newer claim about a member
 * always does). Each item retires once it has been sent the retransmit limit's number of times. The
 * queue is bounded: when full, the oldest of the most-sent items is dropped to make room.
 *
 * <p>Items sit in one bucket per transmit count, each bucket a doubly linked list with the newest
 * at its head, so adding, replacing, taking and re-filing an item are all O(1). An item re-filed
 * after a send goes to the head of the next bucket: "newest first" holds exactly for items never
 * sent and approximately after that, which is all the ordering needs to achieve.
 *
 * @param <T> the item type
 */
final class BroadcastQueue<T extends Broadcast> {
  private static final class Entry<T> extends IdMap.Keyed {
    final T item;
    int transmits;
    @Nullable Entry<T> prev;
    @Nullable Entry<T> next;

    Entry(String key, T item) {
      super(key);
      this.item = item;
    }
  }

  /** Head and tail of one bucket's list. */
  private static final class Bucket<T> {
    @Nullable Entry<T> head;
    @Nullable Entry<T> tail;
  }

  /** The smallest possible encoded update; packing stops when less room than this is left. */
  static final int MIN_UPDATE_SIZE = 12;

  /** How many entries that do not fit are skipped before packing gives up. */
  static final int MAX_SKIPPED = 32;

  private final ArrayList<Bucket<T>> buckets = new ArrayList<>();
  private final IdMap<Entry<T>> byKey = new IdMap<>();
  private final int capacity;
  private long dropped;
  private @Nullable Retirement<T> onRetire;

  /** Told of each item that retires at the retransmit limit (not of those dropped or replaced). */
  interface Retirement<T> {
    /** {@code item} was sent {@code limit} times and left the queue. */
    void retired(T item, int limit);
  }

  BroadcastQueue(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Queues {@code item} in place of the queued item with its key, if it invalidates that one.
   *
   * @return whether the item was queued
   */
  boolean add(T item) {
    return add(item, 0);
  }

  /**
   * As {@link #add(Broadcast)}, counting {@code sent} transmissions already: the item is taken
   * after those sent fewer times and retires after the retransmit limit less {@code sent} more
   * sends.
   */
  boolean add(T item, int sent) {
    Entry<T> e = new Entry<>(item.key(), item);
    e.transmits = Math.max(0, sent);
    Entry<T> old = byKey.put(e);
    if (old != null) {
      if (!item.invalidates(old.item)) {
        byKey.put(old);
        return false;
      }
      unlink(old);
    } else if (byKey.size() > capacity) {
      dropMostSent();
    }
    pushHead(e);
    return true;
  }

  /**
   * Takes up to {@code budget} bytes of items for one packet, counting a transmission for each and
   * retiring those that reach {@code limit}. Returns {@code prefix} followed by the taken items, in
   * send order.
   */
  List<T> take(int budget, int limit, List<T> prefix) {
    if (byKey.isEmpty()) {
      return prefix;
    }
    List<T> out = null;
    Entry<T> taken = null; // singly linked through next, re-filed after the scan
    int remaining = budget;
    int skipped = 0;
    scan:
    for (int t = 0; t < buckets.size(); t++) {
      Entry<T> e = buckets.get(t).head;
      while (e != null) {
        if (remaining < MIN_UPDATE_SIZE) {
          break scan;
        }
        Entry<T> next = e.next;
        int size = e.item.wireSize();
        if (size > remaining) {
          if (++skipped > MAX_SKIPPED) {
            break scan;
          }
        } else {
          if (out == null) {
            out = new ArrayList<>(prefix.size() + 16);
            out.addAll(prefix);
          }
          out.add(e.item);
          remaining -= size;
          unlink(e);
          e.next = taken;
          taken = e;
        }
        e = next;
      }
    }
    if (out == null) {
      return prefix;
    }
    // Re-file in reverse order of taking, so that the newest taken lands at the head.
    List<T> retired = null;
    while (taken != null) {
      Entry<T> e = taken;
      taken = e.next;
      e.next = null;
      e.transmits++;
      if (e.transmits >= limit) {
        byKey.remove(e.key);
        if (onRetire != null) {
          if (retired == null) {
            retired = new ArrayList<>(2);
          }
          retired.add(e.item);
        }
      } else {
        pushHead(e);
      }
    }
    Retirement<T> r = onRetire;
    if (retired != null && r != null) {
      for (T item : retired) {
        r.retired(item, limit); // after the scan: the listener may queue items
      }
    }
    return out;
  }

  /**
   * The bytes the items a {@link #take} would consider first add up to, counting no further than
   * {@code cap}: what this queue would use of a packet's budget.
   */
  int pendingBytes(int cap) {
    int sum = 0;
    for (int t = 0; t < buckets.size(); t++) {
      for (Entry<T> e = buckets.get(t).head; e != null; e = e.next) {
        sum += e.item.wireSize();
        if (sum >= cap) {
          return cap;
        }
      }
    }
    return sum;
  }

  /** Whether an item with {@code key} is still queued. */
  boolean contains(String key) {
    return byKey.containsKey(key);
  }

  int size() {
    return byKey.size();
  }

  boolean isEmpty() {
    return byKey.isEmpty();
  }

  /** Tells {@code listener} of every item that retires at the retransmit limit from now on. */
  void onRetire(Retirement<T> listener) {
    this.onRetire = listener;
  }

  /** Items dropped because the queue was full. */
  long dropped() {
    return dropped;
  }

  void clear() {
    buckets.clear();
    byKey.clear();
  }

  private void dropMostSent() {
    for (int t = buckets.size() - 1; t >= 0; t--) {
      Entry<T> victim = buckets.get(t).tail;
      if (victim != null) {
        unlink(victim);
        byKey.remove(victim.key);
        dropped++;
        return;
      }
    }
  }

  private void pushHead(Entry<T> e) {
    while (buckets.size() <= e.transmits) {
      buckets.add(new Bucket<>());
    }
    Bucket<T> b = buckets.get(e.transmits);
    e.prev = null;
    e.next = b.head;
    if (b.head != null) {
      b.head.prev = e;
    } else {
      b.tail = e;
    }
    b.head = e;
  }

  private void unlink(Entry<T> e) {
    Bucket<T> b = buckets.get(e.transmits);
    if (e.prev != null) {
      e.prev.next = e.next;
    } else {
      b.head = e.next;
    }
    if (e.next != null) {
      e.next.prev = e.prev;
    } else {
      b.tail = e.prev;
    }
    e.prev = null;
    e.next = null;
  }
}
