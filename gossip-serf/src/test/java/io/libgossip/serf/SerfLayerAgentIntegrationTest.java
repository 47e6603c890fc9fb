package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.UserMessageHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SerfLayer} against real {@code serf agent}s, carried by a raw memberlist peer over plain
 * sockets ({@link SerfRawPeer}): user events and queries both ways, and {@code serf keys} rotating
 * the layer's keyring. Skipped when {@code /usr/bin/serf} is absent.
 */
class SerfLayerAgentIntegrationTest {
  private static final String NODE = "java";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String QUERY_HANDLER = "query:java-ask=printf answer-from-$SERF_SELF_NAME";

  @TempDir Path tmp;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<UserBroadcast> events = new CopyOnWriteArrayList<>();
  private final List<QueryRequest> queries = new CopyOnWriteArrayList<>();

  @BeforeEach
  void serfInstalled() {
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  private SerfAgent agent(String name, @Nullable String key, String... extra) throws Exception {
    return closing(SerfAgent.start(name, tmp, Map.of("role", "web"), key, List.of(extra)));
  }

  /** A raw peer with a layer whose handler records events and answers queries, joined to seed. */
  private SerfLayer javaNode(@Nullable Keyring keyring, SerfAgent seed) throws Exception {
    SerfRawPeer peer = closing(new SerfRawPeer(NODE, Map.of("role", "java"), keyring));
    SerfLayer layer =
        closing(
            SerfLayer.builder(NODE)
                .memberCount(peer::memberCount)
                .sender(peer)
                .advertise(peer::address)
                .keyring(peer)
                .tags(() -> Map.of("role", "java"))
                .handler(
                    new UserMessageHandler() {
                      @Override
                      public void onBroadcast(UserBroadcast b) {
                        events.add(b);
                      }

                      @Override
                      public CompletableFuture<byte[]> onQuery(QueryRequest q) {
                        queries.add(q);
                        return CompletableFuture.completedFuture(
                            ("pong-from-java:" + new String(q.payload(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8));
                      }
                    })
                .build());
    peer.start(layer);
    peer.join(seed.port());
    closeables.add(peer); // close the peer before the layer
    return layer;
  }

  private static void awaitMember(SerfAgent a, String node) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              String json = a.membersJson();
              return json.matches(status(node, "alive"));
            });
  }

  /** Matches {@code serf members -format json} (whitespace removed) listing node with status. */
  private static String status(String node, String status) {
    // {"name":"n","addr":"...","port":1,"tags":{...},"status":"alive",...}
    return "(?s).*\"name\":\"" + node + "\"[^{]*\\{[^}]*},\"status\":\"" + status + "\".*";
  }

