package io.libgossip.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.libgossip.agent.Agent;
import io.libgossip.agent.AgentConfig;
import io.libgossip.core.NodeAddress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every operator command against two real agents in this JVM (loopback, ephemeral ports): what one
 * agent is told is seen on the other.
 */
class OperatorCliEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<Agent> agents = new ArrayList<>();
  private final List<OperatorCli> clis = new ArrayList<>();
  private final Map<Agent, String> tokens = new HashMap<>();

  /** One run of the CLI: its exit status and what it printed. */
  record Result(int exit, String out, String err) {}

  /** A CLI whose output can be read while it runs. */
  final class Session {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final OperatorCli cli;

    Session(Agent agent, boolean withToken) {
      Map<String, String> env = new HashMap<>();
      env.put(OperatorCli.ENV_ADDR, agent.httpUri().toString());
      String token = tokens.get(agent);
      if (token != null && withToken) {
        env.put(OperatorCli.ENV_TOKEN, token);
      }
      cli =
          new OperatorCli(
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8),
              env);
      clis.add(cli);
    }

    Session(Agent agent) {
      this(agent, true);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  @AfterEach
  void stop() {
    clis.forEach(OperatorCli::close);
    agents.forEach(Agent::close);
  }

  private Agent start(AgentConfig.Builder b) {
    Agent a =
        Agent.start(
            b.bind(new NodeAddress("127.0.0.1", 0)).http(new NodeAddress("127.0.0.1", 0)).build());
    agents.add(a);
    return a;
  }

  private Result run(Agent agent, String... args) {
    Session s = new Session(agent);
    int exit = s.cli.run(args);
    return new Result(exit, s.out(), s.err());
  }

  private JsonNode members(Agent agent) throws Exception {
    Result r = run(agent, "members", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    return JSON.readTree(r.out()).path("members");
  }

  private static String status(JsonNode members, String id) {
    for (JsonNode m : members) {
      if (m.path("id").asText().equals(id)) {
        return m.path("status").asText();
      }
    }
    return "absent";
  }

  private static JsonNode member(JsonNode members, String id) {
    for (JsonNode m : members) {
      if (m.path("id").asText().equals(id)) {
        return m;
      }
    }
    throw new AssertionError("no member " + id + " in " + members);
  }

  @Test
  void everyCommandAgainstTwoAgents() throws Exception {
    Agent a = start(AgentConfig.builder().id("a").meta(Map.of("role", "web")));
    Agent b = start(AgentConfig.builder().id("b").respond("uptime", "b-is-up").httpToken("t0k3n"));
    tokens.put(b, "t0k3n");
    a.joined().get(10, TimeUnit.SECONDS);
    b.joined().get(10, TimeUnit.SECONDS);

    // join
    Result join = run(a, "join", b.gossipAddress().toString());
    assertThat(join.exit()).as(join.err()).isZero();
    assertThat(join.out()).startsWith("joined the cluster through " + b.gossipAddress());
    await().atMost(WAIT).until(() -> status(members(b), "a").equals("ONLINE"));

    // b's API needs its token: without it, 401 and exit 1
    Session noToken = new Session(b, false);
    assertThat(noToken.cli.run("members")).isEqualTo(1);
    assertThat(noToken.err()).startsWith("gossip: ").contains("(unauthorized, HTTP 401)");

    // members: the table, --json, the filters
    Result table = run(a, "members");
    assertThat(table.exit()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches("ID +ADDRESS +STATUS +METADATA");
    assertThat(lines.get(1)).matches("a +" + a.gossipAddress() + " +ONLINE +role=web");
    assertThat(lines.get(2)).matches("b +" + b.gossipAddress() + " +ONLINE");
    JsonNode web = JSON.readTree(run(a, "members", "--meta", "role=w.b", "--json").out());
    assertThat(web.path("members")).hasSize(1);
    assertThat(web.path("members").get(0).path("id").asText()).isEqualTo("a");
    assertThat(run(a, "members", "--status", "failed,left").out().lines()).hasSize(1);

    // monitor on b, in the background
    Session monitor = new Session(b);
    CompletableFuture<Integer> monitoring =
        CompletableFuture.supplyAsync(() -> monitor.cli.run("monitor", "--types", "member,user"));
    await().atMost(WAIT).until(() -> monitor.out().contains("  snapshot  self=b members=2"));

    // meta set / get / delete on a, seen on b
    Result set = run(a, "meta", "set", "zone=eu-1", "rack=r7");
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out()).isEqualTo("metadata of a: rack=r7,role=web,zone=eu-1\n");
    await()
        .atMost(WAIT)
        .until(() -> member(members(b), "a").path("metadata").path("zone").asText().equals("eu-1"));
    assertThat(run(a, "meta", "get", "zone").out()).isEqualTo("eu-1\n");
    assertThat(run(a, "meta", "get").out().lines())
        .containsExactly("KEY   VALUE", "rack  r7", "role  web", "zone  eu-1");
    Result delete = run(a, "meta", "delete", "rack");
    assertThat(delete.exit()).as(delete.err()).isZero();
    await().atMost(WAIT).until(() -> !member(members(b), "a").path("metadata").has("rack"));
    Result missing = run(a, "meta", "delete", "rack");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).startsWith("gossip: ").contains("not_found").contains("HTTP 404");
    await()
        .atMost(WAIT)
        .until(
            () ->
                monitor
                    .out()
                    .lines()
                    .anyMatch(l -> l.matches(".*  metadata-changed  a .*zone=eu-1.*")));

    // event on a, seen by the monitor on b
    Result event = run(a, "event", "deploy", "v1.2.3");
    assertThat(event.exit()).as(event.err()).isZero();
    assertThat(event.out()).matches("event 'deploy' sent \\(seq \\d+\\)\n");
    await()
        .atMost(WAIT)
        .until(
            () ->
                monitor
                    .out()
                    .lines()
                    .anyMatch(
                        l ->
                            l.matches(
                                ".*  broadcast  from=a topic=deploy seq=\\d+ payload=v1\\.2\\.3")));
    monitor.cli.close();
    assertThat(monitoring).succeedsWithin(WAIT).isEqualTo(0);
    assertThat(monitor.err()).isEmpty();

    // query from a, answered by b's --respond
    Result query = run(a, "query", "uptime", "--member", "b", "--timeout", "5s");
    assertThat(query.exit()).as(query.err()).isZero();
    assertThat(query.out().lines())
        .containsExactly(
            "query 'uptime' sent",
            "response from b: b-is-up",
            "total acks: 0",
            "total responses: 1 of 1 targeted");

    // force-leave of a live member is refused; keys without a keyring too
    Result force = run(a, "force-leave", "b");
    assertThat(force.exit()).isEqualTo(1);
    assertThat(force.err().lines()).hasSize(1);
    // 409 conflict (b is not FAILED); 503 unavailable from an agent built without force-leave
    assertThat(force.err())
        .startsWith("gossip: ")
        .containsAnyOf("(conflict, HTTP 409)", "(unavailable, HTTP 503)");
    Result keys = run(a, "keys", "list");
    assertThat(keys.exit()).isEqualTo(1);
    assertThat(keys.err()).contains("no_keyring");

    // leave: b goes, a sees it LEFT, and b's API is gone
    Result leave = run(b, "leave");
    assertThat(leave.exit()).as(leave.err()).isZero();
    assertThat(leave.out()).contains("left the cluster");
    assertThat(b.terminated()).succeedsWithin(WAIT);
    await()
        .atMost(WAIT)
        .until(
            () ->
                status(members(a), "b").equals("LEFT") || status(members(a), "b").equals("absent"));
    Result gone = run(b, "members");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).startsWith("gossip: cannot reach the agent at " + b.httpUri() + ": ");
  }
}
