package io.libgossip.net;

import static io.libgossip.net.LogCapture.has;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The listener queue without sockets: a single-thread executor plays the node's loop and a map of
 * member incarnations plays its membership table.
 */
class EventDispatcherTest {
  private static final NodeView SELF = view("self", 0);

  private final ExecutorService loop = Executors.newSingleThreadExecutor();
  private final LogCapture capture = LogCapture.of("test.events." + System.nanoTime(), Level.DEBUG);
  private final AtomicLong clock = new AtomicLong();

  /** The "table", confined to the loop: member id to its latest incarnation. */
  private final Map<String, Long> table = new LinkedHashMap<>();

  @AfterEach
  void stop() throws InterruptedException {
    capture.close();
    dispatchers.forEach(EventDispatcher::close);
    loop.shutdownNow();
    assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static NodeView view(String id, long incarnation) {
    return new NodeView(
        id,
        new NodeAddress("127.0.0.1", 7946),
        NodeStatus.ONLINE,
        incarnation,
        Map.of(),
        0,
        0,
        0,
        0);
  }

  private final List<EventDispatcher> dispatchers = new ArrayList<>();

  private EventDispatcher dispatcher(int capacity) {
    EventDispatcher d =
        new EventDispatcher(
            capture.logger(),
            "self",
            capacity,
            loop,
            dropped -> {
              List<NodeView> members = new ArrayList<>(List.of(SELF));
              table.forEach((id, inc) -> members.add(view(id, inc)));
              return new ClusterEvent.Resync(SELF, members, dropped);
            },
            clock::get);
    dispatchers.add(d);
    return d;
  }

  /** On the loop: the member's next incarnation, applied to the table and published. */
  private void change(EventDispatcher d, String member) {
    long inc = table.merge(member, 0L, (a, b) -> a + 1);
    d.publish(new ClusterEvent.MemberJoined(view(member, inc)));
  }

  private void onLoop(Runnable r) throws Exception {
    loop.submit(r).get(5, TimeUnit.SECONDS);
  }

  /**
   * A listener that rebuilds the table from resyncs and events and notes any event that is not
   * exactly the next incarnation of its member (one lost or seen twice).
   */
  private static class Mirror implements GossipListener {
    final Map<String, Long> view = new HashMap<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final List<ClusterEvent> seen = new CopyOnWriteArrayList<>();
    volatile boolean synced;

    @Override
    public void onEvent(ClusterEvent e) {
      seen.add(e);
      if (e instanceof ClusterEvent.Resync r) {
        synchronized (view) {
          view.clear();
          r.members().stream().skip(1).forEach(n -> view.put(n.id(), n.incarnation()));
        }
        synced = true;
        return;
      }
      long inc = e.node().incarnation();
      synchronized (view) {
        Long before = view.put(e.node().id(), inc);
        long expected = before == null ? 0 : before + 1;
        if (inc != expected) {
          errors.add(e.node().id() + " went " + before + " -> " + inc);
        }
      }
    }

    Map<String, Long> copy() {
      synchronized (view) {
        return Map.copyOf(view);
      }
    }
  }

  @Test
  void anOverflowDropsTheExcessThenDeliversOneResyncWithTheCurrentMembers() throws Exception {
    EventDispatcher d = dispatcher(4);
    CountDownLatch release = new CountDownLatch(1);
    List<ClusterEvent> got = new CopyOnWriteArrayList<>();
    d.addListener(
        e -> {
          if (got.isEmpty()) {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException x) {
              Thread.currentThread().interrupt();
            }
          }
          got.add(e);
        });

    onLoop(
        () -> {
          for (int i = 0; i < 10; i++) {
            change(d, "m" + i); // the listener holds the first: 4 fit, 6 are dropped
          }
        });
    assertThat(d.dropped()).isEqualTo(6);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 5);
    onLoop(() -> change(d, "m10"));
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 6);

    assertThat(got.subList(0, 4))
        .extracting(e -> e.node().id())
        .containsExactly("m0", "m1", "m2", "m3");
    assertThat(got.get(4)).isInstanceOf(ClusterEvent.Resync.class);
    ClusterEvent.Resync r = (ClusterEvent.Resync) got.get(4);
    assertThat(r.droppedEvents()).isEqualTo(6);
    assertThat(r.node()).isEqualTo(SELF);
    assertThat(r.members())
        .extracting(NodeView::id)
        .containsExactly("self", "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    assertThat(got.get(5).node().id()).isEqualTo("m10");
    assertThat(d.resyncs()).isEqualTo(1);
    assertThat(d.dropped()).isEqualTo(6);

    List<ILoggingEvent> warns = capture.matching(e -> e.getLevel() == Level.WARN);
    assertThat(warns)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "event queue full: dropping events until listeners catch up, then a resync",
            "listeners caught up: resync delivered in place of dropped events");
    assertThat(warns.get(0)).matches(e -> has(e, "capacity", 4) && has(e, "node", "self"));
    assertThat(warns.get(1)).matches(e -> has(e, "droppedEvents", 6) && has(e, "members", 11));
  }

  @Test
  void aThrowingListenerIsCountedOnceLoggedWithItsStackTraceAndRateBounded() throws Exception {
    EventDispatcher d = dispatcher(100);
    List<ClusterEvent> other = new CopyOnWriteArrayList<>();
    d.addListener(
        e -> {
          throw new IllegalStateException("listener bug on " + e.node().id());
        });
    d.addListener(other::add);

    onLoop(
        () -> {
          for (int i = 0; i < 10; i++) {
            change(d, "m" + i);
          }
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> other.size() == 10);
    assertThat(d.failures()).isEqualTo(10);

    List<ILoggingEvent> lines = capture.matching(e -> e.getMessage().equals("listener threw"));
    assertThat(lines).hasSize(10).allMatch(e -> e.getThrowableProxy() != null);
    assertThat(lines).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(3); // the burst
    assertThat(lines).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSize(7);
    ILoggingEvent first = lines.get(0);
    assertThat(first.getThrowableProxy().getClassName())
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(first.getThrowableProxy().getMessage()).isEqualTo("listener bug on m0");
    assertThat(first.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
    assertThat(first).matches(e -> has(e, "event", "JOINED") && has(e, "member", "m0"));
    assertThat(lines).noneMatch(e -> e.getFormattedMessage().contains("OVERLOAD"));

    clock.addAndGet(TimeUnit.SECONDS.toNanos(EventDispatcher.WARN_SECONDS));
    onLoop(() -> change(d, "m10"));
    await().atMost(Duration.ofSeconds(10)).until(() -> d.failures() == 11);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> capture.matching(e -> e.getLevel() == Level.WARN).size() == 4);
    assertThat(capture.matching(e -> e.getLevel() == Level.WARN).get(3))
        .matches(e -> has(e, "notLoggedSinceLast", 7) && has(e, "listenerFailures", 11));
  }

  /**
   * A listener added with a snapshot at a random moment of a busy stream, and one that overflows on
   * purpose: each ends with the table exactly, and never sees a member's change lost or twice after
   * its first resync.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void snapshotsAndResyncsAreConsistentWithTheEventsAroundThem(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    EventDispatcher d = dispatcher(16);
    Mirror early = new Mirror(); // from the start, so every change is seen: an empty snapshot
    Mirror late = new Mirror();
    CountDownLatch release = new CountDownLatch(1);
    Mirror slow =
        new Mirror() {
          @Override
          public void onEvent(ClusterEvent e) {
            if (seen.isEmpty()) {
              try {
                release.await(10, TimeUnit.SECONDS); // the queue overflows meanwhile
              } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
              }
            }
            super.onEvent(e);
          }
        };
    d.addListener(early);
    d.addListener(slow);
    int total = 3_000;
    int lateAt = random.nextInt(total);
    int releaseAt = 100 + random.nextInt(500);
    for (int i = 0; i < total; i++) {
      String member = "m" + random.nextInt(40);
      loop.execute(() -> change(d, member));
      if (i == lateAt) {
        assertThat(d.addListenerWithSnapshot(late)).isTrue();
      }
      if (i == releaseAt) {
        loop.submit(() -> {}).get(10, TimeUnit.SECONDS); // the queue has overflowed by now
        release.countDown();
      }
    }
    release.countDown();
    Map<String, Long> truth = loop.submit(() -> Map.copyOf(table)).get(10, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                early.copy().equals(truth)
                    && late.copy().equals(truth)
                    && slow.copy().equals(truth));
    assertThat(late.seen.get(0)).isInstanceOf(ClusterEvent.Resync.class);
    assertThat(((ClusterEvent.Resync) late.seen.get(0)).droppedEvents()).isZero();
    assertThat(early.errors).as("seed %d", seed).isEmpty();
    assertThat(late.errors).as("seed %d", seed).isEmpty();
    assertThat(slow.errors).as("seed %d", seed).isEmpty();
    assertThat(d.dropped()).as("the slow listener overflowed the queue").isPositive();
    assertThat(d.resyncs()).isPositive();
    assertThat(slow.seen)
        .filteredOn(e -> e instanceof ClusterEvent.Resync)
        .hasSize((int) d.resyncs());
  }

  @Test
  void aRemovedListenerGetsNothingMoreAndClosingStillDeliversWhatIsQueued() throws Exception {
    EventDispatcher d = dispatcher(100);
    List<ClusterEvent> a = new CopyOnWriteArrayList<>();
    List<ClusterEvent> b = new CopyOnWriteArrayList<>();
    GossipListener la = a::add;
    d.addListener(la);
    d.addListener(b::add);
    assertThat(d.removeListener(la)).isTrue();
    assertThat(d.removeListener(la)).isFalse();
    onLoop(
        () -> {
          change(d, "x");
          d.close();
          change(d, "y"); // after close: counted as dropped
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> b.size() == 1);
    assertThat(a).isEmpty();
    assertThat(d.dropped()).isEqualTo(1);
  }
}
