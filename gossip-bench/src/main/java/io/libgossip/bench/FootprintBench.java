package io.libgossip.bench;

import io.libgossip.sim.cli.CommandLines;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./gossip bench footprint}: the memory and idle CPU of one agent per host, beside Serf.
 *
 * <p>Starts a cluster of {@code --agents} agent processes ({@code ./gossip agent}, or {@code
 * ./gossip node} with {@code --command node}) on 127.0.0.1, one after the other, each joining the
 * first, and in the same run a cluster of {@code --serf} Serf agents (Debian's {@code serf}). It
 * records each process's start-to-joined time (launch until the process reports itself joined: the
 * agent's {@code GET /ready} answers 200, the node prints {@code READY}, {@code serf members} lists
 * two alive members), waits until every member list is complete and {@code --settle-s} more, then
 * reads each process's CPU time ({@code /proc/PID/stat} utime + stime) at the start and end of a
 * {@code --window-s} idle window, and its RSS ({@code VmRSS}) and PSS ({@code smaps_rollup}) at the
 * end. It prints medians over the processes of each run, the CPU of the first joiner by thread name
 * (where the idle CPU goes), and a summary over {@code --runs} runs.
 */
@Command(
    name = "gossip bench footprint",
    mixinStandardHelpOptions = true,
    versionProvider = CommandLines.VersionProvider.class,
    usageHelpWidth = 100,
    sortOptions = false,
    customSynopsis = "./gossip bench footprint [OPTIONS]",
    description = {
      "RSS, PSS, idle CPU and start-to-joined time of N agents beside N Serf agents",
      "(processes on 127.0.0.1; needs Linux /proc and, for the Serf side, `serf` on PATH)."
    },
    footer = {"", CommandLines.EXIT_CODES})
