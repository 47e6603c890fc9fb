package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event streams' queues, without sockets. */
class EventHubTest {
  private final Counter overflows = Counter.builder("o").register(new SimpleMeterRegistry());
  private final EventHub hub = new EventHub(overflows);
  private final EmbeddedChannel ch = new EmbeddedChannel();

  private static NodeView node(String id, NodeStatus status, Map<String, String> meta) {
    return new NodeView(id, new NodeAddress("127.0.0.1", 7946), status, 1, meta, 0, 0, 0, 0);
  }

  private List<String> written() {
    ch.runPendingTasks();
    List<String> out = new ArrayList<>();
    Object m;
    while ((m = ch.readOutbound()) != null) {
      if (m instanceof HttpContent c) {
        ByteBuf b = c.content();
        if (b.isReadable()) {
          out.add(b.toString(StandardCharsets.UTF_8));
        }
        if (m instanceof LastHttpContent) {
          out.add("<end>");
        }
        c.release();
      }
    }
    return out;
  }

  @Test
  void theSnapshotComesFirstEvenAfterEarlierUserData() {
    EventHub.Subscriber s = hub.new Subscriber(ch, EnumSet.allOf(EventHub.Group.class), "a");
    s.offer(EventHub.frame("broadcast", Json.object().put("type", "broadcast")));
    NodeView self = node("a", NodeStatus.ONLINE, Map.of());
    s.onEvent(
        new ClusterEvent.Resync(self, List.of(self, node("b", NodeStatus.ONLINE, Map.of())), 0));
    s.onEvent(new ClusterEvent.MemberLeft(node("b", NodeStatus.LEFT, Map.of()), NodeStatus.ONLINE));
    List<String> out = written();
    assertThat(out).hasSize(3);
    assertThat(out.get(0)).startsWith("event: snapshot\ndata: {\"self\":{\"id\":\"a\"");
    assertThat(out.get(1)).startsWith("event: broadcast\n");
    assertThat(out.get(2))
        .startsWith("event: left\ndata: {\"type\":\"left\",\"member\":{\"id\":\"b\"")
        .contains("\"previous_status\":\"ONLINE\"")
        .endsWith("\n\n");
  }

  @Test
  void memberEventsAreLeftOutWhenNotAskedFor() {
    EventHub.Subscriber s = hub.new Subscriber(ch, EnumSet.of(EventHub.Group.USER), "a");
    NodeView self = node("a", NodeStatus.ONLINE, Map.of());
    s.onEvent(new ClusterEvent.Resync(self, List.of(self), 0));
    s.onEvent(new ClusterEvent.MemberJoined(node("b", NodeStatus.ONLINE, Map.of())));
    assertThat(written()).hasSize(1).allMatch(f -> f.startsWith("event: snapshot"));
  }

  @Test
  void aSubscriberThatFallsBehindGetsOverflowAndIsClosed() {
    EventHub.Subscriber s = hub.new Subscriber(ch, EnumSet.allOf(EventHub.Group.class), "a");
    NodeView self = node("a", NodeStatus.ONLINE, Map.of());
    s.onEvent(new ClusterEvent.Resync(self, List.of(self), 0));
    for (int i = 0; i < EventHub.QUEUE_CAPACITY; i++) { // the loop never runs: nothing drains
      s.offer(EventHub.frame("message", Json.object().put("i", i)));
    }
    assertThat(overflows.count()).isEqualTo(1.0);
    List<String> out = written();
    assertThat(out).containsExactly(out.get(0), "<end>");
    assertThat(out.get(0)).startsWith("event: overflow\n");
    assertThat(ch.isOpen()).isFalse();
    s.offer("more"); // after the close: ignored
    assertThat(overflows.count()).isEqualTo(1.0);
  }

  @Test
  void memberEventDataCarriesKindSpecificFields() {
    NodeView b = node("b", NodeStatus.ONLINE, Map.of("role", "db"));
    String changed =
        Json.text(
            EventHub.memberEvent(
                new ClusterEvent.MetadataChanged(b, Map.of("role", "web")), "a", 5));
    assertThat(changed)
        .contains("\"type\":\"metadata-changed\"")
        .contains("\"previous_metadata\":{\"role\":\"web\"}")
        .contains("\"time_ms\":5")
        .contains("\"self\":false");
    String suspected =
        Json.text(
            EventHub.memberEvent(
                new ClusterEvent.MemberSuspected(node("b", NodeStatus.SUSPECT, Map.of()), "c"),
                "a",
                5));
    assertThat(suspected).contains("\"type\":\"suspected\"").contains("\"accuser\":\"c\"");
    assertThat(EventHub.typeOf(ClusterEvent.Kind.SELF_JOINED)).isEqualTo("self-joined");
  }
}
