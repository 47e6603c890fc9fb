package io.libgossip.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which user broadcasts this node has delivered, to deliver each at most once: per origin, the last
 * {@link #LIVES} lives heard from, each with a window of the last {@link #WINDOW} sequence numbers
 * (a bit each) and, for keyed broadcasts in that window, the newest sequence number delivered per
 * topic and key. A broadcast older than the window is never delivered (it may have been): at most
 * once holds exactly, and what falls outside is counted.
 *
 * <p>Memory is bounded: about 200 bytes per life plus the keyed entries in the window, for at most
 * {@code maxOrigins} origins (the least recently heard is forgotten beyond it); origins no longer
 * in the member table are forgotten a while after they were last heard from.
 */
final class DeliveryLog {
  /** Sequence numbers remembered per origin life. */
  static final int WINDOW = 1024;

  /** Lives remembered per origin. */
  static final int LIVES = 4;

  enum Verdict {
    NEW,
    DUPLICATE,
    OUTSIDE_WINDOW,
    SUPERSEDED
  }

  private static final class Life {
    final long life;
    long top;
    final long[] bits = new long[WINDOW / 64];
    final Map<String, Long> keyed = new HashMap<>();
    long touched;

    Life(long life) {
      this.life = life;
    }

    Verdict check(BroadcastItem item) {
      long seq = item.seq();
      if (seq <= top - WINDOW) {
        return Verdict.OUTSIDE_WINDOW;
      }
      if (seq <= top && (bits[bit(seq) >>> 6] & (1L << bit(seq))) != 0) {
        return Verdict.DUPLICATE;
      }
      String k = item.key();
      if (k != null) {
        Long newest = keyed.get(keyOf(item.topic(), k));
        if (newest != null && newest > seq) {
          return Verdict.SUPERSEDED;
        }
      }
      return Verdict.NEW;
    }

    void record(BroadcastItem item) {
      long seq = item.seq();
      if (seq > top) {
        if (seq - top >= WINDOW) {
          java.util.Arrays.fill(bits, 0);
        } else {
          for (long s = top + 1; s < seq; s++) {
            bits[bit(s) >>> 6] &= ~(1L << bit(s));
          }
        }
        top = seq;
      }
      bits[bit(seq) >>> 6] |= 1L << bit(seq);
      String k = item.key();
      if (k != null) {
        keyed.merge(keyOf(item.topic(), k), seq, Math::max);
        if (keyed.size() > WINDOW) {
          long floor = top - WINDOW;
          keyed.values().removeIf(s -> s <= floor); // the window rejects those anyway
        }
      }
    }

    private static int bit(long seq) {
      return (int) (seq & (WINDOW - 1));
    }

    private static String keyOf(String topic, String key) {
      return topic + '\u0000' + key;
    }
  }

  private static final class Origin {
    final List<Life> lives = new ArrayList<>(1);
    long touched;
  }

  private final Map<String, Origin> origins = new HashMap<>();
  private final int maxOrigins;

  DeliveryLog(int maxOrigins) {
    this.maxOrigins = maxOrigins;
  }

  /** Whether {@code item} is new here, a duplicate, too old, or superseded; changes nothing. */
  Verdict check(BroadcastItem item) {
    Origin o = origins.get(item.origin());
    if (o == null) {
      return Verdict.NEW;
    }
    for (Life l : o.lives) {
      if (l.life == item.life()) {
        return l.check(item);
      }
    }
    return Verdict.NEW;
  }

  /** Notes {@code item} as delivered at {@code now}. */
  void record(BroadcastItem item, long now) {
    Origin o = origins.get(item.origin());
    if (o == null) {
      if (origins.size() >= maxOrigins) {
        evictLeastRecent();
      }
      o = new Origin();
      origins.put(item.origin(), o);
    }
    o.touched = now;
    Life life = null;
    for (Life l : o.lives) {
      if (l.life == item.life()) {
        life = l;
      }
    }
    if (life == null) {
      if (o.lives.size() >= LIVES) {
        Life oldest = o.lives.get(0);
        for (Life l : o.lives) {
          if (l.touched - oldest.touched < 0) {
            oldest = l;
          }
        }
        o.lives.remove(oldest);
      }
      life = new Life(item.life());
      o.lives.add(life);
    }
    life.touched = now;
    life.record(item);
  }

  /** Forgets the origins {@code keep} rejects that were last heard from before {@code before}. */
  void forget(Predicate<String> keep, long before) {
    Iterator<Map.Entry<String, Origin>> it = origins.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Origin> e = it.next();
      if (e.getValue().touched - before < 0 && !keep.test(e.getKey())) {
        it.remove();
      }
    }
  }

  private void evictLeastRecent() {
    String victim = null;
    long oldest = 0;
    for (Map.Entry<String, Origin> e : origins.entrySet()) {
      if (victim == null || e.getValue().touched - oldest < 0) {
        victim = e.getKey();
        oldest = e.getValue().touched;
      }
    }
    if (victim != null) {
      origins.remove(victim);
    }
  }

  /** Origins remembered. */
  int origins() {
    return origins.size();
  }

  /** Lives remembered, over all origins. */
  int lives() {
    int n = 0;
    for (Origin o : origins.values()) {
      n += o.lives.size();
    }
    return n;
  }
}
