package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real nodes on loopback with packet transforms. */
class PacketTransformClusterTest {
  private static EventLoopPool pool;
  private final List<GossipNode> nodes = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "transform-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder(GossipConfig config, String id) {
    return GossipNode.builder().id(id).bind("127.0.0.1", 0).config(config).eventLoops(pool);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  private static void awaitConvergence(List<GossipNode> all) {
    for (GossipNode node : all) {
      node.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
    await("convergence of " + all.size() + " nodes")
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> all.stream().allMatch(x -> online(x) == all.size()));
  }

  private static void awaitJoinFailure(GossipNode node) {
    await("join of " + node.id() + " fails")
        .atMost(Duration.ofSeconds(10))
        .until(() -> node.joinFuture().isDone());
    assertThatThrownBy(() -> node.joinFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(JoinException.class);
  }

  @Test
  void labelledClusterConvergesAndItsPacketsCarryTheLabel() {
    GossipConfig config = GossipConfig.local();
    TestTransforms.Label label = new TestTransforms.Label("TST1");
    List<GossipNode> cluster = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      GossipNode.Builder b =
          builder(config, "node-" + i)
              .serializer(BinarySerializer.forConfig(config)) // an instance, not a name
              .transform(label);
      if (i > 0) {
        b.seeds(cluster.get(0).address().toString());
      }
      cluster.add(start(b));
    }
    awaitConvergence(cluster);
    assertThat(label.encoded.get()).isPositive();
    GossipNode seed = cluster.get(0);

    // A node without the transform cannot join: the seed rejects its packets, and counts them.
    GossipNode plain =
        start(
            builder(config, "plain")
                .joinTimeout(Duration.ofSeconds(2))
                .seeds(seed.address().toString()));
    awaitJoinFailure(plain);
    assertThat(seed.stats().drops(TransportDropReason.REJECTED_BY_TRANSFORM)).isPositive();

    // A labelled node cannot join the plain one either: on the wire its bytes start with the
    // label, which the plain node's decoder counts as not a libgossip packet.
    GossipNode labelled =
        start(
            builder(config, "labelled")
                .transform(new TestTransforms.Label("TST1"))
                .joinTimeout(Duration.ofSeconds(2))
                .seeds(plain.address().toString()));
    awaitJoinFailure(labelled);
    assertThat(plain.stats().drops(DropReason.BAD_MAGIC)).isPositive();
    assertThat(plain.members()).extracting(NodeView::id).containsExactly("plain");
    assertThat(cluster).allMatch(n -> online(n) == 3);
  }

  /**
   * A transform that adds 200 bytes and records, by message type, the size of every packet it
   * produced.
   */
  private static final class MeasuringPadding extends TestTransforms.Padding {
    final Map<GossipMessage.MessageType, Integer> largest = new ConcurrentHashMap<>();
    final AtomicInteger packets = new AtomicInteger();
    private final BinarySerializer serializer;

    MeasuringPadding(int overhead, GossipConfig config) {
      super(overhead);
      this.serializer = BinarySerializer.forConfig(config);
    }

    @Override
    public byte[] encode(byte[] packet) {
      GossipMessage.MessageType type;
      try {
        type = serializer.decode(packet).type();
      } catch (DecodeException e) {
        throw new AssertionError("the serializer produced an undecodable packet", e);
      }
      byte[] out = super.encode(packet);
      packets.incrementAndGet();
      largest.merge(type, out.length, Math::max);
      return out;
    }
  }

  @Test
  void largeTransformOverheadNeverPushesAPacketOverTheDatagramLimit() {
    int maxPacket = 600;
    int overhead = 200;
    GossipConfig config =
        GossipConfig.local().toBuilder().maxPacketSize(maxPacket).maxMetadataBytes(256).build();
    MeasuringPadding padding = new MeasuringPadding(overhead, config);
    int n = 12;
    List<GossipNode> cluster = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GossipNode.Builder b =
          builder(config, "member-" + i).transform(padding).metadata("blob", "x".repeat(150));
      if (i > 0) {
        b.seeds(cluster.get(0).address().toString());
      }
      cluster.add(start(b));
    }
    awaitConvergence(cluster);
    // A burst of large updates, so that gossip packets are filled to the budget.
    for (int i = 0; i < n; i++) {
      cluster.get(i).updateMetadata(Map.of("blob", "y".repeat(150), "i", Integer.toString(i)));
    }
    await("metadata spread")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                cluster.stream()
                    .allMatch(
                        x -> x.members().stream().allMatch(m -> m.metadata().containsKey("i"))));

    assertThat(padding.packets.get()).isPositive();
    // Push-pull (state exchange) is sent reliably, over TCP, and may be large; everything else
    // is best-effort and must fit one datagram after the transform.
    Map<GossipMessage.MessageType, Integer> datagrams = new java.util.HashMap<>(padding.largest);
    datagrams.remove(GossipMessage.MessageType.PUSH_PULL);
    assertThat(datagrams).isNotEmpty();
    assertThat(datagrams.values()).allMatch(size -> size <= maxPacket, "at most " + maxPacket);
    // ... and the packer did fill them: without the budget they would have gone over.
    assertThat(datagrams.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .isGreaterThan(maxPacket - overhead / 2);
    for (GossipNode node : cluster) {
      assertThat(node.stats().drops(TransportDropReason.OVERSIZED)).isZero();
      assertThat(node.stats().drops(TransportDropReason.REJECTED_BY_TRANSFORM)).isZero();
    }
  }

  @Test
  void transformsTakingMoreThanHalfAPacketAreRefusedBeforeBinding() {
    GossipConfig config =
        GossipConfig.local().toBuilder().maxPacketSize(600).maxMetadataBytes(256).build();
    GossipNode.Builder b = builder(config, "greedy").transform(new TestTransforms.Padding(301));
    assertThatThrownBy(b::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("301 bytes per packet");
  }
}
