package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A consistent-hash ring with virtual nodes: each member is placed at {@code virtualNodes} points
 * of a 64-bit ring (the {@link Hash64} of its id, seeded with the point's number), and a key
 * belongs to the first point at or after its hash, going round. More virtual nodes even out the
 * load (with 100 or more, the most loaded member holds well under twice the mean) at the cost of
 * memory ({@code 12 × virtualNodes} bytes per member) and build time. A lookup is a binary search:
 * {@code O(log(N × virtualNodes))}. Immutable and thread-safe.
 */
public final class HashRing implements ConsistentHash {
  /** The default number of virtual nodes per member. */
  public static final int DEFAULT_VIRTUAL_NODES = 128;

  private final List<NodeView> members;
  private final long[] points;
  private final int[] owners;
  private final int virtualNodes;

  private HashRing(List<NodeView> members, long[] points, int[] owners, int virtualNodes) {
    this.members = members;
    this.points = points;
    this.owners = owners;
    this.virtualNodes = virtualNodes;
  }

  /**
   * A ring of {@code members} (duplicates by id are kept once), each with {@code virtualNodes}
   * points.
   *
   * @throws IllegalArgumentException when {@code virtualNodes} is not in [1, 65536]
   */
  public static HashRing of(Collection<NodeView> members, int virtualNodes) {
    if (virtualNodes < 1 || virtualNodes > 65_536) {
      throw new IllegalArgumentException("virtualNodes must be in [1, 65536], got " + virtualNodes);
    }
    List<NodeView> sorted = Members.distinctById(members);
    int n = sorted.size();
    long total = (long) n * virtualNodes;
    if (total > 64_000_000L) {
      throw new IllegalArgumentException(
          "members x virtualNodes must be at most 64,000,000, got " + total);
    }
    long[] keys = new long[(int) total];
    long[] pos = new long[(int) total];
    for (int m = 0; m < n; m++) {
      byte[] id = Members.idBytes(sorted.get(m));
      for (int v = 0; v < virtualNodes; v++) {
        int i = m * virtualNodes + v;
        pos[i] = Hash64.hash(id, v);
        keys[i] = i;
      }
    }
    // Sort point indices by position (unsigned), ties by member index (= by id): deterministic.
    Integer[] order = new Integer[(int) total];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.<Integer>comparingLong(i -> pos[i] ^ Long.MIN_VALUE).thenComparingInt(i -> i));
    long[] points = new long[order.length];
    int[] owners = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      points[i] = pos[order[i]] ^ Long.MIN_VALUE;
      owners[i] = order[i] / virtualNodes;
    }
    return new HashRing(sorted, points, owners, virtualNodes);
  }

  /** A ring of {@code members} with {@link #DEFAULT_VIRTUAL_NODES} points each. */
  public static HashRing of(Collection<NodeView> members) {
    return of(members, DEFAULT_VIRTUAL_NODES);
  }

  /** The number of points per member. */
  public int virtualNodes() {
    return virtualNodes;
  }

  @Override
  public List<NodeView> members() {
    return members;
  }

  @Override
  public Optional<NodeView> ownerOfHash(long keyHash) {
    if (points.length == 0) {
      return Optional.empty();
    }
    return Optional.of(members.get(owners[first(keyHash)]));
  }

  @Override
  public List<NodeView> ownersOfHash(long keyHash, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    int want = Math.min(n, members.size());
    if (want == 0) {
      return List.of();
    }
    List<NodeView> out = new ArrayList<>(want);
    boolean[] seen = new boolean[members.size()];
    int i = first(keyHash);
    for (int step = 0; step < points.length && out.size() < want; step++) {
      int m = owners[(i + step) % points.length];
      if (!seen[m]) {
        seen[m] = true;
        out.add(members.get(m));
      }
    }
    return List.copyOf(out);
  }

  /** The index of the first point at or after {@code keyHash} (unsigned order), going round. */
  private int first(long keyHash) {
    long k = keyHash ^ Long.MIN_VALUE; // unsigned order as signed order
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (points[mid] < k) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == points.length ? 0 : lo;
  }

  @Override
  public String toString() {
    return "HashRing[members=" + members.size() + ", virtualNodes=" + virtualNodes + "]";
  }
}
