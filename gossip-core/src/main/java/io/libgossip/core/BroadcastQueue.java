package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Updates waiting to be piggybacked, least-sent first and, among equally sent ones, newest first.
 *
 * <p>At most one update per member is queued: a newer claim about a member replaces the queued one.
 * Each update retires once it has been sent the retransmit limit's number of times. The queue is
 * bounded: when full, the oldest of the most-sent updates is dropped to make room.
 *
 * <p>Updates sit in one bucket per transmit count, each bucket a doubly linked list with the newest
 * at its head, so adding, replacing, taking and re-filing an update are all O(1). An update
 * re-filed after a send goes to the head of the next bucket: "newest first" holds exactly for
 * updates never sent and approximately after that, which is all the ordering needs to achieve.
 */
final class BroadcastQueue {
  private static final class Entry extends IdMap.Keyed {
    final MemberUpdate update;
    int transmits;
    @Nullable Entry prev;
    @Nullable Entry next;

    Entry(MemberUpdate update) {
      super(update.id());
      this.update = update;
    }

    /** The update's encoded size; computed once per claim and kept by the claim itself. */
    int size() {
      return BinarySerializer.updateSize(update);
    }
  }

  /** Head and tail of one bucket's list. */
  private static final class Bucket {
    @Nullable Entry head;
    @Nullable Entry tail;
  }

  /** The smallest possible encoded update; packing stops when less room than this is left. */
  static final int MIN_UPDATE_SIZE = 12;

  /** How many entries that do not fit are skipped before packing gives up. */
  static final int MAX_SKIPPED = 32;

  private final ArrayList<Bucket> buckets = new ArrayList<>();
  private final IdMap<Entry> byNode = new IdMap<>();
  private final int capacity;
  private long dropped;

  BroadcastQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Queues {@code update}, replacing any queued update about the same member. */
  void add(MemberUpdate update) {
    Entry e = new Entry(update);
    Entry old = byNode.put(e);
    if (old != null) {
      unlink(old);
    } else if (byNode.size() > capacity) {
      dropMostSent();
    }
    pushHead(e);
  }

  /**
   * Takes up to {@code budget} bytes of updates for one packet, counting a transmission for each
   * and retiring those that reach {@code limit}. Returns {@code prefix} followed by the taken
   * updates, in send order.
   */
  List<MemberUpdate> take(int budget, int limit, List<MemberUpdate> prefix) {
    if (byNode.isEmpty()) {
      return prefix;
    }
    List<MemberUpdate> out = null;
    Entry taken = null; // singly linked through next, re-filed after the scan
    int remaining = budget;
    int skipped = 0;
    scan:
    for (int t = 0; t < buckets.size(); t++) {
      Entry e = buckets.get(t).head;
      while (e != null) {
        if (remaining < MIN_UPDATE_SIZE) {
          break scan;
        }
        Entry next = e.next;
        int size = e.size();
        if (size > remaining) {
          if (++skipped > MAX_SKIPPED) {
            break scan;
          }
        } else {
          if (out == null) {
            out = new ArrayList<>(prefix.size() + 16);
            out.addAll(prefix);
          }
          out.add(e.update);
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
    while (taken != null) {
      Entry e = taken;
      taken = e.next;
      e.next = null;
      e.transmits++;
      if (e.transmits >= limit) {
        byNode.remove(e.key);
      } else {
        pushHead(e);
      }
    }
    return out;
  }

  /** Whether an update about {@code id} is still queued. */
  boolean contains(String id) {
    return byNode.containsKey(id);
  }

  int size() {
    return byNode.size();
  }

  boolean isEmpty() {
    return byNode.isEmpty();
  }

  /** Updates dropped because the queue was full. */
  long dropped() {
    return dropped;
  }

  void clear() {
    buckets.clear();
    byNode.clear();
  }

  private void dropMostSent() {
    for (int t = buckets.size() - 1; t >= 0; t--) {
      Entry victim = buckets.get(t).tail;
      if (victim != null) {
        unlink(victim);
        byNode.remove(victim.key);
        dropped++;
        return;
      }
    }
  }

  private void pushHead(Entry e) {
    while (buckets.size() <= e.transmits) {
      buckets.add(new Bucket());
    }
    Bucket b = buckets.get(e.transmits);
    e.prev = null;
    e.next = b.head;
    if (b.head != null) {
      b.head.prev = e;
    } else {
      b.tail = e;
    }
    b.head = e;
  }

  private void unlink(Entry e) {
    Bucket b = buckets.get(e.transmits);
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
