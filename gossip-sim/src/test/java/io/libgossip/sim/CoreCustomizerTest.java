package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Simulation.Builder#customizeCore}: a per-node change to each core's builder. */
class CoreCustomizerTest {

  @Test
  void metadataSetOnOneNodesBuilderReachesEveryOtherNode() {
    Simulation sim =
        Simulation.builder()
            .nodes(20)
            .seed(3)
            .customizeCore(
                (node, b) -> {
                  if (node == 7) {
                    b.metadata(Map.of("role", "seed"));
                  }
                })
            .build();

    assertThat(sim.runUntilConverged(Duration.ofSeconds(30))).isTrue();
    sim.runFor(Duration.ofSeconds(5));

    for (int o : sim.liveNodes()) {
      for (NodeView v : sim.view(o)) {
        if (v.id().equals(sim.id(7))) {
          assertThat(v.metadata()).as("node %d's view of node 7", o).containsEntry("role", "seed");
        } else {
          assertThat(v.metadata()).as("node %d's view of %s", o, v.id()).isEmpty();
        }
      }
    }
  }

  @Test
  void customizerIsCalledAtEveryStartIncludingRestarts() {
    List<Integer> calls = new ArrayList<>();
    Simulation sim =
        Simulation.builder()
            .nodes(5)
            .config(GossipConfig.local())
            .customizeCore(
                (node, b) -> {
                  calls.add(node);
                  b.metadata(
                      Map.of("life", Long.toString(calls.stream().filter(x -> x == node).count())));
                })
            .build();
    assertThat(sim.runUntilConverged(Duration.ofSeconds(20))).isTrue();
    assertThat(calls).containsExactly(0, 1, 2, 3, 4);

    sim.crash(2);
    sim.runFor(Duration.ofSeconds(1));
    sim.restart(2);

    assertThat(calls).containsExactly(0, 1, 2, 3, 4, 2);
    assertThat(sim.core(2).self().metadata()).containsEntry("life", "2");
  }

  @Test
  void customizerCannotTakeTheNodesIdentityOrWiring() {
    Simulation sim =
        Simulation.builder()
            .nodes(4)
            .config(GossipConfig.local())
            .customizeCore((node, b) -> b.id("impostor").outbox((m, t, d) -> {}))
            .build();

    assertThat(sim.runUntilConverged(Duration.ofSeconds(20))).isTrue();
    assertThat(sim.core(1).self().id()).isEqualTo("n1");
  }

  @Test
  void packetOverheadSetOnOneNodeKeepsItsBestEffortPacketsThatMuchSmaller() {
    int overhead = 500;
    int limit = GossipConfig.lan().maxPacketSize();

    int withOverhead = largestBestEffortPacketOfNode5(overhead);
    int without = largestBestEffortPacketOfNode5(0);

    assertThat(without)
        .as("without overhead, node 5 fills packets past the reduced budget")
        .isGreaterThan(limit - overhead);
    assertThat(withOverhead).isLessThanOrEqualTo(limit - overhead);
  }

  private static int largestBestEffortPacketOfNode5(int overhead) {
    Simulation sim =
        Simulation.builder()
            .nodes(80)
            .seed(8)
            .customizeCore(
                (node, b) -> {
                  b.metadata(Map.of("pad", "x".repeat(200))); // big claims fill packets
                  if (node == 5) {
                    b.packetOverhead(overhead);
                  }
                })
            .build();
    MessageSerializer sizer = BinarySerializer.forConfig(sim.config());
    int[] largest = {0};
    sim.sendTap(
        (now, src, dst, m, d) -> {
          if (src == 5 && d == Delivery.BEST_EFFORT) {
            largest[0] = Math.max(largest[0], sizer.encodedSize(m));
          }
        });
    sim.runUntil(Duration.ofSeconds(10));
    return largest[0];
  }

  @Test
  void nullCustomizerIsRejected() {
    assertThatThrownBy(() -> Simulation.builder().customizeCore(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("customizer");
  }
}
