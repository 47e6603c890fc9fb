package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.libgossip.core.Delivery;
import io.libgossip.core.DirectMessage;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge between the core's handler and the user's, without sockets: an executor is the loop.
 */
class MessageBridgeTest {
  private final ExecutorService loop = Executors.newSingleThreadExecutor();
  private final LogCapture capture =
      LogCapture.of("test.messages." + System.nanoTime(), Level.DEBUG);
  private final AtomicLong clock = new AtomicLong();
  private final List<String> answered = Collections.synchronizedList(new ArrayList<>());
  private final List<MessageBridge> bridges = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    capture.close();
    bridges.forEach(MessageBridge::close);
    loop.shutdownNow();
    assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private MessageBridge bridge(@Nullable UserMessageHandler user, int capacity, long maxBytes) {
    MessageBridge b =
        new MessageBridge(capture.logger(), "self", user, capacity, maxBytes, loop, clock::get);
    b.answers(
        new MessageBridge.Answers() {
          @Override
          public void respond(String to, long requestId, byte[] payload) {
            answered.add("respond " + to + " " + requestId + " " + text(payload));
          }

          @Override
          public void reject(String to, long requestId) {
            answered.add("reject " + to + " " + requestId);
          }

          @Override
          public void respondToQuery(QueryRequest q, byte[] payload) {
            answered.add("query " + q.origin() + " " + q.id() + " " + text(payload));
          }
        });
    bridges.add(b);
    return b;
  }

