package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ./gossip bench lifeguard}: its rows, its table and its command line, on a tiny cluster.
 */
class LifeguardBenchTest {

  private static final LifeguardBench.Options TINY =
      new LifeguardBench.Options(List.of(30), 1, 40, 0.05, 0.8, 0, 1, List.of("none", "full"));

  @Test
  void rowsSumTheSeedsAndSplitFalsePositivesBySlowSubjects() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    List<LifeguardBench.Row> rows =
        LifeguardBench.ablation(TINY, new PrintStream(buf, true, StandardCharsets.UTF_8));

    assertThat(rows).extracting(LifeguardBench.Row::variant).containsExactly("none", "full");
    for (LifeguardBench.Row r : rows) {
      assertThat(r.nodes()).isEqualTo(30);
      assertThat(r.runs()).isEqualTo(1);
      assertThat(r.falsePositives()).isEqualTo(r.fpAboutSlow() + r.fpAboutHealthy());
      assertThat(r.fpBySlow()).isLessThanOrEqualTo(r.fpAboutHealthy());
      assertThat(r.msgsPerNodeS()).isPositive();
      assertThat(r.firstDetectionMeanMs()).as("the crash was noticed").isPositive();
    }
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("N=30 none", "N=30 full");

    String table = LifeguardBench.table(rows);
    assertThat(table.split("\n")).hasSize(4);
    assertThat(table).startsWith("| N ").contains("SWIM FP / FP").contains("| full ");
  }

  @Test
  void badVariantIsAUsageError() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        BenchMain.run(
            new String[] {"lifeguard", "--variants", "none,swim"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--variants").contains("'swim'");
  }
}
