package io.libgossip.sim;

import java.util.Arrays;

/**
 * The simulator's agenda: events ordered by (time, insertion sequence), so that events at the same
 * virtual instant run in the order they were scheduled.
 *
 * <p>Times and sequence numbers are stored in primitive arrays addressed by slot, and a binary heap
 * orders the slots; scheduling an event allocates nothing but the event once the arrays have grown.
 *
 * @param <E> the event type
 */
final class EventQueue<E> {
  private long[] time;
  private long[] seq;
  private Object[] events;
  private int[] heap;
  private int size;
  private int[] free;
  private int freeTop;
  private int slots;
  private long nextSeq;

  EventQueue(int initialCapacity) {
    int n = Math.max(16, initialCapacity);
    time = new long[n];
    seq = new long[n];
    events = new Object[n];
    heap = new int[n];
    free = new int[n];
  }

  /** Number of pending events. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Time of the earliest pending event; only valid when not empty. */
  long peekTime() {
    return time[heap[0]];
  }

  /** Schedules {@code event} at virtual time {@code t}. */
  void push(long t, E event) {
    int s;
    if (freeTop > 0) {
      s = free[--freeTop];
    } else {
      if (slots == time.length) {
        grow();
      }
      s = slots++;
    }
    time[s] = t;
    seq[s] = nextSeq++;
    events[s] = event;
    int i = size++;
    heap[i] = s;
    siftUp(i);
  }

  /**
   * Removes and returns the earliest event (read its time with {@link #peekTime()} first); the
   * queue must not be empty.
   */
  @SuppressWarnings("unchecked")
  E poll() {
    int s = heap[0];
    E e = (E) events[s];
    events[s] = null;
    free[freeTop++] = s;
    int last = heap[--size];
    if (size > 0) {
      heap[0] = last;
      siftDown(0);
    }
    return e;
  }

  private boolean less(int s1, int s2) {
    long t1 = time[s1];
    long t2 = time[s2];
    return t1 < t2 || (t1 == t2 && seq[s1] < seq[s2]);
  }

  private void siftUp(int i) {
    int s = heap[i];
    while (i > 0) {
      int p = (i - 1) >>> 1;
      int ps = heap[p];
      if (!less(s, ps)) {
        break;
      }
      heap[i] = ps;
      i = p;
    }
    heap[i] = s;
  }

  private void siftDown(int i) {
    int s = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = l;
      if (r < size && less(heap[r], heap[l])) {
        m = r;
      }
      if (!less(heap[m], s)) {
        break;
      }
      heap[i] = heap[m];
      i = m;
    }
    heap[i] = s;
  }

  private void grow() {
    int n = time.length * 2;
    time = Arrays.copyOf(time, n);
    seq = Arrays.copyOf(seq, n);
    events = Arrays.copyOf(events, n);
    heap = Arrays.copyOf(heap, n);
    free = Arrays.copyOf(free, n);
  }
}
