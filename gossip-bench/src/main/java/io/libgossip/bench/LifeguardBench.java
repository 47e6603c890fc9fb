package io.libgossip.bench;

import io.libgossip.sim.Scenario;
import io.libgossip.sim.SimReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./gossip bench lifeguard}: the Lifeguard ablation of decision 050. For each cluster size
 * and each selection of Lifeguard's parts (plain SWIM, full Lifeguard without one part, full
 * Lifeguard), it runs the slow-node scenario over several seeds: a fraction of the nodes drop most
 * of the UDP packets that reach them from convergence on, and a few nodes crash. It prints one row
 * per (size, selection): false positives about slow and about healthy members, suspicions, crash
 * detection times and traffic.
 */
public final class LifeguardBench {
  /** The selections, SWIM first and full Lifeguard last (see {@code Lifeguard#named}). */
  static final List<String> VARIANTS =
      List.of("none", "no-lhm", "no-dynamic", "no-buddy", "no-nack", "full");

  private LifeguardBench() {}

  /** The options of one ablation. */
  record Options(
      List<Integer> sizes,
      int seeds,
      double durationS,
      double slowFraction,
      double slowLoss,
      double loss,
      int fail,
      List<String> variants) {}

  /** One (size, selection) row: sums over the seeds, except where a field says otherwise. */
  record Row(
      int nodes,
      String variant,
      int runs,
      long fpAboutSlow,
      long fpAboutHealthy,
      long fpBySlow,
      long suspicionsAboutSlow,
      long suspicionsAboutHealthy,
      int slowFailedEverywhere,
      double firstDetectionMeanMs,
      double allFailedMaxMs,
      long detectionIncomplete,
      double msgsPerNodeS,
      double bytesPerNodeS,
      long wallMs) {

    long falsePositives() {
      return fpAboutSlow + fpAboutHealthy;
    }
  }

  /** Runs the scenario of one seed. */
  static SimReport runOne(Options o, int nodes, String variant, long seed) {
    return new Scenario()
        .nodes(nodes)
        .durationSeconds(o.durationS())
        .loss(o.loss())
        .fail(o.fail())
        .updates(0)
        .slowFraction(o.slowFraction())
        .slowLoss(o.slowLoss())
        .lifeguard(variant)
        .seed(seed)
        .profile("lan")
        .run(null);
  }

  /** Runs every seed of one (size, selection) and sums them into a row. */
  static Row runRow(Options o, int nodes, String variant, PrintStream out) {
    long fpSlow = 0;
    long fpHealthy = 0;
    long fpBySlow = 0;
    long suspSlow = 0;
    long suspAll = 0;
    int slowFailed = 0;
    double firstSum = 0;
    int firstRuns = 0;
    double allMax = 0;
    long incomplete = 0;
    double msgs = 0;
    double bytes = 0;
    long wall = 0;
    for (int s = 1; s <= o.seeds(); s++) {
      SimReport r = runOne(o, nodes, variant, s);
      fpSlow += (long) r.number("false_positives_about_slow");
      fpHealthy += (long) r.number("false_positives_about_healthy");
      fpBySlow += (long) r.number("false_positives_by_slow");
      suspSlow += (long) r.number("healthy_suspicions_about_slow");
      suspAll += (long) r.number("healthy_suspicions");
      slowFailed += (int) r.number("slow_failed_everywhere");
      double first = r.number("detection_first_mean_ms");
      if (first >= 0) {
        firstSum += first;
        firstRuns++;
      }
      double all = r.number("detection_all_max_ms");
      allMax = all < 0 || allMax < 0 ? -1 : Math.max(allMax, all);
      incomplete += (long) r.number("detection_incomplete");
      msgs += r.number("msgs_per_node_s");
      bytes += r.number("bytes_per_node_s");
      wall += (long) r.number("wall_ms");
      out.printf(
          Locale.ROOT,
          "  N=%d %-10s seed %d: FP slow %d, healthy %d; suspicions %d; all-FAILED %s; %d ms%n",
          nodes,
          variant,
          s,
          (long) r.number("false_positives_about_slow"),
          (long) r.number("false_positives_about_healthy"),
          (long) r.number("healthy_suspicions"),
          SimSweep.ms(all),
          (long) r.number("wall_ms"));
      out.flush();
    }
    int n = o.seeds();
    return new Row(
        nodes,
        variant,
        n,
        fpSlow,
        fpHealthy,
        fpBySlow,
        suspSlow,
        suspAll - suspSlow,
        slowFailed,
        firstRuns == 0 ? -1 : firstSum / firstRuns,
        allMax,
        incomplete,
        msgs / n,
        bytes / n,
        wall);
  }

