package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node restarted with the same id on another port (a process restarted on an ephemeral port)
 * rejoins at once: the seed answers its join at the address the join came from, and the new
 * instance's refutation of its old instance's {@code FAILED} or {@code LEFT} moves it to the new
 * address everywhere.
 */
class GossipNodeRestartTest {
  private static final int CLUSTER = 5;
  private static final String SUBJECT = "node-3";
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "restart-test");
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode start(String id, String... seeds) {
    GossipNode n =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(GossipConfig.local())
            .eventLoops(group)
            .seeds(seeds)
            .start();
    nodes.add(n);
    return n;
  }

  private List<GossipNode> cluster() {
    GossipNode seed = start("node-0");
    List<GossipNode> all = new ArrayList<>(List.of(seed));
    for (int i = 1; i < CLUSTER; i++) {
      all.add(start("node-" + i, seed.address().toString()));
    }
    for (GossipNode node : all) {
      node.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("convergence")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> online(x) == CLUSTER));
    return all;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static boolean sees(GossipNode observer, NodeStatus status, NodeAddress at) {
    Optional<NodeView> v = observer.findNode(SUBJECT);
    return v.isPresent() && v.get().status() == status && v.get().address().equals(at);
  }

  /** Starts the new instance and checks it rejoins everywhere at its new address. */
  private void restartAndRejoin(List<GossipNode> rest, NodeAddress old) {
    GossipNode seed = rest.get(0);
    GossipNode again = start(SUBJECT, seed.address().toString());
    assertThat(again.address()).isNotEqualTo(old);

    again.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();

    // The rejoin itself takes well under a second on loopback; the bound covers a loaded machine.
    await("ONLINE at the new address everywhere")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                rest.stream().allMatch(n -> sees(n, NodeStatus.ONLINE, again.address()))
                    && online(again) == CLUSTER);
    assertThat(again.self().incarnation()).as("refuted the old instance's claim").isPositive();
  }

  @Test
  void nodeRestartedOnAnotherPortAfterACrashRejoinsAtOnce() {
    List<GossipNode> all = cluster();
    GossipNode victim = all.get(3);
    NodeAddress old = victim.address();
    victim.close();
    List<GossipNode> rest = all.stream().filter(n -> n != victim).toList();
    await("old instance FAILED everywhere")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rest.stream().allMatch(n -> sees(n, NodeStatus.FAILED, old)));

    restartAndRejoin(rest, old);
  }

  @Test
  void nodeRestartedOnAnotherPortAfterALeaveRejoinsAtOnce() {
    List<GossipNode> all = cluster();
    GossipNode leaver = all.get(3);
    NodeAddress old = leaver.address();
    leaver.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();
    List<GossipNode> rest = all.stream().filter(n -> n != leaver).toList();
    await("old instance LEFT everywhere")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> rest.stream().allMatch(n -> sees(n, NodeStatus.LEFT, old)));

    restartAndRejoin(rest, old);
  }
}
