package io.libgossip.bench;

import io.libgossip.core.GossipConfig;
import io.libgossip.sim.Scenario;
import io.libgossip.sim.SimReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@code ./gossip bench sweep}: runs the simulator's standard scenario ({@link Scenario}, as {@code
 * ./gossip sim} does) over cluster size × packet loss, and puts each measurement beside SWIM's
 * analytical expectation. Writes {@code sweep.csv}, {@code sweep.json}, {@code sweep.md} and the
 * charts into the output directory.
 *
 * <p>Grid: N ∈ {100, 1000} × loss ∈ {0, 0.05, 0.20}, LAN profile, seed 1, 10 crashes, 10 metadata
 * updates. {@code --big} adds N = 10,000 (its three cells took 1 h 40 min on 2 cores, 84 min of it
 * at 20% loss, with a 20 GB heap). {@code --quick} runs N = 100 only and writes no files unless
 * {@code --out} is given.
 */
public final class SimSweep {
  /** Packet-loss probabilities of the grid. */
  static final double[] LOSSES = {0, 0.05, 0.20};

  /** The cluster size {@code --big} adds. */
  static final int BIG_NODES = 10_000;

  /** Crashes per cell: enough for a stable mean first-detection time. */
  static final int FAILS = 10;

  static final long SEED = 1;

  private SimSweep() {}

  /** One cell of the sweep: the scenario's report plus the expectations. */
  record Row(int nodes, double loss, double durationS, SimReport report, Expected expected) {
    double v(String key) {
      return report.number(key);
    }
  }

  /**
   * SWIM's analytical expectations for a LAN-profile cluster of {@code n} nodes.
   *
   * @param firstDetectionMs expected time from a crash until the first member suspects it
   * @param disseminationMs expected time for an update to reach the cluster
   * @param rounds gossip rounds in {@code disseminationMs}
   * @param msgsPerNodeS floor of the message rate: one ping and one ack per probe period
   * @param detectionBoundMs the simulator's bound on the time until every member marks it FAILED
   */
  record Expected(
      double firstDetectionMs,
      double disseminationMs,
      double rounds,
      double msgsPerNodeS,
      double detectionBoundMs) {}

  /**
   * Expected first detection, in ms: {@code T × (1/2 + 1/q)} with {@code q = 1 − (1 −
   * 1/(N−1))^(N−1)} (→ 1 − 1/e, so {@code 1/q} → e/(e−1) ≈ 1.582).
   *
   * <p>Why: SWIM counts in protocol periods of length {@code T} (the probe interval). A crash falls
   * uniformly inside a period, so on average {@code T/2} passes before the next period starts. In
   * each period every one of the other {@code N−1} members probes one random member, so some member
   * picks the dead one with probability {@code q}; the number of periods until that happens,
   * counting the one in which it does, is geometric with mean {@code 1/q}. The core marks the
   * target {@code SUSPECT} at the end of the period in which its probe and the indirect probes
   * failed (probe timeout, then indirect checks until the period ends), so that period counts in
   * full.
   */
  static double expectedFirstDetectionMs(int n, GossipConfig c) {
    double t = c.probeInterval().toNanos() / 1e6;
    double q = 1 - Math.pow(1 - 1.0 / (n - 1), n - 1);
    return t * (0.5 + 1 / q);
  }

  /**
   * Expected dissemination, in gossip rounds: {@code log_(fanout+1) N}. Each round every informed
   * member tells {@code fanout} others, so without overlap the informed set grows by a factor of
   * {@code fanout + 1} per round.
   */
  static double expectedRounds(int n, GossipConfig c) {
    return Math.log(n) / Math.log(c.gossipNodes() + 1);
  }

  static Expected expected(int n, GossipConfig c, SimReport r) {
    double rounds = expectedRounds(n, c);
    double g = c.gossipInterval().toNanos() / 1e6;
    double t = c.probeInterval().toNanos() / 1e9;
    return new Expected(
        expectedFirstDetectionMs(n, c),
        rounds * g,
        rounds,
        2 / t,
        r == null ? -1 : r.number("detection_bound_ms"));
  }

