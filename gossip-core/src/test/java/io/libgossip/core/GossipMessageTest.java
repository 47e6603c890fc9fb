package io.libgossip.core;

import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link GossipMessage#withUpdates}: a copy with other updates and every other field kept. */
class GossipMessageTest {
  private static final List<MemberUpdate> OLD = List.of(online("old", 0));
  private static final List<MemberUpdate> NEW = List.of(online("a", 1), online("b", 2));

  static Stream<GossipMessage> everyType() {
    return Stream.of(
        new Ping("s", addr("s"), 7, "t", OLD),
        new Ack("s", addr("s"), 7, OLD),
        new PingReq("s", addr("s"), 7, "t", addr("t"), OLD),
        new Nack("s", addr("s"), 7, OLD),
        new Gossip("s", addr("s"), OLD),
        new PushPull("s", addr("s"), true, false, OLD));
  }

  @ParameterizedTest
  @MethodSource("everyType")
  void withUpdatesReplacesOnlyTheUpdates(GossipMessage m) {
    GossipMessage copy = m.withUpdates(NEW);

    assertThat(copy.updates()).isEqualTo(NEW);
    assertThat(copy.withUpdates(OLD)).isEqualTo(m);
    assertThat(copy.type()).isEqualTo(m.type());
    assertThat(copy.getClass()).isEqualTo(m.getClass());
    assertThat(m.updates()).as("the original is untouched").isEqualTo(OLD);
  }
}
