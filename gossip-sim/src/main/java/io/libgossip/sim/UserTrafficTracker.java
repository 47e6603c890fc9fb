package io.libgossip.sim;

import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Measures application traffic: for each user broadcast, when it was sent and when each node that
 * should get it delivered it to its application (once, or more: duplicates); for each query, how
 * long its origin waited for the end and how many targets answered.
 *
 * <p>A broadcast is identified by the simulator's number, written by the simulator in the first 8
 * bytes of its payload (big-endian), so that broadcasts of different lives of one origin never mix
 * up. The nodes that should get it are those running and joined when it was sent, other than its
 * origin, that do not stop before the end of the run; a node that stops leaves every set.
 */
final class UserTrafficTracker {
  /** Bytes at the start of a simulated broadcast's payload that carry its number. */
  static final int TAG_BYTES = 8;

  private static final class Sent {
    final int origin;
    final int originLife;
    final long sentAt;
    final BitSet need;
    final BitSet delivered;
    @Nullable Sent newer;
    @Nullable Sent older;

    Sent(int origin, int originLife, long sentAt, BitSet need, int nodes) {
      this.origin = origin;
      this.originLife = originLife;
      this.sentAt = sentAt;
      this.need = need;
      this.delivered = new BitSet(nodes);
    }
  }

  private record PendingQuery(int origin, int originLife, long sentAt) {}

  private final int nodes;
  private final List<Sent> sent = new ArrayList<>();
  private final Map<String, Sent> latestByKey = new HashMap<>();
  private long[] samples = new long[64];
  private int sampleCount;
  private long duplicates;
  private long superseded;
  private long staleDeliveries;
  private long untracked;

  private final Map<Long, PendingQuery> queries = new HashMap<>();
  private int queriesAsked;
  private long[] querySamples = new long[16];
  private int querySampleCount;
  private int queriesTimedOut;
  private long queryTargets;
  private long queryAnswers;
  private long queryDeparted;

  UserTrafficTracker(int nodes) {
    this.nodes = nodes;
  }

  /** Whether any broadcast or query was made (the report shows user traffic only then). */
  boolean active() {
    return !sent.isEmpty() || queriesAsked > 0;
  }

  /** The payload of broadcast number {@code id}: the number, then {@code size - 8} filler bytes. */
  static byte[] payload(long id, int size) {
    byte[] p = new byte[Math.max(TAG_BYTES, size)];
    for (int i = 0; i < TAG_BYTES; i++) {
      p[i] = (byte) (id >>> (56 - 8 * i));
    }
    for (int i = TAG_BYTES; i < p.length; i++) {
      p[i] = (byte) (id + i);
    }
    return p;
  }

  /** The number of the next broadcast, for {@link #payload}. */
  long nextId() {
    return sent.size();
  }

  /**
   * Node {@code origin} (in life {@code life}) sent broadcast {@link #nextId()} at {@code now};
   * {@code need} holds the nodes that should deliver it (kept and changed as they do).
   */
  long broadcast(int origin, int life, String topic, @Nullable String key, long now, BitSet need) {
    String sk = key == null ? null : origin + "/" + life + "/" + topic + "/" + key;
    Sent s = new Sent(origin, life, now, need, nodes);
    if (sk != null) {
      Sent prev = latestByKey.put(sk, s);
      if (prev != null) {
        prev.newer = s;
        s.older = prev;
      }
    }
    sent.add(s);
    return sent.size() - 1L;
  }

  /** Node {@code node}'s application, in life {@code life}, got {@code b} at {@code now}. */
  void delivered(int node, int life, UserBroadcast b, long now) {
    byte[] p = b.payload();
    long id = -1;
    if (p.length >= TAG_BYTES) {
      id = 0;
      for (int i = 0; i < TAG_BYTES; i++) {
        id = (id << 8) | (p[i] & 0xFF);
      }
    }
    if (id < 0 || id >= sent.size()) {
      untracked++;
      return;
    }
    Sent s = sent.get((int) id);
    if ((node == s.origin && life == s.originLife) || s.delivered.get(node)) {
      duplicates++;
      return;
    }
    s.delivered.set(node);
    boolean stale = false;
    for (Sent n = s.newer; n != null; n = n.newer) {
      stale |= n.delivered.get(node);
    }
    if (stale) {
      staleDeliveries++; // a newer one with the same key came first
    }
    if (s.need.get(node)) {
      s.need.clear(node);
      addSample(now - s.sentAt);
    }
    for (Sent o = s.older; o != null; o = o.older) {
      if (o.need.get(node)) {
        o.need.clear(node);
        superseded++; // never to be delivered here, by the supersede rule
      }
    }
  }

  /** Whether node {@code node} delivered broadcast {@code id} (in its current life). */
  boolean hasDelivered(long id, int node) {
    return sent.get((int) id).delivered.get(node);
  }

  /** A node stopped: no broadcast waits for it any longer, and its next life starts afresh. */
  void stopped(int node) {
    for (Sent s : sent) {
      s.need.clear(node);
      s.delivered.clear(node);
    }
  }

  private void addSample(long d) {
    if (sampleCount == samples.length) {
      samples = Arrays.copyOf(samples, sampleCount * 2);
    }
    samples[sampleCount++] = d;
  }

  /** Node {@code origin} (in life {@code life}) asked query {@code queryId} at {@code now}. */
  void queried(int origin, int life, long queryId, long now) {
    queriesAsked++;
    queries.put(key(origin, queryId), new PendingQuery(origin, life, now));
  }

  /** A query of node {@code origin} (in life {@code life}) ended at {@code now}. */
  void queryDone(int origin, int life, QueryResult r, long now) {
    PendingQuery q = queries.get(key(origin, r.queryId()));
    if (q == null || q.originLife() != life) {
      return;
    }
    queries.remove(key(origin, r.queryId()));
    if (querySampleCount == querySamples.length) {
      querySamples = Arrays.copyOf(querySamples, querySampleCount * 2);
    }
    querySamples[querySampleCount++] = now - q.sentAt();
    if (r.timedOut()) {
      queriesTimedOut++;
    }
    queryTargets += r.targeted().size();
    queryAnswers += r.responded().size();
    queryDeparted += r.departed().size();
  }

  private static long key(int origin, long queryId) {
    return ((long) origin << 40) ^ queryId;
  }

  /** The first broadcasts some node still waits for, one per line (for failure messages). */
  String describeMissing() {
    StringBuilder sb = new StringBuilder();
    int lines = 0;
    for (int id = 0; id < sent.size() && lines < 20; id++) {
      Sent s = sent.get(id);
      if (!s.need.isEmpty()) {
        sb.append("broadcast ")
            .append(id)
            .append(" of node ")
            .append(s.origin)
            .append(" at ")
            .append(s.sentAt / 1e6)
            .append(" ms missing at nodes ")
            .append(s.need)
            .append('\n');
        lines++;
      }
    }
    return sb.toString();
  }

  UserMetrics report() {
    long[] d = Arrays.copyOf(samples, sampleCount);
    Arrays.sort(d);
    long missing = 0;
    for (Sent s : sent) {
      missing += s.need.cardinality();
    }
    long[] q = Arrays.copyOf(querySamples, querySampleCount);
    Arrays.sort(q);
    return new UserMetrics(
        sent.size(),
        d,
        missing,
        superseded,
        duplicates,
        staleDeliveries,
        untracked,
        queriesAsked,
        q,
        queriesTimedOut,
        queries.size(),
        queryTargets,
        queryAnswers,
        queryDeparted);
  }
}
