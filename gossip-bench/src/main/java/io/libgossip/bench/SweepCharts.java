package io.libgossip.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts of a {@link SimSweep} (XChart, rendered headless). */
final class SweepCharts {
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };
  private static final BasicStroke DASHED =
      new BasicStroke(
          2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f);
  private static final BasicStroke SOLID = new BasicStroke(2.5f);

  private SweepCharts() {}

  /** Writes detection_vs_loss.png, dissemination_vs_n.png and bytes_vs_n.png into {@code dir}. */
  static void writeAll(List<SimSweep.Row> rows, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    save(detectionVsLoss(rows), dir.resolve("detection_vs_loss.png"));
    save(disseminationVsN(rows), dir.resolve("dissemination_vs_n.png"));
    save(bytesVsN(rows), dir.resolve("bytes_vs_n.png"));
  }

  private static void save(XYChart chart, Path file) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c =
        new XYChartBuilder()
            .width(1100)
            .height(560)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    c.getStyler().setLegendPosition(LegendPosition.OutsideE);
    c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    c.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    c.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    c.getStyler().setMarkerSize(9);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setPlotGridLinesVisible(true);
    c.getStyler().setYAxisMin(0.0);
    return c;
  }

  private static NavigableSet<Integer> sizes(List<SimSweep.Row> rows) {
    TreeSet<Integer> s = new TreeSet<>();
    rows.forEach(r -> s.add(r.nodes()));
    return s;
  }

  private static NavigableSet<Double> losses(List<SimSweep.Row> rows) {
    TreeSet<Double> s = new TreeSet<>();
    rows.forEach(r -> s.add(r.loss()));
    return s;
  }

  private static XYSeries measured(XYChart c, String name, double[] x, double[] y, int color) {
    XYSeries s = c.addSeries(name, x, y);
    s.setLineColor(COLORS[color % COLORS.length]);
    s.setMarkerColor(COLORS[color % COLORS.length]);
    s.setLineStyle(SOLID);
    s.setMarker(SeriesMarkers.CIRCLE);
    return s;
  }

  private static XYSeries expected(XYChart c, String name, double[] x, double[] y, int color) {
    XYSeries s = c.addSeries(name, x, y);
    s.setLineColor(COLORS[color % COLORS.length]);
    s.setMarkerColor(COLORS[color % COLORS.length]);
    s.setLineStyle(DASHED);
    s.setMarker(SeriesMarkers.NONE);
    return s;
  }

  static XYChart detectionVsLoss(List<SimSweep.Row> rows) {
    XYChart c =
        chart(
            "First detection of a crash vs packet loss (LAN profile, mean of "
                + SimSweep.FAILS
                + " crashes)",
            "packet loss (%)",
            "time from crash to first SUSPECT (s)");
    int color = 0;
    for (int n : sizes(rows)) {
      List<SimSweep.Row> rs = rows.stream().filter(r -> r.nodes() == n).toList();
      double[] x = col(rs, r -> r.loss() * 100);
      measured(
          c,
          "N=" + n + " measured mean",
          x,
          col(rs, r -> r.v("detection_first_mean_ms") / 1000),
          color);
      XYSeries max =
          c.addSeries(
              "N=" + n + " measured max", x, col(rs, r -> r.v("detection_first_max_ms") / 1000));
      max.setLineColor(COLORS[color % COLORS.length]);
      max.setMarkerColor(COLORS[color % COLORS.length]);
      max.setLineStyle(new BasicStroke(1f));
      max.setMarker(SeriesMarkers.TRIANGLE_UP);
      expected(
          c,
          "N=" + n + " expected T(1/2 + 1/q)",
          x,
          col(rs, r -> r.expected().firstDetectionMs() / 1000),
          color);
      color++;
    }
    return c;
  }

  static XYChart disseminationVsN(List<SimSweep.Row> rows) {
    XYChart c =
        chart(
            "Metadata dissemination vs cluster size (LAN profile, 10 updates)",
            "cluster size N (nodes, log scale)",
            "time from update to a node seeing it (ms)");
    c.getStyler().setXAxisLogarithmic(true);
    int color = 0;
    for (double loss : losses(rows)) {
      List<SimSweep.Row> rs = rows.stream().filter(r -> r.loss() == loss).toList();
      double[] x = col(rs, r -> r.nodes());
      String l = String.format(Locale.ROOT, "loss %.0f%%", loss * 100);
      measured(c, l + " p50", x, col(rs, r -> r.v("dissemination_p50_ms")), color);
      XYSeries p99 = c.addSeries(l + " p99", x, col(rs, r -> r.v("dissemination_p99_ms")));
      p99.setLineColor(COLORS[color % COLORS.length]);
      p99.setMarkerColor(COLORS[color % COLORS.length]);
      p99.setLineStyle(new BasicStroke(1.2f));
      p99.setMarker(SeriesMarkers.SQUARE);
      color++;
    }
    List<SimSweep.Row> first = firstPerSize(rows);
    XYSeries e =
        expected(
            c,
            "expected log_4(N) rounds x 200 ms",
            col(first, r -> r.nodes()),
            col(first, r -> r.expected().disseminationMs()),
            color);
    e.setLineColor(Color.BLACK);
    return c;
  }

  static XYChart bytesVsN(List<SimSweep.Row> rows) {
    XYChart c =
        chart(
            "Steady-state traffic per node vs cluster size (LAN profile)",
            "cluster size N (nodes, log scale)",
            "bytes sent per node per second (B/s, payload, log scale)");
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setYAxisMin(null);
    c.getStyler().setYAxisLogarithmic(true);
    int color = 0;
    for (double loss : losses(rows)) {
      List<SimSweep.Row> rs = rows.stream().filter(r -> r.loss() == loss).toList();
      measured(
          c,
          String.format(Locale.ROOT, "loss %.0f%%", loss * 100),
          col(rs, r -> r.nodes()),
          col(rs, r -> r.v("bytes_per_node_s")),
          color++);
    }
    return c;
  }

  private static List<SimSweep.Row> firstPerSize(List<SimSweep.Row> rows) {
    List<SimSweep.Row> out = new ArrayList<>();
    for (int n : sizes(rows)) {
      rows.stream().filter(r -> r.nodes() == n).findFirst().ifPresent(out::add);
    }
    return out;
  }

  private static double[] col(List<SimSweep.Row> rows, ToDoubleFunction<SimSweep.Row> f) {
    return rows.stream().mapToDouble(f).toArray();
  }
}
