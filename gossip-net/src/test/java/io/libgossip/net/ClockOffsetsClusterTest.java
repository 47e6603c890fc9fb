package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.PeerTiming;
import io.libgossip.core.WireVersions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real nodes on loopback with clock offsets and coordinates on (decision 061), next to a node with
 * the defaults, which never sees a timed packet.
 */
class ClockOffsetsClusterTest {
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "clock-offsets-test");
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode start(
      String id,
      boolean timed,
      MixedVersionClusterTest.VersionCounter counter,
      @Nullable String seed) {
    GossipConfig config =
        timed
            ? GossipConfig.local().toBuilder().clockOffsets(true).coordinates(true).build()
            : GossipConfig.local();
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(config)
            .eventLoops(group)
            .transform(counter);
    if (seed != null) {
      b.seeds(seed);
    }
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  @Test
  void timingBecomesAvailableBetweenTimedNodesOnly() {
    MixedVersionClusterTest.VersionCounter timedCounter =
        new MixedVersionClusterTest.VersionCounter();
    MixedVersionClusterTest.VersionCounter plainCounter =
        new MixedVersionClusterTest.VersionCounter();
    GossipNode a = start("timed-a", true, timedCounter, null);
    String seed = a.address().toString();
    GossipNode b = start("timed-b", true, timedCounter, seed);
    GossipNode plain = start("plain", false, plainCounter, seed);
    for (GossipNode n : nodes) {
      n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("timing between the timed nodes")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                a.timing("timed-b").isPresent()
                    && b.timing("timed-a").isPresent()
                    && a.estimateRtt("timed-b").isPresent());
    PeerTiming t = a.timing("timed-b").orElseThrow();
    // one machine, one clock: the offset is within its bound of zero, the round trip short
    assertThat(Math.abs(t.offset().toNanos())).isLessThanOrEqualTo(t.errorBound().toNanos());
    assertThat(t.rtt()).isLessThan(Duration.ofSeconds(1));
    assertThat(t.samples()).isPositive();
    assertThat(a.coordinate()).isPresent();
    assertThat(a.estimateRtt("timed-b").orElseThrow()).isLessThan(Duration.ofSeconds(1));
    await("everyone online")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n ->
                            n.members().stream()
                                    .filter(m -> m.status() == NodeStatus.ONLINE)
                                    .count()
                                == 3));
    assertThat(a.timing("plain")).isEmpty();
    assertThat(plain.timing("timed-a")).isEmpty();
    assertThat(plain.coordinate()).isEmpty();
    assertThat(timedCounter.sent.get(WireVersions.TIMING)).isPositive();
    assertThat(plainCounter.sent.get(WireVersions.TIMING)).isZero();
    assertThat(a.config().wireVersions()).isEqualTo(WireVersions.WITH_TIMING);
  }
}
