package io.libgossip.cluster;

import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Member views for tests. */
final class Views {
  private Views() {}

  static NodeView member(String id, NodeStatus status, Map<String, String> metadata) {
    int port = 7000 + Math.floorMod(id.hashCode(), 1000);
    return new NodeView(id, new NodeAddress("127.0.0.1", port), status, 1, metadata, 0, 0, 0, 0);
  }

  static NodeView online(String id) {
    return member(id, NodeStatus.ONLINE, Map.of());
  }

  static NodeView online(String id, Map<String, String> metadata) {
    return member(id, NodeStatus.ONLINE, metadata);
  }

  /** {@code n} ONLINE members node-0 .. node-(n-1). */
  static List<NodeView> online(int n) {
    List<NodeView> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(online("node-" + i));
    }
    return out;
  }
}
