package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import io.libgossip.core.PeerTiming;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * How well the nodes of a simulation estimate their peers' clock offsets and round-trip times
 * (decision 061), over every (observer, peer) pair of running nodes where the observer has an
 * estimate: the absolute error of the clock offset against the configured skews, and of the Vivaldi
 * round-trip estimate against the configured round trip (both base latencies plus the mean jitter
 * of two packets).
 *
 * @param offsetPairs pairs with a clock-offset estimate
 * @param offsetErrorP50Ms median absolute clock-offset error, ms (NaN without pairs)
 * @param offsetErrorP90Ms 90th percentile of the same, ms
 * @param offsetWithinBound share of pairs whose true offset lies within the reported error bound
 * @param rttPairs pairs with a Vivaldi round-trip estimate
 * @param vivaldiRttErrorP50Ms median absolute error of the Vivaldi estimate, ms
 * @param vivaldiRttErrorP90Ms 90th percentile of the same, ms
 * @param vivaldiRttRelErrorP50 median of |estimate - true| / true
 * @param measuredRttErrorP50Ms median absolute error of the measured smoothed round trip, ms
 */
public record TimingAccuracy(
    long offsetPairs,
    double offsetErrorP50Ms,
    double offsetErrorP90Ms,
    double offsetWithinBound,
    long rttPairs,
    double vivaldiRttErrorP50Ms,
    double vivaldiRttErrorP90Ms,
    double vivaldiRttRelErrorP50,
    double measuredRttErrorP50Ms) {

  /** Measures the running nodes of {@code engine} at its current time. */
  static TimingAccuracy of(SimEngine engine) {
    LiveNodes live = engine.live;
    int n = live.size();
    long now = engine.now();
    double[] offsetErrors = new double[16];
    double[] rttErrors = new double[16];
    double[] relErrors = new double[16];
    double[] measuredErrors = new double[16];
    int offsets = 0;
    int rtts = 0;
    int measured = 0;
    long within = 0;
    for (int i = 0; i < n; i++) {
      SimNode a = live.node(i);
      GossipCore core = a.core;
      if (core == null || !a.up) {
        continue;
      }
      for (int j = 0; j < n; j++) {
        if (i == j) {
          continue;
        }
        String peer = live.node(j).id;
        double trueRtt = engine.trueRttNanos(i, j);
        Optional<PeerTiming> t = core.timing(peer, now);
        if (t.isPresent()) {
          PeerTiming p = t.orElseThrow();
          long trueOffset = engine.skewNanos(j) - engine.skewNanos(i);
          long err = Math.abs(p.offset().toNanos() - trueOffset);
          if (err <= p.errorBound().toNanos()) {
            within++;
          }
          offsetErrors = put(offsetErrors, offsets++, (double) err);
          measuredErrors = put(measuredErrors, measured++, Math.abs(p.rtt().toNanos() - trueRtt));
        }
        Optional<Duration> est = core.estimateRtt(peer);
        if (est.isPresent()) {
          double e = Math.abs(est.orElseThrow().toNanos() - trueRtt);
          rttErrors = put(rttErrors, rtts, e);
          relErrors = put(relErrors, rtts++, trueRtt > 0 ? e / trueRtt : 0);
        }
      }
    }
    return new TimingAccuracy(
        offsets,
        ms(percentile(offsetErrors, offsets, 50)),
        ms(percentile(offsetErrors, offsets, 90)),
        offsets == 0 ? Double.NaN : within / (double) offsets,
        rtts,
        ms(percentile(rttErrors, rtts, 50)),
        ms(percentile(rttErrors, rtts, 90)),
        percentile(relErrors, rtts, 50),
        ms(percentile(measuredErrors, measured, 50)));
  }

  private static double[] put(double[] a, int i, double v) {
    double[] b = i < a.length ? a : Arrays.copyOf(a, a.length * 2);
    b[i] = v;
    return b;
  }

  private static double percentile(double[] a, int n, int p) {
    if (n == 0) {
      return Double.NaN;
    }
    double[] s = Arrays.copyOf(a, n);
    Arrays.sort(s);
    return s[Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1)]; // nearest rank
  }

  private static double ms(double nanos) {
    return Double.isNaN(nanos) ? nanos : Math.round(nanos / 1e3) / 1e3;
  }
}
