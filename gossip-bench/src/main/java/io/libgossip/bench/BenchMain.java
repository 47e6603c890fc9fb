package io.libgossip.bench;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./gossip bench}: with no arguments, a short run of everything (a few JMH benchmarks, a
 * 100-node real-cluster scale run, the N = 100 simulator sweep) and one summary table; {@code jmh
 * [JMH args...]} runs the JMH benchmarks (default: all, with short settings); {@code sweep} runs
 * the simulator sweep ({@link SimSweep}); {@code scale} runs real clusters ({@code ScaleBench});
 * {@code sizes} prints the bytes on the wire of each benchmark message.
 */
public final class BenchMain {
  /** JMH settings used when {@code jmh} is given no arguments: 1 fork, 2×1 s warm-up, 3×1 s. */
  static final List<String> DEFAULT_JMH_ARGS =
      List.of("-f", "1", "-wi", "2", "-w", "1s", "-i", "3", "-r", "1s");

  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    if (args.length == 0 || args[0].equals("all")) {
      System.exit(runAll(System.out));
      return;
    }
    if (List.of("help", "-h", "--help").contains(args[0])) {
      usage(System.out);
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "jmh":
        org.openjdk.jmh.Main.main(
            rest.length == 0 ? DEFAULT_JMH_ARGS.toArray(new String[0]) : rest);
        return;
      case "sizes":
        printSizes(System.out);
        return;
      case "sweep":
        System.exit(SimSweep.run(rest, System.out));
        return;
      case "scale":
        System.exit(runScale(rest, System.out));
        return;
      default:
        System.err.println("gossip bench: unknown command '" + args[0] + "'");
        usage(System.err);
        System.exit(2);
    }
  }

  static void usage(PrintStream out) {
    out.println(
        "Usage: ./gossip bench                     short run of jmh, scale and sweep (< 5 min)");
    out.println("       ./gossip bench jmh [JMH args...]   run the JMH benchmarks");
    out.println("         (default: " + String.join(" ", DEFAULT_JMH_ARGS) + ";");
    out.println("          try: jmh -h, jmh -l, jmh SerializerBenchmark -prof gc)");
    out.println(
        "       ./gossip bench sweep [--big]       simulator sweep N x loss, writes docs/bench/");
    out.println("       ./gossip bench scale [args...]     real-cluster scale run (ScaleBench)");
    out.println("       ./gossip bench sizes               bytes on the wire per message");
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
