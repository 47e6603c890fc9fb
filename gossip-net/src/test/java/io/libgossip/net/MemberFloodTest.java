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
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's member-table flood, on real sockets and without any key: forged gossip datagrams and a
 * forged TCP push-pull frame advertising 100,000 fake members, sent at one node of a 5-node
 * loopback cluster. The table stays within its caps, the drops are counted, no real member is ever
 * suspected, and the heap stays bounded.
 */
class MemberFloodTest {
  private static final int CLUSTER = 5;

  /** A cap well below the flood, so that the test shows it holding (the default is 65,536). */
  private static final int MAX_MEMBERS = 1000;

  private static final int FAKES = 100_000;
  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();

  /** Real members ever declared failed anywhere: false positives. */
  private final Set<String> failed = ConcurrentHashMap.newKeySet();

  /** Real members ever suspected anywhere (reported; a stall may cause one, then refuted). */
  private final Set<String> suspected = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "flood-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private static GossipConfig config() {
    // the LAN profile's timeouts: a loaded test machine must not turn stalls into suspicions
    return GossipConfig.lan().toBuilder().maxMembers(MAX_MEMBERS).build();
  }

  private GossipNode start(String id, String seed) {
    GossipNode.Builder b =
        GossipNode.builder()
            .bind("127.0.0.1", 0)
            .id(id)
            .config(config())
            .eventLoops(pool)
            .listener(
                e -> {
                  if (e instanceof ClusterEvent.MemberFailed f
                      && f.node().id().startsWith("node-")) {
                    failed.add(f.node().id());
                  }
                  if (e instanceof ClusterEvent.MemberSuspected x
                      && x.node().id().startsWith("node-")) {
                    suspected.add(x.node().id());
                  }
                });
    if (seed != null) {
      b.seeds(seed);
    }
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private static long realOnline(GossipNode n) {
    return n.members().stream()
        .filter(m -> m.id().startsWith("node-") && m.status() == NodeStatus.ONLINE)
        .count();
  }

  /**
   * Fake members refused by the per-message bound, or because another unverified fake holds their
   * address (the fake addresses repeat every 65,536; decision 034).
   */
  private static long refused(GossipNode n) {
    return n.stats().drops(DropReason.NEW_MEMBER_LIMIT)
        + n.stats().drops(DropReason.SHARED_ADDRESS);
  }

  private static MemberUpdate fake(int i) {
    String id = "fake-" + i;
    // loopback addresses where nothing listens: probes of the fakes stay on this machine
    NodeAddress a = new NodeAddress("127.1." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 9);
    return new MemberUpdate(id, a, NodeStatus.ONLINE, 0, Map.of(), 0, 0, id);
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void forgedMembersStayWithinTheCapsAndTheClusterStaysHealthy() throws Exception {
    GossipNode seed = start("node-0", null);
    List<GossipNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < CLUSTER; i++) {
      all.add(start("node-" + i, seed.address().toString()));
    }
    for (GossipNode n : all) {
      n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("convergence")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> realOnline(x) == CLUSTER));
    suspected.clear(); // only what the flood causes
    GossipNode target = all.get(2);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long heapBefore = heapAfterGc(memory);

    BinarySerializer forger = new BinarySerializer(config().clusterName(), 1 << 24);
    NodeAddress attacker = new NodeAddress("127.0.0.1", 9);
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", target.address().port());

    // 1. A forged TCP push-pull frame advertising 100,000 fake members (about 2 MB).
    List<MemberUpdate> state = new ArrayList<>(FAKES);
    for (int i = 0; i < FAKES; i++) {
      state.add(fake(i));
    }
    byte[] frame =
        forger.encode(new GossipMessage.PushPull("attacker", attacker, false, false, state));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), target.address().port());
        OutputStream raw = s.getOutputStream()) {
      DataOutputStream out = new DataOutputStream(raw);
      out.writeInt(frame.length);
      out.write(frame);
      out.flush();
      try {
        await("the push-pull is handled")
            .atMost(Duration.ofSeconds(30))
            .until(() -> refused(target) >= FAKES - 128);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            "drops " + target.stats().drops() + " transport " + target.stats().transport(), e);
      }
    }
    assertThat(target.members().size()).isLessThanOrEqualTo(CLUSTER + 128);

    // 2. Forged gossip datagrams: 100,000 more fake members, 40 to a packet.
    int sent = 0;
    try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      for (int first = 0; first < FAKES; first += 40) {
        List<MemberUpdate> updates = new ArrayList<>(40);
        for (int i = first; i < first + 40; i++) {
          updates.add(fake(FAKES + i));
        }
        byte[] packet = forger.encode(new GossipMessage.Gossip("attacker", attacker, updates));
        udp.send(new DatagramPacket(packet, packet.length, to));
        sent++;
        if (sent % 100 == 0) {
          Thread.sleep(5); // stay within the receive buffer: a datagram lost is no test
        }
      }
    }
    await("the cap is reached")
        .atMost(Duration.ofSeconds(30))
        .until(() -> target.stats().drops(DropReason.TABLE_FULL) > 0);

    // Whatever arrives, no node ever holds more than its cap.
    for (GossipNode n : all) {
      assertThat(n.members().size()).isLessThanOrEqualTo(MAX_MEMBERS);
    }
    NodeStats st = target.stats();
    assertThat(refused(target)).isGreaterThanOrEqualTo(FAKES - 128);
    long heapAfter = heapAfterGc(memory);
    System.out.printf(
        "flood: %d datagrams; members %d; drops NEW_MEMBER_LIMIT=%d TABLE_FULL=%d; heap after GC"
            + " %d KiB -> %d KiB (+%d KiB, all 5 nodes in this JVM)%n",
        sent,
        target.members().size(),
        st.drops(DropReason.NEW_MEMBER_LIMIT),
        st.drops(DropReason.TABLE_FULL),
        heapBefore / 1024,
        heapAfter / 1024,
        (heapAfter - heapBefore) / 1024);
    // five tables of at most 1,000 members of a few hundred bytes each, with room for the noise of
    // a running JVM; the unbounded flood of issue 13 took hundreds of MB
    assertThat(heapAfter - heapBefore).isLessThan(64L << 20);

    // The real cluster keeps working: every real member stays ONLINE in every view for 10 s, and
    // none is ever declared failed. (How fast news spreads is another matter: with 995 fakes in a
    // table of 1,000, gossip aims mostly at fakes until they are detected; the table bounds
    // memory, not pollution.)
    await("the real members stay ONLINE everywhere")
        .during(Duration.ofSeconds(10))
        .atMost(Duration.ofSeconds(20))
        .until(() -> all.stream().allMatch(n -> realOnline(n) == CLUSTER));
    assertThat(all).allMatch(n -> realOnline(n) == CLUSTER);
    assertThat(failed).as("false positives").isEmpty();
    System.out.printf("flood: real members suspected at some point (refuted): %s%n", suspected);
  }
}
