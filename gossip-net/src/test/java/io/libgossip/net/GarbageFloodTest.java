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
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flood of garbage at one node of a live 5-node cluster on loopback: random datagrams, truncated
 * and damaged valid packets, another cluster's packets, oversized datagrams, and TCP connections
 * that send garbage frames, frames with a huge length, partial frames, or nothing. The cluster must
 * not notice: no member suspected or declared failed, every drop counted by its reason, the heap
 * after GC about where it was. Each node has its own event loops, as separate processes would.
 */
class GarbageFloodTest {
  private static final Logger log = LoggerFactory.getLogger(GarbageFloodTest.class);

  /** How long the flood lasts. */
  static final Duration FLOOD = Duration.ofMillis(Long.getLong("flood.millis", 5_000));

  /** Growth of the used heap after GC that the flood may leave behind (all 5 nodes share it). */
  static final long HEAP_GROWTH_LIMIT = 32L << 20;

  private final List<GossipNode> nodes = new ArrayList<>();
  private final List<ClusterEvent> falsePositives = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode start(GossipConfig config, String id, GossipNode seed) {
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(config)
            .listener(
                e -> {
                  if ((e instanceof ClusterEvent.MemberSuspected
                          || e instanceof ClusterEvent.MemberFailed)
                      && ((ClusterEvent.MemberEvent) e).node().id().startsWith("node-")) {
                    falsePositives.add(e);
                  }
                });
    if (seed != null) {
      b.seeds(seed.address().toString());
    }
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  void garbageFloodAtOneNodeCausesNoFalsePositivesAndIsCountedByReason() throws Exception {
    GossipConfig config = GossipConfig.lan().toBuilder().clusterName("flood").build();
    GossipNode first = start(config, "node-0", null);
    for (int i = 1; i < 5; i++) {
      start(config, "node-" + i, first);
    }
    for (GossipNode n : nodes) {
      n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("5 nodes converge")
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
                                == 5));
    assertThat(falsePositives).as("suspicions before the flood").isEmpty();

    GossipNode target = nodes.get(2);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long heapBefore = usedHeapAfterGc(memory);
    Flood flood = new Flood(target.address().host(), target.address().port(), 38);
    flood.run(FLOOD);
    long heapAfter = usedHeapAfterGc(memory);

    NodeStats stats = target.stats();
    log.atInfo()
        .setMessage("garbage flood done")
        .addKeyValue("datagrams", flood.datagrams)
        .addKeyValue("connections", flood.connections)
        .addKeyValue("frames", flood.frames)
        .addKeyValue("drops", stats.drops())
        .addKeyValue("transportDrops", stats.transportDrops())
        .addKeyValue("heapBeforeMiB", heapBefore >> 20)
        .addKeyValue("heapAfterMiB", heapAfter >> 20)
        .log();

    // the live members stay live for a while after the flood too (suspicions time out later)
    await("no live member suspected or failed: " + falsePositives)
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(falsePositives::isEmpty);
    assertThat(nodes)
        .allSatisfy(
            n -> assertThat(n.members()).hasSize(5).allMatch(m -> m.status() == NodeStatus.ONLINE));

    assertThat(flood.datagrams).as("datagrams sent").isGreaterThan(500);
    assertThat(flood.connections).as("connections made").isGreaterThan(10);
    for (DropReason r :
        List.of(
            DropReason.BAD_MAGIC,
            DropReason.TRUNCATED,
            DropReason.WRONG_CLUSTER,
            DropReason.TOO_LARGE,
            DropReason.UNSUPPORTED_VERSION)) {
      assertThat(stats.drops(r)).as("drops counted as " + r).isPositive();
    }
    assertThat(stats.totalDrops())
        .as("most garbage is counted (the rest: sockets closed before reading)")
        .isGreaterThan(flood.datagrams / 2);
    assertThat(heapAfter - heapBefore)
        .as("heap growth after GC: " + (heapBefore >> 20) + " -> " + (heapAfter >> 20) + " MiB")
        .isLessThan(HEAP_GROWTH_LIMIT);
  }

  /** Sends garbage at one node from the test thread, over UDP and TCP, for a while. */
  static final class Flood {
    private final InetSocketAddress target;
    private final SplittableRandom random;
    private final List<byte[]> valid;
    private final byte[] otherCluster;
    private final List<byte[]> pool = new ArrayList<>();
    int datagrams;
    int connections;
    int frames;

