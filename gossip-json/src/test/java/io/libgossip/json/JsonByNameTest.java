package io.libgossip.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeStatus;
import io.libgossip.net.GossipNode;
import io.libgossip.net.SerializerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With this module on the class path, gossip-net finds the JSON serializer by name. */
class JsonByNameTest {
  @Test
  void serializerFactoryFindsJsonByName() throws DecodeException {
    assertThat(SerializerFactory.isAvailable("json")).isTrue();
    MessageSerializer s = SerializerFactory.create(" JSON ", GossipConfig.local());
    assertThat(s).isInstanceOf(JsonSerializer.class);
    assertThat(s.name()).isEqualTo("json");
    assertThat(((JsonSerializer) s).clusterName()).isEqualTo(GossipConfig.local().clusterName());
    for (var m : TestMessages.everyType()) {
      assertThat(s.decode(s.encode(m))).isEqualTo(m);
    }
    for (String name : SerializerFactory.NAMES) {
      assertThat(SerializerFactory.create(name, "c", 1 << 20).name()).isEqualTo(name);
    }
  }

  @Test
  void badArgumentsReachTheCallerAsTheSerializerNamesThem() {
    assertThatThrownBy(() -> SerializerFactory.create("json", "c", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxMessageSize must be at least 64, got 10");
  }

  @Test
  void twoNodesConvergeOnJson() {
    List<GossipNode> nodes = new ArrayList<>();
    try {
      GossipNode a = node("a").start();
      nodes.add(a);
      GossipNode b = node("b").seeds(a.address().toString()).start();
      nodes.add(b);
      b.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
      await("two nodes see each other ONLINE over JSON")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> nodes.stream().allMatch(n -> online(n) == 2));
      // A binary node cannot join: the JSON node drops its bytes as not JSON of this format.
      GossipNode binary =
          GossipNode.builder()
              .id("binary")
              .bind("127.0.0.1", 0)
              .config(GossipConfig.local())
              .joinTimeout(Duration.ofMillis(500))
              .seeds(a.address().toString())
              .start();
      nodes.add(binary);
      assertThat(binary.joinFuture())
          .failsWithin(Duration.ofSeconds(20))
          .withThrowableOfType(ExecutionException.class);
      assertThat(a.stats().transport().drops(DropReason.BAD_MAGIC)).isPositive();
    } finally {
      nodes.forEach(GossipNode::close);
    }
  }

  private static GossipNode.Builder node(String id) {
    return GossipNode.builder()
        .id(id)
        .bind("127.0.0.1", 0)
        .config(GossipConfig.local())
        .serializer("json");
  }

  private static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }
}
