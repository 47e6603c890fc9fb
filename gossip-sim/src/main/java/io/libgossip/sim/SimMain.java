package io.libgossip.sim;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@code gossip sim} command: runs a {@link Scenario} and prints its report, as a table or
 * (with {@code --json}) as one JSON object on the last line of standard output. Exit status 0 on
 * success, 2 for bad arguments, 1 for an internal error.
 */
public final class SimMain {
  static final String USAGE =
      String.join(
          "\n",
          "usage: gossip sim [options]",
          "",
          "Runs a deterministic simulation of a libgossip cluster in virtual time and reports",
          "convergence, dissemination, failure detection, false positives and traffic.",
          "",
          "  --nodes N               number of nodes, 2..1000000 (default 100)",
          "  --duration SECONDS      simulated seconds in total, joins included (default 60)",
          "  --loss P                best-effort packet loss probability in [0,1) (default 0)",
          "  --latency-ms MS         one-way link latency (default 1)",
          "  --jitter-ms MS          extra uniform latency in [0,MS] per packet (default 0.5)",
          "  --fail K                nodes to crash after convergence (default 1)",
          "  --restart-after-s S     restart each crashed node S seconds later; 0 = never (default 0)",
          "  --pause K               nodes to pause after convergence (default 0)",
          "  --pause-ms MS           length of each pause (default 8000)",
          "  --partition             split the cluster 50/50 (two-way) 5 s after convergence",
          "  --partition-s S         how long the partition lasts (default 60)",
          "  --partitions D@S,...    several partitions instead: each D seconds long from S",
          "                          seconds after convergence, new random halves each",
          "  --updates U             metadata updates after convergence (default 10)",
          "  --update-interval-ms MS time between metadata updates (default 3000)",
          "  --join-rate R           nodes started per second (default: all within 1 s up to",
          "                          1000 nodes, 100/s beyond)",
          "  --seed S                root seed; same seed, same run (default 1)",
          "  --profile P             protocol profile: lan, wan or local (default lan)",
          "  --json                  print one JSON object as the last line of stdout",
          "  --quiet                 no progress line on stderr",
          "  --help                  print this help",
          "",
          "Metric definitions: docs/simulator.md");

  /** Heap per node per known member, roughly, at thousands of nodes (member, table, queue). */
  static final long BYTES_PER_MEMBER_ENTRY = 120;

  private SimMain() {}

  /** Bad command-line arguments; the message is one line naming the flag and the value. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(@Nullable String message) {
      super(message);
    }
  }

  /** Parsed command line. */
  static final class Options {
    final Scenario scenario = new Scenario();
    boolean json;
    boolean quiet;
    boolean help;
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
    Options o;
    try {
      o = parse(args);
    } catch (UsageException e) {
      err.println("gossip sim: " + e.getMessage());
      err.println("usage: gossip sim [--nodes N] [--duration S] [--loss P] ... (see --help)");
      return 2;
    }
    if (o.help) {
      out.println(USAGE);
      return 0;
    }
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

  /** Parses the arguments into options; validates every value. */
  static Options parse(String[] args) throws UsageException {
    Options o = new Options();
    Scenario s = o.scenario;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (flag) {
        case "--help":
        case "-h":
          o.help = true;
          continue;
        case "--json":
          o.json = noValue(flag, value);
          continue;
        case "--quiet":
          o.quiet = noValue(flag, value);
          continue;
        case "--partition":
          s.partition(noValue(flag, value));
          continue;
        default:
          break;
      }
      if (!isValueFlag(flag)) {
        throw new UsageException("unknown option '" + arg + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(flag + " needs a value");
        }
        value = args[++i];
      }
      try {
        apply(s, flag, value);
      } catch (IllegalArgumentException e) {
        throw new UsageException(flag + " '" + value + "': " + e.getMessage());
      }
    }
    try {
      s.validate();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return o;
  }

  private static boolean noValue(String flag, @Nullable String value) throws UsageException {
    if (value != null) {
      throw new UsageException(flag + " takes no value, got '" + value + "'");
    }
    return true;
  }

  private static boolean isValueFlag(String flag) {
    switch (flag) {
      case "--nodes":
      case "--duration":
      case "--loss":
      case "--latency-ms":
      case "--jitter-ms":
      case "--fail":
      case "--restart-after-s":
      case "--pause":
      case "--pause-ms":
      case "--partition-s":
      case "--partitions":
      case "--updates":
      case "--update-interval-ms":
      case "--join-rate":
      case "--seed":
      case "--profile":
        return true;
      default:
        return false;
    }
  }

  private static void apply(Scenario s, String flag, String v) {
    switch (flag) {
      case "--nodes":
        s.nodes(integer(v));
        break;
      case "--duration":
        s.durationSeconds(decimal(v));
        break;
      case "--loss":
        s.loss(decimal(v));
        break;
      case "--latency-ms":
        s.latencyMs(decimal(v));
        break;
      case "--jitter-ms":
        s.jitterMs(decimal(v));
        break;
      case "--fail":
        s.fail(integer(v));
        break;
      case "--restart-after-s":
        s.restartAfterSeconds(decimal(v));
        break;
      case "--pause":
        s.pause(integer(v));
        break;
      case "--pause-ms":
        s.pauseMs(decimal(v));
        break;
      case "--partition-s":
        s.partitionSeconds(decimal(v));
        break;
      case "--partitions":
        s.partitions(PartitionWindow.parseList(v));
        break;
      case "--updates":
        s.updates(integer(v));
        break;
      case "--update-interval-ms":
        s.updateIntervalMs(decimal(v));
        break;
      case "--join-rate":
        s.joinRate(decimal(v));
        break;
      case "--seed":
        s.seed(longValue(v));
        break;
      case "--profile":
        s.profile(v.toLowerCase(Locale.ROOT));
        break;
      default:
        throw new IllegalArgumentException("unknown option");
    }
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
