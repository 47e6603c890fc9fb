package io.libgossip.sim;

import io.libgossip.sim.cli.CommandLines;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code gossip sim} command: runs a {@link Scenario} and prints its report, as a table or
 * (with {@code --json}) as one JSON object on the last line of standard output. Exit status 0 on
 * success, 2 for bad arguments, 1 for an internal error.
 */
public final class SimMain {
  /** Heap per node per known member, roughly, at thousands of nodes (member, table, queue). */
  static final long BYTES_PER_MEMBER_ENTRY = 120;

  private SimMain() {}

  /**
   * The command line. Each option's setter applies its value to {@link #scenario} and names the
   * option and the value when the scenario rejects it; {@link #call} checks the options together
   * and runs the simulation. To add an option: one annotated setter here.
   */
  @Command(
      name = "gossip sim",
      mixinStandardHelpOptions = true,
      versionProvider = CommandLines.VersionProvider.class,
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "./gossip sim [OPTIONS]",
      description = {
        "",
        "Runs a deterministic simulation of a libgossip cluster in virtual time and reports",
        "convergence, dissemination, failure detection, false positives and traffic.",
        ""
      },
      footer = {"", "Metric definitions: docs/simulator.md", CommandLines.EXIT_CODES})
  static final class Options implements Callable<Integer> {
    final Scenario scenario = new Scenario();
    private final PrintStream out;
    private final PrintStream err;
    @Spec @Nullable CommandSpec spec;

    @Option(
        names = "--json",
        order = 170,
        description = "print one JSON object as the last line of stdout")
    boolean json;

    @Option(names = "--quiet", order = 180, description = "no progress line on stderr")
    boolean quiet;

    Options(PrintStream out, PrintStream err) {
      this.out = out;
      this.err = err;
    }

    @Option(
        names = "--nodes",
        order = 10,
        paramLabel = "N",
        description = "number of nodes, 2..1000000 (default 100)")
    void nodes(String v) {
      set("--nodes", v, () -> scenario.nodes(integer(v)));
    }

    @Option(
        names = "--duration",
        order = 20,
        paramLabel = "SECONDS",
        description = "simulated seconds in total, joins included (default 60)")
    void duration(String v) {
      set("--duration", v, () -> scenario.durationSeconds(decimal(v)));
    }

    @Option(
        names = "--loss",
        order = 30,
        paramLabel = "P",
        description = "best-effort packet loss probability in [0,1) (default 0)")
    void loss(String v) {
      set("--loss", v, () -> scenario.loss(decimal(v)));
    }

    @Option(
        names = "--latency-ms",
        order = 40,
        paramLabel = "MS",
        description = "one-way link latency (default 1)")
    void latencyMs(String v) {
      set("--latency-ms", v, () -> scenario.latencyMs(decimal(v)));
    }

    @Option(
        names = "--timing",
        order = 52,
        description =
            "clock offsets and Vivaldi coordinates on probes (wire version 5); the report gains"
                + " their estimation errors")
    void timing(boolean v) {
      scenario.timing(v);
    }

    @Option(
        names = "--clock-skew-ms",
        order = 53,
        paramLabel = "MS",
        description = "each node's wall clock off by a uniform draw in [-MS,MS] (default 0)")
    void clockSkewMs(String v) {
      set("--clock-skew-ms", v, () -> scenario.clockSkewMs(decimal(v)));
    }

    @Option(
        names = "--latency-spread-ms",
        order = 54,
        paramLabel = "MS",
        description =
            "nodes at random points of a square of side MS: one-way latency is --latency-ms plus"
                + " the distance (default 0: every link alike)")
    void latencySpreadMs(String v) {
      set("--latency-spread-ms", v, () -> scenario.latencySpreadMs(decimal(v)));
    }

    @Option(
        names = "--jitter-ms",
        order = 50,
        paramLabel = "MS",
        description = "extra uniform latency in [0,MS] per packet (default 0.5)")
    void jitterMs(String v) {
      set("--jitter-ms", v, () -> scenario.jitterMs(decimal(v)));
    }

    @Option(
        names = "--fail",
        order = 60,
        paramLabel = "K",
        description = "nodes to crash after convergence (default 1)")
    void fail(String v) {
      set("--fail", v, () -> scenario.fail(integer(v)));
    }

