package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GossipCoreFuzzInputsTest {

  @Test
  void committedSeedsAreWhatTheGeneratorWrites() throws IOException {
    for (Map.Entry<String, byte[]> e : GossipCoreFuzzInputs.seeds().entrySet()) {
      String resource = "/" + GossipCoreFuzzInputs.DIRECTORY + "/" + e.getKey();
      try (InputStream in = getClass().getResourceAsStream(resource)) {
        assertThat(in).as(resource).isNotNull();
        assertThat(in.readAllBytes()).as(resource).isEqualTo(e.getValue());
      }
    }
  }

  private static GossipCoreFuzzDriver run(String seed) {
    GossipCoreFuzzDriver driver = new GossipCoreFuzzDriver();
    driver.run(GossipCoreFuzzInputs.seeds().get(seed));
    return driver;
  }

  @Test
  void seedsReachThePartsTheyAreNamedFor() {
    assertThat(run("join-then-answered-probes").typesSent)
        .contains(MessageType.PING, MessageType.PUSH_PULL);

    GossipCoreFuzzDriver silent = run("silent-peers-suspected-failed-expired");
    assertThat(silent.statusesSeen).contains(NodeStatus.SUSPECT, NodeStatus.FAILED);
    assertThat(silent.typesSent)
        .as("peers that never answered at their address are no indirect-probe helpers")
        .doesNotContain(MessageType.PING_REQ);
    assertThat(silent.largestTable).isEqualTo(4);
    assertThat(silent.tableSize()).as("tombstones expired").isEqualTo(1);

    assertThat(run("this-node-suspected-and-declared-dead").selfIncarnation()).isPositive();
    assertThat(run("indirect-probe-relayed-and-nacked").typesSent)
        .contains(MessageType.PING, MessageType.ACK);
    assertThat(run("incarnation-edges-restarts-and-leaves").statusesSeen).contains(NodeStatus.LEFT);
    assertThat(run("push-pull-exchanges").typesSent).contains(MessageType.PUSH_PULL);
    assertThat(run("built-messages").largestTable).isGreaterThan(2);
  }
}
