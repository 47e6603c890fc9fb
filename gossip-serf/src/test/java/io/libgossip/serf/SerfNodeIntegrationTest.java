package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.UserMessageHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 end to end: three real {@code serf agent}s and two {@link SerfNode}s in one pool.
 * Membership with tags both ways, user events both ways, queries both ways, a graceful leave seen
 * as {@code left}; and with {@code -encrypt}, a key rotation by {@code serf keys} that the
 * libgossip nodes follow. Skipped without {@code /usr/bin/serf}.
 */
class SerfNodeIntegrationTest {
  /** memberlist may miss a join by gossip; the next push-pull (30 s) repairs it (decision 064). */
  private static final Duration FORM = Duration.ofSeconds(45);

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(200);

  @TempDir Path tmp;
  private final List<SerfAgent> agents = new ArrayList<>();
  private final List<SerfNode> nodes = new ArrayList<>();
  private final Map<String, List<UserBroadcast>> events = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> departures = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    nodes.forEach(SerfNode::close);
    agents.forEach(SerfAgent::close);
  }

  @Test
  void aMixedPoolSharesMembershipEventsQueriesAndALeave() throws Exception {
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);
    formPool(null, null);
    SerfNode j1 = nodes.get(0);
    SerfNode j2 = nodes.get(1);
    SerfAgent a1 = agents.get(0);

    // tags both ways
    for (SerfAgent a : agents) {
      String members = a.membersJson();
      assertThat(members).contains("\"name\":\"j1\"").contains("\"lang\":\"java\"");
    }
    assertThat(j1.node().findNode("a2").map(NodeView::metadata).orElseThrow())
        .containsEntry("role", "agent");

    // `serf event` reaches both libgossip nodes as a broadcast
    assertThat(agents.get(1).serfCommand("event", "deploy", "v42"))
        .contains("Event 'deploy' dispatched");
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> received("j1", "deploy", "v42") && received("j2", "deploy", "v42"));

    // a libgossip node's event reaches the other and the agents
    j1.userEvent("java-hello", "hi".getBytes(StandardCharsets.UTF_8), false);
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(
            () ->
                received("j2", "java-hello", "hi")
                    && agents.stream().allMatch(a -> a.log().contains("user-event: java-hello")));
    assertThat(events.getOrDefault("j1", List.of()))
        .as("a node does not deliver its own event")
        .noneMatch(b -> b.topic().equals("java-hello"));

    // `serf query` is answered by both libgossip nodes
    String out = a1.serfCommand("query", "-timeout", "5s", "whoami", "x");
    assertThat(out).as(out).contains("pong-from-j1:x").contains("pong-from-j2:x");

    // a libgossip node's query: the agents acknowledge, the other node answers
    List<QueryResponse> responses = new CopyOnWriteArrayList<>();
    QueryResult result =
        j1.query(
                "whoami",
                "y".getBytes(StandardCharsets.UTF_8),
                QueryOptions.builder().timeout(Duration.ofSeconds(5)).requestAck(true).build(),
                responses::add)
            .get(15, TimeUnit.SECONDS);
    assertThat(result).isNotNull();
    assertThat(responses)
        .anyMatch(
            r -> !r.ack() && r.from().equals("j2") && text(r.payload()).equals("pong-from-j2:y"))
        // Serf spreads a query by gossip and acknowledges it over UDP, best effort: under CI load
        // one agent's ack may miss the timeout (CI once saw a2 and a3 but not a1)
        .anyMatch(r -> r.ack() && r.from().startsWith("a"));

    // a graceful leave of a libgossip node: `left` in Serf, LEFT on the other node, never failed
    j2.leave(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
    j2.close(); // as a process does after leaving: an agent that missed the dead-self message
    // then finds it gone, and Serf turns a leaving member that goes away into `left`
    await().atMost(WAIT).pollInterval(POLL).until(() -> everyAgentLists("j2", "left"));
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(
            () -> j1.node().findNode("j2").map(NodeView::status).orElse(null) == NodeStatus.LEFT);
    assertThat(departures.getOrDefault("j1", Set.of())).doesNotContain("j2:FAILED");
    // An agent that missed every copy of the leave intent sees j2 go quiet and may call it failed
    // until the intent reaches it (Serf's own leave has the same window); a fresh-clone build saw
    // that once. At most one agent of three, and that one then turns it into a leave.
    int failedFirst = 0;
    for (SerfAgent a : agents) {
      if (a.log().contains("EventMemberFailed: j2")) {
        failedFirst++;
        assertThat(a.log()).contains("EventMemberLeave (forced): j2");
      }
    }
    assertThat(failedFirst).isLessThanOrEqualTo(1);
  }

  @Test
  void anEncryptedPoolRotatesItsKeyAcrossAgentsAndLibgossipNodes() throws Exception {
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);
    SplittableRandom random = new SplittableRandom(18);
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    random.nextBytes(k1);
    random.nextBytes(k2);
    String b1 = Base64.getEncoder().encodeToString(k1);
    String b2 = Base64.getEncoder().encodeToString(k2);
    formPool(b1, Keyring.of(k1));
    SerfAgent a1 = agents.get(0);

    String install = a1.serf("keys", "-install", b2);
    assertThat(install).as(install).contains("Successfully installed key");
    String use = agents.get(1).serf("keys", "-use", b2);
    assertThat(use).as(use).contains("Successfully changed primary key");
    String remove = a1.serf("keys", "-remove", b1);
    assertThat(remove).as(remove).contains("Successfully removed key");
    for (SerfNode n : nodes) {
      assertThat(keys(n)).as("keys of %s", n.name()).containsExactly(b2);
    }
    String list = a1.serf("keys", "-list");
    assertThat(list).as(list).contains(b2).contains("[5/5]").doesNotContain(b1);

    // traffic under the new key alone: an event still reaches both libgossip nodes
    assertThat(agents.get(2).serfCommand("event", "rotated", "ok"))
        .contains("Event 'rotated' dispatched");
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> received("j1", "rotated", "ok") && received("j2", "rotated", "ok"));
  }

  /** Agents a1..a3 (a2, a3 join a1), then SerfNodes j1, j2 seeded with a1; all see all. */
  private void formPool(@Nullable String key, @Nullable Keyring keyring) throws Exception {
    for (int i = 1; i <= 3; i++) {
      List<String> extra = i == 1 ? List.of() : List.of("-join", agents.get(0).address());
      agents.add(SerfAgent.start("a" + i, tmp, Map.of("role", "agent"), key, extra));
    }
    for (String name : List.of("j1", "j2")) {
      nodes.add(
          SerfNode.builder(name)
              .bind("127.0.0.1", 0)
              .tag("lang", "java")
              .keyring(keyring)
              .handler(handler(name))
              .listener(
                  e -> {
                    if (e instanceof ClusterEvent.MemberFailed f) {
                      departures
                          .computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet())
                          .add(f.node().id() + ":FAILED");
                    }
                  })
              .seeds(agents.get(0).address())
              .start());
    }
    List<String> all = List.of("a1", "a2", "a3", "j1", "j2");
    try {
      awaitAllSeeAll(all);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      StringBuilder sb = new StringBuilder("the pool did not form:\n");
      for (SerfAgent a : agents) {
        sb.append(a.name()).append(": ").append(a.membersJson()).append('\n');
      }
      for (SerfNode j : nodes) {
        sb.append(j.name()).append(": ").append(j.members()).append('\n');
      }
      throw new AssertionError(sb.toString(), e);
    }
  }

  private void awaitAllSeeAll(List<String> all) {
    await()
        .atMost(FORM)
        .pollInterval(POLL)
        .until(
            () -> {
              for (SerfAgent a : agents) {
                for (String n : all) {
                  if (!a.statusOf(n).equals("alive")) {
                    return false;
                  }
                }
              }
              for (SerfNode j : nodes) {
                for (String n : all) {
                  Optional<NodeView> v = j.node().findNode(n);
                  if (!n.equals(j.name())
                      && v.map(NodeView::status).orElse(null) != NodeStatus.ONLINE) {
                    return false;
                  }
                }
              }
              return true;
            });
  }

  /** Answers query "whoami" with {@code pong-from-<name>:<payload>}; records events. */
  private UserMessageHandler handler(String name) {
    return new UserMessageHandler() {
      @Override
      public void onBroadcast(UserBroadcast broadcast) {
        events.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(broadcast);
      }

      @Override
      public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest query) {
        if (!query.name().equals("whoami")) {
          return null;
        }
        return CompletableFuture.completedFuture(
            ("pong-from-" + name + ":" + text(query.payload())).getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  private boolean received(String node, String topic, String payload) {
    return events.getOrDefault(node, List.of()).stream()
        .anyMatch(b -> b.topic().equals(topic) && text(b.payload()).equals(payload));
  }

  private boolean everyAgentLists(String name, String status)
      throws IOException, InterruptedException {
    for (SerfAgent a : agents) {
      if (!a.statusOf(name).equals(status)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> keys(SerfNode n) {
    Keyring k = n.keyring();
    List<String> out = new ArrayList<>();
    if (k != null) {
      for (WireBytes b : k.keys()) {
        out.add(Base64.getEncoder().encodeToString(b.toByteArray()));
      }
    }
    return out;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
