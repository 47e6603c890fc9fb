package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 without a key, on real sockets: forged claims about a healthy node, sent as single UDP
 * packets, at the last incarnation and at the incarnation ceiling, and packets replayed from a
 * node's previous life, leave every node seeing the node as it is.
 */
class ForgedClaimsTest {
  /** The wall-clock epoch of incarnations (see {@code GossipConfig#maxIncarnationLead}). */
  private static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

  private static final GossipConfig CONFIG =
      GossipConfig.lan().toBuilder()
          .clusterName("forged")
          .tombstoneTimeout(Duration.ofSeconds(3))
          .reconnectTimeout(Duration.ofSeconds(3))
          .build();

  private static final String VICTIM = "node-3";
  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();
  private final BinarySerializer serializer = BinarySerializer.forConfig(CONFIG);

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "forged-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode start(String id, Map<String, String> metadata, String... seeds) {
    GossipNode n =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(CONFIG)
            .eventLoops(pool)
            .metadata(metadata)
            .seeds(seeds)
            .start();
    nodes.add(n);
    return n;
  }

  private List<GossipNode> cluster() {
    GossipNode seed = start("node-0", Map.of());
    List<GossipNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < 5; i++) {
      all.add(start("node-" + i, Map.of("role", "db"), seed.address().toString()));
    }
    all.forEach(n -> n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join());
    await("convergence")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(n -> online(n) == 5));
    return all;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  /** The incarnation ceiling of a node with this host's clock and {@link #CONFIG}, now. */
  private static long ceilingNow() {
    return Duration.between(EPOCH, Instant.now()).toSeconds()
        + CONFIG.maxIncarnationLead().toSeconds();
  }

  /** Sends {@code claims} as one forged gossip packet to {@code target}. */
  private void sendForged(GossipNode target, MemberUpdate... claims) throws Exception {
    try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      GossipMessage m =
          new GossipMessage.Gossip(
              "attacker", new NodeAddress("127.0.0.1", raw.getLocalPort()), List.of(claims));
      byte[] bytes = serializer.encode(m);
      raw.send(
          new DatagramPacket(
              bytes, bytes.length, new InetSocketAddress("127.0.0.1", target.address().port())));
    }
  }

  private static MemberUpdate claim(
      NodeAddress at, NodeStatus status, long incarnation, Map<String, String> meta, String from) {
    return new MemberUpdate(VICTIM, at, status, incarnation, meta, 77, 0, from);
  }

  /**
   * Whether every node sees the victim ONLINE at its address with its metadata, above {@code i}.
   */
  private static boolean healthy(List<GossipNode> all, GossipNode victim, long above) {
    return all.stream()
        .filter(n -> n != victim)
        .allMatch(
            n -> {
              NodeView v = n.findNode(VICTIM).orElse(null);
              return v != null
                  && v.status() == NodeStatus.ONLINE
                  && v.address().equals(victim.address())
                  && v.metadata().equals(victim.self().metadata())
                  && v.incarnation() > above;
            });
  }

  @Test
  void forgedClaimsAtTheLastIncarnationAndAtTheCeilingAreDroppedOrRefuted() throws Exception {
    List<GossipNode> all = cluster();
    GossipNode victim = all.get(3);
    GossipNode target = all.get(1);
    NodeAddress home = victim.address();
    NodeAddress sink = new NodeAddress("127.0.0.1", 9);
    long max = MemberUpdate.MAX_INCARNATION;
    Map<String, String> forged = Map.of("role", "forged");
    // Every event, on any node, that shows the victim at the sink: the forged address adopted.
    List<ClusterEvent> atSink = new CopyOnWriteArrayList<>();
    for (GossipNode n : all) {
      n.addListener(
          e -> {
            if (e.node().id().equals(VICTIM) && e.node().address().equals(sink)) {
              atSink.add(e);
            }
          });
    }

    // At the last incarnation: dropped and counted at the node they reach, nothing changes.
    sendForged(target, claim(home, NodeStatus.FAILED, max, Map.of(), "attacker"));
    sendForged(target, claim(home, NodeStatus.SUSPECT, max, Map.of(), "attacker"));
    sendForged(target, claim(home, NodeStatus.ONLINE, max, forged, VICTIM));
    sendForged(target, claim(sink, NodeStatus.ONLINE, max, victim.self().metadata(), VICTIM));
    await("beyond-ceiling claims counted")
        .atMost(Duration.ofSeconds(10))
        .until(() -> target.stats().drops(DropReason.INCARNATION_AHEAD) == 4);
    long before = victim.self().incarnation();
    assertThat(healthy(all, victim, before - 1)).isTrue();

    // At the ceiling (less 2 s for the clocks' granularity): believed, then refuted everywhere.
    List<MemberUpdate> attacks =
        List.of(
            claim(home, NodeStatus.FAILED, 0, Map.of(), "attacker"),
            claim(home, NodeStatus.SUSPECT, 0, Map.of(), "attacker"),
            claim(home, NodeStatus.ONLINE, 0, forged, VICTIM),
            claim(sink, NodeStatus.ONLINE, 0, victim.self().metadata(), VICTIM));
    for (MemberUpdate a : attacks) {
      // each forged claim newer than the victim's refutation of the one before (2 s margin)
      await("ceiling above the victim's incarnation")
          .atMost(Duration.ofSeconds(10))
          .until(() -> ceilingNow() - 2 > victim.self().incarnation() + 1);
      long ceiling = ceilingNow() - 2;
      MemberUpdate attack =
          new MemberUpdate(
              VICTIM,
              a.address(),
              a.status(),
              ceiling,
              a.metadata(),
              a.metadataVersion(),
              0,
              a.from());
      if (a.address().equals(sink)) {
        // another address is believed only of a member not held ONLINE: suspect it first
        sendForged(
            target, claim(home, NodeStatus.SUSPECT, ceiling - 1, Map.of(), "attacker"), attack);
      } else {
        sendForged(target, attack);
      }
      // The other address is never adopted (decision 034: its proof ping goes unanswered;
      // asserted below), so there is no claim at the ceiling to outrank: the victim need only
      // refute the suspicion sent with it, at ceiling - 1.
      long above = a.address().equals(sink) ? ceiling - 1 : ceiling;
      await("victim healthy everywhere after a forged " + a.status() + " at " + a.address())
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> healthy(all, victim, above));
    }
    assertThat(target.stats().drops(DropReason.INCARNATION_AHEAD)).isEqualTo(4);
    assertThat(victim.self().status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(atSink).as("no node ever held the victim at the forged address").isEmpty();
    assertThat(all)
        .allSatisfy(
            n ->
                assertThat(n.findNode(VICTIM).map(NodeView::address))
                    .isNotEqualTo(java.util.Optional.of(sink)));
  }

  @Test
  void replayedPacketsChangeNothingEvenFromAPreviousLife() throws Exception {
    List<GossipNode> all = cluster();
    GossipNode victim = all.get(3);
    GossipNode target = all.get(1);

    // Captured in the victim's first life: its claims with two metadata versions, and its leave.
    List<MemberUpdate> captured = new ArrayList<>();
    for (String v : List.of("1", "2")) {
      victim.updateMetadata(Map.of("role", "db", "life", "1", "v", v));
      NodeView self = victim.self();
      captured.add(
          new MemberUpdate(
              VICTIM,
              self.address(),
              NodeStatus.ONLINE,
              self.incarnation(),
              self.metadata(),
              self.metadataVersion(),
              self.configEpoch(),
              VICTIM));
    }
    await("second version spread")
        .atMost(Duration.ofSeconds(20))
        .until(() -> healthy(all, victim, captured.get(1).incarnation() - 1));
    // A replay within the life: the older version changes nothing.
    sendForged(target, captured.get(0));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> healthy(all, victim, captured.get(1).incarnation() - 1));

    NodeAddress oldAddress = victim.address();
    victim.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
    captured.add(
        new MemberUpdate(
            VICTIM,
            oldAddress,
            NodeStatus.LEFT,
            captured.get(1).incarnation(),
            Map.of(),
            captured.get(1).metadataVersion(),
            0,
            VICTIM));
    List<GossipNode> rest = all.stream().filter(n -> n != victim).toList();
    await("tombstone expired everywhere")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> rest.stream().allMatch(n -> n.findNode(VICTIM).isEmpty()));

    // The next life, at the same id, then every captured packet replayed to every node.
    GossipNode reborn =
        start(VICTIM, Map.of("role", "db", "life", "2"), all.get(0).address().toString());
    reborn.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    List<GossipNode> now = new ArrayList<>(rest);
    now.add(reborn);
    await("next life known everywhere")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(now, reborn, 0));
    assertThat(reborn.self().incarnation()).isGreaterThan(captured.get(2).incarnation());
    for (GossipNode n : rest) {
      for (MemberUpdate c : captured) {
        sendForged(n, c);
      }
    }
    await("nothing rolled back")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> healthy(now, reborn, reborn.self().incarnation() - 1));
  }
}
