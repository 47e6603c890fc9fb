package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.WireConfig;
import io.libgossip.net.GossipNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three real {@code serf agent}s and two libgossip nodes in memberlist mode, on loopback (skipped
 * without {@code serf}): membership both ways, crashes, graceful leaves, encryption.
 */
class MemberlistSerfIntegrationTest {
  /**
   * Bound on membership spreading: memberlist spreads a new member by gossip with 4 transmissions
   * per holder at this size, so an agent can be missed and then learns it at its next push-pull
   * (every 30 s).
   */
  private static final Duration FORM = Duration.ofSeconds(45);

  private static final Duration DETECT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Logger LOG = LoggerFactory.getLogger(MemberlistSerfIntegrationTest.class);

  @TempDir Path tmp;

  private final List<SerfAgent> agents = new ArrayList<>();
  private final List<GossipNode> nodes = new ArrayList<>();
  private final List<MemberlistTransport> transports = new ArrayList<>();
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

  @BeforeEach
  void serfInstalled() {
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);
  }

  @AfterEach
  void stop() {
    for (MemberlistTransport t : transports) {
      LOG.atInfo()
          .setMessage("transport stats")
          .addKeyValue("stats", t.stats())
          .addKeyValue("splitPackets", t.splitPackets())
          .addKeyValue("unsupported", t.unsupportedDrops())
          .addKeyValue("ignoredUserMessages", t.ignoredUserMessages())
          .log();
    }
    for (GossipNode n : nodes) {
      n.close();
    }
    for (SerfAgent a : agents) {
      a.close();
      a.log()
          .lines()
          .filter(l -> l.contains("EventMember"))
          .forEach(l -> LOG.info("{}: {}", a.name(), l.strip()));
    }
  }

  /** Starts agents a1..a3 (a2 and a3 join a1), with {@code key} as their {@code -encrypt}. */
  private void startAgents(@Nullable String key) throws Exception {
    for (int i = 1; i <= 3; i++) {
      List<String> extra = i == 1 ? List.of() : List.of("-join", agents.get(0).address());
      agents.add(SerfAgent.start("a" + i, tmp, Map.of("role", "agent", "idx", "" + i), key, extra));
    }
    await()
        .atMost(FORM)
        .pollInterval(POLL)
        .until(() -> aliveCount(agents.get(0).membersJson()) == 3);
  }

  /**
   * Starts libgossip node {@code name} seeded with a1, with {@code delegate} and {@code keyring}.
   */
  private GossipNode startNode(
      String name, @Nullable MemberlistDelegate delegate, @Nullable Keyring keyring) {
    MemberlistTransport transport =
        MemberlistTransport.builder()
            .wireConfig(WireConfig.defaults().withKeyring(keyring))
            .delegate(delegate)
            .build();
    transports.add(transport);
    GossipNode node =
        GossipNode.builder()
            .id(name)
            .bind("127.0.0.1", 0)
            .config(GossipConfig.lan())
            .metadata(Map.of("lang", "java", "name", name))
            .transportFactory(transport::withNodeOptions)
            .seeds(List.of(NodeAddress.parse(agents.get(0).address())))
            .listener(
                e -> {
                  if (e instanceof ClusterEvent.MemberFailed f) {
                    seen.computeIfAbsent(f.node().id(), k -> ConcurrentHashMap.newKeySet())
                        .add(name + ":FAILED");
                  } else if (e instanceof ClusterEvent.MemberLeft l) {
                    seen.computeIfAbsent(l.node().id(), k -> ConcurrentHashMap.newKeySet())
                        .add(name + ":LEFT");
                  }
                })
            .start();
    nodes.add(node);
    return node;
  }

  private void formPool(@Nullable String key, @Nullable Keyring keyring) throws Exception {
    startAgents(key);
    long t0 = System.nanoTime();
    startNode("j1", null, keyring);
    startNode("j2", null, keyring);
    awaitFullMembership();
    measured("formation", t0);
  }

  /** Logs a measured duration (the decision record collects these over repeated runs). */
  private static void measured(String what, long startNanos) {
    LOG.atInfo()
        .setMessage("measured")
        .addKeyValue("what", what)
        .addKeyValue("ms", (System.nanoTime() - startNanos) / 1_000_000)
        .log();
  }

  private void awaitFullMembership() {
    await()
        .atMost(FORM)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (SerfAgent a : agents) {
                String json = a.membersJson();
                assertThat(SerfAgent.statusIn(json, "j1"))
                    .as(a.name() + " sees j1")
                    .isEqualTo("alive");
                assertThat(SerfAgent.statusIn(json, "j2"))
                    .as(a.name() + " sees j2")
                    .isEqualTo("alive");
              }
              for (GossipNode n : nodes) {
                for (String id : List.of("a1", "a2", "a3", "j1", "j2")) {
                  if (!id.equals(n.self().id())) {
                    assertThat(status(n, id))
                        .as(n.self().id() + " sees " + id)
                        .isEqualTo(NodeStatus.ONLINE);
                  }
                }
              }
            });
  }

  @Test
  void libgossipNodesAndAgentsSeeEachOtherWithTags() throws Exception {
    formPool(null, null);
    String json = agents.get(2).membersJson();
    assertThat(memberJson(json, "j1")).contains("\"lang\":\"java\"").contains("\"name\":\"j1\"");
    NodeView a3 = member(nodes.get(1), "a3").orElseThrow();
    assertThat(a3.metadata()).containsEntry("role", "agent").containsEntry("idx", "3");
    assertThat(a3.address().port()).isEqualTo(agents.get(2).port());
  }

  @Test
  void agentJoinsThroughALibgossipNode() throws Exception {
    formPool(null, null);
    NodeAddress j1 = nodes.get(0).self().address();
    agents.add(
        SerfAgent.start(
            "a4",
            tmp,
            Map.of("role", "late"),
            null,
            List.of("-join", j1.host() + ":" + j1.port())));
    await()
        .atMost(FORM)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (GossipNode n : nodes) {
                assertThat(member(n, "a4").map(NodeView::metadata).orElse(Map.of()))
                    .containsEntry("role", "late");
                assertThat(status(n, "a4")).isEqualTo(NodeStatus.ONLINE);
              }
              for (SerfAgent a : agents) {
                assertThat(a.statusOf("a4")).as(a.name()).isEqualTo("alive");
              }
              assertThat(agents.get(3).statusOf("j2")).isEqualTo("alive");
            });
  }

  @Test
  void killedAgentIsFailedOnBothLibgossipNodes() throws Exception {
    formPool(null, null);
    long t0 = System.nanoTime();
    agents.get(1).kill();
    await()
        .atMost(DETECT)
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> {
              for (GossipNode n : nodes) {
                assertThat(status(n, "a2")).isEqualTo(NodeStatus.FAILED);
              }
            });
    measured("agent-crash-detected", t0);
  }

  @Test
  void closedLibgossipNodeIsFailedInSerf() throws Exception {
    formPool(null, null);
    long t0 = System.nanoTime();
    nodes.get(0).close();
    await()
        .atMost(DETECT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (int i = 0; i < 3; i++) {
                assertThat(agents.get(i).statusOf("j1")).isEqualTo("failed");
              }
            });
    measured("node-crash-detected-by-serf", t0);
    await()
        .atMost(DETECT)
        .pollInterval(POLL)
        .untilAsserted(() -> assertThat(status(nodes.get(1), "j1")).isEqualTo(NodeStatus.FAILED));
  }

  @Test
  void agentThatLeavesIsLeftNeverFailed() throws Exception {
    formPool(null, null);
    String out = agents.get(2).serf("leave");
    assertThat(out).doesNotContain("Error");
    await()
        .atMost(DETECT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (GossipNode n : nodes) {
                assertThat(status(n, "a3")).isEqualTo(NodeStatus.LEFT);
              }
            });
    assertThat(seen.getOrDefault("a3", Set.of())).containsOnly("j1:LEFT", "j2:LEFT");
  }

  @Test
  void libgossipNodeThatLeavesIsLeftInSerfNeverFailed() throws Exception {
    startAgents(null);
    MemberlistLeaveDelegate serfLayer = new MemberlistLeaveDelegate();
    GossipNode leaver = startNode("j1", serfLayer, null);
    startNode("j2", null, null);
    awaitFullMembership();
    serfLayer.queueLeave("j1");
    // As Serf does: the leave intent spreads first (agents show the node "leaving"), then
    // memberlist's dead-from-itself.
    await()
        .atMost(FORM)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (SerfAgent a : agents) {
                assertThat(a.statusOf("j1")).isEqualTo("leaving");
              }
            });
    leaver.leave(Duration.ofSeconds(5)).get();
    await()
        .atMost(DETECT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (SerfAgent a : agents) {
                String status = a.statusOf("j1");
                assertThat(status).isNotEqualTo("failed").isEqualTo("left");
              }
              assertThat(status(nodes.get(1), "j1")).isEqualTo(NodeStatus.LEFT);
            });
    for (SerfAgent a : agents) {
      assertThat(a.log()).doesNotContain("EventMemberFailed: j1");
    }
  }

  @Test
  void encryptedPoolFormsAndDetectsACrash() throws Exception {
    byte[] raw = new byte[32];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (i * 7 + 3);
    }
    String key = Base64.getEncoder().encodeToString(raw);
    Keyring keyring = Keyring.ofBase64(key);
    formPool(key, keyring);
    String json = agents.get(0).membersJson();
    assertThat(memberJson(json, "j2")).contains("\"lang\":\"java\"");
    agents.get(0).kill();
    await()
        .atMost(DETECT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              for (GossipNode n : nodes) {
                assertThat(status(n, "a1")).isEqualTo(NodeStatus.FAILED);
              }
            });
  }

  // ------------------------------------------------------------------------------ helpers

  private static Optional<NodeView> member(GossipNode n, String id) {
    return n.members().stream().filter(v -> v.id().equals(id)).findFirst();
  }

  private static NodeStatus status(GossipNode n, String id) {
    return member(n, id).map(NodeView::status).orElse(NodeStatus.UNKNOWN);
  }

  private static final Pattern MEMBER =
      Pattern.compile(
          "\\{\"name\":\"([^\"]*)\",\"addr\":\"[^\"]*\",\"port\":\\d+,\"tags\":\\{[^}]*\\},\"status\":\"([a-z]*)\"");

  /** The JSON object of {@code name} in {@code serf members -format json}, or "". */
  static String memberJson(String json, String name) {
    Matcher m = MEMBER.matcher(json);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        return m.group(0);
      }
    }
    return "";
  }

  private static int aliveCount(String json) {
    Matcher m = MEMBER.matcher(json);
    int n = 0;
    while (m.find()) {
      if (m.group(2).equals("alive")) {
        n++;
      }
    }
    return n;
  }
}
