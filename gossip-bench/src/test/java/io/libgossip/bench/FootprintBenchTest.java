package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command lines of {@code bench footprint} and {@code bench agent-http}, and the {@code /proc}
 * reads behind them; nothing here starts an agent, serf or wrk.
 */
class FootprintBenchTest {
  private record Result(int code, String out) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        BenchMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void footprintHelpListsItsOptions() {
    Result r = run("footprint", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--agents", "--serf", "--settle-s", "--window-s", "--java-opts");
  }

  @Test
  void footprintRefusesAnUnknownCommandWithStatus2() {
    Result r = run("footprint", "--command", "sim");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("--command must be agent or node");
  }

  @Test
  void footprintTakesASingleJvmOptionAsJavaOpts() {
    // Parsed as --java-opts' value, the command line gets as far as checking --command.
    Result r =
        run("footprint", "--java-opts", "-XX:CompileThresholdScaling=0.2", "--command", "sim");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("--command must be agent or node");
  }

  @Test
  void footprintRefusesABadNumberWithStatus2() {
    assertThat(run("footprint", "--agents", "many").code()).isEqualTo(2);
  }

  @Test
  void agentHttpHelpListsItsOptions() {
    Result r = run("agent-http", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--members", "--repeat", "--duration", "--connections");
  }

  @Test
  void benchHelpListsTheNewCommands() {
    assertThat(run("--help").out()).contains("footprint", "agent-http");
  }

  @Test
  void probeReadsThisProcess() {
    assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
    long pid = ProcessHandle.current().pid();
    assertThat(ProcessProbe.rssKb(pid)).isPositive();
    assertThat(ProcessProbe.pssKb(pid)).isPositive();
    assertThat(ProcessProbe.cpuMs(pid)).isNotNegative();
    assertThat(ProcessProbe.cpuMsByThread(pid)).isNotEmpty();
  }

  @Test
  void probeAnswersMinusOneForAProcessThatIsGone() {
    assertThat(ProcessProbe.rssKb(Long.MAX_VALUE)).isEqualTo(-1);
    assertThat(ProcessProbe.cpuMs(Long.MAX_VALUE)).isEqualTo(-1);
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(FootprintBench.median(List.of(3.0, 1.0, 2.0), d -> d)).isEqualTo(2.0);
    assertThat(FootprintBench.median(List.of(4.0, 1.0, 2.0, 3.0), d -> d)).isEqualTo(2.5);
  }
}