    @Option(
        names = "--restart-after-s",
        order = 70,
        paramLabel = "S",
        description = "restart each crashed node S seconds later; 0 = never (default 0)")
    void restartAfter(String v) {
      set("--restart-after-s", v, () -> scenario.restartAfterSeconds(decimal(v)));
    }

    @Option(
        names = "--pause",
        order = 80,
        paramLabel = "K",
        description = "nodes to pause after convergence (default 0)")
    void pause(String v) {
      set("--pause", v, () -> scenario.pause(integer(v)));
    }

    @Option(
        names = "--pause-ms",
        order = 90,
        paramLabel = "MS",
        description = "length of each pause (default 8000)")
    void pauseMs(String v) {
      set("--pause-ms", v, () -> scenario.pauseMs(decimal(v)));
    }

    @Option(
        names = "--partition",
        order = 100,
        description = "split the cluster 50/50 (two-way) 5 s after convergence")
    void partition(boolean v) {
      scenario.partition(v);
    }

    @Option(
        names = "--partition-s",
        order = 110,
        paramLabel = "S",
        description = "how long the partition lasts (default 60)")
    void partitionSeconds(String v) {
      set("--partition-s", v, () -> scenario.partitionSeconds(decimal(v)));
    }

    @Option(
        names = "--partitions",
        order = 115,
        paramLabel = "D@S,...",
        description =
            "several partitions instead: each D seconds long from S seconds after convergence,"
                + " new random halves each (e.g. 60@30,600@200)")
    void partitions(String v) {
      set("--partitions", v, () -> scenario.partitions(PartitionWindow.parseList(v)));
    }

    @Option(
        names = "--updates",
        order = 120,
        paramLabel = "U",
        description = "metadata updates after convergence (default 10)")
    void updates(String v) {
      set("--updates", v, () -> scenario.updates(integer(v)));
    }

    @Option(
        names = "--update-interval-ms",
        order = 130,
        paramLabel = "MS",
        description = "time between metadata updates (default 3000)")
    void updateIntervalMs(String v) {
      set("--update-interval-ms", v, () -> scenario.updateIntervalMs(decimal(v)));
    }

    @Option(
        names = "--join-rate",
        order = 140,
        paramLabel = "R",
        description =
            "nodes started per second (default: all within 1 s up to 1000 nodes, 100/s beyond)")
    void joinRate(String v) {
      set("--join-rate", v, () -> scenario.joinRate(decimal(v)));
    }

    @Option(
        names = "--seed",
        order = 150,
        paramLabel = "S",
        description = "root seed; same seed, same run (default 1)")
    void seed(String v) {
      set("--seed", v, () -> scenario.seed(longValue(v)));
    }

    @Option(
        names = "--profile",
        order = 160,
        paramLabel = "P",
        description = "protocol profile: lan, wan or local (default lan)")
    void profile(String v) {
      set("--profile", v, () -> scenario.profile(v.toLowerCase(Locale.ROOT)));
    }

    @Option(
        names = "--overload",
        order = 160,
        paramLabel = "O",
        description =
            "overload control (decision 052): default, all (adds deferring accusations"
                + " when saturated), none, no-lanes, no-accusers, no-budget or no-capacity"
                + " (default: default)")
    void overload(String v) {
      set("--overload", v, () -> scenario.overload(v.toLowerCase(Locale.ROOT)));
    }

    @Option(
        names = "--confirmation-checks",
        order = 161,
        paramLabel = "K",
        description =
            "extra relays of widened probes and confirmation re-probes under loss (decisions 051,"
                + " 058), 0..16; 0: no confirmation (default: the profile's, 3)")
    void confirmationChecks(String v) {
      set(
          "--confirmation-checks",
          v,
          () -> scenario.confirmationChecks(Integer.parseInt(v.trim())));
    }

    @Option(
        names = "--user-rate",
        order = 161,
        paramLabel = "R",
        description = "user broadcasts per second, cluster-wide, after convergence (default 0)")
    void userRate(String v) {
      set("--user-rate", v, () -> scenario.userRate(decimal(v)));
    }

