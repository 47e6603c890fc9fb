package io.libgossip.examples;

import io.libgossip.core.DirectMessage;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.MessageException;
import io.libgossip.net.UserMessageHandler;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Application messaging between three nodes in one JVM: a broadcast, a request with its answer, a
 * query answered by every node, and a 1 MiB message over the reliable path.
 */
public final class MessagingExample {
  private MessagingExample() {}

  /** Runs the demo. */
  public static void main(String[] args) {
    run(System.out);
  }

  /** What each node does with what it receives: print it, answer requests and queries. */
  private static final class Handler implements UserMessageHandler {
    private final String id;
    private final PrintStream out;
    private final CountDownLatch broadcasts;
    private final CountDownLatch bigMessage;

    Handler(String id, PrintStream out, CountDownLatch broadcasts, CountDownLatch bigMessage) {
      this.id = id;
      this.out = out;
      this.broadcasts = broadcasts;
      this.bigMessage = bigMessage;
    }

    @Override
    public void onBroadcast(UserBroadcast b) {
      out.printf(
          "[%s] broadcast from %s, topic %s: %s%n", id, b.origin(), b.topic(), text(b.payload()));
      broadcasts.countDown();
    }

    @Override
    public void onMessage(DirectMessage m) {
      out.printf(
          "[%s] message from %s, topic %s: %,d bytes, sha-256 %s%n",
          id, m.from(), m.topic(), m.payload().length, sha256(m.payload()));
      bigMessage.countDown();
    }

    @Override
    public CompletableFuture<byte[]> onRequest(DirectMessage r) {
      out.printf(
          "[%s] request from %s, topic %s: %s%n", id, r.from(), r.topic(), text(r.payload()));
      return CompletableFuture.completedFuture(bytes(text(r.payload()).toUpperCase(Locale.ROOT)));
    }

    @Override
    public CompletableFuture<byte[]> onQuery(QueryRequest q) {
      return CompletableFuture.completedFuture(bytes(id + " holds shard " + id.charAt(5)));
    }
  }

  static void run(PrintStream out) {
    GossipConfig config = GossipConfig.local().toBuilder().clusterName("messaging-demo").build();
    CountDownLatch broadcasts = new CountDownLatch(2);
    CountDownLatch bigMessage = new CountDownLatch(1);
    List<GossipNode> nodes = new ArrayList<>();
    try (EventLoopPool pool = EventLoopPool.create(1, "messaging")) {
      try {
        for (int i = 0; i < 3; i++) {
          String id = "node-" + i;
          GossipNode.Builder b =
              GossipNode.builder()
                  .id(id)
                  .bind("127.0.0.1", 0)
                  .config(config)
                  .eventLoops(pool)
                  .messageHandler(new Handler(id, out, broadcasts, bigMessage));
          if (i > 0) {
            b.seeds(nodes.get(0).address().toString());
          }
          nodes.add(b.start());
        }
        Examples.waitUntil("3 members", Duration.ofSeconds(10), () -> Examples.converged(nodes, 3));
        // Broadcasts go only to members known to read wire version 4: wait until every node has
        // heard every other's version range.
        Examples.waitUntil(
            "wire version 4 everywhere",
            Duration.ofSeconds(10),
            () -> nodes.stream().allMatch(n -> n.clusterWireVersion() >= 4));
        out.println("3 nodes joined: node-0, node-1, node-2");
        GossipNode n0 = nodes.get(0);

        out.println("\n-- node-0 broadcasts to the cluster");
        n0.broadcast("config", bytes("feature-x=on"));
        await(broadcasts, "the broadcast");

        out.println("\n-- node-0 asks node-1 (request/response)");
        byte[] answer =
            n0.requestResponse("node-1", "echo", bytes("hello"), Duration.ofSeconds(5)).join();
        out.printf("[node-0] answer from node-1: %s%n", text(answer));

        out.println("\n-- node-0 queries every node: who holds which shard?");
        QueryResult result =
            n0.query(
                    "shards",
                    bytes("?"),
                    QueryOptions.builder().timeout(Duration.ofSeconds(5)).build(),
                    r -> out.printf("[node-0] response from %s: %s%n", r.from(), text(r.payload())))
                .join();
        out.printf(
            "[node-0] query done: %d of %d answered, timed out: %s%n",
            result.responded().size(), result.targeted().size(), result.timedOut());

        out.println("\n-- node-0 sends 1 MiB to node-2 over the reliable path");
        byte[] blob = new byte[1 << 20];
        for (int i = 0; i < blob.length; i++) {
          blob[i] = (byte) (i * 31);
        }
        n0.sendReliable("node-2", "blob", blob).join();
        out.printf("[node-0] node-2 confirmed receipt; sha-256 %s%n", sha256(blob));
        await(bigMessage, "the 1 MiB message");

        out.println("\n-- node-0 sends to a member that does not exist");
        try {
          n0.sendReliable("node-9", "blob", bytes("x")).join();
        } catch (CompletionException e) {
          if (!(e.getCause() instanceof MessageException m)) {
            throw e;
          }
          out.printf("[node-0] failed as expected: %s%n", m.failure());
        }
      } finally {
        nodes.forEach(GossipNode::close);
      }
    }
    out.println("\ndone");
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
