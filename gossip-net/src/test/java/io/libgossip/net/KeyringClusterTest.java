package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real keyed nodes on loopback: strangers, rotation, the plaintext upgrade, forgeries, replays. */
class KeyringClusterTest {
  private static final EnumSet<TransportDropReason> KEYRING_DROPS =
      EnumSet.of(
          TransportDropReason.KEYRING_PLAINTEXT_REFUSED,
          TransportDropReason.KEYRING_UNKNOWN_KEY,
          TransportDropReason.KEYRING_AUTH_FAILED,
          TransportDropReason.KEYRING_STALE,
          TransportDropReason.KEYRING_MALFORMED);

  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();
  private final AtomicInteger suspicions = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  /**
   * LAN timing with probes that tolerate seconds of delay: these tests count SUSPECT events, and
   * the build machine runs several test JVMs on two cores, where the LAN profile's 500 ms probe
   * timeout suspects members of a starved event loop whatever the keyring does (57 SUSPECT events
   * in one run of the rotation test, with no keyring drop at all).
   */
  private final GossipConfig config =
      GossipConfig.lan().toBuilder()
          .clusterName("prod")
          .probeInterval(Duration.ofSeconds(5))
          .probeTimeout(Duration.ofSeconds(4))
          .suspicionMult(6)
          .build();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "keyring-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder(GossipConfig cfg, String id) {
    return GossipNode.builder()
        .id(id)
        .bind("127.0.0.1", 0)
        .config(cfg)
        .eventLoops(pool)
        .listener(
            e -> {
              if (e instanceof ClusterEvent.MemberEvent m) {
                if (m.kind() == ClusterEvent.Kind.SUSPECTED) {
                  suspicions.incrementAndGet();
                } else if (m.kind() == ClusterEvent.Kind.FAILED) {
                  failures.incrementAndGet();
                }
              }
            });
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  /** {@code n} nodes, each with the keyring {@code keyring.apply(i)}, joined through the first. */
  private List<GossipNode> cluster(int n, Function<Integer, Keyring> keyring) {
    List<GossipNode> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GossipNode.Builder b = builder(config, "node-" + i);
      Keyring k = keyring.apply(i);
      if (k != null) {
        b.keyring(k);
      }
      if (i > 0) {
        b.seeds(all.get(0).address().toString());
      }
      all.add(start(b));
    }
    awaitConvergence(all);
    return all;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static void awaitConvergence(List<GossipNode> all) {
    for (GossipNode node : all) {
      node.joinFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
    await("convergence of " + all.size() + " nodes")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> online(x) == all.size()));
  }

  private static long keyringDrops(GossipNode node) {
    NodeStats s = node.stats();
    return KEYRING_DROPS.stream().mapToLong(s::drops).sum();
  }

  private static long sealed(GossipNode node) {
    return node.keyring().orElseThrow().counters().sealed();
  }

  /**
   * Waits until every node has sent {@code more} packets since {@code before}: in a quiet cluster
   * mostly probes and acks, two per probe interval.
   */
  private static void awaitTraffic(List<GossipNode> all, long[] before, int more) {
    await("every node sends " + more + " more packets")
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              for (int i = 0; i < all.size(); i++) {
                GossipNode n = all.get(i);
                long now =
                    n.keyring().orElseThrow().counters().sealed()
                        + n.keyring().orElseThrow().counters().plaintextSent();
                if (now - before[i] < more) {
                  return false;
                }
              }
              return true;
            });
  }

  private static long[] sent(List<GossipNode> all) {
    long[] out = new long[all.size()];
    for (int i = 0; i < all.size(); i++) {
      Keyring.Counters c = all.get(i).keyring().orElseThrow().counters();
      out[i] = c.sealed() + c.plaintextSent();
    }
    return out;
  }

  private static void awaitJoinFailure(GossipNode node) {
    await("join of " + node.id() + " fails")
        .atMost(Duration.ofSeconds(15))
        .until(() -> node.joinFuture().isDone());
    assertThatThrownBy(() -> node.joinFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(JoinException.class);
  }

  @Test
  void aNodeWithTheWrongKeyNoKeyOrAnotherLabelCannotJoinAndIsCounted() {
    byte[] key = Keyring.generateKey();
    List<GossipNode> keyed = cluster(3, i -> Keyring.of(key));
    GossipNode seed = keyed.get(0);
    String seedAddress = seed.address().toString();

    GossipNode wrongKey =
        start(
            builder(config, "wrong-key")
                .keyring(Keyring.of(Keyring.generateKey()))
                .joinTimeout(Duration.ofSeconds(2))
                .seeds(seedAddress));
    GossipNode noKey =
        start(builder(config, "no-key").joinTimeout(Duration.ofSeconds(2)).seeds(seedAddress));
    GossipNode otherLabel =
        start(
            builder(config.toBuilder().clusterName("staging").build(), "other-label")
                .keyring(Keyring.of(key))
                .joinTimeout(Duration.ofSeconds(2))
                .seeds(seedAddress));
    awaitJoinFailure(wrongKey);
    awaitJoinFailure(noKey);
    awaitJoinFailure(otherLabel);

    NodeStats s = seed.stats();
    assertThat(s.drops(TransportDropReason.KEYRING_UNKNOWN_KEY)).isPositive();
    assertThat(s.drops(TransportDropReason.KEYRING_PLAINTEXT_REFUSED)).isPositive();
    assertThat(s.drops(TransportDropReason.KEYRING_AUTH_FAILED)).isPositive();
    for (GossipNode n : keyed) {
      assertThat(n.members())
          .extracting(NodeView::id)
          .containsExactlyInAnyOrder("node-0", "node-1", "node-2");
    }
    for (GossipNode stranger : List.of(wrongKey, noKey, otherLabel)) {
      assertThat(stranger.members()).extracting(NodeView::id).containsExactly(stranger.id());
    }
  }

  @Test
  void tenNodesRotateTheirKeyWhileRunningWithoutASuspicion() {
    byte[] oldKey = Keyring.generateKey();
    byte[] newKey = Keyring.generateKey();
    List<GossipNode> all = cluster(10, i -> Keyring.of(oldKey));
    int suspectedBefore = suspicions.get();

    for (GossipNode n : all) {
      n.keyring().orElseThrow().install(newKey);
    }
    awaitTraffic(all, sent(all), 3);
    for (GossipNode n : all) {
      n.keyring().orElseThrow().use(newKey);
    }
    awaitTraffic(all, sent(all), 3); // what was sealed with the old key has arrived
    for (GossipNode n : all) {
      assertThatThrownBy(() -> n.keyring().orElseThrow().remove(newKey))
          .isInstanceOf(IllegalStateException.class);
      n.keyring().orElseThrow().remove(oldKey);
    }
    long[] afterRotation = sent(all);
    awaitTraffic(all, afterRotation, 6);

    assertThat(all).allMatch(n -> online(n) == 10);
    assertThat(all)
        .allMatch(n -> n.keyring().orElseThrow().keyIds().equals(List.of(Keyring.keyId(newKey))));
    assertThat(all).allMatch(n -> keyringDrops(n) == 0);
    assertThat(suspicions.get() - suspectedBefore)
        .as("SUSPECT events during the rotation")
        .isZero();
    assertThat(suspicions.get()).isZero();
  }

  @Test
  void aPlaintextClusterUpgradesToRequiredWithoutASuspicion() {
    byte[] key = Keyring.generateKey();
    List<GossipNode> keyed = cluster(5, i -> Keyring.of(List.of(key), KeyringMode.SEND_PLAINTEXT));
    // Step 1 also talks to a node that has no keyring yet.
    GossipNode plain = start(builder(config, "plain").seeds(keyed.get(0).address().toString()));
    List<GossipNode> six = new ArrayList<>(keyed);
    six.add(plain);
    awaitConvergence(six);
    plain.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> keyed.stream().allMatch(n -> online(n) == 5));

    for (GossipNode n : keyed) {
      n.keyring().orElseThrow().mode(KeyringMode.SEND_SEALED);
    }
    awaitTraffic(keyed, sent(keyed), 3);
    for (GossipNode n : keyed) {
      n.keyring().orElseThrow().mode(KeyringMode.REQUIRED);
    }
    awaitTraffic(keyed, sent(keyed), 3);

    assertThat(keyed).allMatch(n -> online(n) == 5);
    assertThat(keyed).allMatch(n -> keyringDrops(n) == 0);
    assertThat(suspicions.get()).as("SUSPECT events during the upgrade").isZero();
    assertThat(keyed.get(0).keyring().orElseThrow().counters().opened()).isPositive();

    GossipNode late =
        start(
            builder(config, "late-plain")
                .joinTimeout(Duration.ofSeconds(2))
                .seeds(keyed.get(1).address().toString()));
    awaitJoinFailure(late);
    assertThat(keyed.get(1).stats().drops(TransportDropReason.KEYRING_PLAINTEXT_REFUSED))
        .isPositive();
  }

  @Test
  void forgedClaimsAtTheLastIncarnationChangeNothingInAKeyedCluster() throws IOException {
    byte[] key = Keyring.generateKey();
    List<GossipNode> all = cluster(5, i -> Keyring.of(key));
    GossipNode victim = all.get(1);
    NodeAddress sink = new NodeAddress("127.0.0.1", 9);
    long max = MemberUpdate.MAX_INCARNATION;
    List<MemberUpdate> claims =
        List.of(
            new MemberUpdate(
                victim.id(), victim.address(), NodeStatus.FAILED, max, Map.of(), 0, 0, "node-4"),
            new MemberUpdate(
                victim.id(), victim.address(), NodeStatus.SUSPECT, max, Map.of(), 0, 0, "node-4"),
            new MemberUpdate(
                victim.id(),
                sink,
                NodeStatus.ONLINE,
                max,
                Map.of("owned", "yes"),
                99,
                0,
                victim.id()));
    BinarySerializer serializer = BinarySerializer.forConfig(config);
    KeyringTransform wrongKey =
        new KeyringTransform(Keyring.of(Keyring.generateKey()), config.clusterName());
    List<byte[]> packets = new ArrayList<>();
    for (MemberUpdate claim : claims) {
      byte[] plain =
          serializer.encode(
              new GossipMessage.Gossip("node-4", all.get(4).address(), List.of(claim)));
      packets.add(plain.clone());
      packets.add(wrongKey.encode(plain.clone()));
      byte[] pushPull =
          serializer.encode(
              new GossipMessage.PushPull(
                  "node-4", all.get(4).address(), false, false, List.of(claim)));
      packets.add(pushPull.clone());
      packets.add(wrongKey.encode(pushPull));
    }
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      for (GossipNode target : all) {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());
        for (byte[] p : packets) {
          udp.send(new DatagramPacket(p, p.length, to));
          try (Socket tcp = new Socket()) { // the same bytes as one TCP frame
            tcp.connect(to, 2000);
            OutputStream out = tcp.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(p.length).array());
            out.write(p);
            out.flush();
          }
        }
      }
    }
    await("every node refused the forgeries")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                all.stream()
                    .allMatch(
                        n ->
                            n.stats().drops(TransportDropReason.KEYRING_PLAINTEXT_REFUSED) >= 12
                                && n.stats().drops(TransportDropReason.KEYRING_UNKNOWN_KEY) >= 12));
    awaitTraffic(all, sent(all), 3); // a few more rounds of gossip after the attack
    for (GossipNode n : all) {
      assertThat(online(n)).isEqualTo(5);
      NodeView seen =
          n.members().stream().filter(m -> m.id().equals(victim.id())).findFirst().orElseThrow();
      assertThat(seen.address()).isEqualTo(victim.address());
      assertThat(seen.metadata()).doesNotContainKey("owned");
      assertThat(seen.incarnation()).isLessThan(max);
    }
    assertThat(suspicions.get()).isZero();
    assertThat(failures.get()).isZero();
  }

  /** A wall clock the test moves forward. */
  private static final class TestClock extends Clock {
    private final AtomicLong offsetMillis = new AtomicLong();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plusMillis(offsetMillis.get());
    }
  }

  @Test
  void aSealedPacketReplayedAfterTheWindowIsRefused() throws IOException {
    byte[] key = Keyring.generateKey();
    TestClock clock = new TestClock();
    Duration window = Duration.ofSeconds(5);
    List<GossipNode> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GossipNode.Builder b =
          builder(config, "node-" + i)
              .keyring(Keyring.of(key))
              .replayWindow(window)
              .wallClock(clock);
      if (i > 0) {
        b.seeds(all.get(0).address().toString());
      }
      all.add(start(b));
    }
    awaitConvergence(all);
    GossipNode target = all.get(2);
    // What node-1 would send now, as an attacker on the path captures it.
    KeyringTransform asNode1 =
        new KeyringTransform(Keyring.of(key), config.clusterName(), window, clock);
    byte[] captured =
        asNode1.encode(
            BinarySerializer.forConfig(config)
                .encode(new GossipMessage.Gossip("node-1", all.get(1).address(), List.of())));
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      udp.send(new DatagramPacket(captured, captured.length, to));
      awaitTraffic(all, sent(all), 3);
      assertThat(keyringDrops(target)).as("the fresh packet is accepted").isZero();

      clock.offsetMillis.addAndGet(window.toMillis() + 1000); // the cluster's time moves on
      udp.send(new DatagramPacket(captured, captured.length, to));
      await("the replay is refused")
          .atMost(Duration.ofSeconds(10))
          .until(() -> target.stats().drops(TransportDropReason.KEYRING_STALE) == 1);
    }
    awaitTraffic(all, sent(all), 3);
    assertThat(all).allMatch(n -> online(n) == 3);
    assertThat(target.stats().drops(TransportDropReason.KEYRING_STALE)).isEqualTo(1);
    assertThat(keyringDrops(target)).isEqualTo(1);
  }
}
