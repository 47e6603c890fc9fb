package io.libgossip.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.net.DnsSeedProvider;
import io.libgossip.net.GossipNode;
import io.libgossip.net.RetryPolicy;
import io.libgossip.net.SeedProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a cluster run as a Kubernetes StatefulSet (see {@code docs/kubernetes/}): finds its
 * peers through the SRV records of a headless Service, retries the join until it succeeds, and
 * serves {@code GET /ready} (200 once joined, 503 before) and {@code GET /live} on an HTTP port for
 * the kubelet's probes. On SIGTERM it leaves gracefully.
 *
 * <p>Configured by environment variables:
 *
 * <ul>
 *   <li>{@code GOSSIP_SRV}: the SRV name, such as {@code
 *       _gossip._udp.gossip.default.svc.cluster.local} (required)
 *   <li>{@code POD_IP}: the address to advertise (required; from the downward API)
 *   <li>{@code POD_NAME}: the member id (default: the address)
 *   <li>{@code GOSSIP_PORT}: the gossip port, UDP and TCP (default 7946)
 *   <li>{@code HEALTH_PORT}: the HTTP port of the probes (default 8080)
 *   <li>{@code GOSSIP_JOIN_TIMEOUT_SECONDS}: how long each join attempt waits (default 5)
 *   <li>{@code GOSSIP_ROLE}: the {@code role} metadata (default {@code member})
 *   <li>{@code GOSSIP_DNS_SERVER}: a name server {@code ip:port} to ask instead of the system's
 *       (for trying it out locally against a test DNS server)
 * </ul>
 */
public final class KubernetesMember {
  private static final Logger log = LoggerFactory.getLogger(KubernetesMember.class);

  private KubernetesMember() {}

  /** See the class comment. */
  public static void main(String[] args) throws IOException, InterruptedException {
    Map<String, String> env = System.getenv();
    String srv = required(env, "GOSSIP_SRV");
    String podIp = required(env, "POD_IP");
    int port = intValue(env, "GOSSIP_PORT", GossipNode.DEFAULT_PORT);
    int healthPort = intValue(env, "HEALTH_PORT", 8080);
    Duration joinTimeout = Duration.ofSeconds(intValue(env, "GOSSIP_JOIN_TIMEOUT_SECONDS", 5));

    GossipNode.Builder b =
        GossipNode.builder()
            .bind("0.0.0.0", port)
            .advertise(podIp, port)
            .metadata("role", env.getOrDefault("GOSSIP_ROLE", "member"))
            .seedProvider(seeds(srv, env.get("GOSSIP_DNS_SERVER")))
            .retryJoin(RetryPolicy.builder().maxDelay(Duration.ofSeconds(10)).build())
            .joinTimeout(joinTimeout);
    String podName = env.get("POD_NAME");
    if (podName != null && !podName.isBlank()) {
      b.id(podName);
    }
    GossipNode node = b.start();

    HttpServer http = HttpServer.create(new InetSocketAddress(healthPort), 0);
    http.createContext("/live", ex -> answer(ex, node.isRunning() ? 200 : 503, "running\n"));
    http.createContext(
        "/ready",
        ex -> {
          boolean joined =
              node.isRunning()
                  && node.joinFuture().isDone()
                  && !node.joinFuture().isCompletedExceptionally();
          answer(
              ex,
              joined ? 200 : 503,
              joined ? "joined, " + online(node) + " members online\n" : "joining\n");
        });
    http.start();

    node.joinFuture()
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                log.atInfo()
                    .setMessage("ready")
                    .addKeyValue("id", node.id())
                    .addKeyValue("members", online(node))
                    .log();
              } else {
                log.atError()
                    .setMessage("join failed")
                    .addKeyValue("id", node.id())
                    .addKeyValue("error", e.getMessage())
                    .log();
              }
            });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.leave(Duration.ofSeconds(5)).get(8, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    node.close();
                  } finally {
                    http.stop(0);
                  }
                },
                "gossip-leave"));
    try {
      node.closeFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      // the close future never fails
    }
  }

  private static SeedProvider seeds(String srv, @Nullable String dnsServer) {
    if (dnsServer == null || dnsServer.isBlank()) {
      return SeedProvider.srv(srv);
    }
    NodeAddress ns;
    try {
      ns = NodeAddress.parse(dnsServer.trim(), 53);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "GOSSIP_DNS_SERVER must be ip:port, got '" + dnsServer + "': " + e.getMessage(), e);
    }
    return DnsSeedProvider.srv(srv)
        .nameServers(new InetSocketAddress(ns.host(), ns.port()))
        .build();
  }

  private static long online(GossipNode node) {
    if (!node.isRunning()) {
      return 0;
    }
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String required(Map<String, String> env, String name) {
    @Nullable String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is required");
    }
    return v.trim();
  }

  private static int intValue(Map<String, String> env, String name, int fallback) {
    @Nullable String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "environment variable " + name + " must be a number, got '" + v + "'", e);
    }
  }
}
