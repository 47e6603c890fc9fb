package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three {@code ./gossip node} processes ({@link NodeMain} in separate JVMs) form a cluster over
 * loopback, detect one that is killed, and see another leave gracefully on {@code SIGTERM}.
 */
class MultiProcessClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Set<String> EVENT_KINDS =
      Set.of("JOINED", "RECOVERED", "SUSPECTED", "FAILED", "LEFT", "REMOVED", "METADATA_CHANGED");

  private final List<NodeProcess> processes = new ArrayList<>();

  /** One node process and the lines it has printed (stdout and stderr together). */
  private static final class NodeProcess {
    final String id;
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    NodeProcess(String id, Process process) {
      this.id = id;
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("(reader stopped: " + e + ")");
                }
              },
              "node-output-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    /** Whether a line of this node's output has {@code kind} (second token) about {@code id}. */
    boolean printed(String kind, String about) {
      return lines.stream()
          .map(l -> l.split("\\s+"))
          .anyMatch(t -> t.length >= 5 && t[1].equals(kind) && t[2].equals(about));
    }

    /** The status this node last reported for member {@code id}, or "unknown". */
    String statusOf(String about) {
      String status = "unknown";
      for (String l : lines) {
        String[] t = l.split("\\s+");
        if (t.length >= 5 && EVENT_KINDS.contains(t[1]) && t[2].equals(about)) {
          status = t[4];
        }
      }
      return status;
    }
  }

  @AfterEach
  void destroyAll() throws InterruptedException {
    for (NodeProcess p : processes) {
      p.process.destroyForcibly();
    }
    for (NodeProcess p : processes) {
      p.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void separateProcessesFormAClusterDetectAKilledNodeAndSeeAGracefulLeave() throws Exception {
    int[] ports = freePorts(3);
    NodeProcess a = start("a", ports[0]);
    awaitOrDump("a to be ready", () -> a.printed("READY", "a"));
    String seed = "127.0.0.1:" + ports[0];
    NodeProcess b = start("b", ports[1], "--join", seed, "--meta", "role=web");
    NodeProcess c = start("c", ports[2], "--join", seed);
    List<NodeProcess> all = List.of(a, b, c);

    awaitOrDump(
        "every node to see the two others ONLINE",
        () ->
            all.stream()
                .allMatch(
                    p ->
                        all.stream()
                            .filter(q -> q != p)
                            .allMatch(q -> p.statusOf(q.id).equals("ONLINE"))));

    c.process.destroyForcibly(); // no leave, sockets gone: a crash
    awaitOrDump(
        "a and b to report c SUSPECT and then FAILED",
        () -> a.statusOf("c").equals("FAILED") && b.statusOf("c").equals("FAILED"));
    assertThat(a.printed("SUSPECTED", "c") || b.printed("SUSPECTED", "c"))
        .as("someone suspected c before it was declared failed")
        .isTrue();

    // SIGTERM through the handle: Process.destroy() would also close b's output before we read it.
    assertThat(b.process.toHandle().destroy()).as("SIGTERM sent to b").isTrue();
    assertThat(b.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("b exits after leaving")
        .isTrue();
    assertThat(b.process.exitValue()).as("b's exit status; output:%n%s", dump()).isZero();
    awaitOrDump("b to report that it left", () -> b.printed("LEFT", "b"));
    awaitOrDump("a to see b LEFT", () -> a.statusOf("b").equals("LEFT"));
    assertThat(a.printed("FAILED", "b")).as("a never saw b FAILED").isFalse();
  }

  private NodeProcess start(String id, int port, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Collections.addAll(cmd, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    Collections.addAll(cmd, "-cp", System.getProperty("java.class.path"));
    cmd.add(NodeMain.class.getName());
    Collections.addAll(
        cmd, "--bind", "127.0.0.1:" + port, "--id", id, "--profile", "local", "--summary", "0");
    Collections.addAll(cmd, extra);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    NodeProcess np = new NodeProcess(id, p);
    processes.add(np);
    return np;
  }

  private void awaitOrDump(String what, BooleanSupplier condition) {
    try {
      await(what).atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; output:\n" + dump(), e);
    }
  }

  private String dump() {
    StringBuilder sb = new StringBuilder();
    for (NodeProcess p : processes) {
      sb.append("---- ").append(p.id).append(p.process.isAlive() ? " (running)" : " (exited)");
      sb.append('\n');
      p.lines.forEach(l -> sb.append(l).append('\n'));
    }
    return sb.toString();
  }

  /** Ports free for both UDP and TCP on 127.0.0.1, distinct from each other. */
  private static int[] freePorts(int n) throws IOException {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[n];
    AtomicInteger found = new AtomicInteger();
    try {
      while (found.get() < n) {
        ServerSocket tcp = new ServerSocket(0, 50, lo);
        held.add(tcp);
        try {
          DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort()));
          held.add(udp);
          ports[found.getAndIncrement()] = tcp.getLocalPort();
        } catch (IOException busy) {
          // UDP side taken: try another
        }
      }
    } finally {
      for (AutoCloseable c : held) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a probe socket
        }
      }
    }
    return ports;
  }
}
