package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resource attacks of issue 13 on real loopback sockets: slots held by idle connections, empty
 * frames against the idle timeout, a slow sender, two maximum-size frames, a packet flood from one
 * source. Other loopback addresses (127.0.0.2 ...) stand for attackers on other hosts.
 */
class ResourceAttackTest {
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (int i = closing.size() - 1; i >= 0; i--) {
      try {
        closing.get(i).close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  private GossipNode node(
      String id, UnaryOperator<TransportOptions.Builder> options, String... seeds) {
    GossipNode n =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(GossipConfig.local())
            .transportOptions(options)
            .seeds(seeds)
            .start();
    closing.add(n);
    return n;
  }

  private TcpTransport tcp(TransportOptions.Builder options) {
    TcpTransport t =
        new TcpTransport(
            options
                .bindHost("127.0.0.1")
                .serializer(new BinarySerializer("test", 16 << 20))
                .build());
    closing.add(t);
    t.onMessage(new Recorder());
    t.start();
    return t;
  }

  private Socket connect(String fromIp, int port) throws IOException {
    Socket s = new Socket();
    closing.add(s);
    s.bind(new InetSocketAddress(fromIp, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return s;
  }

  private static long online(GossipNode n) {
    return n.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static void awaitAllOnline(List<GossipNode> nodes) {
    await("every node sees " + nodes.size() + " ONLINE")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> nodes.stream().allMatch(n -> online(n) == nodes.size()));
  }

  @Test
  void idleConnectionsInEveryInboundSlotDoNotKeepAJoiningNodeOut() throws Exception {
    GossipNode seed = node("seed", UnaryOperator.identity());
    int port = seed.address().port();
    // 8 attacker addresses x 128 connections (the per-peer bound) = all 1024 inbound slots
    for (int ip = 2; ip <= 9; ip++) {
      for (int i = 0; i < 128; i++) {
        connect("127.0.0." + ip, port);
      }
    }
    await("1024 idle connections accepted")
        .atMost(Duration.ofSeconds(20))
        .until(() -> seed.stats().transport().openConnections() >= 1024);
    assertThat(seed.stats().drops(TransportDropReason.CONNECTION_EVICTED)).isZero();

    GossipNode joiner = node("joiner", UnaryOperator.identity(), seed.address().toString());
    joiner.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    awaitAllOnline(List.of(seed, joiner));
    assertThat(seed.stats().drops(TransportDropReason.CONNECTION_EVICTED)).isPositive();
    assertThat(seed.stats().transport().openConnections()).isLessThanOrEqualTo(1024 + 256);
  }

  @Test
  void emptyFramesDoNotKeepASlotPastTheIdleTimeout() throws Exception {
    TcpTransport server =
        tcp(
            TransportOptions.builder()
                .idleTimeout(Duration.ofMillis(800))
                .slowReadTimeout(Duration.ofMillis(400)));
    Socket s = connect("127.0.0.2", server.localAddress().port());
    long start = System.nanoTime();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    closing.add(ticker::shutdownNow);
    OutputStream out = s.getOutputStream();
    ticker.scheduleAtFixedRate(
        () -> {
          try {
            out.write(new byte[4]); // a 0-length frame
            out.flush();
          } catch (IOException closed) {
            ticker.shutdown();
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.acceptedConnections() == 1);
    await("the server closes the connection despite the empty frames")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.acceptedConnections() == 0);
    long heldMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(heldMillis).isGreaterThanOrEqualTo(800);
    assertThat(server.stats().drops(DropReason.TRUNCATED)).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aSlowSenderIsCutAtTheSlowReadTimeoutAndHoldsLittleMemory() throws Exception {
    TcpTransport server =
        tcp(
            TransportOptions.builder()
                .maxMessageSize(16 << 20)
                .slowReadTimeout(Duration.ofSeconds(1)));
    Socket s = connect("127.0.0.2", server.localAddress().port());
    OutputStream out = s.getOutputStream();
    long start = System.nanoTime();
    out.write(new byte[] {1, 0, 0, 0}); // announces 16 MiB
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    closing.add(trickle::shutdownNow);
    trickle.scheduleAtFixedRate(
        () -> {
          try {
            out.write(new byte[1024]);
            out.flush();
          } catch (IOException closed) {
            trickle.shutdown();
          }
        },
        0,
        20,
        TimeUnit.MILLISECONDS);
    await("the slow frame is cut")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.stats().drops(TransportDropReason.SLOW_READ) == 1);
    long cutMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(cutMillis).isGreaterThanOrEqualTo(1000);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.acceptedConnections() == 0);
    InboundBudget budget = server.context.inboundBudget;
    assertThat(budget.used()).isZero();
    // ~50 KiB/s for about a second: the buffer grew with the bytes, never to the 16 MiB announced
    assertThat(budget.peak()).isLessThan(1 << 20);
  }

  @Test
  void twoMaximumFramesAtOnceStayWithinTheBudgetAndPeersKeepTheNodeAlive() throws Exception {
    long budget = (16 << 20) + (8 << 20);
    GossipNode a = node("a", o -> o.inboundBufferBudget(budget));
    GossipNode b = node("b", UnaryOperator.identity(), a.address().toString());
    GossipNode c = node("c", UnaryOperator.identity(), a.address().toString());
    awaitAllOnline(List.of(a, b, c));
    OutputStream[] out = {
      connect("127.0.0.2", a.address().port()).getOutputStream(),
      connect("127.0.0.3", a.address().port()).getOutputStream()
    };
    for (OutputStream o : out) {
      o.write(new byte[] {1, 0, 0, 0}); // 16 MiB each
    }
    byte[] chunk = new byte[1 << 20];
    int alive = 2;
    for (int mib = 0; mib < 16; mib++) {
      for (int k = 0; k < 2; k++) {
        if (out[k] == null) {
          continue;
        }
        try {
          out[k].write(chunk);
          out[k].flush();
        } catch (IOException cut) {
          out[k] = null;
          alive--;
        }
      }
    }
    assertThat(alive).isPositive();
    await("one frame is cut for the budget")
        .atMost(Duration.ofSeconds(15))
        .until(() -> a.stats().drops(TransportDropReason.MEMORY_BUDGET) == 1);
    await("the other arrives whole and is dropped as undecodable")
        .atMost(Duration.ofSeconds(15))
        .until(() -> a.stats().transport().drops().values().stream().mapToLong(x -> x).sum() >= 1);
    awaitAllOnline(List.of(a, b, c));
    for (GossipNode n : List.of(b, c)) {
      assertThat(n.findNode("a").orElseThrow().status()).isEqualTo(NodeStatus.ONLINE);
    }
  }

  @Test
  void aSourceOverItsTokenBucketIsCountedAndTheClusterStaysHealthy() throws Exception {
    UnaryOperator<TransportOptions.Builder> limited =
        o -> o.inboundRatePerSource(500).inboundBurstPerSource(1000);
    GossipNode a = node("a", limited);
    GossipNode b = node("b", limited, a.address().toString());
    GossipNode c = node("c", limited, a.address().toString());
    awaitAllOnline(List.of(a, b, c));
    DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
    closing.add(flood);
    byte[] garbage = "not a gossip packet, just noise".getBytes(StandardCharsets.US_ASCII);
    InetSocketAddress target = new InetSocketAddress("127.0.0.1", a.address().port());
    long start = System.nanoTime();
    for (int i = 0; i < 20_000; i++) {
      flood.send(new DatagramPacket(garbage, garbage.length, target));
      if (i % 50 == 49) {
        LockSupport.parkNanos(1_000_000); // pace the sender: ~50 datagrams per ms
      }
    }
    await("the flood is rate limited")
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.stats().drops(TransportDropReason.RATE_LIMITED) >= 2000);
    double seconds = (System.nanoTime() - start) / 1e9;
    long decoded = a.stats().transport().drops().values().stream().mapToLong(x -> x).sum();
    assertThat(decoded)
        .as("garbage that got past the bucket in %.2f s", seconds)
        .isLessThanOrEqualTo(1000 + (long) (500 * seconds) + 1);
    awaitAllOnline(List.of(a, b, c));
    assertThat(b.stats().drops(TransportDropReason.RATE_LIMITED)).isZero();
    assertThat(c.stats().drops(TransportDropReason.RATE_LIMITED)).isZero();
  }

  @Test
  void sendsReleaseTheirPendingBytes() {
    TcpTransport server = tcp(TransportOptions.builder());
    TcpTransport client = tcp(TransportOptions.builder());
    List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sent.add(
          client.sendAsync(TestMessages.bigPushPull(50), server.localAddress(), Delivery.RELIABLE));
    }
    java.util.concurrent.CompletableFuture.allOf(
            sent.toArray(java.util.concurrent.CompletableFuture[]::new))
        .orTimeout(20, TimeUnit.SECONDS)
        .join();
    await().atMost(Duration.ofSeconds(5)).until(() -> client.pendingBytes() == 0);
  }
}