  @Test
  void eventsAndQueriesFlowBothWaysWithRealAgents() throws Exception {
    SerfAgent s1 = agent("s1", null, "-event-handler", QUERY_HANDLER);
    SerfAgent s2 = agent("s2", null, "-event-handler", QUERY_HANDLER, "-join", s1.address());
    awaitMember(s1, "s2");
    SerfLayer layer = javaNode(null, s1);
    awaitMember(s1, NODE);
    awaitMember(s2, NODE);
    Path monitor = tmp.resolve("monitor.out");
    Process mon = s1.serfBackground(monitor, "monitor", "-log-level", "info");
    closeables.add(() -> mon.destroyForcibly().waitFor(5, TimeUnit.SECONDS));

    // `serf event` on an agent reaches the layer's handler.
    String out = s2.serfCommand("event", "deploy", "v42");
    assertThat(out).contains("Event 'deploy' dispatched");
    await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.topic().equals("deploy")));
    UserBroadcast deploy =
        events.stream().filter(e -> e.topic().equals("deploy")).findFirst().orElseThrow();
    assertThat(new String(deploy.payload(), StandardCharsets.UTF_8)).isEqualTo("v42");
    assertThat(deploy.key()).isEqualTo("deploy"); // `serf event` coalesces by default

    // The layer's user event reaches both agents: s1's monitor and s2's log.
    layer.userEvent("java-hello", "from-java".getBytes(StandardCharsets.UTF_8), false);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> Files.readString(monitor).contains("user-event: java-hello"));
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> s2.log().contains("user-event: java-hello"));

    // `serf query` is acked and answered by the layer.
    String q = s1.serfCommand("query", "-timeout", "4s", "java-q", "hi");
    assertThat(q).contains("Ack from 'java'").contains("pong-from-java:hi");
    assertThat(queries).extracting(QueryRequest::name).contains("java-q");
    assertThat(queries.get(0).origin()).isEqualTo("s1");
    // A tag filter that excludes the layer: it neither acks nor answers.
    String filtered = s1.serfCommand("query", "-timeout", "3s", "-tag", "role=web", "java-q", "x");
    assertThat(filtered).contains("Ack from 's2'").doesNotContain("pong-from-java");

    // The layer's query: both agents ack and their handlers answer.
    List<QueryResponse> got = new CopyOnWriteArrayList<>();
    QueryResult r =
        layer
            .query(
                "java-ask",
                "?".getBytes(StandardCharsets.UTF_8),
                QueryOptions.builder()
                    .requestAck(true)
                    .metadata("role", "web")
                    .timeout(Duration.ofSeconds(4))
                    .build(),
                got::add)
            .get(10, TimeUnit.SECONDS);
    assertThat(r.acked()).containsExactlyInAnyOrder("s1", "s2");
    assertThat(r.responded()).containsExactlyInAnyOrder("s1", "s2");
    assertThat(got)
        .filteredOn(g -> !g.ack())
        .extracting(g -> new String(g.payload(), StandardCharsets.UTF_8).trim())
        .containsExactlyInAnyOrder("answer-from-s1", "answer-from-s2");
    assertThat(layer.stats().malformed()).isZero();
  }

  @Test
  void leaveIntentsTellALeftMemberFromAFailedOne() throws Exception {
    SerfAgent s1 = agent("s1", null);
    SerfAgent s2 = agent("s2", null, "-join", s1.address());
    SerfAgent s3 = agent("s3", null, "-join", s1.address());
    awaitMember(s1, "s2");
    awaitMember(s1, "s3");
    SerfLayer layer = javaNode(null, s1);
    SerfRawPeer peer = (SerfRawPeer) closeables.get(closeables.size() - 1);
    awaitMember(s1, NODE);
    await().atMost(WAIT).until(() -> layer.memberStatus("s3") == SerfMemberStatus.ALIVE);

    // An agent killed: dead without an intent. memberlist declares it after its suspicion timeout,
    // up to 6 x 4 s without confirmations from other members (s2's probes confirm).
    s3.kill();
    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> layer.memberStatus("s3") == SerfMemberStatus.FAILED);
    // An agent leaving gracefully: its leave intent, then memberlist's dead message.
    assertThat(s2.serf("leave")).contains("Graceful leave complete");
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> layer.memberStatus("s2") == SerfMemberStatus.LEFT);

    // The layer leaving: Serf's leave intent first (the agent shows the node leaving), then
    // memberlist's dead-self message (the agent shows it left, not failed).
    layer.leave().get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> s1.membersJson().matches(status(NODE, "leaving")));
    peer.leaveMemberlist();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> s1.membersJson().matches(status(NODE, "left")));
  }

  @Test
  void serfKeysRotatesTheLayersKeyring() throws Exception {
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    SplittableRandom rnd = new SplittableRandom(65);
    rnd.nextBytes(k1);
    rnd.nextBytes(k2);
    String b1 = Base64.getEncoder().encodeToString(k1);
    String b2 = Base64.getEncoder().encodeToString(k2);
    SerfAgent s1 = agent("s1", b1);
    SerfAgent s2 = agent("s2", b1, "-join", s1.address());
    awaitMember(s1, "s2");
    SerfLayer layer = javaNode(Keyring.of(k1), s1);
    SerfRawPeer peer = (SerfRawPeer) closeables.get(closeables.size() - 1);
    awaitMember(s1, NODE);
    awaitMember(s2, NODE);

    String install = s1.serf("keys", "-install", b2);
    assertThat(install).as(install).contains("Successfully installed key");
    assertThat(keys(peer)).containsExactly(b1, b2);

    String use = s2.serf("keys", "-use", b2);
    assertThat(use).as(use).contains("Successfully changed primary key");
    assertThat(keys(peer)).containsExactly(b2, b1);

    String remove = s1.serf("keys", "-remove", b1);
    assertThat(remove).as(remove).contains("Successfully removed key");
    assertThat(keys(peer)).containsExactly(b2);

    String list = s1.serf("keys", "-list");
    assertThat(list).as(list).contains(b2).contains("[3/3]").doesNotContain(b1);
    assertThat(layer.stats().keyOperations()).isEqualTo(4);
    // Still a member after the rotation (packets now under the new key).
    awaitMember(s2, NODE);
  }

  private static List<String> keys(SerfRawPeer peer) {
    Keyring k = peer.keyring();
    List<String> out = new ArrayList<>();
    if (k != null) {
      for (WireBytes b : k.keys()) {
        out.add(Base64.getEncoder().encodeToString(b.toByteArray()));
      }
    }
    return out;
  }
}
