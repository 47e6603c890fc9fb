package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code ./gossip node}: arguments, and the errors that end it before it serves. */
class NodeMainTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int run(String... args) {
    try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
      return new NodeMain(out, err).run(args);
    }
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void parsesEveryOption() throws Exception {
    NodeMain.Options o =
        NodeMain.parse(
            new String[] {
              "--bind",
              "127.0.0.1:7000",
              "--join",
              "10.0.0.5:7946,10.0.0.6",
              "--meta",
              "role=web",
              "zone=a",
              "--meta=dc=x",
              "--id",
              "n1",
              "--profile",
              "local",
              "--transport",
              "udp",
              "--summary",
              "0"
            });
    assertThat(o.bind().port()).isEqualTo(7000);
    assertThat(o.join()).hasSize(2);
    assertThat(o.join().get(1).port()).isEqualTo(7946);
    assertThat(o.meta()).isEqualTo(Map.of("role", "web", "zone", "a", "dc", "x"));
    assertThat(o.id()).isEqualTo("n1");
    assertThat(o.profile()).isEqualTo("local");
    assertThat(o.transport().name()).isEqualTo("UDP");
    assertThat(o.summary().isZero()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--join 127.0.0.1:7946                 | --bind",
        "--bind localhost                      | --bind",
        "--bind 127.0.0.1:99999                | --bind",
        "--bind 127.0.0.1:0 --join x:y         | --join",
        "--bind 127.0.0.1:0 --meta novalue     | --meta",
        "--bind 127.0.0.1:0 --profile fast     | --profile",
        "--bind 127.0.0.1:0 --transport quic   | --transport",
        "--bind 127.0.0.1:0 --summary soon     | --summary",
        "--bind 127.0.0.1:0 --id               | --id",
        "--bind 127.0.0.1:0 --color            | --color",
      })
  void badArgumentsExitWith2AndNameTheFlag(String args, String flag) {
    assertThat(run(args.trim().split(" "))).isEqualTo(2);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).startsWith("gossip node: ").contains(flag);
  }

  @Test
  void helpPrintsUsageAndExits0() {
    assertThat(run("--help")).isZero();
    assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("--bind HOST:PORT", "--join");
  }

  @Test
  void aTakenPortExitsWith1NamingTheAddress() throws Exception {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    try (ServerSocket tcp = new ServerSocket(0, 50, lo);
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, tcp.getLocalPort()))) {
      String address = "127.0.0.1:" + tcp.getLocalPort();
      assertThat(run("--bind", address)).isEqualTo(1);
      assertThat(err()).startsWith("gossip node: cannot bind " + address);
    }
  }

  @Test
  void noAnsweringSeedExitsWith1NamingTheSeeds() throws Exception {
    int silent;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      silent = probe.getLocalPort(); // nothing listens there once it is closed
    }
    String seed = "127.0.0.1:" + silent;
    assertThat(run("--bind", "127.0.0.1:0", "--profile", "local", "--join", seed)).isEqualTo(1);
    assertThat(err()).contains("could not join", seed);
    assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("STARTED");
  }
}
