package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./gossip bench}'s command line, driven in-process (nothing long is run). */
class BenchMainTest {
  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        BenchMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "help"})
  void helpListsTheCommandsAndExitCodesAndExits0(String help) {
    Result r = run(help);
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("Usage: ./gossip bench [COMMAND [ARGS...]]")
        .contains("jmh", "sweep", "scale", "sizes", "--version")
        .contains("Exit status: 0 ok, 1 runtime failure, 2 usage error");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void helpOfASubcommandListsItsOptions() {
    Result r = run("help", "sweep");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--big", "--quick", "--out=DIR", "--no-charts");
  }

  @Test
  void versionPrintsTheProjectVersionAndExits0() {
    Result r = run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).matches("(?s)gossip bench \\d+\\.\\d+\\.\\d+\\S*\\nJVM: .*");
  }

  @Test
  void unknownCommandIsAUsageErrorWithASuggestion() {
    Result r = run("sweeep");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("gossip bench: Unmatched argument at index 0: 'sweeep'")
        .contains("sweep")
        .contains("usage: ./gossip bench [OPTIONS]; see ./gossip bench --help");
  }

  @Test
  void unknownLastOptionOfSweepIsReportedAsUnknown() {
    Result r = run("sweep", "--quick", "--bigg");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gossip bench sweep: Unknown option: '--bigg'");
  }

  @Test
  void sweepOutWithoutADirectoryIsAUsageError() {
    Result r = run("sweep", "--out");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("gossip bench sweep: Missing required parameter for option '--out' (DIR)")
        .contains("see ./gossip bench sweep --help");
  }

  @Test
  void scaleKeepsItsOwnOptionsAndExitCodes() {
    Result bad = run("scale", "--idle-s", "x");
    assertThat(bad.code()).isEqualTo(2);
    Result help = run("scale", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--nodes", "--idle-s");
  }

  @Test
  void sizesPrintsBothFormats() {
    Result r = run("sizes");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("ping8", "pushPull1000", "binary", "json/binary");
  }
}
