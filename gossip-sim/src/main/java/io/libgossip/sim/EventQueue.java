package io.libgossip.sim;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's agenda: events ordered by (time, insertion sequence), so that events at the same
 * virtual instant run in the order they were scheduled.
 *
 * <p>Events are stored in parallel primitive arrays addressed by slot, and a binary heap orders the
 * slots; scheduling an event allocates nothing once the arrays have grown. {@link #poll()} copies
 * the earliest event into the {@code cur*} fields and frees its slot.
 */
final class EventQueue {
  private long[] time;
  private long[] seq;
  private int[] kind;
  private int[] node;
  private int[] a;
  private int[] b;
  private int[] c;
  private Object[] obj;
  private int[] heap;
  private int size;
  private int[] free;
  private int freeTop;
  private int slots;
  private long nextSeq;

  /** Time of the event last returned by {@link #poll()}. */
  long curTime;

  /** Kind of the event last polled. */
  int curKind;

  /** Node of the event last polled. */
  int curNode;

  /** First integer argument of the event last polled. */
  int curA;

  /** Second integer argument of the event last polled. */
  int curB;

  /** Third integer argument of the event last polled. */
  int curC;

  /** Object argument of the event last polled. */
  @Nullable Object curObj;

  EventQueue(int initialCapacity) {
    int n = Math.max(16, initialCapacity);
    time = new long[n];
    seq = new long[n];
    kind = new int[n];
    node = new int[n];
    a = new int[n];
    b = new int[n];
    c = new int[n];
    obj = new Object[n];
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

  /** Schedules an event. */
  void push(long t, int k, int n, int x, int y, int z, @Nullable Object o) {
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
    kind[s] = k;
    node[s] = n;
    a[s] = x;
    b[s] = y;
    c[s] = z;
    obj[s] = o;
    int i = size++;
    heap[i] = s;
    siftUp(i);
  }

  /** Removes the earliest event into the {@code cur*} fields; the queue must not be empty. */
  void poll() {
    int s = heap[0];
    curTime = time[s];
    curKind = kind[s];
    curNode = node[s];
    curA = a[s];
    curB = b[s];
    curC = c[s];
    curObj = obj[s];
    obj[s] = null;
    free[freeTop++] = s;
    int last = heap[--size];
    if (size > 0) {
      heap[0] = last;
      siftDown(0);
    }
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
    kind = Arrays.copyOf(kind, n);
    node = Arrays.copyOf(node, n);
    a = Arrays.copyOf(a, n);
    b = Arrays.copyOf(b, n);
    c = Arrays.copyOf(c, n);
    obj = Arrays.copyOf(obj, n);
    heap = Arrays.copyOf(heap, n);
    free = Arrays.copyOf(free, n);
  }
}
