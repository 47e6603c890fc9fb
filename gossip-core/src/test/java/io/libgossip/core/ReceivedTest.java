package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link GossipCore#handleMessage} reports for each kind of input. */
class ReceivedTest {
  private static Received handle(CoreFixture f, GossipMessage m) {
    return f.core.handleMessage(m, f.now);
  }

  @Test
  void messageFromSelfIsDroppedUnread() {
    CoreFixture f = CoreFixture.create();

    Received r = handle(f, new Gossip(SELF, addr(SELF), List.of(online("a", 0))));

    assertThat(r).isEqualTo(new Received.Dropped(DropReason.FROM_SELF));
    assertThat(f.status("a")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.core.stats().drops()).containsEntry(DropReason.FROM_SELF, 1L);
  }

  @Test
  void gossipCountsTheClaimsThatChangedSomething() {
    CoreFixture f = CoreFixture.withPeers("a");

    Received r = handle(f, new Gossip("a", addr("a"), List.of(online("a", 0), online("b", 0))));

    assertThat(r).isEqualTo(new Received.Applied(1));
    assertThat(handle(f, new Gossip("a", addr("a"), List.of(online("b", 0)))))
        .isEqualTo(new Received.Applied(0));
  }

  @Test
  void ackForNoRunningProbeIsStale() {
    CoreFixture f = CoreFixture.withPeers("a");

    Received r = handle(f, new Ack("a", addr("a"), 9_999, List.of(online("c", 0))));

    assertThat(r).isEqualTo(Received.STALE);
    assertThat(f.status("c")).as("its claims still count").isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.stats().drops()).containsEntry(DropReason.STALE, 1L);
    assertThat(handle(f, new Nack("a", addr("a"), 9_999, List.of()))).isEqualTo(Received.STALE);
  }

  @Test
  void ackOfTheRunningProbeIsApplied() {
    CoreFixture f = CoreFixture.withPeers("a");
    f.autoAck = false;
    Ping ping = f.nextPing().as(Ping.class);

    assertThat(handle(f, new Ack("a", addr("a"), ping.seq(), List.of())))
        .isEqualTo(new Received.Applied(0));
  }

  @Test
  void pingForAnotherNodeIsDroppedAsWrongTarget() {
    CoreFixture f = CoreFixture.withPeers("a");

    assertThat(handle(f, new Ping("a", addr("a"), 1, "other", List.of())))
        .isEqualTo(new Received.Dropped(DropReason.WRONG_TARGET));
    assertThat(handle(f, new Ping("a", addr("a"), 2, SELF, List.of())))
        .isEqualTo(new Received.Applied(0));
  }

  @Test
  void refutationCountsAsAChange() {
    CoreFixture f = CoreFixture.withPeers("a");

    Received r = handle(f, new Gossip("a", addr("a"), List.of(suspect(SELF, 0, "a"))));

    assertThat(r).isEqualTo(new Received.Applied(1));
    assertThat(f.core.self().incarnation()).isEqualTo(1);
  }

  @Test
  void pingReqAndPushPullAreApplied() {
    CoreFixture f = CoreFixture.withPeers("a", "b");

    assertThat(handle(f, new PingReq("a", addr("a"), 3, "b", addr("b"), List.of())))
        .isEqualTo(new Received.Applied(0));
    assertThat(handle(f, new PushPull("c", addr("c"), true, false, List.of(online("c", 0)))))
        .isEqualTo(new Received.Applied(1));
  }

  @Test
  void appliedCountsAreNeverNegative() {
    assertThat(Received.Applied.of(3)).isEqualTo(new Received.Applied(3));
    assertThat(Received.Applied.of(1_000).changes()).isEqualTo(1_000);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Received.Applied(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