final class FootprintBench implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Pattern JSON_STRING =
      Pattern.compile("\"(gossip|http)\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ONLINE = Pattern.compile("\"status\"\\s*:\\s*\"ONLINE\"");
  private static final Pattern SPACES = Pattern.compile(" +");

  private final PrintStream out;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "JVM processes (default ${DEFAULT-VALUE})")
  int agents = 10;

  @Option(
      names = "--serf",
      paramLabel = "N",
      description = "Serf agents, 0 for none (default ${DEFAULT-VALUE})")
  int serfs = 10;

  @Option(
      names = "--runs",
      paramLabel = "R",
      description = "runs, each with fresh processes (default ${DEFAULT-VALUE})")
  int runs = 2;

  @Option(
      names = "--settle-s",
      paramLabel = "S",
      description =
          "wait after the member lists are complete, before the window (default ${DEFAULT-VALUE})")
  int settleSeconds = 30;

  @Option(
      names = "--window-s",
      paramLabel = "S",
      description = "idle CPU window (default ${DEFAULT-VALUE})")
  int windowSeconds = 60;

  @Option(
      names = "--command",
      paramLabel = "agent|node",
      description =
          "what the JVM processes run: ./gossip agent or ./gossip node (default ${DEFAULT-VALUE})")
  String command = "agent";

  @Option(
      names = "--java-opts",
      paramLabel = "OPTS",
      description =
          "JAVA_OPTS of the JVM processes, placed after the launcher's defaults so they win"
              + " (default: none; the bench clears an inherited JAVA_OPTS)")
  String javaOpts = "";

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "extra environment of the JVM processes (repeatable), e.g. MALLOC_ARENA_MAX=4")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--gossip",
      paramLabel = "PATH",
      description = "the launcher (default: the one of the repository this bench runs from)")
  @Nullable Path launcher;

  @Option(
      names = "--serf-bin",
      paramLabel = "PATH",
      description = "the serf binary (default ${DEFAULT-VALUE})")
  String serfBin = "serf";

  @Option(
      names = "--join-timeout-s",
      paramLabel = "S",
      description = "longest wait for one process to join (default ${DEFAULT-VALUE})")
  int joinTimeoutSeconds = 120;

  @Option(
      names = "--keep-logs",
      description = "keep the processes' output (its directory is printed)")
  boolean keepLogs;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private FootprintBench(PrintStream out) {
    this.out = out;
  }

  /** Runs {@code ./gossip bench footprint ARGS}; returns the exit status. */
  static int run(String[] args, PrintStream out) {
    // --java-opts takes JVM options: "-XX:Foo" alone must be its value, not an unknown option.
    return CommandLines.commandLine(new FootprintBench(out), out, System.err)
        .setUnmatchedOptionsAllowedAsOptionParameters(true)
        .execute(args);
  }

  /** One measured process. */
  private static final class Proc {
    final String name;
    final Process process;
    final Path log;
    long joinedMs = -1;
    @Nullable String gossip;
    @Nullable String httpUrl;
    @Nullable String rpc;
    long cpu0 = -1;
    long cpu1 = -1;
    long rssKb = -1;
    long pssKb = -1;

    Proc(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    double cpuMsPerS(int windowSeconds) {
      return cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / (double) windowSeconds;
    }
  }

  /** The medians of one kind of process in one run. */
  record Row(
      int run,
      String kind,
      int n,
      double rssMb,
      double pssMb,
      double cpuMsPerS,
      double cpuMin,
      double cpuMax,
      double joinedMs,
      double joinedMax) {}

  @Override
  public Integer call() throws Exception {
    if (!command.equals("agent") && !command.equals("node")) {
      out.println("gossip bench footprint: --command must be agent or node, not '" + command + "'");
      return 2;
    }
    Path gossip = launcher != null ? launcher : BenchPaths.launcher();
    out.printf(
        Locale.ROOT,
        "# footprint: %d x ./gossip %s%s and %d x serf, settle %d s, idle window %d s, %d run(s);"
            + " launcher %s; %d CPUs%n",
        agents,
        command,
        javaOpts.isEmpty() ? "" : " (JAVA_OPTS=" + javaOpts + ")",
        serfs,
        settleSeconds,
        windowSeconds,
        runs,
        gossip,
        Runtime.getRuntime().availableProcessors());
    List<Row> rows = new ArrayList<>();
    int status = 0;
    for (int r = 1; r <= runs; r++) {
      try {
        rows.addAll(runOnce(r, gossip));
      } catch (RuntimeException | IOException e) {
        out.println("# run " + r + " failed: " + e.getMessage());
        status = 1;
      }
    }
    out.println();
    out.println("## footprint, medians over the processes of each run");
    List<String[]> t = new ArrayList<>();
    t.add(
        new String[] {
          "run",
          "process",
          "n",
          "RSS MB",
          "PSS MB",
          "idle CPU ms/s",
          "(min-max)",
          "start-to-joined ms",
          "(max)"
        });
    for (Row w : rows) {
      t.add(
          new String[] {
            Integer.toString(w.run()),
            w.kind(),
            Integer.toString(w.n()),
            f1(w.rssMb()),
            f1(w.pssMb()),
            f2(w.cpuMsPerS()),
            f2(w.cpuMin()) + "-" + f2(w.cpuMax()),
            String.format(Locale.ROOT, "%.0f", w.joinedMs()),
            String.format(Locale.ROOT, "%.0f", w.joinedMax())
          });
    }
    out.print(SimSweep.markdown(t, 0));
    return status;
  }

  private List<Row> runOnce(int run, Path gossip) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("gossip-footprint-");
    List<Proc> jvms = new ArrayList<>();
    List<Proc> serfProcs = new ArrayList<>();
    try {
      out.printf(
          Locale.ROOT,
          "# run %d: starting %d %s processes (output in %s)%n",
          run,
          agents,
          command,
          dir);
      for (int i = 0; i < agents; i++) {
        jvms.add(startJvm(gossip, dir, i, jvms.isEmpty() ? null : jvms.get(0)));
      }
      if (serfs > 0) {
        out.printf(Locale.ROOT, "# run %d: starting %d serf agents%n", run, serfs);
        for (int i = 0; i < serfs; i++) {
          serfProcs.add(startSerf(dir, i, serfProcs.isEmpty() ? null : serfProcs.get(0)));
        }
      }
      long converged = System.nanoTime();
      waitComplete(jvms, serfProcs);
      out.printf(
          Locale.ROOT,
          "# run %d: member lists complete %.1f s after the last start; settling %d s%n",
          run,
          (System.nanoTime() - converged) / 1e9,
          settleSeconds);
      Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));

      List<Proc> all = new ArrayList<>(jvms);
      all.addAll(serfProcs);
      Proc traced = jvms.get(Math.min(1, jvms.size() - 1));
      Map<String, Long> threads0 = ProcessProbe.cpuMsByThread(traced.process.pid());
      for (Proc p : all) {
        p.cpu0 = ProcessProbe.cpuMs(p.process.pid());
      }
      Thread.sleep(TimeUnit.SECONDS.toMillis(windowSeconds));
      for (Proc p : all) {
        long pid = p.process.pid();
        p.cpu1 = ProcessProbe.cpuMs(pid);
        p.rssKb = ProcessProbe.rssKb(pid);
        p.pssKb = ProcessProbe.pssKb(pid);
        if (!p.process.isAlive() || p.cpu1 < 0) {
          throw new IllegalStateException(p.name + " ended during the window; see " + p.log);
        }
      }
      Map<String, Long> threads1 = ProcessProbe.cpuMsByThread(traced.process.pid());
      printThreads(run, traced, threads0, threads1);
      for (Proc p : all) {
        out.printf(
            Locale.ROOT,
            "# run %d: %-5s RSS %6.1f MB  PSS %6.1f MB  idle CPU %5.2f ms/s  joined in %5d ms%n",
            run,
            p.name,
            p.rssKb / 1024.0,
            p.pssKb / 1024.0,
            p.cpuMsPerS(windowSeconds),
            p.joinedMs);
      }
      List<Row> rows = new ArrayList<>();
      rows.add(row(run, "./gossip " + command, jvms));
      if (!serfProcs.isEmpty()) {
        rows.add(row(run, "serf", serfProcs));
      }
      return rows;
    } finally {
      stopAll(jvms, serfProcs);
      if (keepLogs) {
        out.println("# run " + run + ": logs kept in " + dir);
      } else {
        deleteTree(dir);
      }
    }
  }

  private Row row(int run, String kind, List<Proc> ps) {
    ToDoubleFunction<Proc> cpu = p -> p.cpuMsPerS(windowSeconds);
    return new Row(
        run,
        kind,
        ps.size(),
        median(ps, p -> p.rssKb / 1024.0),
        median(ps, p -> p.pssKb / 1024.0),
        median(ps, cpu),
        ps.stream().mapToDouble(cpu).min().orElse(Double.NaN),
        ps.stream().mapToDouble(cpu).max().orElse(Double.NaN),
        median(ps, p -> p.joinedMs),
        ps.stream().mapToDouble(p -> p.joinedMs).max().orElse(Double.NaN));
  }

  private void printThreads(int run, Proc p, Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new HashMap<>();
    after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
    List<Map.Entry<String, Long>> top = new ArrayList<>(delta.entrySet());
    top.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Long> e : top) {
      if (e.getValue() <= 0) {
        break;
      }
      sb.append(
          String.format(
              Locale.ROOT, " %s %.2f;", e.getKey(), e.getValue() / (double) windowSeconds));
    }
    out.printf(Locale.ROOT, "# run %d: %s idle CPU by thread (ms/s):%s%n", run, p.name, sb);
  }

  private Proc startJvm(Path gossip, Path dir, int i, @Nullable Proc seed)
      throws IOException, InterruptedException {
    String name = (command.equals("agent") ? "a" : "n") + i;
    Path log = dir.resolve(name + ".log");
    Path ready = dir.resolve(name + ".ready.json");
    List<String> cmd = new ArrayList<>(List.of(gossip.toString(), command));
    if (command.equals("agent")) {
      cmd.addAll(
          List.of(
              "--bind",
              "127.0.0.1:0",
              "--http",
              "127.0.0.1:0",
              "--id",
              name,
              "--ready-file",
              ready.toString()));
    } else {
      cmd.addAll(
          List.of(
              "--bind", "127.0.0.1:0", "--id", name, "--summary", "0", "--join-timeout", "30s"));
    }
    if (seed != null) {
      cmd.addAll(List.of("--join", java.util.Objects.requireNonNull(seed.gossip, "seed address")));
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> e = pb.environment();
    e.remove("JAVA_OPTS");
    if (!javaOpts.isEmpty()) {
      e.put("JAVA_OPTS", javaOpts);
    }
    for (String kv : env) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--env wants NAME=VALUE, not '" + kv + "'");
      }
      e.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    long t0 = System.nanoTime();
    Proc p = new Proc(name, pb.start(), log);
    long deadline = t0 + TimeUnit.SECONDS.toNanos(joinTimeoutSeconds);
    while (true) {
      if (!p.process.isAlive()) {
        throw new IllegalStateException(
            name + " exited " + p.process.exitValue() + ": " + tail(log));
      }
      if (command.equals("agent") ? agentJoined(p, ready) : nodeJoined(p, log)) {
        break;
      }
      if (System.nanoTime() - deadline >= 0) {
        p.process.destroyForcibly();
        throw new IllegalStateException(
            name + " did not join within " + joinTimeoutSeconds + " s: " + tail(log));
      }
      Thread.sleep(POLL.toMillis());
    }
    p.joinedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    return p;
  }

  /** The agent wrote its ready file and answers {@code GET /ready} with 200 (joined). */
  private boolean agentJoined(Proc p, Path ready) throws InterruptedException {
    if (p.httpUrl == null) {
      if (!Files.exists(ready)) {
        return false;
      }
      String json;
      try {
        json = Files.readString(ready, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return false;
      }
      Matcher m = JSON_STRING.matcher(json);
      while (m.find()) {
        if (m.group(1).equals("gossip")) {
          p.gossip = m.group(2);
        } else {
          p.httpUrl = m.group(2);
        }
      }
      if (p.httpUrl == null) {
        return false;
      }
    }
    return get(p.httpUrl + "/ready") == 200;
  }

  /** The node printed its {@code READY} line: {@code TIME READY ID ADDRESS ONLINE members=N}. */
  private static boolean nodeJoined(Proc p, Path log) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return false;
    }
    for (String line : lines) {
      String[] f = SPACES.split(line.trim(), -1);
      if (f.length >= 4 && f[1].equals("READY")) {
        p.gossip = f[3];
        return true;
      }
    }
    return false;
  }

  private Proc startSerf(Path dir, int i, @Nullable Proc seed)
      throws IOException, InterruptedException {
    String name = "s" + i;
    Path log = dir.resolve(name + ".log");
    int port = freePort();
    int rpcPort = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                serfBin,
                "agent",
                "-node",
                name,
                "-bind",
                "127.0.0.1:" + port,
                "-rpc-addr",
                "127.0.0.1:" + rpcPort));
    if (seed != null) {
      cmd.addAll(List.of("-join", java.util.Objects.requireNonNull(seed.gossip, "seed address")));
    }
    long t0 = System.nanoTime();
    Process process;
    try {
      process =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run "
              + serfBin
              + " (install it: apt-get install serf, or --serf 0): "
              + e.getMessage(),
          e);
    }
    Proc p = new Proc(name, process, log);
    p.gossip = "127.0.0.1:" + port;
    p.rpc = "127.0.0.1:" + rpcPort;
    int want = seed == null ? 1 : 2;
    long deadline = t0 + TimeUnit.SECONDS.toNanos(joinTimeoutSeconds);
    while (serfAlive(p) < want) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited " + process.exitValue() + ": " + tail(log));
      }
      if (System.nanoTime() - deadline >= 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            name + " did not join within " + joinTimeoutSeconds + " s: " + tail(log));
      }
      Thread.sleep(POLL.toMillis());
    }
    p.joinedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    return p;
  }

  /** Alive members in {@code serf members}, or 0 if it cannot answer yet. */
  private int serfAlive(Proc p) throws InterruptedException {
    try {
      Process m =
          new ProcessBuilder(
                  serfBin,
                  "members",
                  "-rpc-addr",
                  java.util.Objects.requireNonNull(p.rpc),
                  "-status",
                  "alive")
              .redirectErrorStream(true)
              .start();
      String text = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!m.waitFor(10, TimeUnit.SECONDS) || m.exitValue() != 0) {
        m.destroyForcibly();
        return 0;
      }
      return (int) text.lines().filter(l -> !l.isBlank()).count();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Waits until every agent lists every agent ONLINE and every serf every serf alive. */
  private void waitComplete(List<Proc> jvms, List<Proc> serfProcs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(joinTimeoutSeconds);
    for (Proc p : jvms) {
      if (p.httpUrl == null) {
        continue; // ./gossip node: no API to ask; the settle time covers it
      }
      while (onlineMembers(p.httpUrl) < jvms.size()) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(p.name + " does not list all " + jvms.size() + " agents");
        }
        Thread.sleep(200);
      }
    }
    for (Proc p : serfProcs) {
      while (serfAlive(p) < serfProcs.size()) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(
              p.name + " does not list all " + serfProcs.size() + " serf agents");
        }
        Thread.sleep(200);
      }
    }
  }

  private int onlineMembers(String url) throws InterruptedException {
    String body = getBody(url + "/v1/members");
    if (body == null) {
      return 0;
    }
    Matcher m = ONLINE.matcher(body);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private int get(String url) throws InterruptedException {
    try {
      return http.send(request(url), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private @Nullable String getBody(String url) throws InterruptedException {
    try {
      HttpResponse<String> r = http.send(request(url), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static HttpRequest request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
  }

  private static void stopAll(List<Proc> jvms, List<Proc> serfProcs) {
    List<Proc> all = new ArrayList<>(jvms);
    all.addAll(serfProcs);
    for (Proc p : all) {
      p.process.destroy(); // SIGTERM: the agent leaves, serf exits
    }
    for (Proc p : all) {
      try {
        if (!p.process.waitFor(15, TimeUnit.SECONDS)) {
          p.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A port free for both TCP and UDP on 127.0.0.1 (Serf binds both), found by binding it. */
  static int freePort() throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(lo, 0));
        int port = s.getLocalPort();
        try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, port))) {
          if (d.getLocalPort() == port) {
            return port;
          }
        } catch (IOException e) {
          // taken for UDP: try another
        }
      }
    }
    throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no output)";
    }
  }

  private static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(FootprintBench::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory: nothing else to do
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left behind in the temporary directory
    }
  }

  static <T> double median(List<T> xs, ToDoubleFunction<T> f) {
    double[] v = xs.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
