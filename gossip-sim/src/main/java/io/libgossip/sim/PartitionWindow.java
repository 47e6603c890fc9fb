package io.libgossip.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One partition of a {@link Scenario}: the cluster split into two random halves (two-way) from
 * {@code startS} seconds after the faults start until {@code startS + durationS}.
 *
 * @param startS seconds after the faults start ({@code faults_start_ms}) when the split begins
 * @param durationS how long the split lasts, in seconds
 */
public record PartitionWindow(double startS, double durationS) {
  /**
   * Checks the window.
   *
   * @throws IllegalArgumentException when the start is negative or the duration not positive
   */
  public PartitionWindow {
    if (!(startS >= 0 && startS <= 1e6)) {
      throw new IllegalArgumentException("partition start must be in [0, 1e6] s, got " + startS);
    }
    if (!(durationS > 0 && durationS <= 1e6)) {
      throw new IllegalArgumentException(
          "partition duration must be in (0, 1e6] s, got " + durationS);
    }
  }

  /** When the split ends, in seconds after the faults start. */
  public double endS() {
    return startS + durationS;
  }

  /**
   * Parses a list of windows {@code DURATION@START[,DURATION@START...]}, in seconds, for example
   * {@code 60@30,600@200}: a 60 s partition from 30 s after the faults start, then a 600 s one from
   * 200 s. The windows must be in order and must not overlap.
   *
   * @throws IllegalArgumentException naming the bad part of {@code spec}
   */
  public static List<PartitionWindow> parseList(String spec) {
    List<PartitionWindow> out = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      String p = part.trim();
      int at = p.indexOf('@');
      if (at <= 0 || at == p.length() - 1) {
        throw new IllegalArgumentException(
            "each partition is DURATION@START in seconds (e.g. 60@30), got '" + p + "'");
      }
      PartitionWindow w =
          new PartitionWindow(number(p.substring(at + 1), p), number(p.substring(0, at), p));
      out.add(w);
    }
    checkOrder(out);
    return List.copyOf(out);
  }

  /**
   * Checks that {@code windows} are in order and do not overlap.
   *
   * @throws IllegalArgumentException naming the first window that starts before the previous ends
   */
  public static void checkOrder(List<PartitionWindow> windows) {
    for (int i = 1; i < windows.size(); i++) {
      PartitionWindow prev = windows.get(i - 1);
      PartitionWindow w = windows.get(i);
      if (w.startS() < prev.endS()) {
        throw new IllegalArgumentException(
            "partition "
                + (i + 1)
                + " starts at "
                + Json.number(w.startS())
                + " s, before partition "
                + i
                + " ends at "
                + Json.number(prev.endS())
                + " s");
      }
    }
  }

  private static double number(String v, String part) {
    try {
      double d = Double.parseDouble(v.trim());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: '" + v + "' in '" + part + "'", e);
    }
  }
}
