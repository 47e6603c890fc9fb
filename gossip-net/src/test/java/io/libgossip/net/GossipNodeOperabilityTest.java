package io.libgossip.net;

import static io.libgossip.net.LogCapture.has;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a running node tells its operator: log lines, counters, resyncs, graceful shutdown. */
class GossipNodeOperabilityTest {
  private static final AtomicLong RUN = new AtomicLong(System.nanoTime());
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();
  private final String prefix = "ops" + RUN.incrementAndGet() + "-";

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "ops-test");
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder(String name) {
    return GossipNode.builder()
        .id(prefix + name)
        .bind("127.0.0.1", 0)
        .config(GossipConfig.local())
        .eventLoops(group);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private GossipNode joined(String name, GossipNode seed) {
    GossipNode n = start(builder(name).seeds(seed.address().toString()));
    n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    return n;
  }

  private static NodeStatus statusIn(GossipNode observer, GossipNode member) {
    return observer.findNode(member.id()).map(NodeView::status).orElse(NodeStatus.UNKNOWN);
  }

  private static boolean line(ILoggingEvent e, String message, GossipNode node, GossipNode member) {
    return e.getFormattedMessage().equals(message)
        && has(e, "node", node.id())
        && has(e, "member", member.id());
  }

  @Test
  void joinLeaveSuspicionAndFailureAreInfoLinesWithKeyValues() {
    try (LogCapture log = LogCapture.of(MembershipLog.LOGGER)) {
      GossipNode a = start(builder("a"));
      GossipNode b = joined("b", a);
      GossipNode c = joined("c", a);

      await("a logs that b joined")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !log.matching(e -> line(e, "member joined", a, b)).isEmpty());
      ILoggingEvent joinedB = log.matching(e -> line(e, "member joined", a, b)).get(0);
      assertThat(joinedB.getLevel()).isEqualTo(Level.INFO);
      assertThat(joinedB)
          .matches(
              e -> has(e, "address", b.address()) && has(e, "incarnation", b.self().incarnation()))
          .matches(e -> has(e, "previous", "UNKNOWN") && has(e, "status", "ONLINE"));

      c.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
      await("a logs that c left")
          .atMost(Duration.ofSeconds(20))
          .until(() -> !log.matching(e -> line(e, "member left", a, c)).isEmpty());
      assertThat(log.matching(e -> line(e, "member left", a, c)).get(0))
          .matches(e -> has(e, "previous", "ONLINE") && has(e, "status", "LEFT"));

      b.close();
      await("a logs that b was suspected, then failed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !log.matching(e -> line(e, "member failed", a, b)).isEmpty());
      ILoggingEvent suspected = log.matching(e -> line(e, "member suspected", a, b)).get(0);
      assertThat(suspected.getLevel()).isEqualTo(Level.INFO);
      assertThat(suspected)
          .matches(e -> has(e, "by", a.id()) && has(e, "previous", "ONLINE"))
          .matches(e -> has(e, "status", "SUSPECT"));
      assertThat(log.matching(e -> line(e, "member failed", a, b)).get(0))
          .matches(e -> has(e, "by", a.id()) && has(e, "status", "FAILED"));
      assertThat(log.events()).noneMatch(e -> e.getFormattedMessage().contains("\n"));
    }
  }

  @Test
  void aThrowingListenerIsLoggedWithItsStackTraceAndCountedOnce() {
    try (LogCapture log = LogCapture.of(EventDispatcher.LOGGER)) {
      AtomicInteger calls = new AtomicInteger();
      GossipNode a =
          start(
              builder("a")
                  .listener(
                      e -> {
                        calls.incrementAndGet();
                        throw new IllegalStateException("listener bug");
                      }));
      joined("b", a);
      await("a's listener saw b join")
          .atMost(Duration.ofSeconds(10))
          .until(() -> calls.get() >= 2); // a's own join, then b
      await("each call counted once")
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.stats().listenerFailures() == calls.get());
      assertThat(a.stats().core().listenerErrors()).isZero();
      ILoggingEvent first =
          log.matching(
                  e -> e.getFormattedMessage().equals("listener threw") && has(e, "node", a.id()))
              .get(0);
      assertThat(first.getLevel()).isEqualTo(Level.WARN);
      assertThat(first.getThrowableProxy().getMessage()).isEqualTo("listener bug");
      assertThat(first.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
      assertThat(a.stats().totalDrops()).as("a listener failure is not a drop").isZero();
    }
  }

  @Test
  void aLateListenerStartsFromASnapshotAndMissesNothingAfterIt() {
    GossipNode a = start(builder("a"));
    GossipNode b = joined("b", a);
    await().atMost(Duration.ofSeconds(10)).until(() -> statusIn(a, b) == NodeStatus.ONLINE);

    List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
    a.addListener(seen::add, true);
    await("the snapshot").atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
    assertThat(seen.get(0)).isInstanceOf(ClusterEvent.Resync.class);
    ClusterEvent.Resync snapshot = (ClusterEvent.Resync) seen.get(0);
    assertThat(snapshot.droppedEvents()).isZero();
    assertThat(snapshot.node().id()).isEqualTo(a.id());
    assertThat(snapshot.members()).extracting(NodeView::id).containsExactly(a.id(), b.id());

    GossipNode c = joined("c", a);
    await("c's join after the snapshot")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                seen.stream()
                    .anyMatch(
                        e -> e.kind() == ClusterEvent.Kind.JOINED && e.node().id().equals(c.id())));
    assertThat(seen)
        .filteredOn(e -> e.kind() == ClusterEvent.Kind.JOINED)
        .extracting(e -> e.node().id())
        .as("b was in the snapshot, so it is not announced again")
        .containsExactly(c.id());
    assertThat(a.stats().eventResyncs()).as("a snapshot is not an overflow").isZero();
  }

  @Test
  void anOverflowingQueueIsFollowedByAResyncWithEveryMember() {
    try (LogCapture log = LogCapture.of(EventDispatcher.LOGGER)) {
      CountDownLatch release = new CountDownLatch(1);
      Map<String, NodeStatus> view = new HashMap<>();
      List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
      GossipNode a =
          start(
              builder("a")
                  .eventQueueCapacity(2)
                  .listener(
                      e -> {
                        if (seen.isEmpty()) {
                          try {
                            release.await(20, TimeUnit.SECONDS);
                          } catch (InterruptedException x) {
                            Thread.currentThread().interrupt();
                          }
                        }
                        seen.add(e);
                        synchronized (view) {
                          if (e instanceof ClusterEvent.Resync r) {
                            view.clear();
                            r.members().forEach(n -> view.put(n.id(), n.status()));
                          } else {
                            view.put(e.node().id(), e.node().status());
                          }
                        }
                      }));
      List<GossipNode> others = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        others.add(joined("n" + i, a));
      }
      await("events dropped while the listener is stuck")
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.stats().eventsDropped() > 0);
      release.countDown();
      await("the listener's view, rebuilt from the resync and the events after it")
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                synchronized (view) {
                  return others.stream().allMatch(n -> view.get(n.id()) == NodeStatus.ONLINE);
                }
              });
      NodeStats stats = a.stats();
      assertThat(stats.eventResyncs()).isPositive();
      assertThat(seen)
          .filteredOn(e -> e instanceof ClusterEvent.Resync)
          .hasSize((int) stats.eventResyncs());
      ClusterEvent.Resync r =
          (ClusterEvent.Resync)
              seen.stream().filter(e -> e instanceof ClusterEvent.Resync).findFirst().orElseThrow();
      assertThat(r.droppedEvents()).isPositive();
      assertThat(log.matching(e -> e.getLevel() == Level.WARN && has(e, "node", a.id())))
          .extracting(ILoggingEvent::getFormattedMessage)
          .contains(
              "event queue full: dropping events until listeners catch up, then a resync",
              "listeners caught up: resync delivered in place of dropped events");
    }
  }

  @Test
  void theShutdownHookLeavesGracefullyThenCloses() {
    GossipNode a = start(builder("a"));
    GossipNode b = joined("b", a);
    await().atMost(Duration.ofSeconds(10)).until(() -> statusIn(a, b) == NodeStatus.ONLINE);

    Thread hook = b.leaveOnShutdown(Duration.ofSeconds(5));
    hook.run(); // what the JVM does on SIGTERM

    assertThat(b.isRunning()).isFalse();
    assertThat(b.closeFuture()).isDone();
    await("a sees b LEFT, not FAILED")
        .atMost(Duration.ofSeconds(20))
        .until(() -> statusIn(a, b) == NodeStatus.LEFT);
    assertThat(Runtime.getRuntime().removeShutdownHook(hook))
        .as("close removed the hook")
        .isFalse();
  }

  @Test
  void closingANodeRemovesItsShutdownHook() {
    GossipNode a = start(builder("a"));
    Thread first = a.leaveOnShutdown(Duration.ofSeconds(1));
    Thread second = a.leaveOnShutdown(Duration.ofSeconds(2));
    assertThat(Runtime.getRuntime().removeShutdownHook(first)).as("replaced").isFalse();
    a.close();
    assertThat(Runtime.getRuntime().removeShutdownHook(second)).isFalse();
    second.run(); // a hook of a closed node does nothing
    assertThat(a.isRunning()).isFalse();
  }
}
