package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.net.GossipNode;
import io.libgossip.serf.SerfNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
              "0",
              "--join-timeout",
              "2m",
              "--advertise",
              "example.org",
              "--cluster",
              "prod"
            });
    assertThat(o.bind().port()).isEqualTo(7000);
    assertThat(o.join).hasSize(2);
    assertThat(o.join.get(1).port()).isEqualTo(7946);
    assertThat(o.meta).isEqualTo(Map.of("role", "web", "zone", "a", "dc", "x"));
    assertThat(o.id).isEqualTo("n1");
    assertThat(o.profile).isEqualTo("local");
    assertThat(o.transport.name()).isEqualTo("UDP");
    assertThat(o.summary.isZero()).isTrue();
    assertThat(o.joinTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.advertise).isEqualTo(new NodeAddress("example.org", 0)); // 0: the bound port
    assertThat(o.cluster).isEqualTo("prod");
  }

  @Test
  void defaultsNeedOnlyBind() throws Exception {
    NodeMain.Options o = NodeMain.parse(new String[] {"--bind=127.0.0.1:0"});
    assertThat(o.join).isEmpty();
    assertThat(o.profile).isEqualTo("lan");
    assertThat(o.joinTimeout()).isEqualTo(NodeMain.DEFAULT_JOIN_TIMEOUT);
    assertThat(o.summary).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.advertise).isNull();
  }

  @Test
  void joinIsRepeatableAndKeepsTheOrder() throws Exception {
    NodeMain.Options o =
        NodeMain.parse(new String[] {"--bind", "127.0.0.1:0", "--join", "a:1,[::1]:2", "--join=b"});
    assertThat(o.join)
        .containsExactly(
            new NodeAddress("a", 1), new NodeAddress("::1", 2), new NodeAddress("b", 7946));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--join 127.0.0.1:7946                 | --bind",
        "--bind localhost                      | --bind",
        "--bind 127.0.0.1:99999                | --bind",
        "--bind 127.0.0.1:0 --join x:y         | --join",
        "--bind 127.0.0.1:0 --join a:b:c       | --join: expected HOST:PORT, got 'a:b:c'",
        "--bind 127.0.0.1:0 --join 10.0.0.1:1, | '10.0.0.1:1,' (an empty address",
        "--bind 127.0.0.1:0 --join ,a:1        | ',a:1'",
        "--bind 127.0.0.1:0 --join a:1,,b:2    | 'a:1,,b:2'",
        "--bind 127.0.0.1:0 --join a:0         | port 0 cannot be reached",
        "--bind 127.0.0.1:0 --advertise a:b:c  | --advertise: expected HOST:PORT, got 'a:b:c'",
        "--bind 127.0.0.1:0 --join-timeout 5   | '--join-timeout'",
        "--bind 127.0.0.1:0 --join-timeout 0s  | '--join-timeout'",
        "--bind 127.0.0.1:0 --meta novalue     | --meta",
        "--bind 127.0.0.1:0 --profile fast     | --profile",
        "--bind 127.0.0.1:0 --transport quic   | --transport",
        "--bind 127.0.0.1:0 --summary soon     | --summary",
        "--bind 127.0.0.1:0 --id               | --id",
        "--bind 127.0.0.1:0 --color            | --color",
        "--bind 127.0.0.1:0 --id --color       | --color",
        "--bind 127.0.0.1:0 extra              | 'extra'",
        "--bind 127.0.0.1:0 --tls-cert /nonexistent/a.pem | --tls-cert: cannot read file '/nonexistent/a.pem'",
        "--bind 127.0.0.1:0 --tls-ca /nonexistent/ca.pem | --tls-ca: cannot read file",
      })
  void badArgumentsExitWith2AndNameTheFlag(String args, String flag) {
    assertThat(run(args.trim().split(" "))).isEqualTo(2);
    assertThat(err().lines())
        .hasSize(2)
        .last()
        .isEqualTo("usage: ./gossip node [OPTIONS]; see ./gossip node --help");
    assertThat(err()).startsWith("gossip node: ").contains(flag);
    assertThat(outBytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void unknownLastFlagIsReportedAsUnknownNotAsMissingValue() {
    assertThat(run("--bind", "127.0.0.1:0", "--color")).isEqualTo(2);
    assertThat(err()).startsWith("gossip node: Unknown option: '--color'\n");
    assertThat(err()).doesNotContain("needs a value").doesNotContain("Missing");
  }

  @Test
  void missingValueOfTheLastFlagIsAUsageError() {
    assertThat(run("--bind", "127.0.0.1:0", "--join")).isEqualTo(2);
    assertThat(err()).startsWith("gossip node: Missing required parameter for option '--join'");
  }

  @Test
  void versionPrintsTheProjectVersionAndExits0() {
    assertThat(run("--version")).isZero();
    assertThat(outBytes.toString(StandardCharsets.UTF_8))
        .matches("(?s)gossip node \\d+\\.\\d+\\.\\d+\\S*\nJVM: .*");
  }

  @Test
  void advertiseWithoutPortAdvertisesTheBoundPort() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    AtomicInteger status = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () ->
                status.set(
                    run(
                        "--bind",
                        "127.0.0.1:" + port,
                        "--advertise",
                        "127.0.0.2", // an address other than the bound one, without a port
                        "--profile",
                        "local",
                        "--summary",
                        "0")),
            "node-main-test");
    t.start();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> outBytes.toString(StandardCharsets.UTF_8).contains(" READY "));
      assertThat(outBytes.toString(StandardCharsets.UTF_8))
          .as(err())
          .contains(" STARTED ")
          .contains(" 127.0.0.2:" + port + " ")
          .doesNotContain(":7946");
    } finally {
      t.interrupt();
      t.join(10_000);
    }
    assertThat(t.isAlive()).isFalse();
    assertThat(status.get()).isZero();
  }

  @Test
  void helpPrintsUsageAndExits0() {
    assertThat(run("--help")).isZero();
    assertThat(outBytes.toString(StandardCharsets.UTF_8))
        .startsWith("Usage: ./gossip node --bind HOST:PORT [OPTIONS]")
        .contains("--join", "--join-timeout=DURATION", "--version")
        .contains("Exit status: 0 after a graceful leave, 1 if it cannot bind or join");
    assertThat(err()).isEmpty();
  }

  @Test
  void helpAloneAsAWordPrintsUsage() {
    assertThat(run("help")).isZero();
    assertThat(outBytes.toString(StandardCharsets.UTF_8)).startsWith("Usage: ./gossip node");
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

  @Test
  void retryJoinKeepsTryingUntilASeedStartsThenServes() throws Exception {
    int port = freePortBelowTheEphemeralRange(); // the seed binds it later
    AtomicInteger exit = new AtomicInteger(-1);
    Thread runner =
        new Thread(
            () ->
                exit.set(
                    run(
                        "--bind",
                        "127.0.0.1:0",
                        "--profile",
                        "local",
                        "--retry-join",
                        "--join-timeout",
                        "300ms",
                        "--join",
                        "127.0.0.1:" + port)),
            "node-main-retry");
    runner.start();
    try {
      // A failed attempt is not the end: still running after more than one join timeout.
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> outBytes.toString(StandardCharsets.UTF_8).contains("STARTED"));
      Awaitility.await()
          .during(Duration.ofMillis(900))
          .atMost(Duration.ofSeconds(5))
          .until(runner::isAlive);
      assertThat(outBytes.toString(StandardCharsets.UTF_8)).doesNotContain("READY");
      // The port was free when probed, but until the seed binds it anything on the host may take
      // it for a moment (an ephemeral port of another connection, or a TCP self-connect of the
      // retrying join itself): retry the bind, bounded, rather than fail on that race.
      int seedPort = port;
      java.util.concurrent.atomic.AtomicReference<GossipNode> started =
          new java.util.concurrent.atomic.AtomicReference<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () -> {
                started.set(
                    GossipNode.builder()
                        .id("late-seed")
                        .bind("127.0.0.1", seedPort)
                        .config(GossipConfig.local())
                        .start());
                return true;
              });
      try (GossipNode seed = started.get()) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> outBytes.toString(StandardCharsets.UTF_8).contains("READY"));
      }
    } finally {
      runner.interrupt();
      runner.join(15_000);
    }
    assertThat(runner.isAlive()).isFalse();
    assertThat(exit.get()).isZero();
  }

  @Test
  void incompleteOrUnusableTlsSettingsExitWith2(@TempDir Path dir) throws Exception {
    assertThat(run("--bind", "127.0.0.1:0", "--tls-require-client-auth")).isEqualTo(2);
    assertThat(err())
        .isEqualTo(
            "gossip node: invalid settings: --tls-require-client-auth needs --tls-cert,"
                + " --tls-key and --tls-ca"
                + System.lineSeparator());
    errBytes.reset();
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
    String f = junk.toString();
    assertThat(run("--bind", "127.0.0.1:0", "--tls-cert", f, "--tls-key", f)).isEqualTo(2);
    assertThat(err()).contains("TLS needs all of --tls-cert, --tls-key and --tls-ca");
    errBytes.reset();
    assertThat(run("--bind", "127.0.0.1:0", "--tls-cert", f, "--tls-key", f, "--tls-ca", f))
        .isEqualTo(2);
    assertThat(err())
        .startsWith("gossip node: invalid settings: TLS: " + f)
        .contains("not PEM X.509 certificates");
    assertThat(outBytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void wireMemberlistJoinsASerfPoolAndPrintsItsEvents() throws Exception {
    try (SerfNode pool =
        SerfNode.builder("pool-1").bind("127.0.0.1", 0).tag("role", "seed").start()) {
      AtomicInteger exit = new AtomicInteger(-1);
      Thread runner =
          new Thread(
              () ->
                  exit.set(
                      run(
                          "--bind",
                          "127.0.0.1:0",
                          "--id",
                          "java-1",
                          "--wire",
                          "memberlist",
                          "--meta",
                          "lang=java",
                          "--summary",
                          "0",
                          "--join",
                          pool.address().toString())),
              "node-main-memberlist");
      runner.start();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  String out = outBytes.toString(StandardCharsets.UTF_8);
                  return out.contains("READY") && out.contains("JOINED") && out.contains("pool-1");
                });
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("wire=memberlist");
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    pool.node()
                        .findNode("java-1")
                        .map(n -> n.metadata().get("lang"))
                        .orElse("")
                        .equals("java"));
        pool.userEvent("deploy", "v42".getBytes(StandardCharsets.UTF_8), false);
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    outBytes.toString(StandardCharsets.UTF_8).contains("EVENT")
                        && outBytes
                            .toString(StandardCharsets.UTF_8)
                            .contains("name=deploy payload=v42"));
      } finally {
        runner.interrupt();
        runner.join(15_000);
      }
      assertThat(runner.isAlive()).isFalse();
      assertThat(exit.get()).isZero();
    }
  }

  @Test
  void wireMemberlistRefusesOptionsItCannotCarry() {
    assertThat(run("--bind", "127.0.0.1:0", "--wire", "memberlist", "--transport", "udp"))
        .isEqualTo(2);
    assertThat(err()).contains("--wire memberlist does not take --transport");
    assertThat(run("--bind", "127.0.0.1:0", "--wire", "serf")).isEqualTo(2);
    assertThat(err()).contains("--wire: expected libgossip or memberlist, got 'serf'");
    assertThat(run("--bind", "127.0.0.1:0", "--wire", "memberlist", "--encrypt", "not-base64!"))
        .isEqualTo(2);
    assertThat(err()).contains("--encrypt");
  }

  /**
   * A port free on 127.0.0.1 (UDP and TCP) below Linux's default ephemeral range (32768-60999): no
   * outgoing connection takes it meanwhile, and a join retrying toward it cannot connect to itself
   * (a TCP self-connect, possible when the source port drawn equals the destination). A fresh-clone
   * build saw the seed's bind fail for 10 s on a port drawn from the ephemeral range.
   */
  private static int freePortBelowTheEphemeralRange() throws Exception {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    java.util.SplittableRandom random = new java.util.SplittableRandom();
    for (int i = 0; i < 200; i++) {
      int port = 20_000 + random.nextInt(12_000);
      try (DatagramSocket udp = new DatagramSocket(port, lo);
          ServerSocket tcp = new ServerSocket(port, 1, lo)) {
        return port;
      } catch (java.io.IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000-31999 on 127.0.0.1");
  }
}
