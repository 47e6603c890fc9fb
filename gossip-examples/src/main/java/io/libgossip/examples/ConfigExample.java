package io.libgossip.examples;

import io.libgossip.cluster.ClusterConfig;
import io.libgossip.cluster.ConfigChange;
import io.libgossip.cluster.ConfigStamp;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.UserBroadcast;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.UserMessageHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Configuration sync: three nodes on loopback, each with a {@link ClusterConfig}. A write on one
 * node reaches the others, a prefix and a key subscription fire, two concurrent writes to one key
 * end with the same winner everywhere, a remove spreads, and a node restarted empty catches up.
 */
public final class ConfigExample {
  private static final int NODES = 3;
  private static final Duration WAIT = Duration.ofSeconds(15);

  private ConfigExample() {}

  /** One node and its config. */
  private record Member(GossipNode node, ClusterConfig config) {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    GossipConfig gossip = GossipConfig.local().toBuilder().clusterName("config-demo").build();
    // listeners run here, off the nodes' event loops, one change at a time
    ExecutorService listeners = Executors.newSingleThreadExecutor();
    List<Member> members = new ArrayList<>();
    try (EventLoopPool pool = EventLoopPool.create(1, "config")) {
      try {
        for (int i = 0; i < NODES; i++) {
          members.add(start("node-" + i, gossip, pool, listeners, i == 0 ? null : members.get(0)));
        }
        Examples.waitUntil(
            NODES + " nodes to see each other",
            WAIT,
            () -> Examples.converged(members.stream().map(Member::node).toList(), NODES));
        out.printf("%d nodes joined%n", NODES);

        ClusterConfig c0 = members.get(0).config();
        ClusterConfig c1 = members.get(1).config();
        ClusterConfig c2 = members.get(2).config();
        c2.subscribePrefix("db.", ch -> out.printf("  [node-2 watches db.*] %s%n", describe(ch)));
        c1.subscribe(
            "feature.x", ch -> out.printf("  [node-1 watches feature.x] %s%n", describe(ch)));

        out.println("\n-- node-0 writes db.url and feature.x");
        long t = System.nanoTime();
        c0.put("db.url", "jdbc:postgresql://db-1/app");
        c0.put("feature.x", "on");
        awaitSame(members, "db.url", "feature.x");
        out.printf("every node has them after %d ms: %s%n", ms(t), c2.snapshotStrings());

        out.println("\n-- node-1 and node-2 write feature.x at the same time");
        ConfigStamp s1 = c1.put("feature.x", "blue");
        ConfigStamp s2 = c2.put("feature.x", "green");
        String winner = s2.isAfter(s1) ? "green" : "blue";
        awaitSame(members, "feature.x");
        out.printf(
            "stamps %s and %s: the larger wins on every node: feature.x = %s (expected %s)%n",
            s1, s2, c0.getString("feature.x").orElse("-"), winner);

        out.println("\n-- node-0 removes db.url");
        t = System.nanoTime();
        c0.remove("db.url");
        awaitSame(members, "db.url");
        out.printf("gone from every node after %d ms: %s%n", ms(t), c1.snapshotStrings());

        out.println("\n-- node-2 restarts with an empty map");
        Member old = members.get(2);
        old.node().leave(Duration.ofSeconds(5)).join();
        old.node().close();
        t = System.nanoTime();
        Member fresh = start("node-2", gossip, pool, listeners, members.get(0));
        members.set(2, fresh);
        Examples.waitUntil(
            "the restarted node-2 to catch up",
            WAIT,
            () -> fresh.config().snapshotStrings().equals(c0.snapshotStrings()));
        out.printf(
            "node-2 caught up in %d ms through its join exchange: %s%n",
            ms(t), fresh.config().snapshotStrings());
        out.printf("node-0 %s%n", c0.stats());
      } finally {
        members.forEach(m -> m.node().close());
        listeners.shutdown();
        try {
          listeners.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    out.println("\ndone");
  }

  /**
   * A node whose config rides in its push-pull exchanges ({@code appState}), gets the config's
   * broadcasts ({@code messageHandler}) and sends its writes ({@code attach}).
   */
  private static Member start(
      String id,
      GossipConfig gossip,
      EventLoopPool pool,
      ExecutorService listeners,
      @Nullable Member seed) {
    ClusterConfig config = ClusterConfig.builder(id).listenerExecutor(listeners).build();
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(gossip)
            .eventLoops(pool)
            .appState(config.appState())
            .messageHandler(
                new UserMessageHandler() {
                  @Override
                  public void onBroadcast(UserBroadcast broadcast) {
                    config.onBroadcast(broadcast);
                  }
                });
    if (seed != null) {
      b.seeds(seed.node().address().toString());
    }
    GossipNode node = b.start();
    config.attach(node::broadcast);
    return new Member(node, config);
  }

  /** Waits until every node holds the same stamp (or none) for each of {@code keys}. */
  private static void awaitSame(List<Member> members, String... keys) {
    Examples.waitUntil(
        "every node to agree on " + String.join(", ", keys),
        WAIT,
        () -> {
          for (String k : keys) {
            Object first = members.get(0).config().stamp(k).orElse(null);
            for (Member m : members) {
              if (!Objects.equals(first, m.config().stamp(k).orElse(null))) {
                return false;
              }
            }
          }
          return true;
        });
  }

  private static String describe(ConfigChange ch) {
    return ch.key()
        + ": "
        + ch.oldString().orElse("(none)")
        + " -> "
        + ch.newString().orElse("(removed)")
        + (ch.local() ? " (local write)" : " (from " + ch.stamp().writer() + ")");
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
