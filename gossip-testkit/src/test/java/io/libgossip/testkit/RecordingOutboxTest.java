package io.libgossip.testkit;

import static io.libgossip.testkit.CoreFixture.addr;
import static io.libgossip.testkit.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingOutboxTest {
  private long clock = 5;
  private final RecordingOutbox outbox = new RecordingOutbox(() -> clock);

  private static NodeView member(String id) {
    return new NodeView(id, addr(id), NodeStatus.ONLINE, 0, Map.of(), 0, 0, 0, 0);
  }

  @Test
  void recordsEachSendInOrderStampedWithTheClock() {
    Ping ping = new Ping("self", addr("self"), 1, "a", List.of());
    outbox.send(ping, member("a"), Delivery.BEST_EFFORT);
    clock = 9;
    Gossip gossip = new Gossip("self", addr("self"), List.of(online("c", 2)));
    outbox.send(gossip, NodeView.ofAddress(addr("seed")), Delivery.RELIABLE);

    assertThat(outbox.size()).isEqualTo(2);
    assertThat(outbox.get(0))
        .isEqualTo(new RecordingOutbox.Sent(5, ping, member("a"), Delivery.BEST_EFFORT));
    assertThat(outbox.get(1).at()).isEqualTo(9);
    assertThat(outbox.get(1).targetId()).isEmpty();
    assertThat(outbox.get(1).delivery()).isEqualTo(Delivery.RELIABLE);
  }

  @Test
  void filtersByTypeTargetAndAddress() {
    Ping toA = new Ping("self", addr("self"), 1, "a", List.of());
    Ping toB = new Ping("self", addr("self"), 2, "b", List.of());
    Ack ackA = new Ack("self", addr("self"), 3, List.of(online("c", 1)));
    outbox.send(toA, member("a"), Delivery.BEST_EFFORT);
    outbox.send(toB, member("b"), Delivery.BEST_EFFORT);
    outbox.send(ackA, member("a"), Delivery.BEST_EFFORT);

    assertThat(outbox.messages(Ping.class)).containsExactly(toA, toB);
    assertThat(outbox.messagesTo(Ping.class, "b")).containsExactly(toB);
    assertThat(outbox.sentOf(Ack.class)).hasSize(1);
    assertThat(outbox.sentOf(Ping.class, "a"))
        .extracting(s -> s.as(Ping.class))
        .containsExactly(toA);
    assertThat(outbox.to("a")).extracting(RecordingOutbox.Sent::message).containsExactly(toA, ackA);
    assertThat(outbox.toAddress(addr("b"))).hasSize(1);
    assertThat(outbox.updates()).containsExactly(online("c", 1));
    assertThat(outbox.where(s -> s.is(Gossip.class))).isEmpty();
  }

  @Test
  void marksAndClearsAndHandsOutCopies() {
    outbox.send(
        new Ping("self", addr("self"), 1, "a", List.of()), member("a"), Delivery.BEST_EFFORT);
    int mark = outbox.mark();
    List<RecordingOutbox.Sent> before = outbox.all();
    outbox.send(
        new Ping("self", addr("self"), 2, "a", List.of()), member("a"), Delivery.BEST_EFFORT);

    assertThat(before).hasSize(1);
    assertThat(outbox.since(mark))
        .singleElement()
        .satisfies(s -> assertThat(s.as(Ping.class).seq()).isEqualTo(2));
    outbox.clear();
    assertThat(outbox.all()).isEmpty();
    assertThat(outbox.mark()).isZero();
  }
}
