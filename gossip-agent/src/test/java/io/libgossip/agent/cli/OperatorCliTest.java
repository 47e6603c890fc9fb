package io.libgossip.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator CLI against a fake agent: output, requests, error mapping and exit codes. */
class OperatorCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final String N1 =
      "{\"id\":\"n1\",\"ip\":\"127.0.0.1\",\"port\":7946,\"address\":\"127.0.0.1:7946\","
          + "\"status\":\"ONLINE\",\"incarnation\":3,\"metadata\":{\"zone\":\"eu-1\",\"role\":\"web\"},"
          + "\"metadata_version\":2,\"self\":true}";
  private static final String LONGER =
      "{\"id\":\"node-two\",\"ip\":\"127.0.0.1\",\"port\":17947,\"address\":\"127.0.0.1:17947\","
          + "\"status\":\"SUSPECT\",\"incarnation\":1,\"metadata\":{},"
          + "\"metadata_version\":0,\"self\":false}";

  private FakeAgent agent;

  /** One run of the CLI: its exit status and what it printed. */
  record Result(int exit, String out, String err) {}

  /** A CLI whose output can be read while it runs. */
  static final class Session {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final OperatorCli cli;

    Session(Map<String, String> env) {
      cli =
          new OperatorCli(
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8),
              env);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void start() throws Exception {
    agent = new FakeAgent();
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  private Result run(String... args) {
    return runWith(Map.of(), args);
  }

  private Result runWith(Map<String, String> env, String... args) {
    Map<String, String> e = new java.util.HashMap<>(env);
    e.putIfAbsent(OperatorCli.ENV_ADDR, agent.url());
    Session s = new Session(e);
    int exit = s.cli.run(args);
    return new Result(exit, s.out(), s.err());
  }

  @Test
  void membersPrintsAnAlignedTableSortedAsTheAgentSentIt() {
    agent.answer("GET /v1/members", 200, "{\"members\":[" + N1 + "," + LONGER + "]}");
    Result r = run("members");
    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out().lines())
        .containsExactly(
            "ID        ADDRESS          STATUS   METADATA",
            "n1        127.0.0.1:7946   ONLINE   role=web,zone=eu-1",
            "node-two  127.0.0.1:17947  SUSPECT");
  }

  @Test
  void membersJsonPrintsTheApisJson() throws Exception {
    String body = "{\"members\":[" + N1 + "," + LONGER + "]}";
    agent.answer("GET /v1/members", 200, body);
    Result r = run("members", "--json");
    assertThat(r.exit()).isZero();
    assertThat(JSON.readTree(r.out())).isEqualTo(JSON.readTree(body));
  }

  @Test
  void membersFiltersGoToTheAgentsQuery() {
    agent.answer("GET /v1/members", 200, "{\"members\":[]}");
    Result r = run("members", "--status", "suspect,Failed", "--meta", "role=web.*");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).containsExactly("ID  ADDRESS  STATUS  METADATA");
    assertThat(agent.last("/v1/members").query())
        .isEqualTo("status=SUSPECT%2CFAILED&meta.role=web.*");
  }

  @Test
  void anUnknownStatusIsAUsageErrorAndNoRequestIsMade() {
    Result r = run("members", "--status", "alive");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("--status").contains("'alive'").contains("--help");
    assertThat(agent.requests).isEmpty();
  }

  @Test
  void controlCharactersFromTheClusterAreEscaped() {
    String evil =
        "{\"id\":\"x\\u001b[2J\",\"address\":\"127.0.0.1:1\",\"status\":\"ONLINE\","
            + "\"metadata\":{\"note\":\"two\\nlines\"}}";
    agent.answer("GET /v1/members", 200, "{\"members\":[" + evil + "]}");
    Result r = run("members");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).hasSize(2);
    assertThat(r.out()).doesNotContain("\u001b").contains("x\\u001b[2J").contains("two\\nlines");
  }

  @Test
  void anUnknownCommandIsAUsageErrorOnOneLine() {
    Result r = run("memebers");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("memebers").contains("members").contains("--help");
  }

  @Test
  void anUnknownOptionIsAUsageErrorOnOneLine() {
    Result r = run("members", "--bogus");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("gossip members: ").contains("--bogus").contains("--help");
    assertThat(agent.requests).isEmpty();
  }

  @Test
  void noCommandOrAMissingSubcommandIsAUsageError() {
    Result none = run();
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("missing command");
    Result meta = run("meta");
    assertThat(meta.exit()).isEqualTo(2);
    assertThat(meta.err()).startsWith("gossip meta: missing command").contains("set, get, delete");
    Result keys = run("keys", "rotate");
    assertThat(keys.exit()).isEqualTo(2);
  }

  @Test
  void helpIsPrintedForEachCommandWithExitZero() {
    for (String[] args :
        new String[][] {
          {"--help"},
          {"members", "--help"},
          {"meta", "set", "--help"},
          {"query", "--help"},
          {"monitor", "-h"},
          {"keys", "install", "--help"}
        }) {
      Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage:");
    }
    assertThat(run("members", "--help").out()).contains("--status").contains("--http");
    assertThat(run("keys", "use", "--help").out()).contains("primary key");
  }

  @Test
  void theAgentsErrorIsShownWithItsCodeAndExitOne() {
    agent.answer(
        "DELETE /v1/metadata/zone",
        404,
        "{\"code\":\"not_found\",\"message\":\"this agent has no metadata key 'zone'\"}");
    Result r = run("meta", "delete", "zone");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines())
        .containsExactly("gossip: this agent has no metadata key 'zone' (not_found, HTTP 404)");
  }

  @Test
  void anErrorWithoutAJsonBodyShowsTheStatus() {
    agent.on(
        "GET /v1/members",
        (ex, req) -> {
          byte[] b = "upstream broke".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(502, b.length);
          ex.getResponseBody().write(b);
        });
    Result r = run("members");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("HTTP 502").contains("upstream broke");
  }

  @Test
  void anAnswerThatIsNotJsonIsAnError() {
    agent.on(
        "GET /v1/members",
        (ex, req) -> {
          byte[] b = "<html>".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
        });
    Result r = run("members");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("not JSON");
  }

  @Test
  void anUnreachableAgentIsOneLineAndExitOne() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    Result r = run("members", "--http", url);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("gossip: cannot reach the agent at " + url + ": ");
  }

  @Test
  void theUrlAndTokenComeFromTheEnvironmentOrTheOptions() {
    agent.answer("GET /v1/members", 200, "{\"members\":[]}");
    Result env =
        runWith(
            Map.of(OperatorCli.ENV_ADDR, agent.url(), OperatorCli.ENV_TOKEN, "s3cret"), "members");
    assertThat(env.exit()).isZero();
    assertThat(agent.last("/v1/members").header("Authorization")).isEqualTo("Bearer s3cret");

    String hostPort = agent.url().substring("http://".length());
    Result opts =
        runWith(
            Map.of(OperatorCli.ENV_ADDR, "http://127.0.0.1:1"),
            "members",
            "--http",
            hostPort,
            "--token",
            "other");
    assertThat(opts.exit()).isZero();
    assertThat(agent.last("/v1/members").header("Authorization")).isEqualTo("Bearer other");

    Result none = run("members");
    assertThat(none.exit()).isZero();
    assertThat(agent.last("/v1/members").header("Authorization")).isEmpty();
  }

  @Test
  void aBadUrlIsAUsageError() {
    Result r = run("members", "--http", "ftp://host:1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--http").contains("ftp://host:1");
    Result env = runWith(Map.of(OperatorCli.ENV_ADDR, "http://"), "members");
    assertThat(env.exit()).isEqualTo(2);
    assertThat(env.err()).contains(OperatorCli.ENV_ADDR);
  }

  @Test
  void metaSetMergesTheGivenKeys() throws Exception {
    agent.answer("PUT /v1/metadata", 200, N1);
    Result r = run("meta", "set", "role=web", "zone=eu-1", "empty=");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("metadata of n1: role=web,zone=eu-1\n");
    FakeAgent.Request req = agent.last("/v1/metadata");
    assertThat(req.method()).isEqualTo("PUT");
    assertThat(req.header("Content-Type")).isEqualTo("application/json");
    assertThat(JSON.readTree(req.body()))
        .isEqualTo(
            JSON.readTree("{\"metadata\":{\"role\":\"web\",\"zone\":\"eu-1\",\"empty\":\"\"}}"));
  }

  @Test
  void metaSetWithoutAnEqualsSignIsAUsageError() {
    Result r = run("meta", "set", "role");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("KEY=VALUE").contains("'role'");
    assertThat(run("meta", "set").exit()).isEqualTo(2);
    assertThat(agent.requests).isEmpty();
  }

  @Test
  void metaGetPrintsATableOrOneValue() {
    agent.answer("GET /v1/metadata", 200, "{\"metadata\":{\"zone\":\"eu-1\",\"role\":\"web\"}}");
    Result all = run("meta", "get");
    assertThat(all.out().lines()).containsExactly("KEY   VALUE", "role  web", "zone  eu-1");
    Result one = run("meta", "get", "zone");
    assertThat(one.exit()).isZero();
    assertThat(one.out()).isEqualTo("eu-1\n");
    Result missing = run("meta", "get", "rack");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no metadata key 'rack'");
  }

  @Test
  void metaDeleteEncodesTheKey() {
    agent.answer("DELETE /v1/metadata/a%20b%2Fc", 200, N1);
    Result r = run("meta", "delete", "a b/c");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("deleted a b/c from n1");
  }

  @Test
  void joinSendsTheSeeds() throws Exception {
    agent.answer("POST /v1/join", 200, "{\"joined\":true,\"members\":3}");
    Result r = run("join", "127.0.0.1:7947", "10.0.0.2:7946");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("joined the cluster through 127.0.0.1:7947, 10.0.0.2:7946\n");
    assertThat(JSON.readTree(agent.last("/v1/join").body()))
        .isEqualTo(JSON.readTree("{\"seeds\":[\"127.0.0.1:7947\",\"10.0.0.2:7946\"]}"));
    assertThat(run("join", "nohost").exit()).isEqualTo(2);
    assertThat(run("join").exit()).isEqualTo(2);
  }

  @Test
  void joinFailureIsExitOneWithTheReason() {
    agent.answer(
        "POST /v1/join",
        502,
        "{\"code\":\"join_failed\",\"message\":\"no seed answered: 127.0.0.1:9\"}");
    Result r = run("join", "127.0.0.1:9");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines())
        .containsExactly("gossip: no seed answered: 127.0.0.1:9 (join_failed, HTTP 502)");
  }

  @Test
  void leaveAndForceLeave() {
    agent.answer("POST /v1/leave", 200, "{\"left\":true}");
    Result leave = run("leave");
    assertThat(leave.exit()).isZero();
    assertThat(leave.out()).contains("left the cluster");
    agent.answer("POST /v1/force-leave/n3", 200, "{\"id\":\"n3\",\"status\":\"LEFT\"}");
    Result force = run("force-leave", "n3");
    assertThat(force.exit()).isZero();
    assertThat(force.out()).isEqualTo("n3 is now LEFT\n");
    agent.answer(
        "POST /v1/force-leave/n2",
        409,
        "{\"code\":\"conflict\",\"message\":\"n2 is ONLINE, not FAILED\"}");
    Result conflict = run("force-leave", "n2");
    assertThat(conflict.exit()).isEqualTo(1);
    assertThat(conflict.err()).isEqualTo("gossip: n2 is ONLINE, not FAILED (conflict, HTTP 409)\n");
  }

  @Test
  void eventBroadcastsTheNameAndPayload() throws Exception {
    agent.answer("POST /v1/broadcast", 200, "{\"seq\":42}");
    Result r = run("event", "deploy", "v1.2.3", "--key", "release");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("event 'deploy' sent (seq 42)\n");
    assertThat(JSON.readTree(agent.last("/v1/broadcast").body()))
        .isEqualTo(
            JSON.readTree("{\"topic\":\"deploy\",\"payload\":\"v1.2.3\",\"key\":\"release\"}"));
    Result json = run("event", "ping", "--json");
    assertThat(JSON.readTree(json.out()).path("seq").asInt()).isEqualTo(42);
    assertThat(JSON.readTree(agent.last("/v1/broadcast").body()).path("payload").asText())
        .isEmpty();
  }

  @Test
  void queryPrintsEachAnswerAsItArrivesThenASummary() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    agent.on(
        "POST /v1/query",
        (ex, req) -> {
          OutputStream out = FakeAgent.startStream(ex, "application/x-ndjson");
          FakeAgent.write(out, "{\"type\":\"ack\",\"from\":\"n2\"}\n");
          FakeAgent.write(
              out,
              "{\"type\":\"response\",\"from\":\"n2\",\"payload\":\"up 3 days\","
                  + "\"payload_base64\":\"dXAgMyBkYXlz\"}\n");
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          FakeAgent.write(
              out,
              "{\"type\":\"response\",\"from\":\"n3\",\"payload\":null,\"payload_base64\":\"/w==\"}\n");
          FakeAgent.write(
              out,
              "{\"type\":\"done\",\"targeted\":[\"n2\",\"n3\",\"n4\"],\"acked\":[\"n2\"],"
                  + "\"responded\":[\"n2\",\"n3\"],\"departed\":[],\"timed_out\":true}\n");
        });
    Session s = new Session(Map.of(OperatorCli.ENV_ADDR, agent.url()));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                s.cli.run(
                    "query",
                    "uptime",
                    "now",
                    "--timeout",
                    "2s",
                    "--member",
                    "n2",
                    "--member",
                    "n3",
                    "--meta",
                    "role=web",
                    "--ack"));
    // The first response is printed while the agent still holds the stream open.
    await().atMost(WAIT).until(() -> s.out().contains("response from n2: up 3 days"));
    assertThat(exit).isNotDone();
    release.countDown();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(s.out().lines())
        .containsExactly(
            "query 'uptime' sent",
            "ack from n2",
            "response from n2: up 3 days",
            "response from n3: base64:/w==",
            "total acks: 1",
            "total responses: 2 of 3 targeted",
            "timed out; no answer from: n4");
    JsonNode body = JSON.readTree(agent.last("/v1/query").body());
    assertThat(body)
        .isEqualTo(
            JSON.readTree(
                "{\"name\":\"uptime\",\"payload\":\"now\",\"timeout_ms\":2000,"
                    + "\"members\":[\"n2\",\"n3\"],\"meta\":{\"role\":\"web\"},\"ack\":true}"));
  }

  @Test
  void queryJsonPrintsEachLine() throws Exception {
    agent.on(
        "POST /v1/query",
        (ex, req) -> {
          OutputStream out = FakeAgent.startStream(ex, "application/x-ndjson");
          FakeAgent.write(
              out,
              "{\"type\":\"response\",\"from\":\"n2\",\"payload\":\"a\",\"payload_base64\":\"YQ==\"}\n");
          FakeAgent.write(
              out,
              "{\"type\":\"done\",\"targeted\":[\"n2\"],\"acked\":[],\"responded\":[\"n2\"],"
                  + "\"departed\":[],\"timed_out\":false}\n");
        });
    Result r = run("query", "q", "--json");
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).hasSize(2);
    assertThat(JSON.readTree(r.out().lines().toList().get(1)).path("type").asText())
        .isEqualTo("done");
  }

  @Test
  void aQueryStreamThatEndsEarlyIsAnError() {
    agent.on(
        "POST /v1/query",
        (ex, req) -> {
          OutputStream out = FakeAgent.startStream(ex, "application/x-ndjson");
          FakeAgent.write(out, "{\"type\":\"ack\",\"from\":\"n2\"}\n");
        });
    Result r = run("query", "q");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("ended the query stream");
    assertThat(run("query", "q", "--timeout", "soon").exit()).isEqualTo(2);
  }

  private static final String SNAPSHOT =
      "event: snapshot\ndata: {\"self\":" + N1 + ",\"members\":[" + N1 + "," + LONGER + "]}\n\n";
  private static final String JOINED =
      "event: joined\ndata: {\"type\":\"joined\",\"member\":"
          + LONGER
          + ",\"previous_status\":null,\"time_ms\":1796619000000}\n\n";
  private static final String BROADCAST =
      "event: broadcast\ndata: {\"type\":\"broadcast\",\"from\":\"n1\",\"topic\":\"deploy\","
          + "\"key\":null,\"seq\":7,\"payload\":\"v2\",\"payload_base64\":\"djI=\"}\n\n";

  @Test
  void monitorPrintsOneLinePerEventUntilClosed() {
    agent.on(
        "GET /v1/events",
        (ex, req) -> {
          OutputStream out = FakeAgent.startStream(ex, "text/event-stream");
          FakeAgent.write(out, SNAPSHOT + ": keepalive\n\n" + JOINED + BROADCAST);
          try {
            Thread.sleep(30_000); // holds the stream open like the agent; the client closes it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    Session s = new Session(Map.of(OperatorCli.ENV_ADDR, agent.url()));
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(() -> s.cli.run("monitor", "--types", "member,user"));
    await().atMost(WAIT).until(() -> s.out().lines().count() >= 3);
    s.cli.close(); // what Ctrl-C does
    assertThat(exit).succeedsWithin(WAIT).isEqualTo(0);
    assertThat(s.err()).isEmpty();
    var lines = s.out().lines().toList();
    assertThat(lines.get(0)).endsWith("  snapshot  self=n1 members=2 n1:ONLINE node-two:SUSPECT");
    assertThat(lines.get(1))
        .isEqualTo("2026-12-07T04:50:00Z  joined  node-two 127.0.0.1:17947 SUSPECT");
    assertThat(lines.get(2)).endsWith("  broadcast  from=n1 topic=deploy seq=7 payload=v2");
    assertThat(agent.last("/v1/events").query()).isEqualTo("types=member%2Cuser");
  }

  @Test
  void monitorCountStopsAfterNEventsAndReconnectsAfterAnOverflow() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    agent.on(
        "GET /v1/events",
        (ex, req) -> {
          OutputStream out = FakeAgent.startStream(ex, "text/event-stream");
          if (connections.incrementAndGet() == 1) {
            FakeAgent.write(out, SNAPSHOT + JOINED + "event: overflow\ndata: {}\n\n");
          } else {
            FakeAgent.write(out, SNAPSHOT + BROADCAST);
          }
        });
    Result r = run("monitor", "--count", "2", "--json");
    assertThat(r.exit()).isZero();
    assertThat(connections.get()).isEqualTo(2);
    var types =
        r.out()
            .lines()
            .map(
                l -> {
                  try {
                    return JSON.readTree(l).path("type").asText();
                  } catch (Exception e) {
                    throw new AssertionError(l, e);
                  }
                })
            .toList();
    assertThat(types).containsExactly("snapshot", "joined", "snapshot", "broadcast");
  }

  @Test
  void monitorReportsAStreamTheAgentEnded() {
    agent.on(
        "GET /v1/events",
        (ex, req) -> FakeAgent.write(FakeAgent.startStream(ex, "text/event-stream"), SNAPSHOT));
    Result r = run("monitor");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo("gossip: the agent at " + agent.url() + " ended the event stream\n");
    assertThat(run("monitor", "--types", "members").exit()).isEqualTo(2);
  }

  @Test
  void keysListIsATableAndMemberErrorsExitOne() {
    agent.answer(
        "GET /v1/keys",
        200,
        "{\"nodes\":3,\"responded\":2,\"primary\":{\"k1\":2},\"keys\":{\"k1\":2,\"k2\":1},"
            + "\"errors\":{\"n3\":\"no answer within 5 s\"}}");
    Result r = run("keys", "list");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().lines())
        .containsExactly(
            "3 members, 2 responded",
            "KEY  PRIMARY  INSTALLED",
            "k1   2/2      2/2",
            "k2   0/2      1/2");
    assertThat(r.err()).isEqualTo("gossip: n3: no answer within 5 s\n");
  }

  @Test
  void keysChangesSendTheKeyAndCheckItFirst() throws Exception {
    String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    agent.answer("POST /v1/keys/install", 200, "{\"nodes\":2,\"ok\":2,\"errors\":{}}");
    Result r = run("keys", "install", key);
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("installed on 2 of 2 members\n");
    assertThat(JSON.readTree(agent.last("/v1/keys/install").body()).path("key").asText())
        .isEqualTo(key);
    Result bad = run("keys", "use", "c2hvcnQ=");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("32 bytes");
    agent.answer(
        "POST /v1/keys/remove",
        409,
        "{\"code\":\"no_keyring\",\"message\":\"this agent runs without a keyring\"}");
    Result none = run("keys", "remove", key);
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("(no_keyring, HTTP 409)");
  }

  @Test
  void aLargeSnapshotIsCountedByStatus() throws Exception {
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      members
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"n")
          .append(i)
          .append("\",\"status\":\"")
          .append(i < 3 ? "FAILED" : "ONLINE")
          .append("\"}");
    }
    JsonNode snapshot = JSON.readTree("{\"self\":{\"id\":\"n0\"},\"members\":[" + members + "]}");
    assertThat(MonitorCommand.line("snapshot", snapshot))
        .endsWith("  snapshot  self=n0 members=25 FAILED=3 ONLINE=22");
  }

  @Test
  void aMemberEventShowsThePreviousStatusOnlyWhenItChanged() throws Exception {
    JsonNode suspected =
        JSON.readTree(
            "{\"type\":\"suspected\",\"member\":"
                + LONGER
                + ",\"previous_status\":\"ONLINE\",\"time_ms\":1796619000000}");
    assertThat(MonitorCommand.line("suspected", suspected))
        .isEqualTo(
            "2026-12-07T04:50:00Z  suspected  node-two 127.0.0.1:17947 SUSPECT (was ONLINE)");
    JsonNode changed =
        JSON.readTree(
            "{\"type\":\"metadata-changed\",\"member\":"
                + N1
                + ",\"previous_status\":\"ONLINE\",\"time_ms\":1796619000000}");
    assertThat(MonitorCommand.line("metadata-changed", changed))
        .isEqualTo(
            "2026-12-07T04:50:00Z  metadata-changed  n1 127.0.0.1:7946 ONLINE role=web,zone=eu-1");
  }
}
