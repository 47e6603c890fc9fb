package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.DirectMessage;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Real nodes on loopback for the messaging tests, each with an {@link Inbox} handler: quick failure
 * detection and a push-pull every second.
 */
final class MessagingCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  static final GossipConfig CONFIG =
      GossipConfig.local().toBuilder()
          .clusterName("messaging-test")
          .probeInterval(Duration.ofMillis(200))
          .probeTimeout(Duration.ofMillis(100))
          .suspicionMaxTimeoutMult(2)
          .pushPullInterval(Duration.ofSeconds(1))
          .build();

  private final EventLoopPool pool = EventLoopPool.create(2, "messaging-test");
  final List<GossipNode> nodes = new ArrayList<>();
  final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();

  /** What one node's handler got; answers requests and queries. */
  static final class Inbox implements UserMessageHandler {
    final List<UserBroadcast> broadcasts = new CopyOnWriteArrayList<>();
    final List<DirectMessage> messages = new CopyOnWriteArrayList<>();
    final List<QueryRequest> queries = new CopyOnWriteArrayList<>();
    final String id;
    volatile boolean answerRequests = true;

    Inbox(String id) {
      this.id = id;
    }

    @Override
    public void onBroadcast(UserBroadcast b) {
      broadcasts.add(b);
    }

    @Override
    public void onMessage(DirectMessage m) {
      messages.add(m);
    }

    @Override
    public @Nullable CompletableFuture<byte[]> onRequest(DirectMessage r) {
      if (!answerRequests) {
        return UserMessageHandler.super.onRequest(r);
      }
      if (text(r.payload()).equals("slow")) {
        return new CompletableFuture<>(); // never answers
      }
      return CompletableFuture.completedFuture(bytes(id + " got " + r.payload().length));
    }

    @Override
    public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest q) {
      queries.add(q);
      return CompletableFuture.completedFuture(bytes("answer from " + id));
    }
  }

  /** Starts a node joining the first one, with an inbox, adjusted by {@code setup}. */
  GossipNode start(String id, UnaryOperator<GossipNode.Builder> setup) {
    Inbox inbox = new Inbox(id);
    inboxes.put(id, inbox);
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(CONFIG)
            .eventLoops(pool)
            .messageHandler(inbox);
    if (!nodes.isEmpty()) {
      b.seeds(nodes.get(0).address().toString());
    }
    GossipNode n = setup.apply(b).start();
    nodes.add(n);
    return n;
  }

  /** Starts {@code n} nodes {@code n0..}, waits until each sees all online. */
  List<GossipNode> start(int n, UnaryOperator<GossipNode.Builder> setup) {
    for (int i = 0; i < n; i++) {
      start("n" + i, setup);
    }
    awaitOnline(n);
    return List.copyOf(nodes);
  }

  List<GossipNode> start(int n) {
    return start(n, UnaryOperator.identity());
  }

  /**
   * Waits until every running node sees {@code n} members online and knows that each reads wire
   * version 4 (user broadcasts skip members whose version range a node has not heard yet).
   */
  void awaitOnline(int n) {
    await("every node sees " + n + " online, all at wire version 4")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                nodes.stream()
                    .filter(GossipNode::isRunning)
                    .allMatch(x -> online(x) == n && x.clusterWireVersion() >= 4));
  }

  Inbox inbox(String id) {
    return inboxes.get(id);
  }

  static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** How {@code f} failed: the {@link MessageFailure} of its {@link MessageException}. */
  static MessageFailure failureOf(CompletableFuture<?> f) {
    try {
      f.get(WAIT.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(MessageException.class);
      return ((MessageException) e.getCause()).failure();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the future completed normally");
  }

  @Override
  public void close() {
    nodes.forEach(GossipNode::close);
    pool.close();
  }
}
