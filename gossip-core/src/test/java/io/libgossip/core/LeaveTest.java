package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.SELF_ADDR;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.left;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Graceful leave, on the leaving node and on the receivers. */
class LeaveTest {
  private static final MemberUpdate LEFT_AT_3 =
      new MemberUpdate(SELF, SELF_ADDR, NodeStatus.LEFT, 3, Map.of(), 0, 0, SELF);

  private static CoreFixture atIncarnation3(String... peers) {
    CoreFixture f = new CoreFixture(GossipConfig.lan(), 1, b -> b.incarnation(3));
    if (peers.length > 0) {
      f.addPeers(peers);
    }
    return f;
  }

  private static long leftSends(CoreFixture f) {
    return f.outbox.all().stream().filter(s -> s.message().updates().contains(LEFT_AT_3)).count();
  }

  @Test
  void leaveQueuesLeftAtTheCurrentIncarnationAndSpreadsItAtOnce() {
    CoreFixture f = atIncarnation3("a", "b", "c");
    f.advance(5 * SEC);
    long t = f.now;

    f.core.leave(t);

    assertThat(f.core.self().status()).isEqualTo(NodeStatus.LEFT);
    assertThat(f.core.self().incarnation()).isEqualTo(3);
    assertThat(f.core.nextDeadline()).as("gossip right away").isEqualTo(t);
    Sent first = f.runUntilSent(s -> s.message().updates().contains(LEFT_AT_3), 0);
    assertThat(first.at()).isEqualTo(t);
  }

  @Test
  void leavingNodeStopsProbingAndPushPulling() {
    CoreFixture f = atIncarnation3("a", "b", "c");
    f.core.leave(f.now);
    int mark = f.outbox.mark();

    f.advance(120 * SEC);

    assertThat(f.outbox.since(mark))
        .noneMatch(
            s -> s.is(Ping.class) || s.is(PushPull.class) || s.is(GossipMessage.PingReq.class));
    assertThat(f.core.liveCount()).as("we no longer count ourselves").isEqualTo(3);
  }

  @Test
  void leavingNodeStillAnswersPings() {
    CoreFixture f = atIncarnation3("a");
    f.core.leave(f.now);

    f.receive(new Ping("a", addr("a"), 4, SELF, List.of()));

    assertThat(f.outbox.messagesTo(Ack.class, "a")).extracting(Ack::seq).contains(4L);
  }

  @Test
  void leaveSpreadTurnsTrueOnceLeftWasSentRetransmitLimitTimes() {
    CoreFixture f = atIncarnation3("a", "b", "c");
    f.advance(5 * SEC);
    f.core.leave(f.now);
    int limit = f.config.retransmitLimit(f.core.liveCount());
    assertThat(f.core.leaveSpread()).isFalse();

    int ticks = 0;
    while (!f.core.leaveSpread()) {
      assertThat(leftSends(f)).isLessThan(limit);
      assertThat(ticks++).as("spread within a few gossip rounds").isLessThan(50);
      f.tickAt(f.core.nextDeadline());
    }

    assertThat(leftSends(f)).isEqualTo(limit);
  }

  @Test
  void leaveSpreadIsTrueAtOnceWithNoOneToTell() {
    CoreFixture f = atIncarnation3();

    f.core.leave(f.now);

    assertThat(f.core.leaveSpread()).isTrue();
  }

  @Test
  void leaveSpreadWaitsForTheOnlyOtherMemberToBeTold() {
    CoreFixture f = atIncarnation3("a");
    f.advance(5 * SEC);

    f.core.leave(f.now);

    assertThat(f.core.leaveSpread()).isFalse();
    while (!f.core.leaveSpread()) {
      f.tickAt(f.core.nextDeadline());
    }
    assertThat(leftSends(f)).isEqualTo(f.config.retransmitLimit(1));
  }

  @Test
  void leaveIsIdempotent() {
    CoreFixture f = atIncarnation3("a", "b");
    f.core.leave(f.now);
    int queued = f.core.stats().queuedUpdates();

    f.core.leave(f.now + 1);

    assertThat(f.core.stats().queuedUpdates()).isEqualTo(queued);
    assertThat(f.core.self().lastChangeNanos()).isEqualTo(f.now);
  }

  @Test
  void metadataIsFrozenAfterLeave() {
    CoreFixture f = atIncarnation3("a");
    f.core.leave(f.now);

    assertThatThrownBy(() -> f.core.updateMetadata(Map.of("k", "v"), f.now))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(SELF);
  }

  @Test
  void receiverMarksTheMemberLeftAndNeverFailed() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.silent.add("x"); // gone for good after leaving
    int mark = f.outbox.mark(); // after x's proof ping, when it was learned

    f.gossip("x", left("x", 0));
    f.advance(120 * SEC);

    assertThat(f.status("x")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.listener.kinds("x")).containsExactly(Kind.JOINED, Kind.LEFT);
    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(Ping.class) && s.target().id().equals("x"))
        .as("a left member is not probed")
        .isEmpty();
  }
}