    Flood(String host, int port, long seed) {
      this.target = new InetSocketAddress(host, port);
      this.random = new SplittableRandom(seed);
      BinarySerializer ours = new BinarySerializer("flood", 64 * 1024);
      // valid messages of every type about members that do not exist: damaged ones that still
      // decode add ghosts, never claims about the live nodes (forged claims are another test's)
      NodeAddress ghostAddress = new NodeAddress("127.0.0.1", 9);
      List<MemberUpdate> ghosts = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ghosts.add(
            new MemberUpdate(
                "ghost-" + i,
                ghostAddress,
                NodeStatus.ONLINE,
                i,
                Map.of("k", "v"),
                1,
                0,
                "ghost-0"));
      }
      this.valid = new ArrayList<>();
      for (GossipMessage m :
          List.of(
              new GossipMessage.Ping("ghost-0", ghostAddress, 1, "ghost-1", ghosts),
              new GossipMessage.Ack("ghost-0", ghostAddress, 2, ghosts.subList(0, 1)),
              new GossipMessage.PingReq(
                  "ghost-0", ghostAddress, 3, "ghost-2", ghostAddress, ghosts.subList(1, 3)),
              new GossipMessage.Nack("ghost-0", ghostAddress, 4, List.of()),
              new GossipMessage.Gossip("ghost-0", ghostAddress, ghosts),
              new GossipMessage.PushPull("ghost-0", ghostAddress, false, false, ghosts))) {
        valid.add(ours.encode(m, 2));
        valid.add(ours.encode(m, 3));
      }
      this.otherCluster = new BinarySerializer("other", 64 * 1024).encode(TestMessages.ping(1));
    }

    /** A piece of garbage from a pool made up front, so that the flood costs its sender little. */
    byte[] garbage() {
      if (pool.isEmpty()) {
        for (int i = 0; i < 1024; i++) {
          pool.add(makeGarbage());
        }
      }
      return pool.get(random.nextInt(pool.size()));
    }

    /** One piece of garbage: random, truncated or damaged valid, another cluster's, oversized. */
    private byte[] makeGarbage() {
      byte[] v = valid.get(random.nextInt(valid.size()));
      switch (random.nextInt(6)) {
        case 0:
          return bytes(1 + random.nextInt(1400));
        case 1:
          return Arrays.copyOf(v, 8 + random.nextInt(v.length - 8)); // truncated
        case 2:
          {
            byte[] b = v.clone();
            int at = random.nextInt(6); // a damaged header: magic or cluster hash
            at = at < 2 ? at : at + 2;
            b[at] ^= (byte) (1 << random.nextInt(8));
            return b;
          }
        case 3:
          return otherCluster;
        case 4:
          {
            byte[] b = v.clone();
            b[2] = (byte) (4 + random.nextInt(250)); // a version nobody speaks
            return b;
          }
        default:
          return bytes(1500 + random.nextInt(1500)); // oversized
      }
    }

    private byte[] bytes(int n) {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = (byte) random.nextInt(256);
      }
      return b;
    }

    void run(Duration duration) throws IOException {
      long end = System.nanoTime() + duration.toNanos();
      List<Socket> open = new ArrayList<>();
      int ticks = 0;
      try (DatagramSocket udp = new DatagramSocket()) {
        while (System.nanoTime() - end < 0) {
          for (int i = 0; i < 10; i++) {
            byte[] g = garbage();
            udp.send(new DatagramPacket(g, g.length, target));
            datagrams++;
          }
          if (++ticks % 5 == 0) {
            tcp(open);
          }
          if (open.size() > 20) {
            open.remove(0).close();
          }
          // paced at up to 1,000 datagrams and 20 connections a second: a garbage flood, not a
          // denial of service by CPU or by filling the socket's receive buffer
          LockSupport.parkNanos(10_000_000L);
        }
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
    }

    /** One TCP connection: garbage frames, a huge length, a partial frame, or nothing at all. */
    private void tcp(List<Socket> open) throws IOException {
      Socket s = new Socket();
      open.add(s);
      try {
        s.connect(target, 1_000);
        connections++;
        OutputStream out = s.getOutputStream();
        switch (random.nextInt(4)) {
          case 0 -> {
            for (int i = 0; i < 5; i++) {
              out.write(frame(garbage()));
              frames++;
            }
          }
          case 1 -> out.write(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
          case 2 -> out.write(Arrays.copyOf(frame(garbage()), 3 + random.nextInt(40)));
          default -> {} // idle
        }
        out.flush();
      } catch (IOException e) {
        // refused, or closed by the node first: its answer to garbage
      }
    }

    private static byte[] frame(byte[] payload) {
      return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }
  }
}
