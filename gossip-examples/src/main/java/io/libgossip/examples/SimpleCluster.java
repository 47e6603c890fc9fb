package io.libgossip.examples;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The seed's {@code simple_cluster}: a handful of nodes in one JVM form a full mesh (every node is
 * introduced to every other), then print the membership table.
 *
 * <pre>
 * mvn -q -pl gossip-examples exec:java -Dexec.mainClass=io.libgossip.examples.SimpleCluster -Dexec.args=5
 * </pre>
 */
public final class SimpleCluster {
  private SimpleCluster() {}

  /** Runs with {@code args[0]} nodes (default 5). */
  public static void main(String[] args) {
    run(System.out, args.length > 0 ? Integer.parseInt(args[0]) : 5);
  }

  static void run(PrintStream out, int size) {
    if (size < 2) {
      throw new IllegalArgumentException("need at least 2 nodes, got " + size);
    }
    // Many nodes in one JVM share one event-loop pool.
    EventLoopPool pool = EventLoopPool.create(1, "simple-cluster");
    List<GossipNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        nodes.add(
            GossipNode.builder()
                .id("node-" + i)
                .bind("127.0.0.1", 0)
                .config(GossipConfig.local())
                .metadata("role", i == 0 ? "seed" : "worker")
                .eventLoops(pool)
                .start());
        out.printf("started %s at %s%n", nodes.get(i).id(), nodes.get(i).address());
      }
      // Full mesh: every node meets every other one.
      List<CompletableFuture<Void>> joins = new ArrayList<>();
      for (GossipNode node : nodes) {
        List<NodeAddress> others =
            nodes.stream().map(GossipNode::address).filter(a -> !a.equals(node.address())).toList();
        joins.add(node.join(others));
      }
      CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
          .orTimeout(10, TimeUnit.SECONDS)
          .join();
      Examples.waitUntil(
          "convergence", Duration.ofSeconds(20), () -> Examples.converged(nodes, size));
      out.printf("all %d nodes see %d members online%n", size, size);
      Examples.printMembers(out, nodes.get(0));
    } finally {
      nodes.forEach(GossipNode::close);
      pool.close();
    }
  }
}
