package io.libgossip.testkit;

import static io.libgossip.testkit.CoreFixture.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingListenerTest {
  private final RecordingListener listener = new RecordingListener();

  private static NodeView view(String id, NodeStatus status) {
    return new NodeView(id, addr(id), status, 0, Map.of(), 0, 0, 0, 0);
  }

  @Test
  void separatesMemberEventsFromTheNodesOwnAndKeepsTheirOrder() {
    ClusterEvent.MemberEvent joined = new ClusterEvent.MemberJoined(view("a", NodeStatus.ONLINE));
    ClusterEvent self = new ClusterEvent.SelfJoined(view("self", NodeStatus.ONLINE));
    ClusterEvent.MemberEvent suspected =
        new ClusterEvent.MemberSuspected(view("a", NodeStatus.SUSPECT), "b");
    ClusterEvent.MemberEvent other = new ClusterEvent.MemberJoined(view("b", NodeStatus.ONLINE));
    listener.onEvent(joined);
    listener.onEvent(self);
    listener.onEvent(suspected);
    listener.onEvent(other);

    assertThat(listener.all()).containsExactly(joined, self, suspected, other);
    assertThat(listener.events()).containsExactly(joined, suspected, other);
    assertThat(listener.selfEvents()).containsExactly(self);
    assertThat(listener.about("a")).containsExactly(joined, suspected);
    assertThat(listener.typesAbout("a"))
        .containsExactly(ClusterEvent.MemberJoined.class, ClusterEvent.MemberSuspected.class);
    assertThat(listener.ofType(ClusterEvent.MemberSuspected.class))
        .singleElement()
        .satisfies(e -> assertThat(e.accuser()).isEqualTo("b"));
    assertThat(listener.last()).isEqualTo(other);
    assertThat(listener.size()).isEqualTo(3);
  }

  @Test
  void lastFailsWhenNoMemberEventWasRecordedAndClearForgets() {
    listener.onEvent(new ClusterEvent.SelfJoined(view("self", NodeStatus.ONLINE)));
    assertThatThrownBy(listener::last).isInstanceOf(IllegalStateException.class);
    listener.clear();
    assertThat(listener.all()).isEmpty();
    assertThat(listener.selfEvents()).isEmpty();
  }
}
