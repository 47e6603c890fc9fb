package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real nodes on loopback sharing one event-loop pool. */
class GossipNodeTest {
  private static final int CLUSTER = 20;
  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "node-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder() {
    return GossipNode.builder().bind("127.0.0.1", 0).config(GossipConfig.local()).eventLoops(pool);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  /** Starts {@code n} nodes joined through the first and waits until everyone sees everyone. */
  private List<GossipNode> cluster(int n) {
    GossipNode seed = start(builder().id("node-0").metadata("role", "seed"));
    List<GossipNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < n; i++) {
      all.add(start(builder().id("node-" + i).seeds(seed.address().toString())));
    }
    for (GossipNode node : all) {
      node.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    // Usually 2-3 s; the bound covers a loaded CI machine, where the periodic push-pull (15 s in
    // the local profile) may have to repair a missed update.
    await("convergence of " + n + " nodes")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> online(x) == n));
    return all;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static NodeStatus statusIn(GossipNode observer, String id) {
    return observer.findNode(id).map(NodeView::status).orElse(NodeStatus.UNKNOWN);
  }

  @Test
  void twentyNodesSharingOneGroupConverge() {
    List<GossipNode> all = cluster(CLUSTER);
    for (GossipNode node : all) {
      assertThat(node.self().status()).isEqualTo(NodeStatus.ONLINE);
      assertThat(node.members()).hasSize(CLUSTER);
      assertThat(node.findNode("node-0").orElseThrow().role()).isEqualTo("seed");
      NodeStats stats = node.stats();
      assertThat(stats.transport().packetsIn()).isPositive();
      assertThat(stats.core().bytesSent()).isEqualTo(stats.transport().bytesOut());
    }
  }

  @Test
  void hardKilledNodeIsFailedEverywhere() {
    List<GossipNode> all = cluster(CLUSTER);
    GossipNode victim = all.get(7);
    victim.close();
    victim.close(); // idempotent
    assertThat(victim.isRunning()).isFalse();
    List<GossipNode> rest = all.stream().filter(n -> n != victim).toList();
    await("FAILED everywhere")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rest.stream().allMatch(n -> statusIn(n, "node-7") == NodeStatus.FAILED));
    assertThat(rest).allMatch(n -> online(n) == CLUSTER - 1);
    assertThat(victim.members()).hasSize(CLUSTER); // the final snapshot stays readable
  }

  @Test
  void forceLeaveTurnsAFailedMemberLeftEverywhere() {
    List<GossipNode> all = cluster(CLUSTER);
    GossipNode victim = all.get(5);
    victim.close();
    List<GossipNode> rest = all.stream().filter(n -> n != victim).toList();
    await("FAILED everywhere")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rest.stream().allMatch(n -> statusIn(n, "node-5") == NodeStatus.FAILED));
    GossipNode operator = rest.get(0);

    assertThat(operator.forceLeave("node-5").orTimeout(10, TimeUnit.SECONDS).join().status())
        .isEqualTo(NodeStatus.LEFT);

    await("LEFT everywhere")
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rest.stream().allMatch(n -> statusIn(n, "node-5") == NodeStatus.LEFT));
    assertThat(operator.forceLeave("node-6"))
        .as("a live member cannot be forced out")
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .withCauseInstanceOf(IllegalStateException.class);
    assertThat(operator.forceLeave("no-such-node"))
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .withCauseInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void leavingNodeIsLeftEverywhere() {
    List<GossipNode> all = cluster(CLUSTER);
    GossipNode leaver = all.get(11);
    leaver.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(leaver.isRunning()).isFalse();
    List<GossipNode> rest = all.stream().filter(n -> n != leaver).toList();
    await("LEFT everywhere")
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rest.stream().allMatch(n -> statusIn(n, "node-11") == NodeStatus.LEFT));
    assertThat(rest).noneMatch(n -> statusIn(n, "node-11") == NodeStatus.FAILED);
  }

  @Test
  void garbageDatagramsAreCountedWhileTheClusterStaysHealthy() throws Exception {
    List<GossipNode> all = cluster(5);
    GossipNode target = all.get(2);
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());
    try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 500; i++) {
        byte[] junk = ("junk-" + i).getBytes();
        raw.send(new DatagramPacket(junk, junk.length, to));
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> target.stats().drops(DropReason.BAD_MAGIC) >= 490);
    // still healthy: a metadata change reaches everyone and nobody is suspected
    target.updateMetadata(Map.of("role", "db"));
    await("metadata spread")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                all.stream()
                    .allMatch(
                        n -> "db".equals(n.findNode("node-2").map(NodeView::role).orElse(""))));
    assertThat(all).allMatch(n -> online(n) == 5);
  }

  @Test
  void joinToADeadSeedFailsNamingTheSeed() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    GossipNode lonely =
        start(builder().seeds("127.0.0.1:" + dead).joinTimeout(Duration.ofSeconds(1)));
    assertThatThrownBy(() -> lonely.joinFuture().orTimeout(5, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOf(JoinException.class)
        .hasMessage("could not join: no answer from 127.0.0.1:" + dead + " within 1 s");
    assertThatThrownBy(
            () ->
                lonely
                    .join(List.of(new NodeAddress("127.0.0.1", dead)))
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join())
        .cause()
        .isInstanceOf(JoinException.class);
    assertThat(lonely.isRunning()).isTrue();
  }

  @Test
  void seedsGivenByHostNameAreResolvedAndJoined() {
    GossipNode seed = start(builder().id("named-seed"));
    GossipNode joiner =
        start(builder().id("named-joiner").seeds("localhost:" + seed.address().port()));
    joiner.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    await("both see each other")
        .atMost(Duration.ofSeconds(15))
        .until(() -> online(seed) == 2 && online(joiner) == 2);
  }

  @Test
  void bindFailureAndBadAddressesAreNamed() {
    GossipNode first = start(builder());
    int port = first.address().port();
    assertThatThrownBy(() -> start(builder().bind("127.0.0.1", port)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("127.0.0.1:" + port);
    assertThatThrownBy(() -> builder().bind("127.0.0.1", 70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.0.1:70000");
    assertThatThrownBy(() -> builder().seeds("10.0.0.5:http"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.5:http");
    assertThatThrownBy(() -> builder().serializer("xml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'xml'");
  }

  @Test
  void listenersGetEventsAndAThrowingOneIsCounted() {
    List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
    List<ClusterEvent> seenByLate = new CopyOnWriteArrayList<>();
    GossipNode a =
        start(
            builder()
                .id("a")
                .listener(
                    e -> {
                      throw new IllegalStateException("listener bug");
                    })
                .listener(seen::add));
    a.addListener(seenByLate::add);
    GossipNode b = start(builder().id("b").seeds(a.address().toString()));
    b.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                seen.stream()
                    .anyMatch(
                        e -> e.kind() == ClusterEvent.Kind.JOINED && e.node().id().equals("b")));
    assertThat(a.stats().listenerFailures()).isPositive();
    // A listener added after start misses what came before it (the node's own join may already
    // have been delivered), then gets every later event in the same order as the others.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              List<ClusterEvent> all = List.copyOf(seen);
              List<ClusterEvent> late = List.copyOf(seenByLate);
              return !late.isEmpty()
                  && late.size() <= all.size()
                  && all.subList(all.size() - late.size(), all.size()).equals(late);
            });
    assertThat(seenByLate)
        .anyMatch(e -> e.kind() == ClusterEvent.Kind.JOINED && e.node().id().equals("b"));
    Optional<NodeView> bInA = a.findNode("b");
    assertThat(bInA).map(NodeView::status).contains(NodeStatus.ONLINE);
  }
}
