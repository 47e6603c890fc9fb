package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A leave is acknowledged over the reliable delivery by the live members before it completes. */
class DepartureTest {

  private static List<Sent> leavePings(CoreFixture f) {
    return f.outbox.where(
        s ->
            s.is(Ping.class)
                && s.delivery() == Delivery.RELIABLE
                && s.message().updates().stream()
                    .anyMatch(u -> u.id().equals(SELF) && u.status() == NodeStatus.LEFT));
  }

  private static Set<String> targets(List<Sent> sent) {
    return sent.stream().map(Sent::targetId).collect(Collectors.toSet());
  }

  @Test
  void leaveAsksEveryLiveMemberOverTheReliableDeliveryButNotTheDead() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x");
    f.gossip("a", failed("x", 0, "a"));
    f.autoAck = false;

    f.core.leave(f.now);

    assertThat(targets(leavePings(f))).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(leavePings(f).get(0).message().updates().get(0).status())
        .as("the LEFT claim comes first")
        .isEqualTo(NodeStatus.LEFT);
  }

  @Test
  void leaveIsNotSpreadUntilEveryMemberAskedHasAnswered() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.autoAck = false;
    f.core.leave(f.now);
    f.advance(3 * SEC); // gossip long done

    assertThat(f.core.leaveSpread()).isFalse();
    assertThat(leavePings(f).size()).as("asked again every probe timeout").isGreaterThan(6);
    assertThat(f.listener.selfEvents()).noneMatch(e -> e.kind() == ClusterEvent.Kind.LEAVE_SPREAD);
    long seq = leavePings(f).get(0).as(Ping.class).seq();

    f.receive(new Ack("a", addr("a"), seq, List.of()));
    assertThat(f.core.leaveSpread()).isFalse();
    f.receive(new Ack("b", addr("b"), seq, List.of()));

    assertThat(f.core.leaveSpread()).isTrue();
    assertThat(f.listener.selfEvents()).anyMatch(e -> e.kind() == ClusterEvent.Kind.LEAVE_SPREAD);
  }

  @Test
  void aMemberThatFailsMeanwhileNeedNotAnswer() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.autoAck = false;
    f.core.leave(f.now);
    long seq = leavePings(f).get(0).as(Ping.class).seq();
    f.receive(new Ack("a", addr("a"), seq, List.of()));
    f.advance(2 * SEC);
    assertThat(f.core.leaveSpread()).isFalse();
    int asked = leavePings(f).size();

    f.gossip("a", failed("b", 0, "a"));

    assertThat(f.core.leaveSpread()).isTrue();
    f.advance(2 * SEC);
    assertThat(leavePings(f)).hasSize(asked);
  }

  @Test
  void answeredLeaveSpreadsOnceGossipIsDoneToo() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.advance(5 * SEC);

    f.core.leave(f.now);
    int ticks = 0;
    while (!f.core.leaveSpread()) {
      assertThat(ticks++).as("acked and gossiped within a few rounds").isLessThan(50);
      f.tickAt(f.core.nextDeadline());
    }

    assertThat(f.now - f.outbox.all().get(0).at()).isLessThan(10 * SEC);
    assertThat(targets(leavePings(f))).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void inALargeClusterSixteenRandomMembersAreAsked() {
    CoreFixture f = CoreFixture.create();
    String[] peers = new String[60];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = "p" + i;
    }
    f.addPeers(peers);
    f.autoAck = false;

    f.core.leave(f.now);

    assertThat(targets(leavePings(f))).hasSize(Departure.ACKS_WANTED);
    long seq = leavePings(f).get(0).as(Ping.class).seq();
    for (String id : targets(leavePings(f))) {
      f.receive(new Ack(id, addr(id), seq, List.of()));
    }
    f.advance(5 * SEC);
    assertThat(f.core.leaveSpread()).isTrue();
  }

  @Test
  void anAckOfAnotherSequenceIsNotAnAnswer() {
    CoreFixture f = CoreFixture.withPeers("a");
    f.autoAck = false;
    f.core.leave(f.now);
    long seq = leavePings(f).get(0).as(Ping.class).seq();
    f.advance(2 * SEC);

    f.receive(new Ack("a", addr("a"), seq + 1000, List.of()));

    assertThat(f.core.leaveSpread()).isFalse();
  }

  @Test
  void aLeavingNodeTellsWhoeverSuspectsItThatItLeft() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.core.leave(f.now);
    int mark = f.outbox.mark();

    f.gossip("b", suspect(SELF, 0, "b"));

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.targetId().equals("b") && Disseminator.isCorrection(s.message()))
        .flatExtracting(s -> s.message().updates())
        .anyMatch(u -> u.id().equals(SELF) && u.status() == NodeStatus.LEFT);
  }

  @Test
  void aSuspicionOfALeftMemberIsAnsweredWithTheLeave() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("x", left("x", 0));
    int mark = f.outbox.mark();

    f.gossip("a", suspect("x", 0, "a"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.targetId().equals("a"))
        .flatExtracting(s -> s.message().updates())
        .contains(left("x", 0));
    f.advance(100 * MS);
  }
}
