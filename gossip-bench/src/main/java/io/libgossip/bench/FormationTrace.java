package io.libgossip.bench;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * When each node of a {@link ScaleBench} run learned each other node: a listener per node records
 * the time of every {@link ClusterEvent.MemberJoined} it delivers. Node {@code i} has the id {@code
 * "n<i>"}. From it: the formation time (the last node to see the last member, measured from the
 * last start) and, with {@code matrix}, how long each joiner's news took to reach the others.
 */
final class FormationTrace {
  private final int n;
  private final long[] started;
  private final AtomicLongArray seen; // per observer: members joined so far
  private final AtomicLongArray complete; // per observer: nanoTime of its (n-1)-th join, or 0
  private final @Nullable AtomicLongArray learned; // observer * n + subject -> nanoTime, or 0

  FormationTrace(int n, boolean matrix) {
    this.n = n;
    this.started = new long[n];
    this.seen = new AtomicLongArray(n);
    this.complete = new AtomicLongArray(n);
    this.learned = matrix ? new AtomicLongArray(n * n) : null;
  }

  /** The id of node {@code i}. */
  static String id(int i) {
    return "n" + i;
  }

  /** The index of the node with {@code id}, or -1 when it is not one of ours. */
  static int index(String id) {
    if (id.length() < 2 || id.charAt(0) != 'n') {
      return -1;
    }
    try {
      return Integer.parseInt(id, 1, id.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Records that node {@code i}'s start call returned at {@code nanos}. */
  void started(int i, long nanos) {
    started[i] = nanos;
  }

  /** The listener to attach to node {@code observer}. */
  GossipListener listener(int observer) {
    return e -> {
      if (e instanceof ClusterEvent.MemberJoined j) {
        joined(observer, index(j.node().id()), System.nanoTime());
      }
    };
  }

  /** Node {@code observer} learned node {@code subject} (an index, or -1) at {@code nanos}. */
  void joined(int observer, int subject, long nanos) {
    if (subject < 0 || subject >= n || subject == observer) {
      return;
    }
    AtomicLongArray m = learned;
    if (m != null) {
      m.compareAndSet(observer * n + subject, 0, nanos);
    }
    if (seen.incrementAndGet(observer) == n - 1) {
      complete.set(observer, nanos);
    }
  }

  /**
   * Nanoseconds from {@code lastStart} until the last node saw its last member join, or -1 when
   * some node has not seen them all.
   */
  long formationNanos(long lastStart, int nodes) {
    long last = Long.MIN_VALUE;
    for (int i = 0; i < nodes; i++) {
      long c = complete.get(i);
      if (c == 0) {
        return -1;
      }
      last = Math.max(last, c);
    }
    return Math.max(0, last - lastStart);
  }

  /**
   * Where the formation time goes: for the joiners started in each tenth of the start phase, the
   * time from their start until the median, 90th percentile and last other node learned them; and
   * for the earliest tenth of observers, when they learned the last tenth of joiners.
   */
  void print(PrintStream out, long t0, long lastStart) {
    AtomicLongArray m = learned;
    if (m == null) {
      return;
    }
    int groups = Math.min(10, n - 1);
    out.printf(
        "# trace: per tenth of joiners (by start order): start after t0, then how long until"
            + " 50%%/90%%/100%% of the other nodes knew each (median over the group)%n");
    for (int g = 0; g < groups; g++) {
      int from = 1 + g * (n - 1) / groups;
      int to = 1 + (g + 1) * (n - 1) / groups;
      double[] p50 = new double[to - from];
      double[] p90 = new double[to - from];
      double[] p100 = new double[to - from];
      int missing = 0;
      double[] seed = new double[to - from];
      double[] own = new double[to - from];
      for (int s = from; s < to; s++) {
        long ts = m.get(s);
        seed[s - from] = ts == 0 ? Double.POSITIVE_INFINITY : ms(ts - started[s]);
        long c = complete.get(s);
        own[s - from] = c == 0 ? Double.POSITIVE_INFINITY : ms(c - started[s]);
        long[] lat = new long[n - 1];
        int k = 0;
        for (int o = 0; o < n; o++) {
          if (o == s) {
            continue;
          }
          long t = m.get(o * n + s);
          if (t == 0) {
            missing++;
            lat[k++] = Long.MAX_VALUE;
          } else {
            // a node started after s learns it at its own join: count from its own start
            lat[k++] = Math.max(0, t - Math.max(started[s], started[o]));
          }
        }
        Arrays.sort(lat);
        p50[s - from] = ms(lat[(lat.length - 1) / 2]);
        p90[s - from] = ms(lat[(int) ((lat.length - 1) * 0.9)]);
        p100[s - from] = ms(lat[lat.length - 1]);
      }
      out.printf(
          Locale.ROOT,
          "#   joiners %4d-%4d started at %6.0f ms: seed knew at %5.0f, the joiner knew all at"
              + " %6.0f; others %6.0f / %6.0f / %6.0f ms%s%n",
          from,
          to - 1,
          ms(started[from] - t0),
          median(seed),
          median(own),
          median(p50),
          median(p90),
          median(p100),
          missing > 0 ? " (" + missing + " pairs never)" : "");
    }
    // the last pairs to meet
    long[] lastT = new long[3];
    int[][] lastPair = new int[3][2];
    for (int o = 0; o < n; o++) {
      for (int s = 0; s < n; s++) {
        long t = o == s ? 0 : m.get(o * n + s);
        for (int k = 0; k < 3; k++) {
          if (t > lastT[k]) {
            for (int q = 2; q > k; q--) {
              lastT[q] = lastT[q - 1];
              lastPair[q] = lastPair[q - 1];
            }
            lastT[k] = t;
            lastPair[k] = new int[] {o, s};
            break;
          }
        }
      }
    }
    for (int k = 0; k < 3; k++) {
      int o = lastPair[k][0];
      int s = lastPair[k][1];
      out.printf(
          Locale.ROOT,
          "# trace: late pair: n%d (started at %.0f ms) learned n%d (started at %.0f ms) at %.0f ms%n",
          o,
          ms(started[o] - t0),
          s,
          ms(started[s] - t0),
          ms(lastT[k] - t0));
    }
    // early observers: when (after the last start) they had learned all of the last tenth
    int lastFrom = 1 + (groups - 1) * (n - 1) / groups;
    int early = Math.max(1, n / 10);
    double[] doneAt = new double[early];
    for (int o = 0; o < early; o++) {
      long last = 0;
      for (int s = lastFrom; s < n; s++) {
        long t = m.get(o * n + s);
        last = t == 0 ? Long.MAX_VALUE : Math.max(last, t);
      }
      doneAt[o] = last == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : ms(last - lastStart);
    }
    Arrays.sort(doneAt);
    out.printf(
        Locale.ROOT,
        "# trace: the first %d nodes knew all of the last tenth of joiners %.0f / %.0f ms"
            + " (median / last) after the last start%n",
        early,
        doneAt[(early - 1) / 2],
        doneAt[early - 1]);
  }

  private static double median(double[] a) {
    double[] c = a.clone();
    Arrays.sort(c);
    return c.length == 0 ? Double.NaN : c[(c.length - 1) / 2];
  }

  private static double ms(long nanos) {
    return nanos == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : nanos / 1e6;
  }
}
