package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.WireVersions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real nodes on loopback speaking two wire versions: "old" nodes that speak only version 2 (as
 * built before version 3) and "new" nodes that speak 2 to {@link WireVersions#NEWEST}.
 */
class MixedVersionClusterTest {
  private static final WireVersions OLD = new WireVersions(2, 2);
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();

  /** Counts the outbound packets of each wire version (byte 2 of the header); changes nothing. */
  static final class VersionCounter implements PacketTransform {
    final AtomicLongArray sent = new AtomicLongArray(256);

    @Override
    public int overhead() {
      return 0;
    }

    @Override
    public byte[] encode(byte[] packet) {
      if (packet.length > 2) {
        sent.incrementAndGet(packet[2] & 0xFF);
      }
      return packet;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      return new TransformResult.Accepted(packet);
    }
  }

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "mixed-version-test");
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
      String id, WireVersions versions, VersionCounter counter, @Nullable String seed) {
    GossipConfig config = GossipConfig.local().toBuilder().wireVersions(versions).build();
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

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  @Test
  void oldAndNewNodesConvergeAtVersion2AndTheNewOnesMoveToTheNewestWhenTheOldOnesLeave() {
    VersionCounter oldCounter = new VersionCounter();
    VersionCounter newCounter = new VersionCounter();
    GossipNode seed = start("old-0", OLD, oldCounter, null);
    String seedAddress = seed.address().toString();
    List<GossipNode> old =
        new ArrayList<>(List.of(seed, start("old-1", OLD, oldCounter, seedAddress)));
    List<GossipNode> fresh = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fresh.add(start("new-" + i, WireVersions.SUPPORTED, newCounter, seedAddress));
    }
    List<GossipNode> all = new ArrayList<>(old);
    all.addAll(fresh);
    for (GossipNode n : all) {
      n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("convergence of the mixed cluster")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(n -> online(n) == all.size()));
    await("new nodes learn each other's versions")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> newCounter.sent.get(WireVersions.NEWEST) > 20);

    assertThat(all).allMatch(n -> n.clusterWireVersion() == 2, "cluster version 2 while mixed");
    assertThat(oldCounter.sent.get(WireVersions.NEWEST))
        .as("old nodes never write the newest version")
        .isZero();
    assertThat(old)
        .as("old nodes drop the hellos they cannot read, and count them")
        .anyMatch(n -> n.stats().drops(DropReason.UNSUPPORTED_VERSION) > 0);
    assertThat(fresh).allMatch(n -> n.stats().drops(DropReason.UNSUPPORTED_VERSION) == 0);

    // the old nodes leave: the new ones move to the newest version and stay converged
    for (GossipNode n : old) {
      n.leave(Duration.ofSeconds(10)).orTimeout(15, TimeUnit.SECONDS).join();
    }
    await("the new nodes move to the newest version")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> fresh.stream().allMatch(n -> n.clusterWireVersion() == WireVersions.NEWEST));
    assertThat(fresh).allMatch(n -> online(n) == fresh.size());
    long newestBefore = newCounter.sent.get(WireVersions.NEWEST);
    await("traffic between new nodes at the newest version")
        .atMost(Duration.ofSeconds(10))
        .until(() -> newCounter.sent.get(WireVersions.NEWEST) > newestBefore + 20);
  }
}
