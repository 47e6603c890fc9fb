package io.libgossip.examples;

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
import java.util.function.Function;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Child JVMs for multi-process tests: each runs a main class on this test's class path, small and
 * quick to start, with its output (stdout and stderr) collected line by line. Waits are bounded and
 * dump every child's output when they time out; {@link #close()} kills what is still running.
 */
final class ChildJvms implements AutoCloseable {
  /** One child process, its input and the lines it has printed. */
  static final class Child {
    final String id;
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Writer input;

    private Child(String id, Process process) {
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
              "child-output-" + id);
      reader.setDaemon(true);
      reader.start();
    }

    /** Writes one line to the child's standard input. */
    void send(String line) throws IOException {
      input.write(line + "\n");
      input.flush();
    }

    /** Whether some line starts with {@code prefix}. */
    boolean printed(String prefix) {
      return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }
  }

  private final Duration wait;
  private final Duration poll;
  private final Function<Child, List<String>> dumpLines;
  private final List<Child> children = new CopyOnWriteArrayList<>();

  /**
   * @param wait the bound on each {@link #awaitOrDump} wait
   * @param poll how often a condition is checked
   * @param dumpLines what of a child's output goes into a timeout's message
   */
  ChildJvms(Duration wait, Duration poll, Function<Child, List<String>> dumpLines) {
    this.wait = wait;
    this.poll = poll;
    this.dumpLines = dumpLines;
  }

  /** Starts {@code main} with {@code args} in a new JVM (96 MB heap, serial GC, C1 only). */
  Child start(String id, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Collections.addAll(cmd, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    Collections.addAll(cmd, "-cp", System.getProperty("java.class.path"));
    cmd.add(main.getName());
    Collections.addAll(cmd, args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Child c = new Child(id, p);
    children.add(c);
    return c;
  }

  /** Waits (bounded) until {@code condition} holds; on timeout fails with every child's output. */
  void awaitOrDump(String what, BooleanSupplier condition) {
    try {
      await(what).atMost(wait).pollInterval(poll).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; output:\n" + dump(), e);
    }
  }

  /**
   * Waits (bounded) until {@code condition} has held for {@code during} without a break; on timeout
   * fails with every child's output.
   */
  void awaitStableOrDump(String what, Duration during, BooleanSupplier condition) {
    try {
      await(what)
          .during(during)
          .atMost(wait.plus(during))
          .pollInterval(poll)
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; output:\n" + dump(), e);
    }
  }

  /** Every child's output (as {@code dumpLines} selects it), headed by its id and state. */
  String dump() {
    StringBuilder sb = new StringBuilder();
    for (Child c : children) {
      sb.append("---- ").append(c.id).append(c.process.isAlive() ? " (running)" : " (exited)");
      sb.append('\n');
      dumpLines.apply(c).forEach(l -> sb.append(l).append('\n'));
    }
    return sb.toString();
  }

  /** Kills every child still running and waits for each, bounded. */
  @Override
  public void close() throws InterruptedException {
    for (Child c : children) {
      c.process.destroyForcibly();
    }
    for (Child c : children) {
      c.process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Ports free for both UDP and TCP on 127.0.0.1, distinct from each other. */
  static int[] freePorts(int n) throws IOException {
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
