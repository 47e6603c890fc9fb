package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code ./gossip} launcher's handling of {@code sim} arguments, with its functions sourced in
 * bash (nothing is built or run): it must pass every argument through to {@link SimMain}, which
 * reports bad ones.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "gossip").toAbsolutePath().normalize();

  private record Result(int code, String out) {}

  private static Result bash(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", "source \"$1\" && " + script, "bash", LAUNCHER.toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bash did not finish within 30 s");
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void launcherIsThere() {
    assertThat(Files.isRegularFile(LAUNCHER)).as(LAUNCHER.toString()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--nodes              | ''",
        "--json --nodes       | ''",
        "--nodes 100          | ''",
        "--nodes 2000         | large",
        "--nodes=5000 --json  | large",
        "--nodes abc          | ''",
      })
  void simHeapOptionsSurviveEveryArgumentList(String args, String expected) throws Exception {
    Result r =
        bash(
            "DEFAULT_JVM_OPTS=(); sim_heap_opts "
                + args
                + "; echo \"ok ${DEFAULT_JVM_OPTS[*]:-}\"");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).startsWith("ok");
    if (expected.equals("large")) {
      assertThat(r.out()).contains("-XX:InitialRAMPercentage=85");
    } else {
      assertThat(r.out().strip()).isEqualTo("ok");
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                   | scale --nodes 100 | -XX:+UseParallelGC",
        "-XX:+UseG1GC         | scale --nodes 100 | ''",
        "-Xmx2g -XX:+UseZGC   | scale             | ''",
        "-Xmx2g               | scale             | -XX:+UseParallelGC",
        "''                   | sweep             | ''",
      })
  void scaleBenchGetsTheParallelCollectorUnlessJavaOptsNameOne(
      String javaOpts, String args, String expected) throws Exception {
    Result r =
        bash(
            "JAVA_OPTS='"
                + javaOpts
                + "'; DEFAULT_JVM_OPTS=(); scale_gc_opts "
                + args
                + "; echo \"ok ${DEFAULT_JVM_OPTS[*]:-}\"");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out().strip()).isEqualTo(("ok " + expected).strip());
  }

  @Test
  void usageListsTheSubcommands() throws Exception {
    Result r = bash("usage");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("node ", "sim ", "bench ", "demo ", "example ", "--version");
  }
}
