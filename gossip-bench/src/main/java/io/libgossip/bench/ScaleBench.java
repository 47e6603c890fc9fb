package io.libgossip.bench;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipStats;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.TransportStats;
import io.libgossip.net.TransportType;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code ./gossip bench scale}: N real {@link GossipNode}s in one JVM on 127.0.0.1, sharing one
 * 2-thread event-loop pool. For each N it measures the time until every node sees every other
 * {@code ONLINE}, then an idle window (process CPU, heap after GC, packets and bytes sent per
 * node), then the time until all the others declare a hard-killed node {@code FAILED}.
 *
 * <pre>
 * ScaleBench [--nodes 100,500,1000] [--idle-s 20] [--profile lan|local] [--json]
 *            [--transport hybrid|udp] [--join-rate 200] [--converge-timeout-s 120]
 *            [--fail-timeout-s 120] [--settle-s 40] [--tcp-idle-s 5] [--repeat 1] [--trace]
 * </pre>
 *
 * <p>Formation is the time from the last node's start call until the last node saw (a {@link
 * io.libgossip.core.ClusterEvent.MemberJoined} event) the last other member: every node knows every
 * other. {@code --repeat R} runs each size R times in the same JVM and prints a summary line per
 * size, counting the runs that stormed (did not converge, or idled above {@link #STORM_CPU_PCT}% of
 * a core).
 *
 * <p>The idle window starts {@code --settle-s} after the last node started (and not before
 * convergence): a node makes catch-up push-pull exchanges 4, 8 and 16 probe intervals (plus jitter)
 * after it joins, so an earlier window measures the tail of the join, not an idle cluster.
 */
public final class ScaleBench {
  private static final long POLL_MS = 250;

  /** Idle CPU above this percentage of a core counts as a storm (quiet runs use 3-10%). */
  static final double STORM_CPU_PCT = 50;

  private ScaleBench() {}

  /** Parsed command line. */
  @Command(name = "gossip bench scale", mixinStandardHelpOptions = false)
  static final class Options {
    List<Integer> nodes = List.of(100, 500, 1000);
    int idleSeconds = 20;
    String profile = "lan";

    @Option(names = "--json")
    boolean json;

    TransportType transport = TransportType.HYBRID;
    int joinRate = 200;
    int convergeTimeoutSeconds = 120;
    int failTimeoutSeconds = 120;
    int tcpIdleSeconds = 5;
    int settleSeconds = 40;

    int repeat = 1;

    @Option(names = "--trace")
    boolean trace;

    @Option(names = {"-h", "--help"})
    boolean help;

    @Option(names = "--repeat")
    void repeat(String v) {
      apply(this, "--repeat", v);
    }

    @Option(names = "--nodes")
    void nodes(String v) {
      apply(this, "--nodes", v);
    }

    @Option(names = "--idle-s")
    void idle(String v) {
      apply(this, "--idle-s", v);
    }

    @Option(names = "--profile")
    void profile(String v) {
      apply(this, "--profile", v);
    }

    @Option(names = "--transport")
    void transport(String v) {
      apply(this, "--transport", v);
    }

    @Option(names = "--join-rate")
    void joinRate(String v) {
      apply(this, "--join-rate", v);
    }

    @Option(names = "--converge-timeout-s")
    void convergeTimeout(String v) {
      apply(this, "--converge-timeout-s", v);
    }

    @Option(names = "--fail-timeout-s")
    void failTimeout(String v) {
      apply(this, "--fail-timeout-s", v);
    }

    @Option(names = "--tcp-idle-s")
    void tcpIdle(String v) {
      apply(this, "--tcp-idle-s", v);
    }

    @Option(names = "--settle-s")
    void settle(String v) {
      apply(this, "--settle-s", v);
    }
  }

  /** Entry point; exits with {@link #run}'s status. */
  public static void main(String[] args) {
    int rc = run(args, System.out);
    System.out.flush();
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /**
   * Runs the benchmark.
   *
   * @return 0 on success, 2 on bad arguments (a one-line message naming the flag goes to stderr), 1
   *     on failure (a cluster did not converge, a failure was not detected, or an error)
   */
  public static int run(String[] args, PrintStream out) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("gossip bench scale: " + e.getMessage());
      return 2;
    }
    if (o.help) {
      usage(out);
      return 0;
    }
    quietLogs();
    PrintStream progress = o.json ? System.err : out;
    List<Result> results = new ArrayList<>();
    boolean ok = true;
    try {
      progress.printf(
          "# %d cores, max heap %d MB, transport %s, profile %s, join rate %d nodes/s, idle %d s%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20,
          o.transport.name().toLowerCase(Locale.ROOT),
          o.profile,
          o.joinRate,
          o.idleSeconds);
      for (int n : o.nodes) {
        List<Result> runs = new ArrayList<>();
        for (int k = 0; k < o.repeat; k++) {
          if (o.repeat > 1) {
            progress.printf("# N=%d: run %d of %d, load average %s%n", n, k + 1, o.repeat, load());
          }
          Result r = runOne(n, o, progress);
          results.add(r);
          runs.add(r);
          ok &= r.convergeMs >= 0 && r.failMs >= 0;
          if (o.json) {
            out.println(r.toJson(o));
            out.flush();
          }
        }
        if (o.repeat > 1) {
          String line = summary(runs, o);
          progress.println(line);
          if (!o.json && progress != out) {
            out.println(line);
          }
        }
      }
    } catch (Exception | LinkageError e) {
      System.err.println("gossip bench scale: failed: " + e);
      if (e instanceof NoClassDefFoundError || e instanceof ClassNotFoundException) {
        System.err.println(
            "gossip bench scale: Netty and an SLF4J binding must be on the classpath");
      }
      ok = false;
    }
    if (!o.json && !results.isEmpty()) {
      printTable(results, out);
    }
    return ok ? 0 : 1;
  }

  static void usage(PrintStream out) {
    out.println("Usage: ./gossip bench scale [options]   N real nodes on 127.0.0.1 in one JVM");
    out.println("  --nodes 100,500,1000       cluster sizes, one run each (default 100,500,1000)");
    out.println("  --idle-s 20                idle window after convergence, seconds");
    out.println("  --profile lan|local        protocol profile (default lan)");
    out.println("  --transport hybrid|udp     transport (default hybrid; udp cannot carry the");
    out.println("                             push-pull state of large clusters)");
    out.println("  --join-rate 200            nodes started per second (in batches every 100 ms)");
    out.println("  --converge-timeout-s 120   bound on the wait for convergence");
    out.println("  --fail-timeout-s 120       bound on the wait for a killed node to be FAILED");
    out.println("  --settle-s 40              the idle window starts this long after the last");
    out.println("                             start (after convergence), once the catch-up");
    out.println("                             push-pulls that follow a join are over");
    out.println("  --tcp-idle-s 5             TCP connections idle this long are closed");
    out.println("  --repeat 1                 runs per cluster size, then a summary line per size");
    out.println("                             (how many converged, stormed, min/median/max)");
    out.println("  --trace                    print how long each tenth of the joiners took to");
    out.println("                             reach the other nodes (where formation time goes)");
    out.println(
        "  --json                     one JSON object per N on stdout (progress on stderr)");
  }

  /** Parses the command line (picocli); throws naming the bad flag. */
  static Options parse(String[] args) {
    Options o = new Options();
    CommandLine cl = new CommandLine(o);
    cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
    cl.setOverwrittenOptionsAllowed(true);
    try {
      cl.parseArgs(args);
    } catch (ParameterException e) {
      // A setter's IllegalArgumentException arrives wrapped, with its message; keep ours.
      Throwable cause = e.getCause();
      String m =
          cause instanceof IllegalArgumentException && cause.getMessage() != null
              ? cause.getMessage()
              : e.getMessage();
      throw new IllegalArgumentException(m + " (try --help)", e);
    }
    return o;
  }

  private static void apply(Options o, String flag, String v) {
    switch (flag) {
      case "--nodes" -> {
        List<Integer> list = new ArrayList<>();
        for (String s : v.split(",", -1)) {
          list.add(intIn(flag, s.trim(), 2, 5000));
        }
        o.nodes = List.copyOf(list);
      }
      case "--idle-s" -> o.idleSeconds = intIn(flag, v, 1, 3600);
      case "--profile" -> {
        String p = v.trim().toLowerCase(Locale.ROOT);
        if (!p.equals("lan") && !p.equals("local")) {
          throw new IllegalArgumentException("--profile must be lan or local, got '" + v + "'");
        }
        o.profile = p;
      }
      case "--transport" -> {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("hybrid") && !t.equals("udp")) {
          throw new IllegalArgumentException("--transport must be hybrid or udp, got '" + v + "'");
        }
        o.transport = t.equals("udp") ? TransportType.UDP : TransportType.HYBRID;
      }
      case "--join-rate" -> o.joinRate = intIn(flag, v, 1, 100_000);
      case "--converge-timeout-s" -> o.convergeTimeoutSeconds = intIn(flag, v, 1, 3600);
      case "--fail-timeout-s" -> o.failTimeoutSeconds = intIn(flag, v, 1, 3600);
      case "--tcp-idle-s" -> o.tcpIdleSeconds = intIn(flag, v, 1, 86_400);
      case "--settle-s" -> o.settleSeconds = intIn(flag, v, 0, 3600);
      case "--repeat" -> o.repeat = intIn(flag, v, 1, 1000);
      default -> throw new IllegalStateException(flag);
    }
  }

  private static int intIn(String flag, String v, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects an integer, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(flag + " must be in [" + min + ", " + max + "], got " + n);
    }
    return n;
  }

  /**
   * Library logs at warn when slf4j-simple is the binding; with no binding SLF4J falls back to NOP,
   * and its three-line notice about that is silenced.
   */
  private static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR"); // no "no providers" notice
    }
  }

  // ======================================================================== one cluster size

  /** Measurements for one N; -1 marks "not reached within the bound". */
  static final class Result {
    int n;
    long startMs;
    double joinRate;
    long convergeMs = -1;
    long formationMs = -1;
    double loadAverage = -1;
    int convergedNodes;
    int minOnline;
    long fdBaseline;
    long fdConverged;
    long fdIdleEnd;
    double cpuCorePct;
    double cpuUsPerNodeSec;
    long heapBytes;
    double pktsOutPerNodeSec;
    double bytesOutPerNodeSec;
    double tcpOpenedPerSec;
    long failMs = -1;
    int failSeenBy;
    int threads;

    double fdPerNode() {
      return (double) (fdIdleEnd - fdBaseline) / n;
    }

    double heapPerNode() {
      return (double) heapBytes / n;
    }

    double heapPerMember() {
      return (double) heapBytes / ((double) n * n);
    }

    /**
     * A storm: the cluster did not converge within the bound, or its idle window used more than
     * {@link #STORM_CPU_PCT} percent of a core.
     */
    boolean stormed() {
      return convergeMs < 0 || cpuCorePct > STORM_CPU_PCT;
    }

    String toJson(Options o) {
      return String.format(
          Locale.ROOT,
          "{\"nodes\":%d,\"profile\":\"%s\",\"transport\":\"%s\",\"join_rate_per_s\":%.1f,"
              + "\"start_ms\":%d,\"converge_ms\":%d,\"formation_ms\":%d,\"load_average\":%.2f,"
              + "\"stormed\":%b,\"converged_nodes\":%d,\"min_online\":%d,"
              + "\"fd_baseline\":%d,\"fd_converged\":%d,\"fd_idle_end\":%d,\"fd_per_node\":%.2f,"
              + "\"threads\":%d,\"settle_s\":%d,\"idle_s\":%d,\"idle_cpu_core_pct\":%.2f,"
              + "\"idle_cpu_us_per_node_s\":%.1f,\"heap_bytes\":%d,\"heap_per_node_bytes\":%.0f,"
              + "\"heap_per_member_bytes\":%.1f,\"pkts_out_per_node_s\":%.2f,"
              + "\"bytes_out_per_node_s\":%.1f,\"tcp_opened_per_s\":%.2f,\"fail_detect_ms\":%d,"
              + "\"fail_seen_by\":%d}",
          n,
          o.profile,
          o.transport.name().toLowerCase(Locale.ROOT),
          joinRate,
          startMs,
          convergeMs,
          formationMs,
          loadAverage,
          stormed(),
          convergedNodes,
          minOnline,
          fdBaseline,
          fdConverged,
          fdIdleEnd,
          fdPerNode(),
          threads,
          o.settleSeconds,
          o.idleSeconds,
          cpuCorePct,
          cpuUsPerNodeSec,
          heapBytes,
          heapPerNode(),
          heapPerMember(),
          pktsOutPerNodeSec,
          bytesOutPerNodeSec,
          tcpOpenedPerSec,
          failMs,
          failSeenBy);
    }
  }

  private static Result runOne(int n, Options o, PrintStream progress) throws Exception {
    Result r = new Result();
    r.n = n;
    r.loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    FormationTrace trace = new FormationTrace(n, o.trace);
    GossipConfig config = GossipConfig.profile(o.profile);
    gc();
    long heapBase = heapUsed();
    r.fdBaseline = openFds();
    EventLoopPool group = EventLoopPool.create(2, "scale-" + n);
    List<GossipNode> nodes = new ArrayList<>(n);
    try {
      // ---- start, in batches every 100 ms, joining through node 0
      int batch = Math.max(1, o.joinRate / 10);
      long t0 = System.nanoTime();
      GossipNode seed = start(config, o, group, null, 0, trace);
      nodes.add(seed);
      String seedAddr = seed.address().toString();
      long nextBatch = t0;
      long lastStartCall = t0;
      while (nodes.size() < n) {
        nextBatch += TimeUnit.MILLISECONDS.toNanos(100);
        for (int i = 0; i < batch && nodes.size() < n; i++) {
          nodes.add(start(config, o, group, seedAddr, nodes.size(), trace));
          lastStartCall = System.nanoTime();
        }
        sleepUntil(nextBatch);
      }
      long lastStart = System.nanoTime();
      r.startMs = ms(lastStart - t0);
      r.joinRate = r.startMs == 0 ? n : (n - 1) * 1000.0 / Math.max(1, r.startMs);
      progress.printf(
          "# N=%d: started in %d ms (%.0f nodes/s, batches of %d)%n",
          n, r.startMs, r.joinRate, batch);

      // ---- convergence: every node counts N online members (itself included)
      long deadline = t0 + TimeUnit.SECONDS.toNanos(o.convergeTimeoutSeconds);
      boolean converged =
          waitAll(nodes, s -> s.onlineNodes() == n && s.knownNodes() >= n, deadline);
      if (converged) {
        r.convergeMs = ms(System.nanoTime() - t0);
        long f = trace.formationNanos(lastStartCall, n);
        r.formationMs = f < 0 ? -1 : ms(f);
        r.convergedNodes = n;
        r.minOnline = n;
      } else {
        int min = Integer.MAX_VALUE;
        int done = 0;
        for (GossipNode node : nodes) {
          int on = node.stats().core().onlineNodes();
          min = Math.min(min, on);
          done += on == n ? 1 : 0;
        }
        r.minOnline = min;
        r.convergedNodes = done;
      }
      r.fdConverged = openFds();
      progress.printf(
          "# N=%d: %s; %d fds open (%d before start)%n",
          n,
          converged
              ? "converged in "
                  + r.convergeMs
                  + " ms; the last node saw the last join "
                  + r.formationMs
                  + " ms after the last start"
              : "NOT converged within "
                  + o.convergeTimeoutSeconds
                  + " s: "
                  + r.convergedNodes
                  + " nodes see all, the fewest online seen is "
                  + r.minOnline,
          r.fdConverged,
          r.fdBaseline);
      if (!converged) {
        progress.println("# N=" + n + ": " + diagnosis(nodes));
      }
      if (o.trace) {
        if (converged) {
          progress.println("# N=" + n + ": " + diagnosis(nodes));
        }
        trace.print(progress, t0, lastStartCall);
      }

      // ---- idle window, once the joins' catch-up exchanges are over
      sleepUntil(lastStart + TimeUnit.SECONDS.toNanos(o.settleSeconds));
      long[][] before = snapshot(nodes);
      long cpu0 = processCpuNanos();
      long w0 = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(o.idleSeconds));
      long cpu1 = processCpuNanos();
      long w1 = System.nanoTime();
      long[][] after = snapshot(nodes);
      double secs = (w1 - w0) / 1e9;
      r.cpuCorePct = (cpu1 - cpu0) / 1e9 / secs * 100;
      r.cpuUsPerNodeSec = (cpu1 - cpu0) / 1e3 / secs / n;
      double[] rates = rates(before, after);
      r.pktsOutPerNodeSec = rates[0] / n;
      r.bytesOutPerNodeSec = rates[1] / n;
      r.tcpOpenedPerSec = rates[2];
      r.fdIdleEnd = openFds();
      r.threads = Thread.activeCount();
      gc();
      r.heapBytes = heapUsed() - heapBase;
      progress.printf(
          "# N=%d: idle %.1f s: CPU %.1f%% of a core (%.1f us/node/s), %.2f pkts & %.0f B out"
              + "/node/s, heap %.1f MB (%.0f B/node, %.1f B/member), %d fds%n",
          n,
          secs,
          r.cpuCorePct,
          r.cpuUsPerNodeSec,
          r.pktsOutPerNodeSec,
          r.bytesOutPerNodeSec,
          r.heapBytes / 1048576.0,
          r.heapPerNode(),
          r.heapPerMember(),
          r.fdIdleEnd);

      // ---- hard-kill the last node; wait until every other sees it FAILED
      GossipNode victim = nodes.remove(nodes.size() - 1);
      String victimId = victim.id();
      long k0 = System.nanoTime();
      victim.close();
      victim.closeFuture().get(10, TimeUnit.SECONDS);
      boolean detected =
          waitAll(
              nodes,
              s -> s.failedNodes() >= 1,
              k0 + TimeUnit.SECONDS.toNanos(o.failTimeoutSeconds));
      int seen = 0;
      if (detected) {
        r.failMs = ms(System.nanoTime() - k0);
        seen = nodes.size();
      } else {
        for (GossipNode node : nodes) {
          seen += node.stats().core().failedNodes() >= 1 ? 1 : 0;
        }
      }
      r.failSeenBy = seen;
      progress.printf(
          "# N=%d: %s killed; %s%n",
          n,
          victimId,
          detected
              ? "all " + seen + " others saw it FAILED after " + r.failMs + " ms"
              : "only "
                  + seen
                  + " of "
                  + nodes.size()
                  + " saw it FAILED within "
                  + o.failTimeoutSeconds
                  + " s");
      return r;
    } finally {
      long c0 = System.nanoTime();
      for (GossipNode node : nodes) {
        try {
          node.close();
        } catch (RuntimeException e) {
          System.err.println("# close " + node.id() + ": " + e);
        }
      }
      for (GossipNode node : nodes) {
        try {
          node.closeFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          System.err.println("# close " + node.id() + ": " + e);
        }
      }
      nodes.clear();
      group.close();
      progress.printf(
          "# N=%d: closed in %d ms; %d fds open%n", n, ms(System.nanoTime() - c0), openFds());
    }
  }

  /**
   * What the nodes' own counters say about a cluster that did not converge: how they see each
   * other, their local health, suspicions and refutations, and why packets were dropped.
   */
  static String diagnosis(List<GossipNode> nodes) {
    long online = 0;
    long suspect = 0;
    long failed = 0;
    long unhealthy = 0;
    long health = 0;
    long suspicions = 0;
    long refutations = 0;
    long sent = 0;
    long bytes = 0;
    Map<DropReason, Long> drops = new TreeMap<>();
    for (GossipNode node : nodes) {
      GossipStats s = node.stats().core();
      online += s.onlineNodes();
      suspect += s.suspectNodes();
      failed += s.failedNodes();
      unhealthy += s.localHealth() > 0 ? 1 : 0;
      health += s.localHealth();
      suspicions += s.suspicionsRaised();
      refutations += s.refutations();
      sent += s.messagesSent();
      bytes += s.bytesSent();
      s.drops().forEach((k, v) -> drops.merge(k, v, Long::sum));
    }
    int n = Math.max(1, nodes.size());
    return String.format(
        "diagnosis: per node, sees %.0f online, %.1f suspect, %.1f failed; %d nodes with local"
            + " health > 0 (mean %.2f); %.1f suspicions raised, %.1f refutations, %.0f messages and"
            + " %.0f KB sent since start; drops %s",
        online / (double) n,
        suspect / (double) n,
        failed / (double) n,
        unhealthy,
        health / (double) n,
        suspicions / (double) n,
        refutations / (double) n,
        sent / (double) n,
        bytes / 1024.0 / n,
        drops);
  }

  private static GossipNode start(
      GossipConfig config,
      Options o,
      EventLoopPool group,
      @Nullable String seed,
      int index,
      FormationTrace trace) {
    GossipNode.Builder b =
        GossipNode.builder()
            .id(FormationTrace.id(index))
            .listener(trace.listener(index))
            .bind("127.0.0.1", 0)
            .config(config)
            .transport(o.transport)
            .joinTimeout(Duration.ofSeconds(30))
            // Every node is on 127.0.0.1: lift the per-address bounds, which assume one host per
            // address (maxConnectionsPerPeer, inboundRatePerSource).
            .transportOptions(
                t ->
                    t.idleTimeout(Duration.ofSeconds(o.tcpIdleSeconds))
                        .maxConnectionsPerPeer(65536)
                        .inboundRatePerSource(0));
    if (seed != null) {
      b.seeds(seed);
    }
    GossipNode node = b.eventLoops(group).start();
    trace.started(index, System.nanoTime());
    return node;
  }

  /**
   * Polls every 250 ms until {@code done} holds for every node's core stats in one pass (a pass
   * stops at the first node that fails it and the next one starts there), or the deadline passes.
   */
  static boolean waitAll(List<GossipNode> nodes, Predicate<GossipStats> done, long deadline)
      throws InterruptedException {
    int from = 0;
    while (true) {
      int checked = 0;
      int i = from;
      while (checked < nodes.size() && done.test(nodes.get(i).stats().core())) {
        checked++;
        i = (i + 1) % nodes.size();
      }
      if (checked == nodes.size()) {
        return true;
      }
      from = i;
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(POLL_MS);
    }
  }

  /**
   * Each node's packets out, bytes out and TCP connections opened, and when they were read. A read
   * runs on the node's event loop and waits for it, so reading 1,000 nodes one after another can
   * take seconds when the loops are saturated: each node's counts are paired with its own time.
   */
  static long[][] snapshot(List<GossipNode> nodes) {
    long[][] s = new long[nodes.size()][];
    for (int i = 0; i < s.length; i++) {
      TransportStats ts = nodes.get(i).stats().transport();
      s[i] = new long[] {ts.packetsOut(), ts.bytesOut(), ts.connectionsOpened(), System.nanoTime()};
    }
    return s;
  }

  /**
   * Rates per second between two snapshots of the same nodes, summed over the nodes, each node's
   * over the time between its two reads: packets out, bytes out, TCP connections opened.
   */
  static double[] rates(long[][] before, long[][] after) {
    double[] r = new double[3];
    for (int i = 0; i < before.length; i++) {
      double secs = Math.max(1, after[i][3] - before[i][3]) / 1e9;
      for (int k = 0; k < 3; k++) {
        r[k] += (after[i][k] - before[i][k]) / secs;
      }
    }
    return r;
  }

  // ======================================================================== JVM probes

  private static long processCpuNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  private static long openFds() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getOpenFileDescriptorCount();
    }
    return -1;
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long d = nanoTime - System.nanoTime();
    if (d > 0) {
      TimeUnit.NANOSECONDS.sleep(d);
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  // ======================================================================== output

  /** The system load average over the last minute, as text ("n/a" when the JVM cannot tell). */
  static String load() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", l);
  }

  /**
   * One line over the repeated runs of one cluster size: how many converged and how many stormed
   * (see {@link Result#stormed}), then min / median / max of convergence, formation after the last
   * start, idle CPU and packets out, and the load averages at the runs' starts.
   */
  static String summary(List<Result> runs, Options o) {
    int n = runs.get(0).n;
    int converged = 0;
    int stormed = 0;
    List<Double> conv = new ArrayList<>();
    List<Double> form = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    List<Double> pkts = new ArrayList<>();
    List<Double> load = new ArrayList<>();
    for (Result r : runs) {
      if (r.convergeMs >= 0) {
        converged++;
        conv.add(r.convergeMs / 1000.0);
      }
      if (r.formationMs >= 0) {
        form.add(r.formationMs / 1000.0);
      }
      stormed += r.stormed() ? 1 : 0;
      cpu.add(r.cpuCorePct);
      pkts.add(r.pktsOutPerNodeSec);
      load.add(r.loadAverage);
    }
    return String.format(
        Locale.ROOT,
        "# SUMMARY N=%d: %d runs, converged %d of %d within %d s, stormed %d of %d; converge %s s;"
            + " formation after last start %s s; idle CPU %s %% of a core; pkts out/node/s %s;"
            + " load average %s",
        n,
        runs.size(),
        converged,
        runs.size(),
        o.convergeTimeoutSeconds,
        stormed,
        runs.size(),
        spread(conv, "%.1f"),
        spread(form, "%.2f"),
        spread(cpu, "%.1f"),
        spread(pkts, "%.2f"),
        spread(load, "%.2f"));
  }

  /** "min / median / max" of {@code values} in {@code fmt}, or "-" when empty. */
  static String spread(List<Double> values, String fmt) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    return String.format(Locale.ROOT, fmt, v.get(0))
        + " / "
        + String.format(Locale.ROOT, fmt, v.get((v.size() - 1) / 2))
        + " / "
        + String.format(Locale.ROOT, fmt, v.get(v.size() - 1));
  }

  static void printTable(List<Result> results, PrintStream out) {
    out.println();
    out.printf(
        "%6s %9s %10s %10s %8s %8s %9s %10s %11s %9s %10s %10s %9s%n",
        "nodes",
        "join/s",
        "converge",
        "formation",
        "fds",
        "fd/node",
        "idle CPU",
        "CPU us/",
        "heap/node",
        "heap/",
        "pkts out/",
        "B out/",
        "fail");
    out.printf(
        "%6s %9s %10s %10s %8s %8s %9s %10s %11s %9s %10s %10s %9s%n",
        "",
        "",
        "",
        "after last",
        "(idle)",
        "",
        "% core",
        "node/s",
        "",
        "member",
        "node/s",
        "node/s",
        "detect");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%6d %9.0f %10s %10s %8d %8.2f %8.1f%% %10.1f %10.1fK %8.1fB %10.2f %10.0f %9s%n",
          r.n,
          r.joinRate,
          r.convergeMs >= 0 ? secs(r.convergeMs) : ">" + "timeout",
          r.formationMs >= 0 ? String.format(Locale.ROOT, "%.2f s", r.formationMs / 1000.0) : "-",
          r.fdIdleEnd,
          r.fdPerNode(),
          r.cpuCorePct,
          r.cpuUsPerNodeSec,
          r.heapPerNode() / 1024,
          r.heapPerMember(),
          r.pktsOutPerNodeSec,
          r.bytesOutPerNodeSec,
          r.failMs >= 0 ? secs(r.failMs) : "timeout");
    }
  }

  private static String secs(long ms) {
    return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
