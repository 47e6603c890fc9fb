package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed discovery against a real DNS server: dnsmasq on 127.0.0.1 and an ephemeral port, serving
 * A/AAAA and SRV records made up for the test. Skipped (assumption) when dnsmasq is not installed;
 * on Debian and Ubuntu it is the package {@code dnsmasq-base}.
 */
class DnsSeedProviderTest {
  private static final String SRV_NAME = "_gossip._udp.svc.ns.svc.cluster.local";
  private static final String CLUSTER_SRV = "_gossip._udp.cluster.ns.svc.cluster.local";
  private static final int CLUSTER = 3;

  @TempDir static Path dir;
  private static @Nullable Process dnsmasq;
  private static InetSocketAddress nameServer = new InetSocketAddress("127.0.0.1", 53);
  private static final List<Integer> clusterPorts = new ArrayList<>();
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();

  private static Optional<Path> dnsmasqBinary() {
    return Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq")
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst();
  }

  @BeforeAll
  static void startDnsServer() throws Exception {
    Optional<Path> bin = dnsmasqBinary();
    assumeThat(bin)
        .as(
            "dnsmasq is not installed (Debian/Ubuntu: apt-get install dnsmasq-base):"
                + " skipping the DNS seed discovery tests")
        .isPresent();
    for (int i = 0; i < CLUSTER; i++) {
      clusterPorts.add(RetryJoinTest.freePort());
    }
    group = EventLoopPool.create(2, "dns-test");
    IOException last = null;
    for (int tries = 0; tries < 5 && dnsmasq == null; tries++) {
      int port;
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        port = s.getLocalPort();
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(bin.get().toString());
      cmd.addAll(
          List.of(
              "--keep-in-foreground",
              "--no-resolv",
              "--no-hosts",
              "--conf-file=/dev/null",
              "--port=" + port,
              "--listen-address=127.0.0.1",
              "--bind-interfaces",
              "--pid-file=" + dir.resolve("dnsmasq.pid"),
              "--log-queries",
              "--log-facility=-",
              // names under these domains that are not listed below are NXDOMAIN
              "--local=/gossip.test/",
              "--local=/cluster.local/",
              "--host-record=multi.gossip.test,127.0.0.1",
              "--host-record=multi.gossip.test,127.0.0.2",
              "--host-record=multi.gossip.test,::1",
              "--host-record=a.gossip.test,127.0.0.11",
              "--host-record=b.gossip.test,127.0.0.12",
              "--host-record=b.gossip.test,::1",
              "--srv-host=" + SRV_NAME + ",a.gossip.test,7001,0,10",
              "--srv-host=" + SRV_NAME + ",b.gossip.test,7002,0,10",
              "--host-record=node.gossip.test,127.0.0.1"));
      for (int p : clusterPorts) {
        cmd.add("--srv-host=" + CLUSTER_SRV + ",node.gossip.test," + p + ",0,10");
      }
      Path log = dir.resolve("dnsmasq-" + tries + ".log");
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      nameServer = new InetSocketAddress("127.0.0.1", port);
      // Ready when it answers; a process that ended lost the port to someone else: try another.
      DnsSeedProvider probe = dns("multi.gossip.test", 1).build();
      try {
        await("dnsmasq answers on port " + port)
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  if (!p.isAlive()) {
                    return true;
                  }
                  try {
                    return !probe.seeds().toCompletableFuture().get(2, TimeUnit.SECONDS).isEmpty();
                  } catch (Exception e) {
                    return false;
                  }
                });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        p.destroyForcibly();
        throw new IllegalStateException("dnsmasq did not answer: " + Files.readString(log), e);
      }
      if (p.isAlive()) {
        dnsmasq = p;
      } else {
        last = new IOException("dnsmasq exited: " + Files.readString(log));
      }
    }
    if (dnsmasq == null) {
      throw new IllegalStateException("could not start dnsmasq", last);
    }
  }

  @AfterAll
  static void stopDnsServer() throws InterruptedException {
    Process p = dnsmasq;
    if (p != null) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      dnsmasq = null;
    }
    if (group != null) {
      group.close();
    }
  }

  @AfterEach
  void closeNodes() {
    nodes.forEach(GossipNode::close);
  }

  private static DnsSeedProvider.Builder dns(String host, int port) {
    return DnsSeedProvider.dns(host, port)
        .nameServers(nameServer)
        .queryTimeout(Duration.ofSeconds(2));
  }

  private static DnsSeedProvider.Builder srv(String name) {
    return DnsSeedProvider.srv(name).nameServers(nameServer).queryTimeout(Duration.ofSeconds(2));
  }

  private static List<NodeAddress> seeds(SeedProvider p) {
    return p.seeds().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void everyAAndAaaaRecordOfANameIsASeed() {
    assertThat(seeds(dns("multi.gossip.test", 7946).build()))
        .containsExactlyInAnyOrder(
            new NodeAddress("127.0.0.1", 7946),
            new NodeAddress("127.0.0.2", 7946),
            new NodeAddress("::1", 7946));
  }

  @Test
  void srvRecordsGiveEachTargetsAddressesWithItsPort() {
    assertThat(seeds(srv(SRV_NAME).build()))
        .containsExactlyInAnyOrder(
            new NodeAddress("127.0.0.11", 7001),
            new NodeAddress("127.0.0.12", 7002),
            new NodeAddress("::1", 7002));
  }

  @Test
  void nxdomainIsReportedAsADnsFailureNamingTheHost() {
    assertThatThrownBy(() -> seeds(dns("nope.gossip.test", 7946).build()))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(SeedResolutionException.class)
        .hasMessageStartingWith("DNS lookup of 'nope.gossip.test' (A/AAAA) failed: NXDOMAIN")
        .hasMessageContaining(
            "name servers: " + new NodeAddress("127.0.0.1", nameServer.getPort()));
    assertThatThrownBy(() -> seeds(srv("_gossip._udp.nope.ns.svc.cluster.local").build()))
        .cause()
        .isInstanceOf(SeedResolutionException.class)
        .hasMessageStartingWith(
            "DNS lookup of '_gossip._udp.nope.ns.svc.cluster.local' (SRV) failed: NXDOMAIN");
  }

  @Test
  void aJoinWhoseSeedNameDoesNotExistFailsWithTheDnsErrorNotNoAnswer() {
    GossipNode n =
        start(
            GossipNode.builder()
                .bind("127.0.0.1", 0)
                .config(GossipConfig.local())
                .eventLoops(group)
                .seedProvider(dns("nope.gossip.test", 7946).build()));
    assertThatThrownBy(() -> n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOf(JoinException.class)
        .hasMessageStartingWith(
            "could not join: DNS lookup of 'nope.gossip.test' (A/AAAA) failed: NXDOMAIN")
        .hasMessageNotContaining("no answer")
        .hasCauseInstanceOf(SeedResolutionException.class);
    assertThat(n.stats().seedLookupFailures()).isEqualTo(1);
  }

  @Test
  void aClusterStartedInParallelJoinsThroughAnSrvName() {
    SeedProvider seeds = srv(CLUSTER_SRV).build();
    for (int i = 0; i < CLUSTER; i++) {
      start(
          GossipNode.builder()
              .id("srv-" + i)
              .bind("127.0.0.1", clusterPorts.get(i))
              .config(GossipConfig.local())
              .eventLoops(group)
              .seedProvider(seeds)
              .joinTimeout(Duration.ofSeconds(1))
              .retryJoin(RetryJoinTest.FAST));
    }
    for (GossipNode n : nodes) {
      n.joinFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
    await("everyone sees everyone")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            n.members().stream()
                                    .filter(m -> m.status() == NodeStatus.ONLINE)
                                    .count()
                                == CLUSTER));
    assertThat(nodes).allMatch(n -> n.stats().seedLookupFailures() == 0);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }
}
