package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/** Helpers on member lists shared by this package. */
final class Members {
  private Members() {}

  /** {@code members} sorted by id, one per id (the last one given wins), immutable. */
  static List<NodeView> distinctById(Collection<NodeView> members) {
    TreeMap<String, NodeView> byId = new TreeMap<>();
    for (NodeView m : members) {
      byId.put(m.id(), m);
    }
    return List.copyOf(byId.values());
  }

  /** {@code members} that pass {@code filter}, sorted by id, immutable. */
  static List<NodeView> filtered(Collection<NodeView> members, MemberFilter filter) {
    List<NodeView> out = new ArrayList<>();
    for (NodeView m : members) {
      if (m.hasId() && filter.test(m)) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(NodeView::id));
    return List.copyOf(out);
  }

  /**
   * How many owners a lookup of {@code n} owners among {@code size} members returns.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  static int wanted(int n, int size) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    return Math.min(n, size);
  }

  static byte[] idBytes(NodeView m) {
    return m.id().getBytes(StandardCharsets.UTF_8);
  }
}
