package io.libgossip.net;

import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Two real nodes on loopback that join and must see each other ONLINE (bounded wait). */
final class TwoNodes {
  private TwoNodes() {}

  /**
   * Starts two nodes, each builder adjusted by {@code setup}, joins the second through the first,
   * waits (at most 30 s) until both see both ONLINE, and closes them.
   */
  static void converge(UnaryOperator<GossipNode.Builder> setup) {
    List<GossipNode> nodes = new ArrayList<>();
    try {
      GossipNode a = setup.apply(base("a")).start();
      nodes.add(a);
      GossipNode b = setup.apply(base("b").seeds(a.address().toString())).start();
      nodes.add(b);
      b.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
      await("two nodes see each other ONLINE")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> nodes.stream().allMatch(n -> online(n) == 2));
    } finally {
      nodes.forEach(GossipNode::close);
    }
  }

  private static GossipNode.Builder base(String id) {
    return GossipNode.builder().id(id).bind("127.0.0.1", 0).config(GossipConfig.local());
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }
}
