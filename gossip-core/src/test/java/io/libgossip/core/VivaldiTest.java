package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Vivaldi coordinates (Serf's model) on synthetic spaces (decision 061). */
class VivaldiTest {

  /** The median over all pairs of |predicted - true| / true after {@code rounds} updates each. */
  private static double medianRelativeError(
      double[][] points, double height, int rounds, long seed) {
    int n = points.length;
    SplittableRandom random = new SplittableRandom(seed);
    Vivaldi[] nodes = new Vivaldi[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = new Vivaldi(random.split());
    }
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        int j = random.nextInt(n - 1);
        j = j >= i ? j + 1 : j;
        double rtt = trueRtt(points, height, i, j) * (1 + 0.02 * (random.nextDouble() - 0.5));
        assertThat(nodes[i].update("n" + j, nodes[j].coordinate(), rtt)).isTrue();
      }
    }
    double[] errors = new double[n * (n - 1)];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j) {
          double predicted = nodes[i].coordinate().distanceSeconds(nodes[j].coordinate());
          double truth = trueRtt(points, height, i, j);
          errors[k++] = Math.abs(predicted - truth) / truth;
        }
      }
    }
    Arrays.sort(errors);
    return errors[errors.length / 2];
  }

  private static double trueRtt(double[][] p, double height, int i, int j) {
    return Math.hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]) + 2 * height;
  }

  private static double[][] plane(int n, double sideSeconds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] p = new double[n][2];
    for (double[] q : p) {
      q[0] = random.nextDouble() * sideSeconds;
      q[1] = random.nextDouble() * sideSeconds;
    }
    return p;
  }

  @Test
  void convergesOnPointsOfAPlane() {
    for (long seed = 1; seed <= 3; seed++) {
      double e = medianRelativeError(plane(40, 0.2, seed), 0, 400, seed);
      assertThat(e).as("seed %d", seed).isLessThan(0.10);
    }
  }

  @Test
  void convergesWithAccessLinks() {
    double e = medianRelativeError(plane(40, 0.1, 9), 0.005, 400, 9);
    assertThat(e).isLessThan(0.10);
  }

  @Test
  void unusableSamplesChangeNothing() {
    Vivaldi v = new Vivaldi(new SplittableRandom(1));
    NetworkCoordinate other = new Vivaldi(new SplittableRandom(2)).coordinate();
    v.update("b", other, 0.01);
    NetworkCoordinate before = v.coordinate();
    for (double bad :
        new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.001, 0, 10.5, 1e300, -1e300}) {
      assertThat(v.update("b", other, bad)).as("%s", bad).isFalse();
    }
    assertThat(v.coordinate()).isEqualTo(before);
    assertThat(v.rejected()).isEqualTo(7);
  }

  @Test
  void hugePeerCoordinatesNeverLeaveItNonFinite() {
    Vivaldi v = new Vivaldi(new SplittableRandom(1));
    double[] far = new double[NetworkCoordinate.DIMENSIONS];
    Arrays.fill(far, Float.MAX_VALUE);
    NetworkCoordinate huge = new NetworkCoordinate(far, Float.MAX_VALUE, -Float.MAX_VALUE, 0);
    for (int i = 0; i < 50; i++) {
      v.update("far", huge, 0.05);
      NetworkCoordinate c = v.coordinate(); // the constructor rejects anything not finite
      assertThat(c.error()).isBetween(0.0, Vivaldi.ERROR_MAX);
    }
    // and it still learns afterwards
    NetworkCoordinate origin = new Vivaldi(new SplittableRandom(3)).coordinate();
    for (int i = 0; i < 200; i++) {
      v.update("o", origin, 0.05);
    }
    assertThat(v.coordinate().distanceSeconds(origin)).isBetween(0.04, 0.06);
  }

  @Test
  void coincidingPositionsSeparate() {
    Vivaldi a = new Vivaldi(new SplittableRandom(4));
    NetworkCoordinate b = new Vivaldi(new SplittableRandom(5)).coordinate();
    a.update("b", b, 0.03);
    assertThat(a.coordinate().rawDistanceSeconds(b)).isGreaterThan(2 * Vivaldi.HEIGHT_MIN);
  }
}
