package io.libgossip.core;

import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A node's position in a Vivaldi network coordinate space (the model of Serf and Consul): a point
 * in 8 dimensions plus a height (the node's own access latency), an adjustment (a correction for
 * what the space cannot express) and the node's confidence in it ({@link #error()}, 0 sure to 1.5
 * clueless). The distance between two coordinates estimates the round-trip time between their
 * nodes, in seconds.
 *
 * <p>Every component is a finite number held at float precision (the wire carries 32-bit floats),
 * so a coordinate decodes to exactly what was encoded. Immutable.
 */
public final class NetworkCoordinate {

  /** The number of dimensions of the space: 8, as in Serf. */
  public static final int DIMENSIONS = 8;

  private final double[] vector;
  private final double height;
  private final double adjustment;
  private final double error;

  /**
   * A coordinate, every component rounded to float precision.
   *
   * @param vector the position, {@link #DIMENSIONS} components in seconds (copied)
   * @param height the height in seconds, at least 0
   * @param adjustment the distance correction in seconds
   * @param error the node's error estimate, at least 0
   * @throws IllegalArgumentException when a component is not finite at float precision, the vector
   *     has another length, or the height or error is negative
   */
  public NetworkCoordinate(double[] vector, double height, double adjustment, double error) {
    if (vector.length != DIMENSIONS) {
      throw new IllegalArgumentException(
          "vector must have " + DIMENSIONS + " components, got " + vector.length);
    }
    double[] v = new double[DIMENSIONS];
    for (int i = 0; i < DIMENSIONS; i++) {
      v[i] = finite((float) vector[i], "vector[" + i + "]");
    }
    this.vector = v;
    this.height = finite((float) height, "height");
    this.adjustment = finite((float) adjustment, "adjustment");
    this.error = finite((float) error, "error");
    if (this.height < 0 || this.error < 0) {
      throw new IllegalArgumentException(
          "height and error must be at least 0, got " + height + " and " + error);
    }
  }

  /** The height in seconds: the part of every round trip spent in this node's access link. */
  public double height() {
    return height;
  }

  /** The correction added to distances from this coordinate, in seconds (may be negative). */
  public double adjustment() {
    return adjustment;
  }

  /** The node's own error estimate: near 0 when predictions have been good, up to 1.5. */
  public double error() {
    return error;
  }

  private static double finite(float v, String what) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException(what + " must be finite at float precision, got " + v);
    }
    return v;
  }

  /** The components of the position, in seconds (a copy). */
  public double[] vector() {
    return vector.clone();
  }

  /** The component {@code i} of the position, without copying. */
  double component(int i) {
    return vector[i];
  }

  /**
   * The round-trip time this coordinate and {@code other} predict between their nodes: the
   * Euclidean distance plus both heights, corrected by both adjustments when that stays positive.
   */
  public Duration rttTo(NetworkCoordinate other) {
    double seconds = distanceSeconds(other);
    return Duration.ofNanos((long) Math.min(seconds * 1e9, (double) Long.MAX_VALUE));
  }

  /** The predicted round-trip time to {@code other}, in seconds. */
  double distanceSeconds(NetworkCoordinate other) {
    double raw = rawDistanceSeconds(other);
    double adjusted = raw + adjustment + other.adjustment;
    return adjusted > 0 ? adjusted : raw;
  }

  /** The distance without the adjustments, in seconds. */
  double rawDistanceSeconds(NetworkCoordinate other) {
    double sum = 0;
    for (int i = 0; i < DIMENSIONS; i++) {
      double d = vector[i] - other.vector[i];
      sum += d * d;
    }
    return Math.sqrt(sum) + height + other.height;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NetworkCoordinate c
        && Arrays.equals(vector, c.vector)
        && Double.compare(height, c.height) == 0
        && Double.compare(adjustment, c.adjustment) == 0
        && Double.compare(error, c.error) == 0;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(vector) * 31
        + Double.hashCode(height) * 17
        + Double.hashCode(adjustment) * 7
        + Double.hashCode(error);
  }

  @Override
  public String toString() {
    return "NetworkCoordinate{vector="
        + Arrays.toString(vector)
        + ", height="
        + height
        + ", adjustment="
        + adjustment
        + ", error="
        + error
        + "}";
  }
}