    @Option(
        names = "--user-payload-bytes",
        order = 162,
        paramLabel = "B",
        description = "payload size of each user broadcast, 8..16777216 (default 64)")
    void userPayloadBytes(String v) {
      set("--user-payload-bytes", v, () -> scenario.userPayloadBytes(integer(v)));
    }

    @Option(
        names = "--user-keyed",
        order = 163,
        paramLabel = "F",
        description = "fraction of user broadcasts with a key (newer supersedes older) (default 0)")
    void userKeyed(String v) {
      set("--user-keyed", v, () -> scenario.userKeyedFraction(decimal(v)));
    }

    @Option(
        names = "--user-window-s",
        order = 164,
        paramLabel = "S",
        description =
            "user broadcasts stop S seconds before the end, to finish spreading (default 10)")
    void userWindow(String v) {
      set("--user-window-s", v, () -> scenario.userWindowSeconds(decimal(v)));
    }

    @Option(
        names = "--user-start-s",
        order = 164,
        paramLabel = "S",
        description = "user broadcasts and queries start S seconds after convergence (default 1)")
    void userStart(String v) {
      set("--user-start-s", v, () -> scenario.userStartSeconds(decimal(v)));
    }

    @Option(
        names = "--churn",
        order = 165,
        paramLabel = "F",
        description =
            "churn storm: fraction of nodes that crash and restart per minute, e.g. 0.05 (default 0)")
    void churn(String v) {
      set("--churn", v, () -> scenario.churnPerMinute(decimal(v)));
    }

    @Option(
        names = "--churn-downtime-s",
        order = 166,
        paramLabel = "S",
        description = "how long each churned node stays down (default 30)")
    void churnDowntime(String v) {
      set("--churn-downtime-s", v, () -> scenario.churnDowntimeSeconds(decimal(v)));
    }

    @Option(
        names = "--queries",
        order = 167,
        paramLabel = "Q",
        description = "queries to all nodes after convergence, from random nodes (default 0)")
    void queries(String v) {
      set("--queries", v, () -> scenario.queries(integer(v)));
    }

    @Option(
        names = "--query-interval-ms",
        order = 168,
        paramLabel = "MS",
        description = "time between queries (default 2000)")
    void queryInterval(String v) {
      set("--query-interval-ms", v, () -> scenario.queryIntervalMs(decimal(v)));
    }

    @Option(
        names = "--query-answer-bytes",
        order = 169,
        paramLabel = "B",
        description = "size of every node's answer to a query; -1: no answer (default 64)")
    void queryAnswerBytes(String v) {
      set("--query-answer-bytes", v, () -> scenario.queryAnswerBytes(integer(v)));
    }

    @Option(
        names = "--query-timeout-ms",
        order = 169,
        paramLabel = "MS",
        description = "timeout of each query; 0: the core's default (default 0)")
    void queryTimeout(String v) {
      set("--query-timeout-ms", v, () -> scenario.queryTimeoutMs(decimal(v)));
    }

    @Option(
        names = "--lifeguard",
        order = 171,
        paramLabel = "PARTS",
        description =
            "Lifeguard parts every node runs: full, none (plain SWIM), no-lhm, no-dynamic,"
                + " no-buddy or no-nack (default: full)")
    void lifeguard(String v) {
      set("--lifeguard", v, () -> scenario.lifeguard(v.toLowerCase(Locale.ROOT)));
    }

    @Option(
        names = "--slow",
        order = 172,
        paramLabel = "F",
        description =
            "fraction of nodes that are slow after convergence, e.g. 0.01: each drops most UDP"
                + " packets that reach it (default 0)")
    void slow(String v) {
      set("--slow", v, () -> scenario.slowFraction(decimal(v)));
    }

    @Option(
        names = "--slow-loss",
        order = 173,
        paramLabel = "P",
        description = "inbound loss of each slow node, in (0,1] (default 0.8)")
    void slowLoss(String v) {
      set("--slow-loss", v, () -> scenario.slowLoss(decimal(v)));
    }

    @Option(
        names = "--measure-heap",
        order = 174,
        description =
            "report the live heap after a full GC at the end (heap_* keys; not in trace_hash)")
    void measureHeap(boolean v) {
      scenario.measureHeap(v);
    }