  /** Runs the ablation and returns its rows, printing a line per run on {@code out}. */
  static List<Row> ablation(Options o, PrintStream out) {
    List<Row> rows = new ArrayList<>();
    for (int nodes : o.sizes()) {
      for (String v : o.variants()) {
        rows.add(runRow(o, nodes, v, out));
      }
    }
    return rows;
  }

  /** The rows as a Markdown table, with each row's false positives relative to plain SWIM's. */
  static String table(List<Row> rows) {
    List<String[]> t = new ArrayList<>();
    t.add(
        new String[] {
          "N",
          "lifeguard",
          "FP all",
          "FP about slow",
          "FP about healthy",
          "(by slow)",
          "SWIM FP / FP",
          "suspicions of slow",
          "of healthy",
          "slow FAILED everywhere",
          "first detection",
          "all FAILED (max)",
          "msgs/node/s",
          "bytes/node/s"
        });
    for (Row r : rows) {
      Row swim = null;
      for (Row q : rows) {
        if (q.nodes() == r.nodes() && q.variant().equals("none")) {
          swim = q;
        }
      }
      String ratio =
          swim == null
              ? "-"
              : r.falsePositives() == 0
                  ? (swim.falsePositives() == 0 ? "-" : "> " + swim.falsePositives())
                  : String.format(
                      Locale.ROOT, "%.1f", swim.falsePositives() / (double) r.falsePositives());
      t.add(
          new String[] {
            Integer.toString(r.nodes()),
            r.variant(),
            Long.toString(r.falsePositives()),
            Long.toString(r.fpAboutSlow()),
            Long.toString(r.fpAboutHealthy()),
            Long.toString(r.fpBySlow()),
            ratio,
            Long.toString(r.suspicionsAboutSlow()),
            Long.toString(r.suspicionsAboutHealthy()),
            Integer.toString(r.slowFailedEverywhere()),
            SimSweep.ms(r.firstDetectionMeanMs()),
            r.detectionIncomplete() > 0
                ? r.detectionIncomplete() + " incomplete"
                : SimSweep.ms(r.allFailedMaxMs()),
            String.format(Locale.ROOT, "%.2f", r.msgsPerNodeS()),
            String.format(Locale.ROOT, "%.0f", r.bytesPerNodeS())
          });
    }
    return SimSweep.markdown(t, 2);
  }

  /** Runs the ablation with {@code o} and prints the table; returns the exit status. */
  public static int run(Options o, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "Lifeguard ablation: N in %s, seeds 1..%d, %.0f s each, %d crashes, slow %.3f of the"
            + " nodes at %.0f%% inbound loss, network loss %.2f (LAN profile)%n",
        o.sizes(),
        o.seeds(),
        o.durationS(),
        o.fail(),
        o.slowFraction(),
        o.slowLoss() * 100,
        o.loss());
    List<Row> rows = ablation(o, out);
    out.println();
    out.print(table(rows));
    out.println(
        "FP: (observer, subject) pairs where the observer marked a running subject FAILED, summed"
            + " over the seeds; 'by slow': of those about healthy subjects, the ones a slow node"
            + " made; first detection: mean over runs; all FAILED: max over runs; traffic: mean.");
    return 0;
  }
}
