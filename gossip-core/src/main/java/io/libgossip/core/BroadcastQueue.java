package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Items waiting to be piggybacked (member claims, and later user broadcasts), by lane, then
 * least-sent first and, among equally sent ones, newest first.
 *
 * <p>Lanes (decision 052): every item of {@link #SELF} (this node's own claims: refutations, its
 * {@code ONLINE} claim) is taken before any of {@link #REFUTING} (claims that end a suspicion or a
 * failure of another member), which are taken before any of {@link #NORMAL} (everything else: new
 * suspicions, failures, joins, metadata). Under overload a refutation therefore never waits behind
 * the accusations it answers.
 *
 * <p>At most one item per {@link Broadcast#key() key} is queued: a new item replaces the queued one
 * with its key when it {@link Broadcast#invalidates invalidates} it (a newer claim about a member
 * always does), so the queue keeps the newest news about each member. Each item retires once it has
 * been sent the retransmit limit's number of times. The queue is bounded (see {@link
 * #capacity(int)}): when full, the oldest of the most-sent items of the lowest lane is dropped to
 * make room.
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
    final int lane;
    int transmits;
    @Nullable Entry<T> prev;
    @Nullable Entry<T> next;

    Entry(String key, T item, int lane) {
      super(key);
      this.item = item;
      this.lane = lane;
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

  /** The lane of this node's own claims, taken first. */
  static final int SELF = 0;

  /** The lane of claims that refute a suspicion or failure of another member, taken next. */
  static final int REFUTING = 1;

  /** The lane of every other item. */
  static final int NORMAL = 2;

  private static final int LANES = 3;

  /** One list of buckets (one per transmit count) per lane. */
  private final List<ArrayList<Bucket<T>>> lanes = new ArrayList<>(LANES);

  private final IdMap<Entry<T>> byKey = new IdMap<>();
  private final int maxCapacity;
  private int capacity;
  private long dropped;

  /** The sum of the transmit counts of the queued items (see {@link #backlog}). */
  private long transmitsQueued;

  private @Nullable Retirement<T> onRetire;

  /** Told of each item that retires at the retransmit limit (not of those dropped or replaced). */
  interface Retirement<T> {
    /** {@code item} was sent {@code limit} times and left the queue. */
    void retired(T item, int limit);
  }

  BroadcastQueue(int capacity) {
    this.maxCapacity = capacity;
    this.capacity = capacity;
    for (int l = 0; l < LANES; l++) {
      lanes.add(new ArrayList<>());
    }
  }

  /**
   * Sets the bound to {@code wanted}, at most the capacity this queue was built with and at least
   * 1; items over it are dropped at the next {@link #add}, lowest lane and most sent first.
   */
  void capacity(int wanted) {
    capacity = Math.max(1, Math.min(maxCapacity, wanted));
  }

  /** The bound in force (see {@link #capacity(int)}). */
  int capacity() {
    return capacity;
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
    return add(item, sent, NORMAL);
  }

  /** As {@link #add(Broadcast, int)}, in {@code lane} ({@link #SELF}, {@link #REFUTING}, ...). */
  boolean add(T item, int sent, int lane) {
    if (lane < 0 || lane >= LANES) {
      throw new IllegalArgumentException("lane must be in [0, " + LANES + "), got " + lane);
    }
    Entry<T> e = new Entry<>(item.key(), item, lane);
    e.transmits = Math.max(0, sent);
    Entry<T> old = byKey.put(e);
    if (old != null) {
      if (!item.invalidates(old.item)) {
        byKey.put(old);
        return false;
      }
      unlink(old);
      transmitsQueued -= old.transmits;
    } else {
      boolean more = true;
      while (more && byKey.size() > capacity) {
        more = dropMostSent(); // after a capacity cut, several
      }
    }
    transmitsQueued += e.transmits;
    pushHead(e);
    return true;
  }

  /**
   * The sends still owed before every queued item retires at {@code limit}: what this node must
   * still send of its news.
   */
  long backlog(int limit) {
    return Math.max(0, (long) byKey.size() * limit - transmitsQueued);
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
    for (ArrayList<Bucket<T>> buckets : lanes) {
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
      transmitsQueued++;
      if (e.transmits >= limit) {
        byKey.remove(e.key);
        transmitsQueued -= e.transmits;
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
    for (ArrayList<Bucket<T>> buckets : lanes) {
      for (int t = 0; t < buckets.size(); t++) {
        for (Entry<T> e = buckets.get(t).head; e != null; e = e.next) {
          sum += e.item.wireSize();
          if (sum >= cap) {
            return cap;
          }
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
    for (ArrayList<Bucket<T>> buckets : lanes) {
      buckets.clear();
    }
    byKey.clear();
    transmitsQueued = 0;
  }

  /**
   * Drops one queued item to make room: the oldest of the most sent of the lowest lane that holds
   * any. Returns false when none is linked (only the incoming one, not yet linked, is indexed).
   */
  private boolean dropMostSent() {
    for (int l = LANES - 1; l >= 0; l--) {
      ArrayList<Bucket<T>> buckets = lanes.get(l);
      for (int t = buckets.size() - 1; t >= 0; t--) {
        Entry<T> victim = buckets.get(t).tail;
        if (victim != null) {
          unlink(victim);
          byKey.remove(victim.key);
          transmitsQueued -= victim.transmits;
          dropped++;
          return true;
        }
      }
    }
    return false;
  }

  private void pushHead(Entry<T> e) {
    ArrayList<Bucket<T>> buckets = lanes.get(e.lane);
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
    Bucket<T> b = lanes.get(e.lane).get(e.transmits);
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
