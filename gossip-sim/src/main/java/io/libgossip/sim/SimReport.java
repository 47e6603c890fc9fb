package io.libgossip.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a {@link Scenario}: named values in a fixed order, with the keys and units
 * documented in {@code docs/simulator.md}. Numbers that never happened are -1.
 */
public final class SimReport {
  private final Map<String, Object> values;

  @SuppressWarnings("NonApiType") // the insertion order is the report's order
  SimReport(LinkedHashMap<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Every value by key, in report order. */
  public Map<String, Object> values() {
    return values;
  }

  /**
   * A numeric value.
   *
   * @throws IllegalArgumentException if {@code key} is not a numeric key of the report
   */
  public double number(String key) {
    Object v = values.get(key);
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException("no numeric report key '" + key + "'");
    }
    return ((Number) v).doubleValue();
  }

  /** The report as one line of JSON. */
  public String toJson() {
    return Json.object(values);
  }

  /** The report as a two-column, human-readable table. */
  public String toTable() {
    int w = 0;
    for (String k : values.keySet()) {
      w = Math.max(w, k.length());
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String k = e.getKey();
      sb.append("  ").append(k);
      for (int i = k.length(); i < w + 2; i++) {
        sb.append(' ');
      }
      Object v = e.getValue();
      if (v instanceof Double) {
        sb.append(Json.number((Double) v));
      } else {
        sb.append(v);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return toJson();
  }
}
