package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.libgossip.core.NodeAddress;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two or three agents on loopback, driven through their HTTP APIs. */
@Timeout(120)
class AgentApiTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final List<Agent> agents = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Agent a : agents) {
      a.close();
    }
  }

  static AgentConfig.Builder config(String id) {
    return AgentConfig.builder()
        .id(id)
        .bind(new NodeAddress("127.0.0.1", 0))
        .http(new NodeAddress("127.0.0.1", 0))
        .profile("local");
  }

  private Agent start(String id, UnaryOperator<AgentConfig.Builder> more) {
    Agent a = Agent.start(more.apply(config(id)).build());
    agents.add(a);
    return a;
  }

  private Agent start(String id) {
    return start(id, b -> b);
  }

  private Agent startJoined(String id, Agent seed, UnaryOperator<AgentConfig.Builder> more) {
    return start(id, b -> more.apply(b.join(List.of(seed.gossipAddress()))));
  }

  private static void awaitOnline(Api api, int n) {
    await()
        .atMost(WAIT)
        .until(() -> api.get("/v1/members?status=online").json().get("members").size() == n);
  }

  @Test
  void twoAgentsJoinAndListMembersWithFilters() {
    Agent a = start("a", b -> b.meta(java.util.Map.of("role", "web")));
    Agent b = startJoined("b", a, x -> x.meta(java.util.Map.of("role", "db")));
    Api api = new Api(a);
    awaitOnline(api, 2);
    await().atMost(WAIT).until(() -> api.get("/ready").status() == 200);

    JsonNode members = api.get("/v1/members").json().get("members");
    assertThat(members.get(0).get("id").asText()).isEqualTo("a");
    assertThat(members.get(0).get("self").asBoolean()).isTrue();
    assertThat(members.get(1).get("id").asText()).isEqualTo("b");
    assertThat(members.get(1).get("address").asText()).isEqualTo(b.gossipAddress().toString());
    assertThat(members.get(1).get("metadata").get("role").asText()).isEqualTo("db");

    JsonNode web = api.get("/v1/members?meta.role=w.b").json().get("members");
    assertThat(web).hasSize(1);
    assertThat(web.get(0).get("id").asText()).isEqualTo("a");
    assertThat(api.get("/v1/members?meta.role=we").json().get("members")).isEmpty();
    assertThat(api.get("/v1/members?status=FAILED,left").json().get("members")).isEmpty();
    assertThat(api.get("/v1/members?status=bogus").status()).isEqualTo(400);

    JsonNode self = new Api(b).get("/v1/self").json();
    assertThat(self.get("id").asText()).isEqualTo("b");
    assertThat(self.get("status").asText()).isEqualTo("ONLINE");
    assertThat(api.get("/health").json().get("status").asText()).isEqualTo("ok");
  }

  @Test
  void joinThroughTheApi() {
    Agent a = start("a");
    Agent b = start("b");
    Api api = new Api(b);
    Api.Reply r = api.post("/v1/join", "{\"seeds\":[\"" + a.gossipAddress() + "\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("joined").asBoolean()).isTrue();
    awaitOnline(new Api(a), 2);
    assertThat(api.post("/v1/join", "{\"seeds\":[]}").status()).isEqualTo(400);
    assertThat(api.post("/v1/join", "{\"seeds\":[\"no port:x\"]}").status()).isEqualTo(400);
  }

  @Test
  void metadataChangeArrivesAsAnEventOnTheOtherAgent() {
    Agent a = start("a");
    Agent b = startJoined("b", a, x -> x);
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    try (Api.Events ev = new Api.Events(new Api(b), "?types=member")) {
      await().atMost(WAIT).until(() -> !ev.events.isEmpty());
      Api.Event first = ev.events.get(0);
      assertThat(first.type()).isEqualTo("snapshot");
      assertThat(first.data().get("self").get("id").asText()).isEqualTo("b");
      assertThat(first.data().get("members")).hasSize(2);

      Api.Reply put = apiA.put("/v1/metadata", "{\"metadata\":{\"zone\":\"z1\",\"role\":\"web\"}}");
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      assertThat(put.json().get("metadata").get("zone").asText()).isEqualTo("z1");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  ev.of("metadata-changed").stream()
                      .anyMatch(
                          e ->
                              e.data().get("member").get("id").asText().equals("a")
                                  && e.data()
                                      .get("member")
                                      .get("metadata")
                                      .path("zone")
                                      .asText()
                                      .equals("z1")));
      Api.Event changed = ev.of("metadata-changed").get(0);
      assertThat(changed.data().get("type").asText()).isEqualTo("metadata-changed");
      assertThat(changed.data().has("previous_metadata")).isTrue();
      assertThat(changed.data().get("time_ms").asLong()).isPositive();
    }
    assertThat(apiA.get("/v1/metadata").json().get("metadata").get("role").asText())
        .isEqualTo("web");
    Api.Reply del = apiA.delete("/v1/metadata/zone");
    assertThat(del.status()).isEqualTo(200);
    assertThat(del.json().get("metadata").has("zone")).isFalse();
    assertThat(apiA.delete("/v1/metadata/zone").json().get("code").asText()).isEqualTo("not_found");
    assertThat(apiA.put("/v1/metadata", "{\"metadata\":{\"k\":1}}").status()).isEqualTo(400);
  }

  @Test
  void broadcastAndMessageArriveOnTheOtherAgentsStream() {
    Agent a = start("a");
    Agent b = startJoined("b", a, x -> x);
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    awaitOnline(new Api(b), 2);
    try (Api.Events ev = new Api.Events(new Api(b), "?types=user")) {
      await().atMost(WAIT).until(() -> !ev.of("snapshot").isEmpty());
      Api.Reply r =
          apiA.post("/v1/broadcast", "{\"topic\":\"deploy\",\"payload\":\"v1.2\",\"key\":\"k\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      long seq = r.json().get("seq").asLong();
      await().atMost(WAIT).until(() -> !ev.of("broadcast").isEmpty());
      JsonNode bc = ev.of("broadcast").get(0).data();
      assertThat(bc.get("from").asText()).isEqualTo("a");
      assertThat(bc.get("topic").asText()).isEqualTo("deploy");
      assertThat(bc.get("key").asText()).isEqualTo("k");
      assertThat(bc.get("seq").asLong()).isEqualTo(seq);
      assertThat(bc.get("payload").asText()).isEqualTo("v1.2");

      Api.Reply s =
          apiA.post("/v1/send", "{\"to\":\"b\",\"topic\":\"t\",\"payload_base64\":\"/wA=\"}");
      assertThat(s.status()).as(s.body()).isEqualTo(200);
      Api.Reply s2 =
          apiA.post(
              "/v1/send", "{\"to\":\"b\",\"topic\":\"t2\",\"payload\":\"hi\",\"reliable\":true}");
      assertThat(s2.status()).as(s2.body()).isEqualTo(200);
      await().atMost(WAIT).until(() -> ev.of("message").size() == 2);
      JsonNode binary =
          ev.of("message").stream()
              .filter(e -> e.data().get("topic").asText().equals("t"))
              .findFirst()
              .orElseThrow()
              .data();
      assertThat(binary.get("payload").isNull()).isTrue();
      assertThat(binary.get("payload_base64").asText()).isEqualTo("/wA=");
      assertThat(ev.of("joined")).isEmpty(); // member events were not asked for
    }
    Api.Reply unknown = apiA.post("/v1/send", "{\"to\":\"zz\",\"topic\":\"t\",\"payload\":\"x\"}");
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
  }

  @Test
  void queriesAreAnsweredByRespondAndThroughTheApiBeforeTheTimeout() {
    Agent a = start("a", x -> x.respond("version", "1.0"));
    Agent b = startJoined("b", a, x -> x.respond("version", "2.0"));
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    awaitOnline(new Api(b), 2);

    long t0 = System.nanoTime();
    List<JsonNode> lines =
        apiA.postLines(
            "/v1/query",
            "{\"name\":\"version\",\"payload\":\"?\",\"timeout_ms\":10000,\"ack\":true}");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    JsonNode done = lines.get(lines.size() - 1);
    assertThat(done.get("type").asText()).isEqualTo("done");
    assertThat(done.get("timed_out").asBoolean()).isFalse();
    assertThat(done.get("responded").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(
            lines.stream()
                .filter(l -> l.get("type").asText().equals("response"))
                .map(l -> l.get("payload").asText()))
        .containsExactlyInAnyOrder("1.0", "2.0");
    assertThat(lines.stream().filter(l -> l.get("type").asText().equals("ack"))).hasSize(2);
    assertThat(ms).isLessThan(8000);

    // b answers "ping" through its event stream and /v1/respond; a has no answer and is left out
    Api apiB = new Api(b);
    try (Api.Events ev = new Api.Events(apiB, "?types=query")) {
      await().atMost(WAIT).until(() -> !ev.of("snapshot").isEmpty());
      Thread responder =
          new Thread(
              () -> {
                await().atMost(WAIT).until(() -> !ev.of("query").isEmpty());
                JsonNode q = ev.of("query").get(0).data();
                apiB.post(
                    "/v1/respond",
                    "{\"query\":\"" + q.get("query").asText() + "\",\"payload\":\"pong\"}");
              });
      responder.setDaemon(true);
      responder.start();
      List<JsonNode> l2 =
          apiA.postLines(
              "/v1/query", "{\"name\":\"ping\",\"timeout_ms\":15000,\"members\":[\"b\"]}");
      JsonNode d2 = l2.get(l2.size() - 1);
      assertThat(d2.get("timed_out").asBoolean()).isFalse();
      assertThat(d2.get("targeted").toString()).isEqualTo("[\"b\"]");
      assertThat(l2.get(0).get("type").asText()).isEqualTo("response");
      assertThat(l2.get(0).get("from").asText()).isEqualTo("b");
      assertThat(l2.get(0).get("payload").asText()).isEqualTo("pong");
      assertThat(ev.of("query").get(0).data().get("name").asText()).isEqualTo("ping");
    }
    assertThat(apiB.post("/v1/respond", "{\"query\":\"a:999\",\"payload\":\"x\"}").status())
        .isEqualTo(404);
  }

  @Test
  void malformedRequestsGetClearErrors() {
    Agent a = start("a", x -> x.httpMaxBody(2048));
    Api api = new Api(a);
    Api.Reply bad = api.post("/v1/broadcast", "{\"topic\":");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("code").asText()).isEqualTo("bad_request");
    Api.Reply unknownField = api.post("/v1/broadcast", "{\"topic\":\"t\",\"colour\":\"red\"}");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.json().get("message").asText()).contains("'colour'");
    Api.Reply wrongType = api.post("/v1/broadcast", "{\"topic\":5}");
    assertThat(wrongType.json().get("message").asText()).contains("'topic'").contains("string");
    assertThat(api.post("/v1/broadcast", "[1]").status()).isEqualTo(400);
    Api.Reply big =
        api.post("/v1/broadcast", "{\"topic\":\"t\",\"payload\":\"" + "x".repeat(5000) + "\"}");
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.json().get("code").asText()).isEqualTo("payload_too_large");
    Api.Reply notFound = api.get("/v1/nothing");
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.json().get("code").asText()).isEqualTo("not_found");
    Api.Reply wrongMethod = api.get("/v1/broadcast");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.json().get("code").asText()).isEqualTo("method_not_allowed");
    assertThat(wrongMethod.raw().headers().firstValue("Allow")).hasValue("POST");
    Api.Reply xml =
        api.send(
            api.request("/v1/broadcast")
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofString("<a/>"))
                .build());
    assertThat(xml.status()).isEqualTo(415);
    Api.Reply hugeHeader =
        api.send(api.request("/v1/self").header("X-Big", "y".repeat(10_000)).GET().build());
    assertThat(hugeHeader.status()).isEqualTo(431);
    assertThat(api.get("/v1/self").status()).isEqualTo(200); // still serving
    assertThat(api.get("/v1/stats").json().get("agent").get("requests").get("bad_request").asInt())
        .isGreaterThanOrEqualTo(4);
  }

  @Test
  void aTokenIsRequiredExceptForHealthReadyAndTheDashboardFiles() {
    Agent a = start("a", x -> x.httpToken("s3cret"));
    Api none = new Api(a.httpUri(), null);
    Api wrong = new Api(a.httpUri(), "nope");
    Api right = new Api(a);
    Api.Reply r = none.get("/v1/members");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.json().get("code").asText()).isEqualTo("unauthorized");
    assertThat(wrong.get("/v1/members").status()).isEqualTo(401);
    assertThat(wrong.get("/metrics").status()).isEqualTo(401);
    assertThat(none.get("/health").status()).isEqualTo(200);
    assertThat(none.get("/ready").status()).isEqualTo(200);
    assertThat(none.get("/ui/").status())
        .as("the page loads; it sends the token itself")
        .isEqualTo(200);
    assertThat(none.get("/ui/app.js").status()).isEqualTo(200);
    assertThat(none.get("/v1/events").status()).isEqualTo(401);
    assertThat(right.get("/v1/members").status()).isEqualTo(200);
    assertThat(right.get("/metrics").body())
        .contains("libgossip_agent_http_requests_total{outcome=\"unauthorized\"} 4.0");
  }

  @Test
  void aNonLoopbackApiNeedsAToken() {
    AgentConfig c = config("a").http(new NodeAddress("0.0.0.0", 0)).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Agent.start(c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--http-token");
  }

  @Test
  void metricsStatsAndTheDashboard() {
    Agent a = start("a");
    Api api = new Api(a);
    Api.Reply m = api.get("/metrics");
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(m.body())
        .contains("libgossip_members{status=\"online\"} 1.0")
        .contains("libgossip_probe_rtt_seconds_bucket")
        .contains("jvm_memory_used_bytes");
    JsonNode stats = api.get("/v1/stats").json();
    assertThat(stats.get("node").has("core")).isTrue();
    assertThat(stats.get("messages").has("delivered")).isTrue();
    Api.Reply root = api.send(api.request("/").GET().build());
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.raw().headers().firstValue("Location")).hasValue("/ui/");
    assertThat(api.get("/ui/../version.properties").status()).isEqualTo(404);
    assertThat(api.get("/ui/%2e%2e/version.properties").status()).isEqualTo(404);
    assertThat(api.get("/ui/missing.js").status()).isEqualTo(404);
  }

  @Test
  void leaveThroughTheApiIsSeenAsLeft() {
    Agent a = start("a");
    Agent b = startJoined("b", a, x -> x);
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    Api.Reply r = new Api(b).post("/v1/leave", "{\"timeout_ms\":3000}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("left").asBoolean()).isTrue();
    await().atMost(WAIT).until(() -> b.terminated().isDone());
    await()
        .atMost(WAIT)
        .until(() -> apiA.get("/v1/members?status=left").json().get("members").size() == 1);
  }

  @Test
  void closingLeavesLikeSigterm() throws Exception {
    Agent a = start("a");
    Agent b = startJoined("b", a, x -> x);
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    b.leave(Duration.ofSeconds(5)).get(10, java.util.concurrent.TimeUnit.SECONDS);
    b.close();
    JsonNode left = apiA.get("/v1/members?status=left").json().get("members");
    await()
        .atMost(WAIT)
        .until(() -> apiA.get("/v1/members?status=left").json().get("members").size() == 1);
    assertThat(left).isNotNull();
  }

  @Test
  void forceLeaveMarksAFailedMemberLeft() {
    Agent a = start("a");
    Agent b = startJoined("b", a, x -> x);
    Api apiA = new Api(a);
    awaitOnline(apiA, 2);
    Api.Reply online = apiA.post("/v1/force-leave/b", "");
    assertThat(online.status()).as(online.body()).isEqualTo(409);
    assertThat(online.json().get("code").asText()).isEqualTo("conflict");
    assertThat(apiA.post("/v1/force-leave/nobody", "").status()).isEqualTo(404);
    b.close(); // a crash: a declares it FAILED
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> apiA.get("/v1/members?status=failed").json().get("members").size() == 1);
    Api.Reply r = apiA.post("/v1/force-leave/b", "");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("id").asText()).isEqualTo("b");
    assertThat(r.json().get("status").asText()).isEqualTo("LEFT");
    assertThat(apiA.get("/v1/members?status=left").json().get("members")).hasSize(1);
  }
}
