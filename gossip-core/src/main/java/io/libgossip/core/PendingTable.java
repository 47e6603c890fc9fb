package io.libgossip.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The reliable sends, requests and queries of this node waiting for their outcome, by id, with a
 * deadline each: bounded by {@link GossipConfig#maxPendingRequests()}, deadlines fed to {@link
 * GossipCore#nextDeadline()}. Ids count up from 1 in each life of the core (never 0, never reused
 * while the core runs).
 */
final class PendingTable {
  /** What waits. */
  enum Kind {
    /** A reliable direct message waiting for its receipt. */
    SEND,
    /** A request waiting for its response. */
    REQUEST,
    /** A query waiting for answers (retries and the timeout). */
    QUERY,
    /** A failure decided at the call, reported from the next core call. */
    FAILED
  }

  /** One pending entry; {@code deadline} changes only through {@link #reschedule}. */
  static final class Entry {
    final long id;
    Kind kind;
    final String target;
    long deadline;
    @Nullable MessageFailure failure;
    Queries.@Nullable State query;

    Entry(long id, Kind kind, String target, long deadline) {
      this.id = id;
      this.kind = kind;
      this.target = target;
      this.deadline = deadline;
    }
  }

  private static final Comparator<Entry> BY_DEADLINE =
      (a, b) -> {
        long d = a.deadline - b.deadline;
        return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(a.id, b.id);
      };

  private final int capacity;
  private final Map<Long, Entry> byId = new HashMap<>();
  private final TreeSet<Entry> byDeadline = new TreeSet<>(BY_DEADLINE);
  private long lastId;

  PendingTable(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Adds an entry with a new id.
   *
   * @throws IllegalStateException when {@link GossipConfig#maxPendingRequests()} entries wait
   */
  Entry add(Kind kind, String target, long deadline) {
    if (byId.size() >= capacity) {
      throw new IllegalStateException(
          "too many pending sends, requests and queries: "
              + byId.size()
              + " (GossipConfig.maxPendingRequests); wait for outcomes before sending more");
    }
    Entry e = new Entry(++lastId, kind, target, deadline);
    byId.put(e.id, e);
    byDeadline.add(e);
    return e;
  }

  /** A failure to report from the next core call (an entry due at {@code now}). */
  long failLater(MessageFailure failure, String target, long now) {
    Entry e = add(Kind.FAILED, target, now);
    e.failure = failure;
    return e.id;
  }

  /** Turns {@code e} into a failure reported from the next core call, keeping its id. */
  void failNow(Entry e, MessageFailure failure, long now) {
    e.kind = Kind.FAILED;
    e.failure = failure;
    reschedule(e, now);
  }

  @Nullable Entry get(long id) {
    return byId.get(id);
  }

  void remove(Entry e) {
    if (byId.remove(e.id) != null) {
      byDeadline.remove(e);
    }
  }

  void reschedule(Entry e, long deadline) {
    if (byId.containsKey(e.id)) {
      byDeadline.remove(e);
      e.deadline = deadline;
      byDeadline.add(e);
    }
  }

  /** The entries due at {@code now}, earliest first; they stay in the table. */
  List<Entry> due(long now) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : byDeadline) {
      if (e.deadline - now > 0) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** Every entry, by id (a copy). */
  List<Entry> all() {
    List<Entry> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(e -> e.id));
    return out;
  }

  /** The earlier of {@code d} and the first deadline. */
  long earliestDeadline(long d) {
    return byDeadline.isEmpty() ? d : Schedule.earlier(d, byDeadline.first().deadline);
  }

  int size() {
    return byId.size();
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  void clear() {
    byId.clear();
    byDeadline.clear();
  }
}
