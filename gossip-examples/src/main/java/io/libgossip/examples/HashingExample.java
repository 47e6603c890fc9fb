package io.libgossip.examples;

import io.libgossip.cluster.ConsistentHash;
import io.libgossip.cluster.ConsistentHashing;
import io.libgossip.cluster.MemberFilter;
import io.libgossip.cluster.MembershipTracker;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeView;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing over a live cluster: four cache nodes on loopback, the owners of a few keys on
 * a hash ring and by rendezvous hashing as node-0 sees them, then node-2 leaves and only its keys
 * move.
 */
public final class HashingExample {
  private static final int NODES = 4;
  private static final int KEYS = 10_000;
  private static final String[] SHOWN = {
    "user:alice", "user:bob", "user:carol", "cart:17", "cart:42", "order:9001", "session:x", "img:7"
  };

  private HashingExample() {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    GossipConfig config = GossipConfig.local().toBuilder().clusterName("hashing-demo").build();
    List<GossipNode> nodes = new ArrayList<>();
    try (EventLoopPool pool = EventLoopPool.create(1, "hashing")) {
      try {
        for (int i = 0; i < NODES; i++) {
          GossipNode.Builder b =
              GossipNode.builder()
                  .id("node-" + i)
                  .bind("127.0.0.1", 0)
                  .config(config)
                  .eventLoops(pool)
                  .metadata(NodeView.ROLE, "cache");
          if (i > 0) {
            b.seeds(nodes.get(0).address().toString());
          }
          nodes.add(b.start());
        }
        // node-0's view of the membership, kept up to date by its events
        MembershipTracker tracker = new MembershipTracker();
        nodes.get(0).addListener(tracker, true);
        MemberFilter caches = MemberFilter.online().withRole("cache");
        ConsistentHashing ring = ConsistentHashing.ring(tracker, caches, 128);
        ConsistentHashing hrw = ConsistentHashing.rendezvous(tracker, caches);
        Examples.waitUntil(
            NODES + " cache members", Duration.ofSeconds(10), () -> ring.members().size() == NODES);
        out.printf("%d cache nodes joined; node-0 sees %s%n", NODES, ids(ring.members()));

        ConsistentHash ringBefore = ring.snapshot();
        ConsistentHash hrwBefore = hrw.snapshot();
        printOwners(out, ringBefore, hrwBefore, null, null);

        out.println("\n-- node-2 leaves");
        nodes.get(2).leave(Duration.ofSeconds(5)).join();
        Examples.waitUntil(
            "node-0 to see node-2 gone",
            Duration.ofSeconds(10),
            () -> ring.members().size() == NODES - 1 && hrw.members().size() == NODES - 1);
        out.printf("node-0 sees %s%n", ids(ring.members()));
        ConsistentHash ringAfter = ring.snapshot();
        ConsistentHash hrwAfter = hrw.snapshot();
        printOwners(out, ringAfter, hrwAfter, ringBefore, hrwBefore);

        out.printf("%nof %,d keys (ideal: the leaver's share, K/N = %,d):%n", KEYS, KEYS / NODES);
        out.println("  ring:       " + movement(ringBefore, ringAfter));
        out.println("  rendezvous: " + movement(hrwBefore, hrwAfter));
      } finally {
        nodes.forEach(GossipNode::close);
      }
    }
    out.println("\ndone");
  }

  private static void printOwners(
      PrintStream out,
      ConsistentHash ring,
      ConsistentHash hrw,
      @Nullable ConsistentHash ringBefore,
      @Nullable ConsistentHash hrwBefore) {
    out.printf("%n%-12s %-20s %-20s %s%n", "key", "ring owner", "HRW owner", "HRW replicas (2)");
    for (String k : SHOWN) {
      out.printf(
          "%-12s %-20s %-20s %s%n",
          k, owner(ring, ringBefore, k), owner(hrw, hrwBefore, k), ids(hrw.owners(k, 2)));
    }
  }

  private static String owner(ConsistentHash now, @Nullable ConsistentHash before, String key) {
    String id = now.owner(key).map(NodeView::id).orElse("-");
    if (before == null) {
      return id;
    }
    String was = before.owner(key).map(NodeView::id).orElse("-");
    return was.equals(id) ? id : id + " (was " + was + ")";
  }

  private static String movement(ConsistentHash before, ConsistentHash after) {
    int moved = 0;
    int fromLeaver = 0;
    for (int i = 0; i < KEYS; i++) {
      String k = "key-" + i;
      String was = before.owner(k).orElseThrow().id();
      if (!was.equals(after.owner(k).orElseThrow().id())) {
        moved++;
        if (was.equals("node-2")) {
          fromLeaver++;
        }
      }
    }
    return String.format("%,d keys moved, %,d of them from node-2", moved, fromLeaver);
  }

  private static List<String> ids(List<NodeView> members) {
    return members.stream().map(NodeView::id).toList();
  }
}
