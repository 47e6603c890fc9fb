package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
    long[] points = new long[(int) total];
    int[] owners = new int[(int) total];
    for (int m = 0; m < n; m++) {
      byte[] id = Members.idBytes(sorted.get(m));
      for (int v = 0; v < virtualNodes; v++) {
        int i = m * virtualNodes + v;
        points[i] = Hash64.hash(id, v) ^ Long.MIN_VALUE; // unsigned order as signed order
        owners[i] = m;
      }
    }
    // by position, ties by member (that is, by id): the same order on every node
    sort(points, owners, 0, points.length - 1);
    return new HashRing(sorted, points, owners, virtualNodes);
  }

  /** Sorts the pairs (points[i], owners[i]) in [lo, hi] by point, then owner. */
  private static void sort(long[] points, int[] owners, int lo, int hi) {
    while (hi - lo > 16) {
      int mid = (lo + hi) >>> 1;
      // median of three as the pivot
      if (less(points, owners, mid, lo)) {
        swap(points, owners, mid, lo);
      }
      if (less(points, owners, hi, lo)) {
        swap(points, owners, hi, lo);
      }
      if (less(points, owners, hi, mid)) {
        swap(points, owners, hi, mid);
      }
      long pp = points[mid];
      int po = owners[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (points[i] < pp || (points[i] == pp && owners[i] < po)) {
          i++;
        }
        while (points[j] > pp || (points[j] == pp && owners[j] > po)) {
          j--;
        }
        if (i <= j) {
          swap(points, owners, i, j);
          i++;
          j--;
        }
      }
      // recurse into the smaller part, loop on the larger: O(log n) stack
      if (j - lo < hi - i) {
        sort(points, owners, lo, j);
        lo = i;
      } else {
        sort(points, owners, i, hi);
        hi = j;
      }
    }
    for (int i = lo + 1; i <= hi; i++) {
      for (int j = i; j > lo && less(points, owners, j, j - 1); j--) {
        swap(points, owners, j, j - 1);
      }
    }
  }

  private static boolean less(long[] points, int[] owners, int a, int b) {
    return points[a] < points[b] || (points[a] == points[b] && owners[a] < owners[b]);
  }

  private static void swap(long[] points, int[] owners, int a, int b) {
    long p = points[a];
    points[a] = points[b];
    points[b] = p;
    int o = owners[a];
    owners[a] = owners[b];
    owners[b] = o;
  }

  /** A ring of {@code members} with {@link #DEFAULT_VIRTUAL_NODES} points each. */
  public static HashRing of(Collection<NodeView> members) {
    return of(members, DEFAULT_VIRTUAL_NODES);
  }

  /**
   * This ring with other views of the same members (the same ids in the same order, say with new
   * metadata): the points are kept, so nothing is rehashed.
   */
  HashRing withViews(List<NodeView> sameIds) {
    return new HashRing(List.copyOf(sameIds), points, owners, virtualNodes);
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
    int want = Members.wanted(n, members.size());
    if (want == 0) {
      return List.of();
    }
    int[] picked = new int[want];
    int count = 0;
    boolean @Nullable [] seen = want > 8 ? new boolean[members.size()] : null;
    int i = first(keyHash);
    for (int step = 0; step < points.length && count < want; step++) {
      int m = owners[(i + step) % points.length];
      if (seen != null ? !seen[m] : !contains(picked, count, m)) {
        if (seen != null) {
          seen[m] = true;
        }
        picked[count++] = m;
      }
    }
    NodeView[] out = new NodeView[count];
    for (int k = 0; k < count; k++) {
      out[k] = members.get(picked[k]);
    }
    return List.of(out);
  }

  private static boolean contains(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return true;
      }
    }
    return false;
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