  private void onLoop(Runnable r) throws Exception {
    loop.submit(r).get(5, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static DirectMessage request(String from, long id, String body) {
    return new DirectMessage(from, "t", bytes(body), Delivery.BEST_EFFORT, id);
  }

  private static MessageFailure failureOf(CompletableFuture<?> f) {
    try {
      f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return ((MessageException) e.getCause()).failure();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future did not fail");
  }

  @Test
  void handlerCallsKeepTheLoopsOrderAndRunOffTheLoop() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    Thread[] loopThread = new Thread[1];
    onLoop(() -> loopThread[0] = Thread.currentThread());
    MessageBridge b =
        bridge(
            new UserMessageHandler() {
              @Override
              public void onBroadcast(UserBroadcast x) {
                threads.add(Thread.currentThread());
                seen.add("b" + x.seq());
              }

              @Override
              public void onMessage(DirectMessage m) {
                threads.add(Thread.currentThread());
                seen.add(text(m.payload()));
              }
            },
            100,
            1 << 20);
    onLoop(
        () -> {
          for (int i = 0; i < 50; i++) {
            if (i % 2 == 0) {
              b.onBroadcast(new UserBroadcast("a", i, "t", null, bytes("x")));
            } else {
              b.onMessage(new DirectMessage("a", "t", bytes("m" + i), Delivery.RELIABLE, 0));
            }
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 50);
    for (int i = 0; i < 50; i++) {
      assertThat(seen.get(i)).isEqualTo(i % 2 == 0 ? "b" + i : "m" + i);
    }
    assertThat(threads).doesNotContain(loopThread[0]);
    assertThat(b.stats().delivered()).isEqualTo(50);
  }

  @Test
  void aSlowHandlerMakesTheBridgeDropAndRejectOverItsBoundsNotGrow() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    MessageBridge b =
        bridge(
            new UserMessageHandler() {
              @Override
              public void onMessage(DirectMessage m) {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            3,
            1 << 20);
    onLoop(
        () -> {
          for (int i = 0; i < 10; i++) {
            b.onMessage(new DirectMessage("a", "t", bytes("m"), Delivery.BEST_EFFORT, 0));
          }
          b.onMessage(request("a", 77, "r")); // over the bound: rejected at once
        });
    assertThat(b.stats().dropped())
        .isEqualTo(8); // 3 taken (running included), 7 + the request dropped
    assertThat(answered).containsExactly("reject a 77");
    assertThat(capture.matching(e -> e.getLevel() == Level.WARN)).hasSize(1); // rate-bounded
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(b::idle);
    assertThat(b.stats().delivered()).isEqualTo(3);
  }

  @Test
  void theByteBoundDropsLargePayloadsWhileSmallOnesFit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    MessageBridge b =
        bridge(
            new UserMessageHandler() {
              @Override
              public void onBroadcast(UserBroadcast x) {
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                sizes.add(x.payload().length);
              }
            },
            100,
            1000);
    onLoop(
        () -> {
          b.onBroadcast(new UserBroadcast("a", 1, "t", null, new byte[600]));
          b.onBroadcast(new UserBroadcast("a", 2, "t", null, new byte[600])); // 1200 > 1000
          b.onBroadcast(new UserBroadcast("a", 3, "t", null, new byte[300]));
        });
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> sizes.size() == 2);
    assertThat(sizes).containsExactly(600, 300);
    assertThat(b.stats().dropped()).isEqualTo(1);
  }

  @Test
  void requestsAreAnsweredOnTheLoopFromTheHandlersFutureOrRejected() throws Exception {
    MessageBridge b =
        bridge(
            new UserMessageHandler() {
              @Override
              public CompletableFuture<byte[]> onRequest(DirectMessage r) {
                return switch (text(r.payload())) {
                  case "ok" -> CompletableFuture.supplyAsync(() -> bytes("answer"));
                  case "null" -> null;
                  case "throw" -> throw new IllegalStateException("boom");
                  default -> CompletableFuture.failedFuture(new IllegalStateException("no"));
                };
              }
            },
            100,
            1 << 20);
    onLoop(
        () -> {
          b.onMessage(request("a", 1, "ok"));
          b.onMessage(request("a", 2, "null"));
          b.onMessage(request("a", 3, "throw"));
          b.onMessage(request("a", 4, "fail"));
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> answered.size() == 4);
    assertThat(answered)
        .containsExactlyInAnyOrder("respond a 1 answer", "reject a 2", "reject a 3", "reject a 4");
    assertThat(b.stats().handlerFailures()).isEqualTo(2); // the throw and the failed future
  }

  @Test
  void withoutAHandlerRequestsAreRejectedAndTheDefaultHandlerRejectsToo() throws Exception {
    MessageBridge none = bridge(null, 10, 1000);
    MessageBridge defaults = bridge(new UserMessageHandler() {}, 10, 1000);
    onLoop(
        () -> {
          none.onMessage(request("a", 1, "x"));
          defaults.onMessage(request("b", 2, "x"));
          defaults.onQuery(new QueryRequest("b", 3, "q", bytes("x"), false));
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> answered.size() == 2);
    assertThat(answered).containsExactlyInAnyOrder("reject a 1", "reject b 2");
    assertThat(defaults.stats().handlerFailures()).isZero();
  }

  @Test
  void queriesAreAnsweredWithTheFuturesValueAndNullMeansNoAnswer() throws Exception {
    MessageBridge b =
        bridge(
            new UserMessageHandler() {
              @Override
              public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest q) {
                return text(q.payload()).equals("yes")
                    ? CompletableFuture.completedFuture(bytes("here"))
                    : CompletableFuture.completedFuture(null);
              }
            },
            10,
            1000);
    onLoop(
        () -> {
          b.onQuery(new QueryRequest("o", 5, "q", bytes("no"), false));
          b.onQuery(new QueryRequest("o", 6, "q", bytes("yes"), false));
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> answered.size() == 1);
    assertThat(answered).containsExactly("query o 6 here");
  }

  @Test
  void outcomesCompleteTheRegisteredFuturesIncludingOnesReportedDuringTheCall() throws Exception {
    MessageBridge b = bridge(null, 10, 1000);
    CompletableFuture<Void> receipt = new CompletableFuture<>();
    CompletableFuture<Void> early = new CompletableFuture<>();
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    CompletableFuture<QueryResult> query = new CompletableFuture<>();
    List<String> responses = Collections.synchronizedList(new ArrayList<>());
    onLoop(
        () -> {
          b.expect();
          b.registerReceipt(1, receipt);
          b.expect();
          b.onSendFailed(2, MessageFailure.UNKNOWN_MEMBER); // during the core call
          b.registerReceipt(2, early);
          b.expect();
          b.registerReply(3, reply);
          b.expect();
          b.registerQuery(4, query, r -> responses.add(r.from()));
          b.onDelivered(1);
          b.onResponse(3, "a", bytes("r"));
          b.onQueryResponse(new QueryResponse(4, "a", false, bytes("x")));
          b.onQueryResponse(new QueryResponse(4, "b", false, bytes("y")));
          b.onQueryDone(
              new QueryResult(4, Set.of("a", "b"), Set.of(), Set.of("a", "b"), Set.of(), false));
          b.onDelivered(1); // a duplicate outcome is ignored
        });
    receipt.get(5, TimeUnit.SECONDS);
    assertThat(failureOf(early)).isEqualTo(MessageFailure.UNKNOWN_MEMBER);
    assertThat(text(reply.get(5, TimeUnit.SECONDS))).isEqualTo("r");
    QueryResult r = query.get(5, TimeUnit.SECONDS);
    assertThat(responses).containsExactly("a", "b"); // given before the result completed
    assertThat(r.timedOut()).isFalse();
    assertThat(b.stats().pending()).isZero();
  }

  @Test
  void closeFailsEverythingPendingWithShutdown() throws Exception {
    MessageBridge b = bridge(null, 10, 1000);
    CompletableFuture<Void> receipt = new CompletableFuture<>();
    CompletableFuture<byte[]> reply = new CompletableFuture<>();
    CompletableFuture<Void> late = new CompletableFuture<>();
    onLoop(
        () -> {
          b.expect();
          b.registerReceipt(1, receipt);
          b.expect();
          b.registerReply(2, reply);
          b.close();
          b.expect();
          b.registerReceipt(3, late);
        });
    assertThat(failureOf(receipt)).isEqualTo(MessageFailure.SHUTDOWN);
    assertThat(failureOf(reply)).isEqualTo(MessageFailure.SHUTDOWN);
    assertThat(failureOf(late)).isEqualTo(MessageFailure.SHUTDOWN);
  }
}
