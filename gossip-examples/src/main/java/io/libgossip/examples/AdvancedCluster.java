package io.libgossip.examples;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.NodeStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The seed's {@code advanced_cluster}: metadata (role, region) and its propagation, listeners, a
 * graceful leave, a crash detected by the failure detector, and statistics.
 */
public final class AdvancedCluster {
  private AdvancedCluster() {}

  /** Runs the demo. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    // Faster failure detection than the local profile, for a demo on one machine.
    GossipConfig config =
        GossipConfig.local().toBuilder()
            .clusterName("advanced-demo")
            .probeInterval(Duration.ofMillis(300))
            .probeTimeout(Duration.ofMillis(100))
            .suspicionMaxTimeoutMult(2)
            .build();
    EventLoopPool pool = EventLoopPool.create(1, "advanced-cluster");
    List<GossipNode> nodes = new ArrayList<>();
    String[] regions = {"eu-west", "eu-west", "us-east", "us-east", "ap-south"};
    try {
      for (int i = 0; i < regions.length; i++) {
        GossipNode.Builder b =
            GossipNode.builder()
                .id("node-" + i)
                .bind("127.0.0.1", 0)
                .config(config)
                .eventLoops(pool)
                .metadata(Map.of("role", i == 0 ? "seed" : "api", "region", regions[i]));
        if (i > 0) {
          b.seeds(nodes.get(0).address().toString());
        } else { // registered before start: node-0 sees every event
          b.listener(
              e -> {
                if (e instanceof ClusterEvent.MemberEvent m) {
                  out.printf(
                      "[node-0 sees] %-16s %-7s %s -> %s %s%n",
                      m.kind(),
                      m.node().id(),
                      m.previousStatus(),
                      m.status(),
                      m instanceof ClusterEvent.MetadataChanged c
                          ? c.before() + " -> " + c.after()
                          : "");
                }
              });
        }
        nodes.add(b.start());
      }
      GossipNode observer = nodes.get(0);
      Examples.waitUntil(
          "convergence", Duration.ofSeconds(20), () -> Examples.converged(nodes, nodes.size()));
      Examples.printMembers(out, observer);

      out.println("\n-- node-1 is promoted: its metadata changes and spreads");
      nodes.get(1).updateMetadata(Map.of("role", "leader", "region", "eu-west"));
      Examples.waitUntil(
          "metadata to spread",
          Duration.ofSeconds(10),
          () ->
              nodes.stream()
                  .allMatch(
                      n -> n.findNode("node-1").map(NodeView::role).orElse("").equals("leader")));
      long inEu = observer.members().stream().filter(m -> m.region().equals("eu-west")).count();
      out.printf(
          "members in eu-west: %d; leader: %s%n",
          inEu,
          observer.members().stream()
              .filter(m -> m.role().equals("leader"))
              .map(NodeView::id)
              .findFirst()
              .orElse("?"));

      out.println("\n-- node-2 leaves gracefully");
      nodes.get(2).leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
      Examples.waitUntil(
          "LEFT", Duration.ofSeconds(20), () -> statusOf(observer, "node-2") == NodeStatus.LEFT);

      out.println("\n-- node-3 crashes (closed without leaving)");
      nodes.get(3).close();
      Examples.waitUntil(
          "FAILED",
          Duration.ofSeconds(60),
          () -> statusOf(observer, "node-3") == NodeStatus.FAILED);
      Examples.printMembers(out, observer);

      NodeStats stats = observer.stats();
      out.printf(
          "%nnode-0 stats: %d packets in, %d out, %d bytes in, %d out, %d probes, drops %s,"
              + " transport drops %s%n",
          stats.transport().packetsIn(),
          stats.transport().packetsOut(),
          stats.transport().bytesIn(),
          stats.transport().bytesOut(),
          stats.core().probes(),
          stats.drops(),
          stats.transportDrops());
    } finally {
      nodes.forEach(GossipNode::close);
      pool.close();
    }
  }

  private static NodeStatus statusOf(GossipNode observer, String id) {
    return observer.findNode(id).map(NodeView::status).orElse(NodeStatus.UNKNOWN);
  }
}
