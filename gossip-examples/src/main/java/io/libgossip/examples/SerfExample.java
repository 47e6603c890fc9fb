package io.libgossip.examples;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.UserBroadcast;
import io.libgossip.net.UserMessageHandler;
import io.libgossip.serf.SerfNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Two libgossip nodes in a HashiCorp Serf pool: a real {@code serf agent} on loopback (when the
 * {@code serf} binary is installed) and two {@link SerfNode}s join; the agent's user event reaches
 * the libgossip nodes, a libgossip node's event and query reach the pool, and a libgossip node
 * leaves so that the agent lists it {@code left}. Without {@code serf}, the two libgossip nodes
 * form a pool on their own and the example says how to install it.
 */
public final class SerfExample {
  private static final Path SERF = Path.of("/usr/bin/serf");
  private static final Duration WAIT = Duration.ofSeconds(45);

  private SerfExample() {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    List<SerfNode> nodes = new ArrayList<>();
    Process agent = null;
    try {
      Path dir = Files.createTempDirectory("serf-example");
      String seed;
      int rpc = -1;
      if (Files.isExecutable(SERF)) {
        int port = freePort();
        rpc = freePort();
        agent =
            new ProcessBuilder(
                    SERF.toString(),
                    "agent",
                    "-node",
                    "agent-1",
                    "-bind",
                    "127.0.0.1:" + port,
                    "-rpc-addr",
                    "127.0.0.1:" + rpc,
                    "-tag",
                    "role=agent")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile())
                .start();
        Examples.waitUntil("the serf agent to listen", Duration.ofSeconds(20), () -> listens(port));
        seed = "127.0.0.1:" + port;
        out.println("serf agent agent-1 listens on " + seed);
      } else {
        seed = null;
        out.println(
            "no serf binary at "
                + SERF
                + " (Debian: apt-get install serf): two libgossip nodes form a pool on their own");
      }
      List<String> received = new CopyOnWriteArrayList<>();
      for (int i = 1; i <= 2; i++) {
        SerfNode.Builder b =
            SerfNode.builder("java-" + i)
                .bind("127.0.0.1", 0)
                .tag("role", "java")
                .handler(handler("java-" + i, received));
        if (seed != null) {
          b.seeds(seed);
        } else if (i == 2) {
          b.seeds(nodes.get(0).address().toString());
        }
        nodes.add(b.start());
      }
      SerfNode j1 = nodes.get(0);
      SerfNode j2 = nodes.get(1);
      int pool = seed != null ? 3 : 2;
      Examples.waitUntil(
          "every libgossip node to see the whole pool",
          WAIT,
          () -> nodes.stream().allMatch(n -> online(n) == pool));
      for (NodeView m : j1.members()) {
        out.printf("java-1 sees %-8s %-16s %s %s%n", m.id(), m.address(), m.status(), m.metadata());
      }
      if (agent != null) {
        int r = rpc;
        Examples.waitUntil(
            "the agent to list both libgossip nodes alive",
            WAIT,
            () -> serf(r, "members").lines().filter(l -> l.contains(" alive ")).count() == 3);
        out.print("serf members:\n" + indent(serf(rpc, "members")));
        out.print(serf(rpc, "event", "deploy", "v42"));
        Examples.waitUntil("the event at both libgossip nodes", WAIT, () -> received.size() >= 2);
        received.forEach(out::println);
      }

      j1.userEvent("hello-from-java", "hi".getBytes(StandardCharsets.UTF_8), false);
      Path log = dir.resolve("agent.log");
      Examples.waitUntil(
          "java-1's event at java-2" + (agent != null ? " and at the agent" : ""),
          WAIT,
          () ->
              received.stream().anyMatch(l -> l.contains("hello-from-java"))
                  && (!Files.exists(log) || read(log).contains("user-event: hello-from-java")));
      out.println(
          "java-1 sent event hello-from-java: java-2 got it"
              + (agent != null ? ", and the agent logged it" : ""));

      List<QueryResponse> responses = new CopyOnWriteArrayList<>();
      j1.query(
              "whoami",
              new byte[0],
              QueryOptions.builder().timeout(Duration.ofSeconds(2)).requestAck(true).build(),
              responses::add)
          .get(10, TimeUnit.SECONDS);
      for (QueryResponse r : responses) {
        out.println(
            "java-1's query whoami: "
                + (r.ack() ? "ack from " + r.from() : "answer from " + r.from() + ": ")
                + (r.ack() ? "" : new String(r.payload(), StandardCharsets.UTF_8)));
      }

      j2.leave(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
      j2.close();
      Examples.waitUntil(
          "java-1 to see java-2 LEFT",
          WAIT,
          () -> j1.node().findNode("java-2").map(NodeView::status).orElse(null) == NodeStatus.LEFT);
      out.println("java-2 left: java-1 sees it LEFT");
      if (agent != null) {
        int r = rpc;
        Examples.waitUntil(
            "the agent to list java-2 left",
            WAIT,
            () ->
                serf(r, "members")
                    .lines()
                    .anyMatch(l -> l.startsWith("java-2") && l.contains(" left ")));
        out.print("serf members:\n" + indent(serf(rpc, "members")));
      }
      out.println("done");
    } catch (Exception e) {
      throw new IllegalStateException("the serf example failed: " + e.getMessage(), e);
    } finally {
      nodes.forEach(SerfNode::close);
      if (agent != null) {
        agent.destroy();
        try {
          if (!agent.waitFor(5, TimeUnit.SECONDS)) {
            agent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Prints Serf events and answers the query {@code whoami} with the node's name. */
  private static UserMessageHandler handler(String name, List<String> received) {
    return new UserMessageHandler() {
      @Override
      public void onBroadcast(UserBroadcast event) {
        received.add(
            name
                + " got event "
                + event.topic()
                + " "
                + new String(event.payload(), StandardCharsets.UTF_8));
      }

      @Override
      public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest query) {
        return query.name().equals("whoami")
            ? CompletableFuture.completedFuture(("I am " + name).getBytes(StandardCharsets.UTF_8))
            : null;
      }
    };
  }

  private static long online(SerfNode n) {
    return n.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  /** Runs {@code serf COMMAND -rpc-addr=... ARGS} and returns its output, bounded at 15 s. */
  private static String serf(int rpc, String command, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of(SERF.toString(), command, "-rpc-addr=127.0.0.1:" + rpc));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(serf " + command + " failed: " + e.getMessage() + ")\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static String indent(String s) {
    StringBuilder sb = new StringBuilder();
    s.lines().forEach(l -> sb.append("  ").append(l).append('\n'));
    return sb.toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean listens(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(loopback(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** 127.0.0.1, where the agent binds (not ::1). */
  private static InetAddress loopback() throws IOException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
  }

  /** A port free for both TCP and UDP on loopback. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, loopback())) {
        port = s.getLocalPort();
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(loopback(), port))) {
        return d.getLocalPort();
      } catch (IOException e) {
        // taken for UDP: another
      }
    }
    throw new IOException("no free TCP+UDP port on 127.0.0.1");
  }
}
