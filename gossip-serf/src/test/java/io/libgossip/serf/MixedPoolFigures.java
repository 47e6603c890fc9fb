package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 18's figures, on demand: a pool of 10 serf agents, then a pool of 5 agents and 5 {@link
 * SerfNode}s, in one run. For each: formation (from the last member's start until every member
 * lists every other alive), and crash detection (from {@code kill -9} of an agent, or the close of
 * a libgossip node, until every other member lists it failed). Members are polled every 100 ms
 * ({@code serf members} for an agent), so a figure is good to about a poll round.
 *
 * <pre>
 * ./mvnw -B -ntp verify -pl gossip-serf -am -Dtest=MixedPoolFigures \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dinterop.figures=true
 * </pre>
 *
 * The figures go to the log (logger {@code io.libgossip.serf.MixedPoolFigures}). Skipped unless
 * {@code -Dinterop.figures=true} and {@code /usr/bin/serf} is installed.
 */
class MixedPoolFigures {
  private static final Logger LOG = LoggerFactory.getLogger(MixedPoolFigures.class);
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path tmp;
  private final List<SerfAgent> agents = new ArrayList<>();
  private final List<SerfNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(SerfNode::close);
    agents.forEach(SerfAgent::close);
  }

  @Test
  void allSerfBesideMixed() throws Exception {
    assumeTrue(Boolean.getBoolean("interop.figures"), "run with -Dinterop.figures=true");
    assumeTrue(SerfAgent.installed(), "serf is not installed at " + SerfAgent.SERF);

    double[] serf = pool(10, 0);
    stop();
    agents.clear();
    nodes.clear();
    double[] mixed = pool(5, 5);
    LOG.info(
        String.format(
            Locale.ROOT,
            "figures (s): 10 serf agents: formation %.2f, agent killed -> failed everywhere %.2f |"
                + " 5 agents + 5 libgossip: formation %.2f, agent killed -> failed everywhere"
                + " %.2f, libgossip node closed -> failed everywhere %.2f",
            serf[0],
            serf[1],
            mixed[0],
            mixed[1],
            mixed[2]));
  }

  /** Forms a pool and crashes members; returns formation and detection times in seconds. */
  private double[] pool(int agentCount, int nodeCount) throws Exception {
    List<String> names = new ArrayList<>();
    long lastStart = 0;
    for (int i = 1; i <= agentCount; i++) {
      List<String> extra = i == 1 ? List.of() : List.of("-join", agents.get(0).address());
      agents.add(SerfAgent.start("a" + i, tmp, Map.of("role", "agent"), null, extra));
      names.add("a" + i);
      lastStart = System.nanoTime();
    }
    for (int i = 1; i <= nodeCount; i++) {
      nodes.add(
          SerfNode.builder("j" + i)
              .bind("127.0.0.1", 0)
              .tag("role", "java")
              .seeds(agents.get(0).address())
              .start());
      names.add("j" + i);
      lastStart = System.nanoTime();
    }
    await().atMost(BOUND).pollInterval(POLL).until(() -> everyoneSees(names, "alive"));
    double formation = (System.nanoTime() - lastStart) / 1e9;

    SerfAgent victim = agents.remove(agents.size() - 1);
    names.remove(victim.name());
    long killed = System.nanoTime();
    victim.kill();
    await().atMost(BOUND).pollInterval(POLL).until(() -> everyoneSees(victim.name(), "failed"));
    double agentDetection = (System.nanoTime() - killed) / 1e9;

    double nodeDetection = -1;
    if (!nodes.isEmpty()) {
      SerfNode closed = nodes.remove(nodes.size() - 1);
      long at = System.nanoTime();
      closed.close();
      await().atMost(BOUND).pollInterval(POLL).until(() -> everyoneSees(closed.name(), "failed"));
      nodeDetection = (System.nanoTime() - at) / 1e9;
    }
    assertThat(formation).isPositive();
    return new double[] {formation, agentDetection, nodeDetection};
  }

  /** Whether every remaining member lists each of {@code names} (but itself) with {@code state}. */
  private boolean everyoneSees(List<String> names, String state)
      throws IOException, InterruptedException {
    for (SerfAgent a : agents) {
      String json = a.membersJson(); // one `serf members` per agent and poll
      for (String name : names) {
        if (!a.name().equals(name) && !SerfAgent.statusIn(json, name).equals(state)) {
          return false;
        }
      }
    }
    NodeStatus want = state.equals("alive") ? NodeStatus.ONLINE : NodeStatus.FAILED;
    for (SerfNode j : nodes) {
      for (String name : names) {
        Optional<NodeView> v = j.node().findNode(name);
        if (!j.name().equals(name) && v.map(NodeView::status).orElse(null) != want) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean everyoneSees(String name, String state) throws IOException, InterruptedException {
    return everyoneSees(List.of(name), state);
  }
}
