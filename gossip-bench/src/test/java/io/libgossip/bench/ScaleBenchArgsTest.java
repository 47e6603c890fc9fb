package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.net.TransportType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleBenchArgsTest {

  @Test
  void defaults() {
    ScaleBench.Options o = ScaleBench.parse(new String[0]);
    assertThat(o.nodes).containsExactly(100, 500, 1000);
    assertThat(o.idleSeconds).isEqualTo(20);
    assertThat(o.profile).isEqualTo("lan");
    assertThat(o.json).isFalse();
    assertThat(o.transport).isEqualTo(TransportType.HYBRID);
  }

  @Test
  void ratesDivideEachNodesCountsByItsOwnInterval() {
    long s = 1_000_000_000L;
    // node 0 read 1 s apart, node 1 read 10 s apart (its loop was busy): 10 packets each
    long[][] before = {{0, 0, 0, 0}, {5, 500, 1, 0}};
    long[][] after = {{10, 1000, 2, s}, {15, 1500, 1, 10 * s}};

    double[] r = ScaleBench.rates(before, after);

    assertThat(r[0]).isEqualTo(10 + 1.0); // packets per second, summed over nodes
    assertThat(r[1]).isEqualTo(1000 + 100.0);
    assertThat(r[2]).isEqualTo(2.0);
  }

  @Test
  void parsesEveryFlag() {
    ScaleBench.Options o =
        ScaleBench.parse(
            new String[] {
              "--nodes", "10, 20", "--idle-s=5", "--profile", "LOCAL", "--json",
              "--transport", "udp", "--join-rate", "50", "--converge-timeout-s", "30",
              "--fail-timeout-s", "40", "--settle-s", "0", "--tcp-idle-s", "2"
            });
    assertThat(o.nodes).isEqualTo(List.of(10, 20));
    assertThat(o.idleSeconds).isEqualTo(5);
    assertThat(o.profile).isEqualTo("local");
    assertThat(o.json).isTrue();
    assertThat(o.transport).isEqualTo(TransportType.UDP);
    assertThat(o.joinRate).isEqualTo(50);
    assertThat(o.convergeTimeoutSeconds).isEqualTo(30);
    assertThat(o.failTimeoutSeconds).isEqualTo(40);
    assertThat(o.settleSeconds).isZero();
    assertThat(o.tcpIdleSeconds).isEqualTo(2);
  }

  @Test
  void repeatAndTrace() {
    ScaleBench.Options o = ScaleBench.parse(new String[] {"--repeat", "10", "--trace"});
    assertThat(o.repeat).isEqualTo(10);
    assertThat(o.trace).isTrue();
    assertThat(ScaleBench.parse(new String[0]).repeat).isEqualTo(1);
    assertThatThrownBy(() -> ScaleBench.parse(new String[] {"--repeat", "0"}))
        .hasMessageContaining("--repeat");
  }

  @Test
  void summaryCountsStormsAndConvergence() {
    ScaleBench.Options o = ScaleBench.parse(new String[] {"--converge-timeout-s", "60"});
    ScaleBench.Result quiet = result(11_000, 400, 6.0);
    ScaleBench.Result hot = result(12_000, 300, 190.0); // converged, but idled at 190% CPU
    ScaleBench.Result lost = result(-1, -1, 197.0);

    String line = ScaleBench.summary(List.of(quiet, hot, lost), o);

    assertThat(quiet.stormed()).isFalse();
    assertThat(hot.stormed()).isTrue();
    assertThat(lost.stormed()).isTrue();
    assertThat(line)
        .contains("N=1000: 3 runs, converged 2 of 3 within 60 s, stormed 2 of 3")
        .contains("converge 11.0 / 11.0 / 12.0 s")
        .contains("formation after last start 0.30 / 0.30 / 0.40 s");
  }

  private static ScaleBench.Result result(long convergeMs, long formationMs, double cpu) {
    ScaleBench.Result r = new ScaleBench.Result();
    r.n = 1000;
    r.convergeMs = convergeMs;
    r.formationMs = formationMs;
    r.cpuCorePct = cpu;
    return r;
  }

  @Test
  void formationIsTheLastNodesLastJoinAfterTheLastStart() {
    FormationTrace t = new FormationTrace(3, true);
    long s = 1_000_000_000L;
    t.joined(0, 1, 2 * s);
    t.joined(1, 0, 2 * s);
    t.joined(0, 2, 3 * s);
    t.joined(2, 0, 3 * s);
    t.joined(2, 1, 3 * s);
    assertThat(t.formationNanos(2 * s, 3)).isEqualTo(-1); // node 1 has not seen node 2
    t.joined(1, 2, 5 * s);
    t.joined(1, FormationTrace.index("x"), 9 * s); // not one of ours: ignored
    assertThat(t.formationNanos(2 * s, 3)).isEqualTo(3 * s);
    assertThat(FormationTrace.index(FormationTrace.id(42))).isEqualTo(42);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--nodes|--nodes",
        "--nodes 1|--nodes",
        "--nodes 10,x|--nodes",
        "--idle-s 0|--idle-s",
        "--profile wan|--profile",
        "--transport tcp|--transport",
        "--bogus|--bogus"
      })
  void badArgumentsNameTheFlag(String args, String flag) {
    assertThatThrownBy(() -> ScaleBench.parse(args.split(" ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(flag);
  }

  @Test
  void runReturnsTwoOnBadArgumentsAndZeroOnHelp() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    assertThat(ScaleBench.run(new String[] {"--idle-s", "x"}, out)).isEqualTo(2);
    assertThat(ScaleBench.run(new String[] {"--help"}, out)).isZero();
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("--nodes");
  }
}