  /** Simulated seconds for a cell: joins, 10 crashes 2 s apart, detection, 10 updates 3 s apart. */
  static double durationFor(int n) {
    if (n <= 100) {
      return 120;
    }
    if (n <= 1000) {
      return 180;
    }
    return 300;
  }

  /** Runs one cell. */
  static Row runCell(int n, double loss, double durationS) {
    Scenario s =
        new Scenario()
            .nodes(n)
            .loss(loss)
            .durationSeconds(durationS)
            .fail(FAILS)
            .updates(10)
            .seed(SEED)
            .profile("lan");
    SimReport r = s.run(null);
    return new Row(n, loss, durationS, r, expected(n, GossipConfig.lan(), r));
  }

  /** The sweep's grid for the options. */
  static List<Integer> sizes(boolean quick, boolean big) {
    List<Integer> out = new ArrayList<>();
    out.add(100);
    if (!quick) {
      out.add(1000);
    }
    if (big) {
      out.add(BIG_NODES);
    }
    return out;
  }

  /** Runs the grid, printing a line per cell as it finishes. */
  static List<Row> sweep(boolean quick, boolean big, PrintStream out) {
    return sweep(quick, big, out, rows -> {});
  }

  /**
   * Runs the grid, printing a line per cell as it finishes and handing the rows measured so far to
   * {@code afterCell} after each cell.
   */
  static List<Row> sweep(
      boolean quick, boolean big, PrintStream out, Consumer<List<Row>> afterCell) {
    List<Row> rows = new ArrayList<>();
    for (int n : sizes(quick, big)) {
      for (double loss : LOSSES) {
        out.printf(Locale.ROOT, "sweep: N=%d loss=%.2f ... ", n, loss);
        out.flush();
        Row row = runCell(n, loss, durationFor(n));
        out.printf(
            Locale.ROOT,
            "%.1f s wall (%s simulated s)%n",
            row.v("wall_ms") / 1000,
            fmt(row.durationS()));
        rows.add(row);
        afterCell.accept(List.copyOf(rows));
      }
    }
    return rows;
  }

  /**
   * {@code ./gossip bench sweep [--big] [--quick] [--out DIR] [--no-charts]}: runs the sweep and
   * writes its files to {@code dir} (default: {@link #defaultOutDir()}, none with {@code quick}).
   */
  public static int run(
      boolean big, boolean quick, @Nullable Path outDirOption, boolean charts, PrintStream out) {
    Path dir = outDirOption;
    if (dir == null && !quick) {
      dir = defaultOutDir();
    }
    Path outDir = dir;
    boolean drawCharts = charts;
    IOException[] failed = {null};
    // The files are rewritten after every cell, so a long run (--big) that is stopped keeps the
    // cells it finished.
    List<Row> rows =
        sweep(
            quick,
            big,
            out,
            done -> {
              if (outDir != null && failed[0] == null) {
                try {
                  write(done, outDir, drawCharts);
                } catch (IOException e) {
                  failed[0] = e;
                }
              }
            });
    out.println();
    out.print(table(rows));
    out.println();
    out.println(formulas());
    if (dir != null) {
      try {
        if (failed[0] != null) {
          throw failed[0];
        }
        out.println(
            "wrote "
                + dir.resolve("sweep.csv")
                + ", sweep.json, sweep.md"
                + (charts ? " and the charts (*.png)" : ""));
      } catch (IOException e) {
        out.println("gossip bench sweep: could not write " + dir + ": " + e);
        return 1;
      }
    }
    return 0;
  }

