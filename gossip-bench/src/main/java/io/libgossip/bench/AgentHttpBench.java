package io.libgossip.bench;

import io.libgossip.core.GossipConfig;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.sim.cli.CommandLines;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./gossip bench agent-http}: the agent API's throughput with {@code wrk} against {@code GET
 * /v1/members} at 100 members.
 *
 * <p>This JVM starts {@code --members - 1} gossip nodes on 127.0.0.1 (one shared two-thread event
 * loop pool, each node joining the first), then one agent process ({@code ./gossip agent}, with the
 * launcher's JVM settings) that joins them; once the agent lists every member ONLINE it runs one
 * warm-up and {@code --repeat} measured {@code wrk} runs and prints requests/s and the latency
 * percentiles of each, and their medians.
 */
@Command(
    name = "gossip bench agent-http",
    mixinStandardHelpOptions = true,
    versionProvider = CommandLines.VersionProvider.class,
    usageHelpWidth = 100,
    sortOptions = false,
    customSynopsis = "./gossip bench agent-http [OPTIONS]",
    description = {
      "Requests/s and latency of the agent's GET /v1/members at 100 members, measured with wrk",
      "(needs `wrk` on PATH: apt-get install wrk)."
    },
    footer = {"", CommandLines.EXIT_CODES})
final class AgentHttpBench implements Callable<Integer> {
  private static final Pattern JSON_STRING =
      Pattern.compile("\"(gossip|http)\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern ONLINE = Pattern.compile("\"status\"\\s*:\\s*\"ONLINE\"");
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"[A-Z]+\"");
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s*([0-9.]+)");
  private static final Pattern PCT =
      Pattern.compile("^\\s*(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s*([0-9]+)");
  private static final Pattern ERRORS = Pattern.compile("Socket errors:(.*)");

  private final PrintStream out;

  @Option(
      names = "--members",
      paramLabel = "N",
      description = "cluster size, the agent included (default ${DEFAULT-VALUE})")
  int members = 100;

  @Option(
      names = "--repeat",
      paramLabel = "R",
      description = "measured wrk runs (default ${DEFAULT-VALUE})")
  int repeat = 3;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "wrk's -d of each run (default ${DEFAULT-VALUE})")
  String duration = "20s";

  @Option(
      names = "--threads",
      paramLabel = "T",
      description = "wrk's -t (default ${DEFAULT-VALUE})")
  int threads = 2;

  @Option(
      names = "--connections",
      paramLabel = "C",
      description = "wrk's -c (default ${DEFAULT-VALUE})")
  int connections = 16;

  @Option(
      names = "--path",
      paramLabel = "PATH",
      description = "the request (default ${DEFAULT-VALUE})")
  String path = "/v1/members";

  @Option(
      names = "--java-opts",
      paramLabel = "OPTS",
      description = "JAVA_OPTS of the agent, after the launcher's defaults (default: none)")
  String javaOpts = "";

  @Option(
      names = "--gossip",
      paramLabel = "PATH",
      description = "the launcher (default: the one of the repository this bench runs from)")
  @Nullable Path launcher;

  @Option(
      names = "--wrk",
      paramLabel = "PATH",
      description = "the wrk binary (default ${DEFAULT-VALUE})")
  String wrk = "wrk";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private AgentHttpBench(PrintStream out) {
    this.out = out;
  }

  /** Runs {@code ./gossip bench agent-http ARGS}; returns the exit status. */
  static int run(String[] args, PrintStream out) {
    return CommandLines.commandLine(new AgentHttpBench(out), out, System.err).execute(args);
  }

  /** One wrk run: requests/s, latency percentiles in ms, non-2xx count, socket errors. */
  record WrkResult(
      double rps, double p50, double p75, double p90, double p99, long non2xx, String errors) {}

  @Override
  public Integer call() throws Exception {
    if (members < 1) {
      out.println("gossip bench agent-http: --members must be at least 1");
      return 2;
    }
    Path gossip = launcher != null ? launcher : BenchPaths.launcher();
    Path dir = Files.createTempDirectory("gossip-agent-http-");
    List<GossipNode> nodes = new ArrayList<>();
    Process agent = null;
    try (EventLoopPool pool = EventLoopPool.create(2, "bench-http")) {
      long t0 = System.nanoTime();
      GossipConfig config = GossipConfig.lan();
      String seed = null;
      for (int i = 0; i < members - 1; i++) {
        GossipNode.Builder b =
            GossipNode.builder()
                .id(String.format(Locale.ROOT, "m%03d", i))
                .bind("127.0.0.1", 0)
                .config(config)
                .metadata(Map.of("role", i % 2 == 0 ? "web" : "db", "zone", "z" + (i % 3)))
                .joinTimeout(Duration.ofSeconds(30))
                .eventLoops(pool);
        if (seed != null) {
          b.seeds(seed);
        }
        GossipNode n = b.start();
        nodes.add(n);
        if (seed == null) {
          seed = n.address().toString();
        }
      }
      out.printf(
          Locale.ROOT,
          "# %d in-process nodes started in %.1f s%n",
          nodes.size(),
          (System.nanoTime() - t0) / 1e9);

      Path ready = dir.resolve("agent.ready.json");
      Path log = dir.resolve("agent.log");
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  gossip.toString(),
                  "agent",
                  "--bind",
                  "127.0.0.1:0",
                  "--http",
                  "127.0.0.1:0",
                  "--id",
                  "agent",
                  "--ready-file",
                  ready.toString()));
      if (seed != null) {
        cmd.addAll(List.of("--join", seed));
      }
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().remove("JAVA_OPTS");
      if (!javaOpts.isEmpty()) {
        pb.environment().put("JAVA_OPTS", javaOpts);
      }
      agent = pb.start();
      String url = waitReady(agent, ready, log);
      // Every member listed (any status: the response has one entry per member either way), then
      // up to 60 s more for all of them ONLINE; on a loaded machine some may flap meanwhile.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (listed(url) < members) {
        if (System.nanoTime() - deadline >= 0) {
          out.printf(
              Locale.ROOT,
              "# the agent lists %d of %d members after 120 s%n",
              listed(url),
              members);
          return 1;
        }
        Thread.sleep(250);
      }
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int online;
      while ((online = online(url)) < members && System.nanoTime() - deadline < 0) {
        Thread.sleep(250);
      }
      String body = Objects.requireNonNullElse(body(url + path), "");
      out.printf(
          Locale.ROOT,
          "# the agent (%s) lists %d members, %d ONLINE, %d s after the start; GET %s is %d bytes%n",
          url,
          listed(url),
          online,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0),
          path,
          body.getBytes(StandardCharsets.UTF_8).length);

      String target = url + path;
      out.println("# warm-up: wrk -t" + threads + " -c" + connections + " -d10s " + target);
      wrk(target, "10s");
      List<WrkResult> results = new ArrayList<>();
      for (int r = 1; r <= repeat; r++) {
        WrkResult w = wrk(target, duration);
        results.add(w);
        out.printf(
            Locale.ROOT,
            "# run %d: %,.0f requests/s, p50 %.2f ms, p75 %.2f ms, p90 %.2f ms, p99 %.2f ms,"
                + " non-2xx %d%s%n",
            r,
            w.rps(),
            w.p50(),
            w.p75(),
            w.p90(),
            w.p99(),
            w.non2xx(),
            w.errors().isEmpty() ? "" : ", socket errors:" + w.errors());
      }
      List<String[]> t = new ArrayList<>();
      t.add(
          new String[] {
            "wrk", "members", "runs", "requests/s (median)", "p50 ms", "p99 ms", "p99 of each run"
          });
      StringBuilder each = new StringBuilder();
      for (WrkResult w : results) {
        each.append(each.length() == 0 ? "" : " / ")
            .append(String.format(Locale.ROOT, "%.2f", w.p99()));
      }
      t.add(
          new String[] {
            "-t" + threads + " -c" + connections + " -d" + duration + " --latency GET " + path,
            Integer.toString(members),
            Integer.toString(results.size()),
            String.format(Locale.ROOT, "%,.0f", FootprintBench.median(results, WrkResult::rps)),
            String.format(Locale.ROOT, "%.2f", FootprintBench.median(results, WrkResult::p50)),
            String.format(Locale.ROOT, "%.2f", FootprintBench.median(results, WrkResult::p99)),
            each.toString()
          });
      out.println();
      out.print(SimSweep.markdown(t, 1));
      return 0;
    } finally {
      if (agent != null) {
        agent.destroy();
        if (!agent.waitFor(15, TimeUnit.SECONDS)) {
          agent.destroyForcibly();
        }
      }
      for (GossipNode n : nodes) {
        n.close();
      }
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private String waitReady(Process agent, Path ready, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!agent.isAlive()) {
        throw new IllegalStateException(
            "the agent exited " + agent.exitValue() + ": " + FootprintBench.tail(log));
      }
      if (Files.exists(ready)) {
        Matcher m = JSON_STRING.matcher(Files.readString(ready, StandardCharsets.UTF_8));
        while (m.find()) {
          if (m.group(1).equals("http")) {
            return m.group(2);
          }
        }
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new IllegalStateException(
            "the agent wrote no ready file within 120 s: " + FootprintBench.tail(log));
      }
      Thread.sleep(100);
    }
  }

  private int listed(String url) throws InterruptedException {
    String b = body(url + "/v1/members");
    if (b == null) {
      return 0;
    }
    Matcher m = STATUS.matcher(b);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private int online(String url) throws InterruptedException {
    String b = body(url + "/v1/members");
    if (b == null) {
      return 0;
    }
    Matcher m = ONLINE.matcher(b);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private @Nullable String body(String url) throws InterruptedException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private WrkResult wrk(String target, String d) throws IOException, InterruptedException {
    List<String> cmd =
        List.of(wrk, "-t" + threads, "-c" + connections, "-d" + d, "--latency", target);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run " + wrk + " (install it: apt-get install wrk): " + e.getMessage(), e);
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher rps = RPS.matcher(text);
    if (p.exitValue() != 0 || !rps.find()) {
      throw new IllegalStateException("wrk failed: " + text);
    }
    double[] pct = new double[4];
    Matcher m = PCT.matcher(text);
    while (m.find()) {
      double v = Double.parseDouble(m.group(2));
      double ms =
          switch (m.group(3)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
          };
      int i =
          switch (m.group(1)) {
            case "50" -> 0;
            case "75" -> 1;
            case "90" -> 2;
            default -> 3;
          };
      pct[i] = ms;
    }
    Matcher non = NON_2XX.matcher(text);
    Matcher err = ERRORS.matcher(text);
    return new WrkResult(
        Double.parseDouble(rps.group(1)),
        pct[0],
        pct[1],
        pct[2],
        pct[3],
        non.find() ? Long.parseLong(non.group(1)) : 0,
        err.find() ? err.group(1).trim() : "");
  }
}
