package io.libgossip.core;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The running suspicions, earliest deadline first: a binary min-heap in which every suspicion knows
 * its own position, so that a refuted suspicion leaves at once and a confirmed one moves up in
 * place, both in O(log n).
 *
 * <p>A heap that could only drop its top would keep each refuted suspicion until its deadline, up
 * to the maximum suspicion timeout. At high loss a node refutes or learns of a refutation many
 * times a second, so those dead timers would outnumber the live ones by orders of magnitude: a
 * 10,000-node simulation at 20% loss held 6,000 per node (8 GB in all) before this class.
 *
 * <p>Ties in deadline go to the suspicion queued first, so expiry order does not depend on the
 * heap's shape. Not thread-safe.
 */
final class SuspicionTimers {
  private Suspicion[] heap = new Suspicion[16];
  private int size;
  private long nextSeq;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The suspicion with the earliest deadline, or null. */
  @Nullable Suspicion peek() {
    return size == 0 ? null : heap[0];
  }

  /**
   * Starts a suspicion of {@code m} at its current incarnation, timed from {@code now}, in place of
   * any running one.
   */
  void start(Member m, String accuser, long now, long min, long max, int k) {
    end(m);
    Suspicion s = new Suspicion(m, m.state.incarnation(), accuser, now, min, max, k);
    m.suspicion = s;
    add(s);
  }

  /** Drops {@code m}'s running suspicion, if any, timer included. */
  void end(Member m) {
    Suspicion s = m.suspicion;
    if (s != null) {
      remove(s);
      m.suspicion = null;
    }
  }

  /** Queues {@code s}, which must not be queued already. */
  void add(Suspicion s) {
    if (s.heapIndex >= 0) {
      throw new IllegalStateException("suspicion already queued");
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    s.seq = nextSeq++;
    int i = size++;
    heap[i] = s;
    s.heapIndex = i;
    siftUp(i);
  }

  /** Takes {@code s} out if it is queued; returns whether it was. */
  boolean remove(Suspicion s) {
    if (!isQueued(s)) {
      return false;
    }
    int i = s.heapIndex;
    s.heapIndex = -1;
    int last = --size;
    Suspicion moved = heap[last];
    heap[last] = null;
    if (i != last) {
      heap[i] = moved;
      moved.heapIndex = i;
      restore(i);
    }
    return true;
  }

  /** Restores the order after {@code s}'s deadline changed (a confirmation brings it forward). */
  void deadlineChanged(Suspicion s) {
    if (isQueued(s)) {
      restore(s.heapIndex);
    }
  }

  void clear() {
    for (int i = 0; i < size; i++) {
      heap[i].heapIndex = -1;
      heap[i] = null;
    }
    size = 0;
  }

  private boolean isQueued(Suspicion s) {
    int i = s.heapIndex;
    return i >= 0 && i < size && heap[i] == s;
  }

  /** Moves the suspicion at {@code i} up or down to where its deadline belongs. */
  private void restore(int i) {
    Suspicion s = heap[i];
    siftUp(i);
    if (heap[i] == s) {
      siftDown(i);
    }
  }

  private static boolean before(Suspicion a, Suspicion b) {
    long da = a.deadline();
    long db = b.deadline();
    return da != db ? da - db < 0 : a.seq < b.seq;
  }

  private void siftUp(int i) {
    Suspicion s = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Suspicion p = heap[parent];
      if (!before(s, p)) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = s;
    s.heapIndex = i;
  }

  private void siftDown(int i) {
    Suspicion s = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      Suspicion c = heap[child];
      int right = child + 1;
      if (right < size && before(heap[right], c)) {
        child = right;
        c = heap[right];
      }
      if (!before(c, s)) {
        break;
      }
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = s;
    s.heapIndex = i;
  }
}
