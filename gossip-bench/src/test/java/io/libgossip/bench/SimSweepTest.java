package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.libgossip.core.GossipConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimSweepTest {
  @Test
  void expectationsFollowTheFormulas() {
    GossipConfig lan = GossipConfig.lan();
    // T (1/2 + 1/q), q = 1 - (1 - 1/(N-1))^(N-1): 1/q -> e/(e-1) = 1.582 for large N.
    assertThat(SimSweep.expectedFirstDetectionMs(100, lan)).isCloseTo(2077.3, within(0.5));
    assertThat(SimSweep.expectedFirstDetectionMs(1000, lan)).isCloseTo(2082.0, within(0.5));
    assertThat(SimSweep.expectedFirstDetectionMs(1_000_000, lan))
        .isCloseTo(1000 * (0.5 + Math.E / (Math.E - 1)), within(0.5));
    // log_4(N) rounds of 200 ms.
    assertThat(SimSweep.expectedRounds(1024, lan)).isCloseTo(5.0, within(1e-9));
    assertThat(SimSweep.expected(100, lan, null).disseminationMs()).isCloseTo(664.4, within(0.1));
  }

  @Test
  void oneSmallCellGivesATableCsvAndJson() {
    SimSweep.Row row = SimSweep.runCell(20, 0.05, 40);
    assertThat(row.v("crashes")).isEqualTo(SimSweep.FAILS);
    assertThat(row.v("detection_first_mean_ms")).isPositive();
    List<SimSweep.Row> rows = List.of(row);
    String[] csv = SimSweep.csv(rows).split("\n");
    assertThat(csv).hasSize(2);
    assertThat(csv[1].split(",")).hasSize(SimSweep.CSV_COLUMNS.length);
    assertThat(SimSweep.json(rows)).startsWith("[\n  {\"nodes\": 20, \"loss\": 0.05,");
    assertThat(SimSweep.table(rows)).contains("| 20 ").contains("(2.06 s)");
  }
}
