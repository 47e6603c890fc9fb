package io.libgossip.bench;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.Lifeguard;
import io.libgossip.core.MessageSerializer;
import io.libgossip.sim.cli.CommandLines;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ./gossip bench}: with no arguments, a short run of everything (a few JMH benchmarks, a
 * 100-node real-cluster scale run, the N = 100 simulator sweep) and one summary table; {@code jmh
 * [JMH args...]} runs the JMH benchmarks (default: all, with short settings); {@code sweep} runs
 * the simulator sweep ({@link SimSweep}); {@code scale} runs real clusters ({@code ScaleBench});
 * {@code sizes} prints the bytes on the wire of each benchmark message.
 */
@Command(
    name = "gossip bench",
    mixinStandardHelpOptions = true,
    versionProvider = CommandLines.VersionProvider.class,
    usageHelpWidth = 100,
    customSynopsis = "./gossip bench [COMMAND [ARGS...]]",
    description = {
      "",
      "Runs the benchmarks of libgossip; without a command, a short run of jmh, scale and sweep",
      "(< 5 min) and a summary table.",
      ""
    },
    commandListHeading = "%nCommands:%n",
    subcommands = {
      BenchMain.All.class,
      BenchMain.Jmh.class,
      BenchMain.Sweep.class,
      BenchMain.Scale.class,
      BenchMain.Sizes.class,
      BenchMain.Footprint.class,
      BenchMain.AgentHttp.class,
      BenchMain.LifeguardAblation.class,
      HelpCommand.class
    },
    footer = {"", CommandLines.EXIT_CODES})
public final class BenchMain implements Callable<Integer> {
  /** JMH settings used when {@code jmh} is given no arguments: 1 fork, 2×1 s warm-up, 3×1 s. */
  static final List<String> DEFAULT_JMH_ARGS =
      List.of("-f", "1", "-wi", "2", "-w", "1s", "-i", "3", "-r", "1s");

  private final PrintStream out;

  private BenchMain(PrintStream out) {
    this.out = out;
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /** Runs the command line, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = CommandLines.commandLine(new BenchMain(out), out, err);
    // Everything after jmh or scale is theirs, options included (jmh -h is JMH's help).
    for (String passThrough : List.of("jmh", "scale", "footprint", "agent-http")) {
      Objects.requireNonNull(cl.getSubcommands().get(passThrough), passThrough)
          .setUnmatchedOptionsArePositionalParams(true);
    }
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    return runAll(out);
  }

  /** {@code all}: the same as no command. */
  @Command(name = "all", description = "short run of jmh, scale and sweep (< 5 min)")
  static final class All implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Override
    public Integer call() {
      return runAll(Objects.requireNonNull(parent, "parent").out);
    }
  }

