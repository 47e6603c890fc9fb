package io.libgossip.core;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A node's Vivaldi coordinate, moved by each round-trip measurement to a peer whose coordinate is
 * known: the algorithm of Serf's {@code coordinate} package (Dabek et al., with the height model,
 * an adjustment window, gravity towards the origin and a per-peer median filter), written afresh.
 * All quantities are in seconds.
 *
 * <p>Each sample first passes a moving median over the peer's last {@link #FILTER} round trips. The
 * node's error estimate then moves towards the relative error of the prediction, weighted by how
 * sure this node is compared with the peer; the position moves along the line to the peer by a
 * force proportional to the prediction's error and that weight; the height grows or shrinks with
 * the force; the adjustment is the mean of the last {@link #WINDOW} residuals, halved; and a weak
 * gravity pulls the position towards the origin so the whole space does not drift. A sample that is
 * not finite or not in (0, 10 s] is ignored, and a coordinate that stops being finite is reset.
 *
 * <p>Uses the random generator only when two positions coincide (to pick a direction). Not
 * thread-safe; owned by the core.
 */
final class Vivaldi {
  static final double ERROR_MAX = 1.5;
  static final double CE = 0.25;
  static final double CC = 0.25;
  static final int WINDOW = 20;
  static final double HEIGHT_MIN = 10.0e-6;
  static final int FILTER = 3;
  static final double GRAVITY_RHO = 150.0;
  static final double ZERO = 1.0e-6;
  static final double MAX_RTT_SECONDS = 10.0;

  /** The most peers whose filter is kept; beyond it the filters start over. */
  static final int MAX_FILTERS = 4096;

  private final RandomGenerator random;
  private final double[] vec = new double[NetworkCoordinate.DIMENSIONS];
  private double height = HEIGHT_MIN;
  private double adjustment;
  private double error = ERROR_MAX;
  private final double[] residuals = new double[WINDOW];
  private int residualIndex;
  private final Map<String, double[]> filters = new HashMap<>();
  private long updates;
  private long resets;
  private long rejected;

  Vivaldi(RandomGenerator random) {
    this.random = random;
  }

  /** This node's coordinate now. */
  NetworkCoordinate coordinate() {
    return new NetworkCoordinate(vec, height, adjustment, error);
  }

  long updates() {
    return updates;
  }

  long resets() {
    return resets;
  }

  long rejected() {
    return rejected;
  }

  /**
   * Moves this node's coordinate by one round trip of {@code rttSeconds} to {@code peer}, whose
   * coordinate is {@code other}; returns false (and changes nothing) for an unusable sample.
   */
  boolean update(String peer, NetworkCoordinate other, double rttSeconds) {
    if (!(rttSeconds > 0 && rttSeconds <= MAX_RTT_SECONDS)) { // also NaN
      rejected++;
      return false;
    }
    double rtt = filtered(peer, rttSeconds);
    updateVivaldi(other, rtt);
    updateAdjustment(other, rtt);
    updateGravity();
    updates++;
    if (!valid()) {
      resets++;
      Arrays.fill(vec, 0);
      height = HEIGHT_MIN;
      adjustment = 0;
      error = ERROR_MAX;
      Arrays.fill(residuals, 0);
      residualIndex = 0;
    }
    return true;
  }

  private double filtered(String peer, double rtt) {
    double[] f = filters.get(peer);
    if (f == null) {
      if (filters.size() >= MAX_FILTERS) {
        filters.clear(); // bounded memory; the filters refill in a few samples
      }
      f = new double[] {0, 0, 0, 0}; // FILTER samples, then the count
      filters.put(peer, f);
    }
    int n = (int) f[FILTER];
    if (n < FILTER) {
      f[n] = rtt;
      f[FILTER] = n + 1;
    } else {
      System.arraycopy(f, 1, f, 0, FILTER - 1);
      f[FILTER - 1] = rtt;
    }
    int count = (int) f[FILTER];
    double[] sorted = Arrays.copyOf(f, count);
    Arrays.sort(sorted);
    return sorted[count / 2];
  }

  private void updateVivaldi(NetworkCoordinate other, double rttIn) {
    double rtt = Math.max(rttIn, ZERO);
    double dist = distance(other);
    double wrongness = Math.abs(dist - rtt) / rtt;
    double total = Math.max(error + other.error(), ZERO);
    double weight = error / total;
    error = Math.min(CE * weight * wrongness + error * (1.0 - CE * weight), ERROR_MAX);
    applyForce(CC * weight * (rtt - dist), other);
  }

  private void updateAdjustment(NetworkCoordinate other, double rtt) {
    residuals[residualIndex] = rtt - rawDistance(other);
    residualIndex = (residualIndex + 1) % WINDOW;
    double sum = 0;
    for (double r : residuals) {
      sum += r;
    }
    adjustment = sum / (2.0 * WINDOW);
  }

  private void updateGravity() {
    NetworkCoordinate origin =
        new NetworkCoordinate(new double[NetworkCoordinate.DIMENSIONS], HEIGHT_MIN, 0, ERROR_MAX);
    double d = distance(origin);
    double force = -Math.pow(d / GRAVITY_RHO, 2.0);
    applyForce(force, origin);
  }

  /** Pushes this position away from {@code other} by {@code force} (towards it when negative). */
  private void applyForce(double force, NetworkCoordinate other) {
    double[] unit = new double[vec.length];
    double mag = 0;
    for (int i = 0; i < vec.length; i++) {
      unit[i] = vec[i] - other.component(i);
      mag += unit[i] * unit[i];
    }
    mag = Math.sqrt(mag);
    if (mag > ZERO) {
      for (int i = 0; i < vec.length; i++) {
        unit[i] /= mag;
      }
    } else {
      randomUnit(unit);
      mag = 0;
    }
    for (int i = 0; i < vec.length; i++) {
      vec[i] += unit[i] * force;
    }
    if (mag > ZERO) {
      height = Math.max((height + other.height()) * force / mag + height, HEIGHT_MIN);
    }
  }

  private void randomUnit(double[] unit) {
    double mag = 0;
    for (int i = 0; i < unit.length; i++) {
      unit[i] = random.nextDouble() - 0.5;
      mag += unit[i] * unit[i];
    }
    mag = Math.sqrt(mag);
    if (mag > ZERO) {
      for (int i = 0; i < unit.length; i++) {
        unit[i] /= mag;
      }
    } else {
      Arrays.fill(unit, 0);
      unit[0] = 1.0;
    }
  }

  private double rawDistance(NetworkCoordinate other) {
    double sum = 0;
    for (int i = 0; i < vec.length; i++) {
      double d = vec[i] - other.component(i);
      sum += d * d;
    }
    return Math.sqrt(sum) + height + other.height();
  }

  private double distance(NetworkCoordinate other) {
    double raw = rawDistance(other);
    double adjusted = raw + adjustment + other.adjustment();
    return adjusted > 0 ? adjusted : raw;
  }

  private boolean valid() {
    for (double v : vec) {
      if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
        return false;
      }
    }
    return Double.isFinite(height)
        && height < Float.MAX_VALUE
        && Double.isFinite(adjustment)
        && Math.abs(adjustment) < Float.MAX_VALUE
        && Double.isFinite(error);
  }
}
