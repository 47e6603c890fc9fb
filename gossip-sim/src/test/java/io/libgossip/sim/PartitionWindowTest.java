package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code --partitions} spec: {@code DURATION@START,...} in seconds. */
class PartitionWindowTest {

  @Test
  void parsesWindowsInOrder() {
    assertThat(PartitionWindow.parseList("60@30, 600@200"))
        .containsExactly(new PartitionWindow(30, 60), new PartitionWindow(200, 600));
    assertThat(PartitionWindow.parseList("0.5@0")).containsExactly(new PartitionWindow(0, 0.5));
  }

  @Test
  void rejectsOverlapsBadPartsAndBadNumbers() {
    assertThatThrownBy(() -> PartitionWindow.parseList("60@30,10@80"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition 2 starts at 80 s, before partition 1 ends at 90 s");
    assertThatThrownBy(() -> PartitionWindow.parseList("60"))
        .hasMessageContaining("DURATION@START");
    assertThatThrownBy(() -> PartitionWindow.parseList("x@3")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> PartitionWindow.parseList("0@3")).hasMessageContaining("duration");
    assertThatThrownBy(() -> PartitionWindow.parseList("5@-1")).hasMessageContaining("start");
    assertThatThrownBy(() -> PartitionWindow.parseList(""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theCommandLineTakesTheSpecAndReportsEachHeal() throws Exception {
    SimMain.Options o =
        SimMain.parse(new String[] {"--nodes", "6", "--partitions", "10@2,10@20", "--fail", "0"});
    assertThat(o.scenario.partitionWindows()).hasSize(2);
    assertThatThrownBy(() -> SimMain.parse(new String[] {"--partitions", "10@2,10@5"}))
        .isInstanceOf(picocli.CommandLine.ParameterException.class)
        .hasMessageContaining("--partitions");

    SimReport r =
        new Scenario()
            .nodes(6)
            .fail(0)
            .updates(0)
            .durationSeconds(60)
            .partitions(List.of(new PartitionWindow(2, 10), new PartitionWindow(20, 10)))
            .run(null);
    assertThat(r.toJson()).contains("\"partition_heals_ms\":\"");
    assertThat(r.number("partitions")).isEqualTo(2);
    assertThat(r.number("partition_heal_converged_ms")).isBetween(0.0, 15_000.0);
  }
}
