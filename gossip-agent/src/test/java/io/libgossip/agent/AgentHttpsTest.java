package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.agent.cli.OperatorCli;
import io.libgossip.core.NodeAddress;
import io.libgossip.testkit.TestCerts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over HTTPS, with a token or with client certificates (mutual TLS), as the operator
 * command line reaches it (loopback, ephemeral ports, certificates made at test time).
 */
class AgentHttpsTest {
  @TempDir static Path dir;
  private static TestCerts ca;
  private static TestCerts.Node server;
  private static TestCerts.Node client;
  private static TestCerts.Node stranger;

  private final List<Agent> agents = new ArrayList<>();

  /** One run of the operator CLI. */
  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void certificates() {
    ca = new TestCerts(dir, "api");
    server = ca.node("agent", "ip:127.0.0.1,dns:localhost");
    client = ca.node("operator");
    stranger = new TestCerts(dir, "other").node("intruder");
  }

  @AfterEach
  void stop() {
    agents.forEach(Agent::close);
  }

  private Agent start(AgentConfig.Builder b) {
    Agent a = Agent.start(b.build());
    agents.add(a);
    return a;
  }

  private static Run cli(Agent a, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> e = new HashMap<>(env);
    e.put(OperatorCli.ENV_ADDR, a.httpUri().toString());
    int exit;
    try (OperatorCli c =
        new OperatorCli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            e)) {
      exit = c.run(args);
    }
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void httpsWithATokenServesTheOperatorCliThatTrustsItsCa() throws IOException {
    Agent a =
        start(
            AgentApiTest.config("a")
                .httpToken("s3cret")
                .httpTls(server.chainPem(), server.keyPem(), null));
    assertThat(a.httpUri().toString()).startsWith("https://127.0.0.1:");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "s3cret\n");

    Run ok =
        cli(
            a,
            Map.of(),
            "members",
            "--ca-file",
            ca.caPem.toString(),
            "--token-file",
            tokenFile + "");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("a").contains("ONLINE");

    Run viaEnv =
        cli(
            a,
            Map.of(OperatorCli.ENV_CA, ca.caPem.toString(), OperatorCli.ENV_TOKEN, "s3cret"),
            "members");
    assertThat(viaEnv.exit()).as(viaEnv.err()).isZero();

    Run untrusted = cli(a, Map.of(OperatorCli.ENV_TOKEN, "s3cret"), "members");
    assertThat(untrusted.exit()).isEqualTo(1);
    assertThat(untrusted.err()).contains("cannot reach the agent").contains("TLS");

    Run noToken = cli(a, Map.of(), "members", "--ca-file", ca.caPem.toString());
    assertThat(noToken.exit()).isEqualTo(1);
    assertThat(noToken.err()).contains("unauthorized");
  }

  @Test
  void clientCertificatesAuthenticateWithoutAToken() {
    Agent a = start(AgentApiTest.config("a").httpTls(server.chainPem(), server.keyPem(), ca.caPem));
    String caFile = ca.caPem.toString();

    Run ok =
        cli(
            a,
            Map.of(),
            "members",
            "--ca-file",
            caFile,
            "--client-cert",
            client.chainPem().toString(),
            "--client-key",
            client.keyPem().toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("ONLINE");

    Run without = cli(a, Map.of(), "members", "--ca-file", caFile);
    assertThat(without.exit()).isEqualTo(1);
    assertThat(without.err()).contains("cannot reach the agent");

    Run foreign =
        cli(
            a,
            Map.of(
                OperatorCli.ENV_CA, caFile,
                OperatorCli.ENV_CERT, stranger.chainPem().toString(),
                OperatorCli.ENV_KEY, stranger.keyPem().toString()),
            "members");
    assertThat(foreign.exit()).isEqualTo(1);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> a.outcomes().getOrDefault("tls_handshake_failed", 0.0) >= 2.0);
  }

  @Test
  void aNonLoopbackApiMayRelyOnClientCertificatesInsteadOfAToken() {
    Agent a =
        start(
            AgentApiTest.config("a")
                .http(new NodeAddress("0.0.0.0", 0))
                .httpTls(server.chainPem(), server.keyPem(), ca.caPem));
    assertThat(a.httpUri().getScheme()).isEqualTo("https");

    AgentConfig serverOnly =
        AgentApiTest.config("b")
            .http(new NodeAddress("0.0.0.0", 0))
            .httpTls(server.chainPem(), server.keyPem(), null)
            .build();
    assertThatThrownBy(() -> Agent.start(serverOnly))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--http-tls-ca");
  }

  @Test
  void badHttpsSettingsAreClearErrors() throws IOException {
    assertThatThrownBy(
            () -> AgentApiTest.config("a").httpTls(server.chainPem(), null, null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--http-tls-key");
    assertThatThrownBy(() -> AgentApiTest.config("a").httpTls(null, null, ca.caPem).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--http-tls-ca");
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "not a certificate\n");
    AgentConfig broken = AgentApiTest.config("a").httpTls(garbage, server.keyPem(), null).build();
    assertThatThrownBy(() -> Agent.start(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot use the HTTPS files");
  }
}
