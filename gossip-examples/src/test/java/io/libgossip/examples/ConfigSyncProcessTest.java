package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration sync across three processes over loopback ({@link ConfigNodeProcess} in separate
 * JVMs): a write on one reaches the two others, a remove spreads, and a process killed and
 * restarted with an empty map catches up.
 */
class ConfigSyncProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<NodeProcess> processes = new ArrayList<>();

  /** One node process, its input and the lines it has printed. */
  private static final class NodeProcess {
    final String id;
    final Process process;
    final Writer input;
    final List<String> lines = new CopyOnWriteArrayList<>();

    NodeProcess(String id, Process process) {
      this.id = id;
      this.process = process;
      this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
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
              "config-output-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    void send(String command) throws IOException {
      input.write(command + "\n");
      input.flush();
    }

    boolean ready() {
      return lines.contains("READY " + id);
    }

    /** The map this node printed last ("{}" before any change). */
    String map() {
      String map = "{}";
      for (String l : lines) {
        if (l.startsWith("MAP ")) {
          map = l.substring(4);
        }
      }
      return map;
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
  void aWriteReachesTheOthersARemoveSpreadsAndARestartedProcessCatchesUp() throws Exception {
    int[] ports = freePorts(4);
    String seed = "127.0.0.1:" + ports[0];
    NodeProcess a = start("a", ports[0]);
    awaitOrDump("a to be ready", a::ready);
    NodeProcess b = start("b", ports[1], seed);
    NodeProcess c = start("c", ports[2], seed);
    awaitOrDump("b and c to be ready", () -> b.ready() && c.ready());

    a.send("put db.url jdbc:postgresql://db-1/app");
    a.send("put feature.x on");
    String both = "{db.url=jdbc:postgresql://db-1/app, feature.x=on}";
    awaitOrDump(
        "the writes on a to reach b and c", () -> b.map().equals(both) && c.map().equals(both));

    b.send("remove db.url");
    awaitOrDump(
        "the remove on b to reach a and c",
        () -> a.map().equals("{feature.x=on}") && c.map().equals("{feature.x=on}"));

    c.process.destroyForcibly(); // a crash: no leave
    assertThat(c.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    a.send("put cache.ttl 30"); // written while c is down
    NodeProcess c2 = start("c", ports[3], seed);
    awaitOrDump(
        "the restarted c to catch up with an empty map",
        () -> c2.map().equals("{cache.ttl=30, feature.x=on}"));
    awaitOrDump("b to have the write made while c was down", () -> b.map().equals(c2.map()));
  }

  private NodeProcess start(String id, int port, String... seed) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Collections.addAll(cmd, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    Collections.addAll(cmd, "-cp", System.getProperty("java.class.path"));
    cmd.add(ConfigNodeProcess.class.getName());
    Collections.addAll(cmd, id, Integer.toString(port));
    Collections.addAll(cmd, seed);
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
      p.lines.stream().filter(l -> !l.contains("DEBUG")).forEach(l -> sb.append(l).append('\n'));
    }
    return sb.toString();
  }

  /** Ports free for both UDP and TCP on 127.0.0.1, distinct from each other. */
  private static int[] freePorts(int n) throws IOException {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    List<AutoCloseable> held = new ArrayList<>();
    int[] ports = new int[n];
    int found = 0;
    try {
      while (found < n) {
        ServerSocket tcp = new ServerSocket(0, 50, lo);
        held.add(tcp);
        try {
          DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort()));
          held.add(udp);
          ports[found++] = tcp.getLocalPort();
        } catch (IOException busy) {
          // UDP side taken: try another
        }
      }
    } finally {
      for (AutoCloseable s : held) {
        try {
          s.close();
        } catch (Exception ignored) {
          // closing a probe socket
        }
      }
    }
    return ports;
  }
}
