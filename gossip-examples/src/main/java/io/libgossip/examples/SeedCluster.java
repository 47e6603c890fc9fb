package io.libgossip.examples;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.net.GossipNode;
import io.libgossip.net.TransportFactory;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The seed's {@code seed_cluster}: a real deployment joins through seed nodes.
 *
 * <p>Run one process per node:
 *
 * <pre>
 * SeedCluster --bind 0.0.0.0:7946 --id seed-1 --role seed
 * SeedCluster --bind 0.0.0.0:7947 --seeds 10.0.0.5:7946 --role web
 * </pre>
 *
 * Options: {@code --bind host:port}, {@code --advertise host:port}, {@code --seeds h:p,h:p}, {@code
 * --id ID}, {@code --role ROLE}, {@code --region REGION}, {@code --profile lan|wan|local}, {@code
 * --cluster NAME}, {@code --transport hybrid|udp|tcp}, {@code --serializer binary|json}. The node
 * prints membership events until Ctrl-C, then leaves gracefully.
 *
 * <p>With no arguments it runs a demo in one JVM: a seed and three members join through it, one
 * leaves, the rest print what they saw.
 */
public final class SeedCluster {
  private SeedCluster() {}

  /** See the class comment. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length == 0) {
      demo(System.out);
    } else {
      serve(System.out, args);
    }
  }

  static void serve(PrintStream out, String[] args) throws InterruptedException {
    GossipNode.Builder b = GossipNode.builder();
    GossipConfig.Builder config = GossipConfig.lan().toBuilder();
    Map<String, String> metadata = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String opt = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + opt + " needs a value");
      }
      String v = args[++i];
      switch (opt) {
        case "--bind" -> {
          int colon = v.lastIndexOf(':');
          if (colon < 0) {
            throw new IllegalArgumentException("--bind wants host:port, got '" + v + "'");
          }
          b.bind(v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
        }
        case "--advertise" -> b.advertise(v);
        case "--seeds" -> b.seeds(v.split(","));
        case "--id" -> b.id(v);
        case "--role" -> metadata.put("role", v);
        case "--region" -> metadata.put("region", v);
        case "--profile" -> config = GossipConfig.profile(v).toBuilder();
        case "--cluster" -> config.clusterName(v);
        case "--transport" -> b.transport(TransportFactory.type(v));
        case "--serializer" -> b.serializer(v);
        default -> throw new IllegalArgumentException("unknown option " + opt);
      }
    }
    GossipNode node = b.config(config.build()).metadata(metadata).start();
    node.addListener(
        e -> {
          if (e instanceof ClusterEvent.MemberEvent m) {
            out.printf(
                "%-16s %s (%s -> %s)%n", m.kind(), m.node().id(), m.previousStatus(), m.status());
          } else {
            out.printf("%-16s %s%n", e.kind(), e.node().id());
          }
        });
    out.printf("node %s listening at %s%n", node.id(), node.address());
    node.joinFuture()
        .whenComplete(
            (ok, err) ->
                out.println(
                    err == null
                        ? "joined"
                        : "join failed: "
                            + Objects.requireNonNullElse(err.getCause(), err).getMessage()));
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("leaving...");
                  node.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
                  done.countDown();
                }));
    done.await();
  }

  static void demo(PrintStream out) {
    GossipConfig config = GossipConfig.local();
    List<GossipNode> nodes = new ArrayList<>();
    try {
      GossipNode seed =
          GossipNode.builder()
              .id("seed")
              .bind("127.0.0.1", 0)
              .config(config)
              .metadata("role", "seed")
              .start();
      nodes.add(seed);
      seed.addListener(e -> out.printf("[seed] %-8s %s%n", e.kind(), e.node().id()));
      out.printf("seed at %s%n", seed.address());
      for (int i = 1; i <= 3; i++) {
        GossipNode n =
            GossipNode.builder()
                .id("member-" + i)
                .bind("127.0.0.1", 0)
                .config(config)
                .metadata("role", "web")
                .seeds(seed.address().toString())
                .start();
        nodes.add(n);
        n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
        out.printf("member-%d joined through the seed%n", i);
      }
      Examples.waitUntil("convergence", Duration.ofSeconds(20), () -> Examples.converged(nodes, 4));
      Examples.printMembers(out, nodes.get(3));
      nodes.get(2).leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
      Examples.waitUntil(
          "the leave to spread", Duration.ofSeconds(20), () -> Examples.online(seed) == 3);
      Examples.printMembers(out, seed);
    } finally {
      nodes.forEach(GossipNode::close);
    }
  }
}