  /** {@code jmh [JMH args...]}. */
  @Command(
      name = "jmh",
      description =
          "JMH micro-benchmarks (default: -f 1 -wi 2 -w 1s -i 3 -r 1s; try: jmh -h, jmh -l,"
              + " jmh SerializerBenchmark -prof gc)")
  static final class Jmh implements Callable<Integer> {
    @Parameters(paramLabel = "JMH-ARGS", description = "passed to JMH as they are")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      org.openjdk.jmh.Main.main((args.isEmpty() ? DEFAULT_JMH_ARGS : args).toArray(new String[0]));
      return 0;
    }
  }

  /** {@code sweep}: the simulator sweep ({@link SimSweep}). */
  @Command(
      name = "sweep",
      mixinStandardHelpOptions = true,
      versionProvider = CommandLines.VersionProvider.class,
      usageHelpWidth = 100,
      customSynopsis = "./gossip bench sweep [--big] [--quick] [--out DIR] [--no-charts]",
      description = {
        "simulator sweep N x loss vs SWIM's expectations, writes docs/bench/",
        "(N in {100, 1000} x loss in {0, 0.05, 0.20}, LAN profile, seed 1)"
      },
      footer = {"", CommandLines.EXIT_CODES})
  static final class Sweep implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Option(
        names = "--big",
        description = "add N = 10000 (about 1 h 40 min on 2 cores; needs a 20 GB heap)")
    boolean big;

    @Option(names = "--quick", description = "N = 100 only; writes files only with --out")
    boolean quick;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "output directory (default: docs/bench of the repository)")
    @Nullable Path dir;

    @Option(names = "--no-charts", description = "write no charts (*.png)")
    boolean noCharts;

    @Override
    public Integer call() {
      return SimSweep.run(big, quick, dir, !noCharts, Objects.requireNonNull(parent, "parent").out);
    }
  }

  /** {@code scale [args...]}: the real-cluster scale run, with ScaleBench's own options. */
  @Command(
      name = "scale",
      description = "real-cluster scale run over loopback (ScaleBench; see: scale --help)")
  static final class Scale implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Parameters(paramLabel = "ARGS", description = "ScaleBench's options")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return runScale(args.toArray(new String[0]), Objects.requireNonNull(parent, "parent").out);
    }
  }

  /** {@code footprint [args...]}: agents beside Serf agents ({@link FootprintBench}). */
  @Command(
      name = "footprint",
      description = "RSS, PSS, idle CPU, start-to-joined of 10 agents beside 10 serf agents")
  static final class Footprint implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Parameters(paramLabel = "ARGS", description = "FootprintBench's options (footprint --help)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return FootprintBench.run(
          args.toArray(new String[0]), Objects.requireNonNull(parent, "parent").out);
    }
  }

  /** {@code agent-http [args...]}: wrk against the agent's API ({@link AgentHttpBench}). */
  @Command(
      name = "agent-http",
      description = "wrk against the agent's GET /v1/members at 100 members")
  static final class AgentHttp implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Parameters(paramLabel = "ARGS", description = "AgentHttpBench's options (agent-http --help)")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
      return AgentHttpBench.run(
          args.toArray(new String[0]), Objects.requireNonNull(parent, "parent").out);
    }
  }

  /**
   * {@code lifeguard}: the Lifeguard ablation in the slow-node scenario ({@link LifeguardBench}).
   */
  @Command(
      name = "lifeguard",
      mixinStandardHelpOptions = true,
      versionProvider = CommandLines.VersionProvider.class,
      usageHelpWidth = 100,
      description = {
        "Lifeguard ablation (decision 050): SWIM, full Lifeguard without each part, and full",
        "Lifeguard, in the simulator with slow nodes (they drop most UDP packets that reach",
        "them); false positives, suspicions, crash detection and traffic over several seeds.",
        "Default: N = 100 and 1000, 3 seeds, 120 s, 1%% slow at 80%%: 15 to 60 min on 2 cores."
      },
      footer = {"", CommandLines.EXIT_CODES})
  static final class LifeguardAblation implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;
    @Spec @Nullable CommandSpec spec;

    @Option(
        names = "--nodes",
        split = ",",
        paramLabel = "N",
        description = "cluster sizes (default: 100,1000)")
    List<Integer> sizes = new ArrayList<>(List.of(100, 1000));

    @Option(names = "--seeds", paramLabel = "K", description = "seeds 1..K per cell (default 3)")
    int seeds = 3;

    @Option(
        names = "--duration",
        paramLabel = "S",
        description = "simulated seconds per run (default 120)")
    double durationS = 120;

    @Option(
        names = "--slow",
        paramLabel = "F",
        description = "fraction of slow nodes (default 0.01)")
    double slow = 0.01;

    @Option(
        names = "--slow-loss",
        paramLabel = "P",
        description = "inbound loss of each slow node (default 0.8)")
    double slowLoss = 0.8;

    @Option(names = "--loss", paramLabel = "P", description = "network loss (default 0)")
    double loss;

    @Option(names = "--fail", paramLabel = "K", description = "crashes per run (default 2)")
    int fail = 2;

    @Option(
        names = "--variants",
        split = ",",
        paramLabel = "V",
        description =
            "Lifeguard selections (default: none,no-lhm,no-dynamic,no-buddy,no-nack,full)")
    List<String> variants = new ArrayList<>(LifeguardBench.VARIANTS);

    @Override
    public Integer call() {
      for (String v : variants) {
        try {
          Lifeguard.named(v);
        } catch (IllegalArgumentException e) {
          throw CommandLines.usage(spec, "--variants: " + e.getMessage());
        }
      }
      if (seeds < 1 || sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 2)) {
        throw CommandLines.usage(spec, "--seeds must be >= 1 and every --nodes >= 2");
      }
      return LifeguardBench.run(
          new LifeguardBench.Options(
              List.copyOf(sizes),
              seeds,
              durationS,
              slow,
              slowLoss,
              loss,
              fail,
              List.copyOf(variants)),
          Objects.requireNonNull(parent, "parent").out);
    }
  }

  /** {@code sizes}. */
  @Command(name = "sizes", description = "bytes on the wire per benchmark message, binary vs JSON")
  static final class Sizes implements Callable<Integer> {
    @ParentCommand @Nullable BenchMain parent;

    @Override
    public Integer call() {
      printSizes(Objects.requireNonNull(parent, "parent").out);
      return 0;
    }
  }

  /**
   * {@code ./gossip bench scale}: delegates to {@code ScaleBench.run(args, out)}, looked up by
   * reflection so that this class builds and runs whether or not that class is present.
   */
  static int runScale(String[] args, PrintStream out) {
    Method run;
    try {
      run =
          Class.forName("io.libgossip.bench.ScaleBench")
              .getMethod("run", String[].class, PrintStream.class);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      out.println("scale: not available");
      return 1;
    }
    try {
      Object r = run.invoke(null, (Object) args, out);
      return r instanceof Integer ? (Integer) r : 0;
    } catch (IllegalAccessException e) {
      out.println("scale: not available (" + e + ")");
      return 1;
    } catch (InvocationTargetException e) {
      Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
      out.println("scale: failed: " + cause);
      cause.printStackTrace(out);
      return 1;
    }
  }

  /** The short JMH selection of {@code ./gossip bench} with no arguments: ping8 encode/decode. */
  static Options shortSerializerOptions() {
    return new OptionsBuilder()
        .include("SerializerBenchmark\\.(encode|decode)$")
        .param("format", "binary", "json")
        .param("message", "ping8")
        .forks(1)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true)
        .build();
  }

  /** The core's handleMessage at 1,000 members; it needs a longer warm-up (docs/benchmarks.md). */
  static Options shortCoreOptions() {
    return new OptionsBuilder()
        .include("CoreBenchmark\\.handleMessage$")
        .param("members", "1000")
        .forks(1)
        .warmupIterations(5)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(3)
        .measurementTime(TimeValue.seconds(1))
        .shouldFailOnError(true)
        .build();
  }

  /** A summary line of the short run: section, what, result, wall time. */
  private record Line(String section, String what, String result, String wall) {}

  /**
   * {@code ./gossip bench}: short JMH, a 100-node scale run and the N = 100 sweep, then one table.
   * Returns 0 if every part succeeded.
   */
  static int runAll(PrintStream out) {
    List<Line> lines = new ArrayList<>();
    int status = 0;
    long t0 = System.nanoTime();

    out.println(
        "== 1/3 jmh (short, 1 fork, 3x1 s measured: ping8 encode/decode after 2x1 s warm-up,"
            + " handleMessage at 1000 members after 5x1 s)");
    long t = System.nanoTime();
    try {
      List<RunResult> results = new ArrayList<>(new Runner(shortSerializerOptions()).run());
      results.addAll(new Runner(shortCoreOptions()).run());
      String wall = wall(t);
      for (RunResult r : results) {
        var p = r.getParams();
        String name = p.getBenchmark().replaceFirst("^.*\\.([A-Za-z]+\\.[A-Za-z]+)$", "$1");
        List<String> ps = new ArrayList<>();
        for (String k : p.getParamsKeys()) {
          ps.add(k + "=" + p.getParam(k));
        }
        var score = r.getPrimaryResult();
        lines.add(
            new Line(
                "jmh",
                name + " " + String.join(" ", ps),
                String.format(
                    Locale.ROOT,
                    "%,.1f +- %,.1f %s",
                    score.getScore(),
                    score.getScoreError(),
                    score.getScoreUnit()),
                wall));
        wall = "";
      }
    } catch (Exception e) {
      out.println("jmh failed: " + e);
      lines.add(new Line("jmh", "short selection", "FAILED: " + e.getMessage(), wall(t)));
      status = 1;
    }

    out.println();
    out.println("== 2/3 scale (real cluster): --nodes 100 --idle-s 5");
    t = System.nanoTime();
    int sc = runScale(new String[] {"--nodes", "100", "--idle-s", "5"}, out);
    lines.add(
        new Line(
            "scale",
            "--nodes 100 --idle-s 5 (real nodes on loopback)",
            sc == 0 ? "ok (its table is above)" : "exit status " + sc + " (see above)",
            wall(t)));
    status |= sc == 0 ? 0 : 1;

    out.println();
    out.println("== 3/3 sweep (simulator): N=100, loss 0 / 0.05 / 0.20");
    t = System.nanoTime();
    try {
      List<SimSweep.Row> rows = SimSweep.sweep(true, false, out);
      String wall = wall(t);
      for (SimSweep.Row r : rows) {
        lines.add(
            new Line(
                "sweep",
                String.format(Locale.ROOT, "N=%d loss=%.2f", r.nodes(), r.loss()),
                String.format(
                    Locale.ROOT,
                    "first det. %s (exp. %s), dissem. p99 %s (exp. %s), FP %s, %,.0f B/node/s",
                    SimSweep.sec(r.v("detection_first_mean_ms")),
                    SimSweep.sec(r.expected().firstDetectionMs()),
                    SimSweep.ms(r.v("dissemination_p99_ms")),
                    SimSweep.ms(r.expected().disseminationMs()),
                    SimSweep.fmt(r.v("false_positives")),
                    r.v("bytes_per_node_s")),
                wall));
        wall = "";
      }
    } catch (RuntimeException e) {
      out.println("sweep failed: " + e);
      lines.add(new Line("sweep", "N=100", "FAILED: " + e, wall(t)));
      status = 1;
    }

    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"part", "what", "result", "wall"});
    for (Line l : lines) {
      table.add(new String[] {l.section(), l.what(), l.result(), l.wall()});
    }
    out.println();
    out.println("== summary (total " + wall(t0) + ")");
    out.print(SimSweep.markdown(table, 3));
    return status;
  }

  private static String wall(long startNanos) {
    return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
  }

  /** Prints the encoded size of each serializer benchmark message in each format. */
  static void printSizes(PrintStream out) {
    for (String message : List.of("ping8", "pushPull1000")) {
      GossipMessage msg = SerializerBenchmark.message(message);
      int binary = size("binary", msg);
      int json = size("json", msg);
      out.printf(
          "%-13s binary %8d B   json %8d B   json/binary %.2fx%n",
          message, binary, json, (double) json / binary);
    }
  }

  private static int size(String format, GossipMessage msg) {
    MessageSerializer s = SerializerBenchmark.serializer(format);
    return s.encode(msg).length;
  }
}
