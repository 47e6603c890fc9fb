package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real agents form a cluster through the fixture (skipped without {@code serf}). */
class SerfAgentFixtureTest {
  @TempDir Path tmp;

  @Test
  void twoAgentsJoinAndSeeEachOtherWithTags() throws Exception {
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);
    try (SerfAgent a = SerfAgent.start("a", tmp, Map.of("role", "web"), null, List.of());
        SerfAgent b = SerfAgent.start("b", tmp, Map.of(), null, List.of("-join", a.address()))) {
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> a.membersJson().contains("\"name\":\"b\""));
      assertThat(b.membersJson()).contains("\"role\":\"web\"").contains("\"status\":\"alive\"");
    }
  }
}