    /** Applies {@code v} through {@code apply}; a rejected value is a usage error naming both. */
    private void set(String flag, String v, Runnable apply) {
      try {
        apply.run();
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(spec, flag + " '" + v + "': " + e.getMessage());
      }
    }

    /** Checks the options together (e.g. more faults than nodes); a usage error if they clash. */
    void validate() {
      try {
        scenario.validate();
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(spec, String.valueOf(e.getMessage()));
      }
    }

    @Override
    public Integer call() {
      validate();
      return simulate(this, out, err);
    }
  }

  /** Runs the command and exits with its status. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandLines.commandLine(new Options(out, err), out, err).execute(args);
  }

  /** Parses and checks the arguments; a bad one throws picocli's ParameterException. */
  static Options parse(String[] args) {
    Options o = new Options(System.out, System.err);
    CommandLines.commandLine(o, System.out, System.err).parseArgs(args);
    o.validate();
    return o;
  }

  private static int simulate(Options o, PrintStream out, PrintStream err) {
    Scenario s = o.scenario;
    if (!s.partitionWindows().isEmpty()) {
      double last = s.partitionWindows().get(s.partitionWindows().size() - 1).endS();
      if (s.durationSeconds() < last + 15) {
        err.println(
            "gossip sim: warning: --duration "
                + Json.number(s.durationSeconds())
                + " leaves little or no time after the last partition heals");
      }
    } else if (s.partition() && s.durationSeconds() < s.partitionSeconds() + 15) {
      err.println(
          "gossip sim: warning: --duration "
              + Json.number(s.durationSeconds())
              + " leaves little or no time after the partition heals");
    }
    Progress p = o.json || o.quiet ? null : new Progress(err, s.durationSeconds());
    SimReport r;
    try {
      r = s.run(p);
    } catch (OutOfMemoryError e) {
      if (p != null) {
        p.clear();
      }
      long need = (long) s.nodes() * s.nodes() * BYTES_PER_MEMBER_ENTRY;
      err.println(
          "gossip sim: out of memory (max heap "
              + Runtime.getRuntime().maxMemory() / (1 << 20)
              + " MB): "
              + s.nodes()
              + " nodes need roughly "
              + Math.max(1, need >> 20)
              + " MB (every node keeps a table of every node); raise the heap with"
              + " JAVA_OPTS=-Xmx<size>");
      return 1;
    } catch (RuntimeException e) {
      if (p != null) {
        p.clear();
      }
      err.println("gossip sim: internal error: " + e);
      e.printStackTrace(err);
      return 1;
    }
    if (p != null) {
      p.clear();
    }
    if (o.json) {
      out.println(r.toJson());
    } else {
      out.println("gossip sim results");
      out.print(r.toTable());
    }
    return 0;
  }

  private static int integer(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number", e);
    }
  }

  private static long longValue(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number", e);
    }
  }

  private static double decimal(String v) {
    double d;
    try {
      d = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number", e);
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("not a finite number");
    }
    return d;
  }

  /** Prints "simulated time / total (percent)" on stderr at most once a second after 2 s. */
  private static final class Progress implements LongConsumer {
    private final PrintStream err;
    private final double totalS;
    private final long startWall = System.nanoTime();

    // Console.isTerminal() is JDK 22+; on 22+ a console exists even when redirected.
    @SuppressWarnings("SystemConsoleNull")
    private final boolean tty = System.console() != null;

    private long lastPrint;
    private boolean printed;

    Progress(PrintStream err, double totalS) {
      this.err = err;
      this.totalS = totalS;
    }

    @Override
    public void accept(long simNanos) {
      long t = System.nanoTime();
      if (t - startWall < 2_000_000_000L || t - lastPrint < 1_000_000_000L) {
        return;
      }
      lastPrint = t;
      double s = simNanos / 1e9;
      String line =
          String.format(
              Locale.ROOT,
              "sim: %.1f s / %s s simulated (%.0f%%), %.0f s wall",
              s,
              Json.number(totalS),
              100 * s / totalS,
              (t - startWall) / 1e9);
      if (tty) {
        err.print("\r" + line);
      } else {
        err.println(line);
      }
      err.flush();
      printed = true;
    }

    void clear() {
      if (printed && tty) {
        err.print("\r\033[K");
        err.flush();
      }
    }
  }
}
