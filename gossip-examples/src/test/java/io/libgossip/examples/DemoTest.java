package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code ./gossip demo} passes every phase and prints what it measured. */
class DemoTest {
  @Test
  void demoPassesEveryPhaseAndPrintsTheMeasuredTimes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = Demo.run(out);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(status).as("exit status; output:%n%s", text).isZero();
    assertThat(text)
        .contains("cluster formed:", "metadata spread:", "crash: first SUSPECT:")
        .contains("crash: all FAILED:", "graceful leave:", "demo passed in")
        .contains("SUSPECT -> FAILED", "ONLINE -> LEFT")
        .doesNotContain("\u001b["); // plain lines, no terminal control sequences
  }

  @Test
  void exampleLauncherListsEveryExample() {
    assertThat(ExampleMain.usage())
        .contains("simple-cluster", "seed-cluster", "advanced-cluster", "hashing", "network")
        .contains("config", "balancing", "jobs", "timing");
  }
}
