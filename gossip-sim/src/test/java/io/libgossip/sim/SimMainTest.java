package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimMainTest {

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        SimMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--nodes | abc | --nodes 'abc': not a whole number",
        "--nodes | 1 | --nodes '1': nodes must be in [2, 1000000]",
        "--nodes | 1.5 | --nodes '1.5': not a whole number",
        "--loss | 1 | --loss '1': loss must be in [0, 1)",
        "--loss | -0.1 | --loss '-0.1': loss must be in [0, 1)",
        "--loss | NaN | --loss 'NaN': not a finite number",
        "--duration | 0 | --duration '0': duration must be positive",
        "--latency-ms | -1 | --latency-ms '-1': latency must be in [0, 60000]",
        "--profile | fast | --profile 'fast': profile must be one of lan, wan, local; got 'fast'",
        "--fail | -1 | --fail '-1': fail must be >= 0",
        "--seed | 1e3 | --seed '1e3': not a whole number",
        "--join-rate | x | --join-rate 'x': not a number",
      })
  void badValueIsOneLineNamingFlagAndValueWithExit2(String flag, String value, String message) {
    Result r = run(flag, value);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    String[] lines = r.err().split("\n");
    assertThat(lines[0]).isEqualTo("gossip sim: " + message);
    assertThat(r.err())
        .contains("usage: ./gossip sim [OPTIONS]; see ./gossip sim --help")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void unknownLastFlagIsReportedAsUnknownNotAsMissingValue() {
    Result r = run("--nodes", "10", "--frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("gossip sim: Unknown option: '--frobnicate'\n");
  }

  @Test
  void misspeltFlagSuggestsTheRightOne() {
    Result r = run("--nodez", "10");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'--nodez'").contains("--nodes");
  }

  @Test
  void missingValueOfTheLastFlagPrintsAnErrorAndAUsageHintAndExits2() {
    Result r = run("--nodes");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().split("\n"))
        .containsExactly(
            "gossip sim: Missing required parameter for option '--nodes' (N)",
            "usage: ./gossip sim [OPTIONS]; see ./gossip sim --help");
  }

  @Test
  void aFlagInPlaceOfAValueIsRejected() {
    Result r = run("--nodes", "--json");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gossip sim: ").contains("'--nodes'");
  }

  @Test
  void negativeSeedIsAValueNotAFlag() {
    Result r = run("--seed", "-5", "--nodes", "3", "--duration", "5", "--fail", "0", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"seed\":-5,");
  }

  @Test
  void repeatedFlagKeepsTheLastValue() throws Exception {
    assertThat(SimMain.parse(new String[] {"--nodes", "5", "--nodes=7"}).scenario.nodes())
        .isEqualTo(7);
  }

  @Test
  void versionPrintsTheProjectVersionAndExits0() {
    Result r = run("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).matches("(?s)gossip sim \\d+\\.\\d+\\.\\d+\\S*\nJVM: .*");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void tooManyFaultsAreRejected() {
    Result r = run("--nodes", "5", "--fail", "3", "--pause", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--fail 3 plus --pause 2 exceed the 4 nodes");
  }

  @Test
  void flagWithValueAfterEqualsSignIsAccepted() throws Exception {
    SimMain.Options o = SimMain.parse(new String[] {"--nodes=12", "--json"});
    assertThat(o.scenario.nodes()).isEqualTo(12);
    assertThat(o.json).isTrue();
  }

  @Test
  void switchWithValueIsRejected() {
    Result r = run("--json=yes");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("gossip sim: ").contains("'--json'").contains("'yes'");
  }

  @Test
  void helpPrintsUsageAndExits0() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith("Usage: ./gossip sim [OPTIONS]")
        .contains("--nodes", "--json", "--version")
        .contains("Exit status: 0 ok, 1 runtime failure, 2 usage error");
    assertThat(run("-h").out()).isEqualTo(r.out());
  }

  @Test
  void jsonIsOneObjectOnTheLastLine() {
    Result r = run("--nodes", "12", "--duration", "20", "--profile", "local", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    String last = lines[lines.length - 1];
    assertThat(last).startsWith("{\"nodes\":12,\"seed\":1,").endsWith("}");
    assertThat(last)
        .contains("\"join_converged_ms\":")
        .contains("\"dissemination_p99_ms\":")
        .contains("\"detection_all_max_ms\":")
        .contains("\"false_positives\":0")
        .contains("\"msgs_per_node_s\":")
        .contains("\"bytes_per_node_s\":");
  }

  @Test
  void tableIsPrintedWithoutJson() {
    Result r = run("--nodes", "8", "--duration", "10", "--profile", "local", "--fail", "0");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("gossip sim results").contains("join_converged_ms");
  }
}