  /** {@code docs/bench} of the repository containing the working directory, else of the cwd. */
  static Path defaultOutDir() {
    Path p = Path.of("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isDirectory(q.resolve("gossip-bench"))
          && Files.isRegularFile(q.resolve("pom.xml"))) {
        return q.resolve("docs").resolve("bench");
      }
    }
    return p.resolve("docs").resolve("bench");
  }

  static String formulas() {
    GossipConfig c = GossipConfig.lan();
    return String.format(
        Locale.ROOT,
        "expected first detection = T x (1/2 + 1/q), q = 1-(1-1/(N-1))^(N-1) -> 1-1/e;"
            + " T = probe interval = %d ms%n"
            + "expected dissemination  = log_(fanout+1)(N) rounds x gossip interval;"
            + " fanout = %d, interval = %d ms%n"
            + "expected msgs floor     = 2 / T (one ping sent, one ack sent per period)",
        c.probeInterval().toMillis(),
        c.gossipNodes(),
        c.gossipInterval().toMillis());
  }

  // ---------------------------------------------------------------- output

  static final String[] CSV_COLUMNS = {
    "nodes",
    "loss",
    "duration_s",
    "wall_s",
    "join_converged_ms",
    "converged_end",
    "crashes",
    "detection_first_mean_ms",
    "expected_first_detection_ms",
    "detection_first_max_ms",
    "detection_all_max_ms",
    "detection_bound_ms",
    "detection_incomplete",
    "dissemination_p50_ms",
    "dissemination_p99_ms",
    "dissemination_max_ms",
    "expected_dissemination_ms",
    "expected_dissemination_rounds",
    "dissemination_incomplete",
    "false_positives",
    "healthy_suspicions",
    "msgs_per_node_s",
    "expected_msgs_per_node_s_floor",
    "bytes_per_node_s",
    "trace_hash"
  };

  static List<Object> csvValues(Row r) {
    Expected e = r.expected();
    List<Object> v = new ArrayList<>();
    v.add(r.nodes());
    v.add(r.loss());
    v.add(r.durationS());
    v.add(r.v("wall_ms") / 1000);
    v.add(r.v("join_converged_ms"));
    v.add(r.report().values().get("converged_end"));
    v.add(r.v("crashes"));
    v.add(r.v("detection_first_mean_ms"));
    v.add(round(e.firstDetectionMs()));
    v.add(r.v("detection_first_max_ms"));
    v.add(r.v("detection_all_max_ms"));
    v.add(r.v("detection_bound_ms"));
    v.add(r.v("detection_incomplete"));
    v.add(r.v("dissemination_p50_ms"));
    v.add(r.v("dissemination_p99_ms"));
    v.add(r.v("dissemination_max_ms"));
    v.add(round(e.disseminationMs()));
    v.add(round(e.rounds()));
    v.add(r.v("dissemination_incomplete"));
    v.add(r.v("false_positives"));
    v.add(r.v("healthy_suspicions"));
    v.add(r.v("msgs_per_node_s"));
    v.add(e.msgsPerNodeS());
    v.add(r.v("bytes_per_node_s"));
    v.add(r.report().values().get("trace_hash"));
    return v;
  }

  static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }

  static String fmt(Object o) {
    if (o instanceof Double || o instanceof Float) {
      double d = ((Number) o).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return String.valueOf(o);
  }

  static String csv(List<Row> rows) {
    StringBuilder sb = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      for (Object o : csvValues(r)) {
        cells.add(fmt(o));
      }
      sb.append(String.join(",", cells)).append('\n');
    }
    return sb.toString();
  }

  static String json(List<Row> rows) {
    StringBuilder sb = new StringBuilder("[\n");
    for (int i = 0; i < rows.size(); i++) {
      List<Object> v = csvValues(rows.get(i));
      sb.append("  {");
      for (int k = 0; k < CSV_COLUMNS.length; k++) {
        Object o = v.get(k);
        sb.append(k == 0 ? "" : ", ").append('"').append(CSV_COLUMNS[k]).append("\": ");
        sb.append(o instanceof String ? "\"" + o + "\"" : fmt(o));
      }
      sb.append(i + 1 < rows.size() ? "},\n" : "}\n");
    }
    return sb.append("]\n").toString();
  }

  /** The readable table: measured beside expected. Also valid Markdown. */
  static String table(List<Row> rows) {
    List<String[]> t = new ArrayList<>();
    t.add(
        new String[] {
          "N",
          "loss",
          "joined",
          "first det. mean (exp.)",
          "first det. max",
          "all FAILED max (bound)",
          "dissem. p50 / p99 / max (exp.)",
          "false pos. / healthy susp.",
          "msgs/node/s (floor)",
          "bytes/node/s",
          "wall"
        });
    for (Row r : rows) {
      Expected e = r.expected();
      t.add(
          new String[] {
            String.format(Locale.ROOT, "%,d", r.nodes()),
            String.format(Locale.ROOT, "%.2f", r.loss()),
            r.v("join_converged_ms") < 0 ? "no" : sec(r.v("join_converged_ms")),
            String.format(
                Locale.ROOT,
                "%s (%s)",
                sec(r.v("detection_first_mean_ms")),
                sec(e.firstDetectionMs())),
            sec(r.v("detection_first_max_ms")),
            String.format(
                Locale.ROOT,
                "%s (%s)",
                sec(r.v("detection_all_max_ms")),
                sec(e.detectionBoundMs())),
            String.format(
                Locale.ROOT,
                "%s / %s / %s (%s)",
                ms(r.v("dissemination_p50_ms")),
                ms(r.v("dissemination_p99_ms")),
                ms(r.v("dissemination_max_ms")),
                ms(e.disseminationMs())),
            fmt(r.v("false_positives")) + " / " + fmt(r.v("healthy_suspicions")),
            String.format(Locale.ROOT, "%.2f (%.0f)", r.v("msgs_per_node_s"), e.msgsPerNodeS()),
            String.format(Locale.ROOT, "%,.0f", r.v("bytes_per_node_s")),
            String.format(Locale.ROOT, "%.1f s", r.v("wall_ms") / 1000)
          });
    }
    return markdown(t);
  }

  static String sec(double ms) {
    return ms < 0 ? "never" : String.format(Locale.ROOT, "%.2f s", ms / 1000);
  }

  static String ms(double ms) {
    return ms < 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", ms);
  }

  /** A Markdown table with padded columns (first column left, others right-aligned). */
  static String markdown(List<String[]> t) {
    return markdown(t, 1);
  }

  /** A Markdown table: the first {@code left} columns left-aligned, the others right-aligned. */
  static String markdown(List<String[]> t, int left) {
    int[] w = new int[t.get(0).length];
    for (String[] row : t) {
      for (int i = 0; i < row.length; i++) {
        w[i] = Math.max(w[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < t.size(); r++) {
      String[] row = t.get(r);
      sb.append('|');
      for (int i = 0; i < row.length; i++) {
        String c = row[i];
        String pad = " ".repeat(w[i] - c.length());
        sb.append(' ').append(i < left || r == 0 ? c + pad : pad + c).append(" |");
      }
      sb.append('\n');
      if (r == 0) {
        sb.append('|');
        for (int i = 0; i < row.length; i++) {
          sb.append(i < left ? "-" : "").append("-".repeat(w[i] + (i < left ? 0 : 1)));
          sb.append(i < left ? "-|" : ":|");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  static void write(List<Row> rows, Path dir, boolean charts) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("sweep.csv"), csv(rows), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("sweep.json"), json(rows), StandardCharsets.UTF_8);
    String md =
        "<!-- generated by ./gossip bench sweep at "
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + " -->\n"
            + table(rows)
            + "\n```\n"
            + formulas()
            + "\n```\n";
    Files.writeString(dir.resolve("sweep.md"), md, StandardCharsets.UTF_8);
    if (charts) {
      SweepCharts.writeAll(rows, dir);
    }
  }
}
