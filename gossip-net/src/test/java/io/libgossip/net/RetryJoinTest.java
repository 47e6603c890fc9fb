package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Join retries of real nodes on loopback (no DNS: see {@link DnsSeedProviderTest}). */
class RetryJoinTest {
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();

  static final RetryPolicy FAST =
      RetryPolicy.builder()
          .initialDelay(Duration.ofMillis(100))
          .maxDelay(Duration.ofMillis(400))
          .build();

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "retry-join-test");
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder() {
    return GossipNode.builder()
        .bind("127.0.0.1", 0)
        .config(GossipConfig.local())
        .eventLoops(group)
        .joinTimeout(Duration.ofMillis(300));
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  /** A loopback port free for both UDP and TCP just now. */
  static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = tcp.getLocalPort();
        try (DatagramSocket udp =
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
          return port;
        } catch (IOException e) {
          // taken for UDP: try another
        }
      }
    }
    throw new IOException("no free loopback port for UDP and TCP");
  }

  private static long online(GossipNode n) {
    return n.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  @Test
  void aNodeWhoseSeedStartsLaterKeepsTryingAndJoins() throws IOException {
    int seedPort = freePort();
    GossipNode early = start(builder().id("early").seeds("127.0.0.1:" + seedPort).retryJoin(FAST));
    await("a few attempts fail")
        .atMost(Duration.ofSeconds(10))
        .until(() -> early.stats().joinAttempts() >= 3);
    assertThat(early.joinFuture()).isNotDone();

    GossipNode seed = start(builder().id("late-seed").bind("127.0.0.1", seedPort));
    early.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    await("both see each other")
        .atMost(Duration.ofSeconds(10))
        .until(() -> online(early) == 2 && online(seed) == 2);
    assertThat(early.stats().seedLookupFailures()).isZero();
  }

  @Test
  void retriesStopWhenTheBudgetIsSpent() throws IOException {
    int dead = freePort();
    GossipNode lonely =
        start(
            builder()
                .seeds("127.0.0.1:" + dead)
                .retryJoin(
                    RetryPolicy.builder()
                        .initialDelay(Duration.ofMillis(50))
                        .maxDelay(Duration.ofMillis(50))
                        .maxAttempts(3)
                        .build()));
    assertThatThrownBy(() -> lonely.joinFuture().orTimeout(10, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOf(JoinException.class)
        .hasMessage(
            "could not join: no answer from 127.0.0.1:"
                + dead
                + " within 300 ms (gave up after 3 attempts)");
    assertThat(lonely.stats().joinAttempts()).isEqualTo(3);
    assertThat(lonely.isRunning()).isTrue();
  }

  @Test
  void closingTheNodeCancelsTheRetries() throws Exception {
    int dead = freePort();
    AtomicInteger asked = new AtomicInteger();
    SeedProvider counting =
        () -> {
          asked.incrementAndGet();
          return CompletableFuture.completedFuture(List.of(new NodeAddress("127.0.0.1", dead)));
        };
    GossipNode n = start(builder().seedProvider(counting).retryJoin(FAST));
    await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() >= 2);
    n.close();
    assertThatThrownBy(() -> n.joinFuture().orTimeout(5, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOf(JoinException.class)
        .hasMessageContaining("closed");
    int after = asked.get();
    // Twice the longest backoff plus an attempt: a retry still scheduled would have asked again.
    Awaitility.await()
        .during(Duration.ofMillis(1200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> asked.get() == after);
  }

  @Test
  void aSeedProviderThatFailsIsReportedAsAFailedLookupNotAsNoAnswer() {
    SeedProvider broken =
        () ->
            CompletableFuture.failedFuture(
                new SeedResolutionException("seeds.example", "SRV", "SERVFAIL", null));
    GossipNode n = start(builder().seedProvider(broken));
    assertThatThrownBy(() -> n.joinFuture().orTimeout(5, TimeUnit.SECONDS).join())
        .cause()
        .isInstanceOf(JoinException.class)
        .hasMessage("could not join: DNS lookup of 'seeds.example' (SRV) failed: SERVFAIL")
        .hasCauseInstanceOf(SeedResolutionException.class);
    assertThat(n.stats().seedLookupFailures()).isEqualTo(1);
  }

  @Test
  void nodesThatEachStartedAloneFindEachOtherWhileAlone() throws IOException {
    // Both see only themselves at first (as when pods start in parallel and DNS lags), so each
    // forms a cluster of one; while alone they ask the provider again and meet.
    int portA = freePort();
    int portB = freePort();
    AtomicInteger calls = new AtomicInteger();
    SeedProvider lagging =
        () -> {
          List<NodeAddress> all =
              List.of(new NodeAddress("127.0.0.1", portA), new NodeAddress("127.0.0.1", portB));
          return CompletableFuture.completedFuture(calls.incrementAndGet() <= 2 ? List.of() : all);
        };
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofMillis(300))
            .build();
    SeedProvider selfOnlyA =
        () -> CompletableFuture.completedFuture(List.of(new NodeAddress("127.0.0.1", portA)));
    SeedProvider selfOnlyB =
        () -> CompletableFuture.completedFuture(List.of(new NodeAddress("127.0.0.1", portB)));
    GossipNode a =
        start(
            builder()
                .id("alone-a")
                .bind("127.0.0.1", portA)
                .seedProvider(selfOnlyA)
                .seedProvider(lagging)
                .retryJoin(policy));
    GossipNode b =
        start(
            builder()
                .id("alone-b")
                .bind("127.0.0.1", portB)
                .seedProvider(selfOnlyB)
                .seedProvider(lagging)
                .retryJoin(policy));
    a.joinFuture().orTimeout(5, TimeUnit.SECONDS).join();
    b.joinFuture().orTimeout(5, TimeUnit.SECONDS).join();
    await("the two singletons merge")
        .atMost(Duration.ofSeconds(15))
        .until(() -> online(a) == 2 && online(b) == 2);
  }
}
