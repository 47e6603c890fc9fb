package io.libgossip.serf;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code serf agent} child process on loopback for integration tests, and the {@code serf}
 * commands that talk to it over its RPC address. Every wait is bounded. Close it (or use it in
 * try-with-resources) to stop the process; {@link #kill()} ends it with SIGKILL.
 */
final class SerfAgent implements AutoCloseable {
  /** Where Debian's {@code serf} package installs the binary. */
  static final Path SERF = Path.of("/usr/bin/serf");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final long COMMAND_TIMEOUT_SECONDS = 15;

  private final String name;
  private final int port;
  private final int rpcPort;
  private final Path dir;
  private final Path log;
  private final Process process;

  private SerfAgent(String name, int port, int rpcPort, Path dir, Process process) {
    this.name = name;
    this.port = port;
    this.rpcPort = rpcPort;
    this.dir = dir;
    this.log = dir.resolve(name + ".log");
    this.process = process;
  }

  /** Whether the {@code serf} binary is installed (tests assume it, so they skip without it). */
  static boolean installed() {
    return Files.isExecutable(SERF);
  }

  /**
   * Starts {@code serf agent -node name} bound to 127.0.0.1 on a free port, with {@code tags}, an
   * optional base64 {@code -encrypt} key, and {@code extra} arguments; returns once its port
   * accepts connections.
   *
   * <p>Tries again (3 tries at most) when a port found free was taken before the agent bound it: a
   * race with other processes on the host, not something under test.
   *
   * @param dir a directory for the agent's log (and keyring file, if the extra arguments name one)
   */
  static SerfAgent start(
      String name,
      Path dir,
      Map<String, String> tags,
      @Nullable String encryptKey,
      List<String> extra)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(name, dir, tags, encryptKey, extra);
      } catch (IOException e) {
        if (attempt == 3 || !String.valueOf(e.getMessage()).contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  private static SerfAgent startOnce(
      String name,
      Path dir,
      Map<String, String> tags,
      @Nullable String encryptKey,
      List<String> extra)
      throws IOException {
    int port = freePort();
    int rpc = freePort();
    List<String> cmd = new ArrayList<>(List.of(SERF.toString(), "agent", "-node", name));
    cmd.addAll(List.of("-bind", "127.0.0.1:" + port, "-rpc-addr", "127.0.0.1:" + rpc));
    tags.forEach((k, v) -> cmd.addAll(List.of("-tag", k + "=" + v)));
    if (encryptKey != null) {
      cmd.addAll(List.of("-encrypt", encryptKey));
    }
    cmd.addAll(extra);
    Path log = dir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    SerfAgent agent = new SerfAgent(name, port, rpc, dir, p);
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !p.isAlive() || canConnect(port));
      if (!p.isAlive()) {
        throw new IOException("serf agent " + name + " exited: " + agent.log());
      }
    } catch (RuntimeException | IOException e) {
      agent.close();
      throw e;
    }
    return agent;
  }

  /** The node name. */
  String name() {
    return name;
  }

  /** The gossip port (TCP and UDP) on 127.0.0.1. */
  int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, as a seed for others. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** The agent's output so far (for assertion messages). */
  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Runs {@code serf <args> -rpc-addr 127.0.0.1:<rpc>} against this agent and returns its output
   * (stdout and stderr); bounded at 15 s, after which the command is killed and what it printed is
   * returned.
   */
  String serf(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(args));
    cmd.add("-rpc-addr=127.0.0.1:" + rpcPort);
    return runSerf(cmd);
  }

  /** Runs {@code serf <args>}, bounded as {@link #serf}, and returns what it printed. */
  private String runSerf(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(SERF.toString());
    cmd.addAll(args);
    Path out = Files.createTempFile(dir, "serf-cmd", ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /**
   * Starts a long-running {@code serf <args> -rpc-addr ...} (such as {@code monitor}) writing to
   * {@code out}; the caller stops it with {@link Process#destroy()}.
   */
  Process serfBackground(Path out, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(SERF.toString());
    cmd.addAll(List.of(args));
    cmd.add("-rpc-addr=127.0.0.1:" + rpcPort);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  /** {@code serf members -format json}, whitespace removed ("" when the command failed). */
  String membersJson() throws IOException, InterruptedException {
    return serf("members", "-format", "json").replaceAll("\\s", "");
  }

  /** The status this agent lists for {@code member} ("" when it lists none). */
  String statusOf(String member) throws IOException, InterruptedException {
    return statusIn(membersJson(), member);
  }

  /**
   * The status {@code member} has in {@code json}, the output of {@link #membersJson()} ("" when it
   * is not listed).
   */
  static String statusIn(String json, String member) {
    int at = json.indexOf("\"name\":\"" + member + "\"");
    if (at < 0) {
      return "";
    }
    int s = json.indexOf("\"status\":\"", at);
    int next = json.indexOf("{\"name\":", at); // the next member's entry
    if (s < 0 || (next >= 0 && next < s)) {
      return "";
    }
    int from = s + "\"status\":\"".length();
    return json.substring(from, json.indexOf('"', from));
  }

  /** Ends the process with SIGKILL (a crash: no leave) and waits for it, bounded. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Whether the process is still running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the agent with SIGTERM, then SIGKILL after 5 s. Idempotent. */
  @Override
  public void close() {
    try {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port free for both TCP and UDP on loopback (serf and libgossip bind both). */
  static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
        return d.getLocalPort();
      } catch (IOException e) {
        // Taken for UDP: try another.
      }
    }
    throw new IOException("no free TCP+UDP port");
  }

  /**
   * Runs {@code serf <command> -rpc-addr=127.0.0.1:<rpc> <args>}: the RPC address before the
   * arguments, for commands with positional arguments ({@code event}, {@code query}), where Go's
   * flag parsing stops at the first of them. Bounded as {@link #serf}.
   */
  String serfCommand(String command, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.add("-rpc-addr=127.0.0.1:" + rpcPort);
    all.addAll(List.of(args));
    return runSerf(all);
  }
}
