package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.SELF_ADDR;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How the local node answers claims about itself. */
class RefutationTest {

  /** The ack to a ping from {@code from} that carries {@code updates}. */
  private static Ack pingAndGetAck(CoreFixture f, String from, MemberUpdate... updates) {
    int mark = f.outbox.mark();
    f.receive(new Ping(from, addr(from), 99, SELF, List.of(updates)));
    List<RecordingOutbox.Sent> acks =
        f.outbox.since(mark).stream().filter(s -> s.is(Ack.class)).toList();
    assertThat(acks).hasSize(1);
    assertThat(acks.get(0).targetId()).isEqualTo(from);
    return acks.get(0).as(Ack.class);
  }

  private static MemberUpdate selfClaim(NodeStatus status, long incarnation) {
    return new MemberUpdate(SELF, SELF_ADDR, status, incarnation, Map.of(), 0, 0, "a");
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED"})
  void accusationAtOurIncarnationIsRefutedWithAHigherOne(NodeStatus accusation) {
    CoreFixture f = CoreFixture.withPeers("a", "b");

    Ack ack = pingAndGetAck(f, "a", selfClaim(accusation, 0));

    assertThat(f.core.self().incarnation()).isEqualTo(1);
    assertThat(f.core.self().status()).isNotIn(NodeStatus.SUSPECT, NodeStatus.FAILED);
    assertThat(ack.updates())
        .as("the answer itself carries the refutation")
        .anySatisfy(
            u -> {
              assertThat(u.id()).isEqualTo(SELF);
              assertThat(u.status()).isEqualTo(NodeStatus.ONLINE);
              assertThat(u.incarnation()).isEqualTo(1);
              assertThat(u.from()).isEqualTo(SELF);
            });
    assertThat(f.core.stats().refutations()).isEqualTo(1);
  }

  @Test
  void accusationAtAHigherIncarnationIsRefutedAboveIt() {
    CoreFixture f = CoreFixture.withPeers("a");

    f.gossip("a", failed(SELF, 41, "a"));

    assertThat(f.core.self().incarnation()).isEqualTo(42);
    assertThat(f.core.stats().incarnation()).isEqualTo(42);
  }

  @Test
  void refutationRidesOnTheNextOutgoingPacket() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.advance(5 * SEC); // let the join news retire
    f.gossip("a", suspect(SELF, 0, "a"));
    MemberUpdate refutation = selfAlive(f);
    assertThat(refutation.incarnation()).isEqualTo(1);

    RecordingOutbox.Sent next = f.runUntilSent(s -> !s.message().updates().isEmpty(), SEC);

    assertThat(next.message().updates()).first().isEqualTo(refutation);
  }

  private static MemberUpdate selfAlive(CoreFixture f) {
    NodeView s = f.core.self();
    return new MemberUpdate(
        SELF,
        SELF_ADDR,
        NodeStatus.ONLINE,
        s.incarnation(),
        s.metadata(),
        s.metadataVersion(),
        0,
        SELF);
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "ONLINE"})
  void staleClaimAboutUsIsNotRefuted(NodeStatus status) {
    CoreFixture f = new CoreFixture(GossipConfig.lan(), 1, b -> b.incarnation(5));
    f.addPeers("a");

    f.gossip("a", selfClaim(status, 4));
    if (status == NodeStatus.ONLINE) {
      f.gossip("a", selfClaim(status, 5));
    }

    assertThat(f.core.self().incarnation()).isEqualTo(5);
    assertThat(f.core.stats().refutations()).isZero();
    assertThat(f.health()).isZero();
  }

  @Test
  void onlineClaimAboutUsAtAHigherIncarnationMovesPastIt() {
    // We restarted with a low incarnation and someone still remembers our old life.
    CoreFixture f = CoreFixture.withPeers("a");

    f.gossip("a", selfClaim(NodeStatus.ONLINE, 9));

    assertThat(f.core.self().incarnation()).isEqualTo(10);
    assertThat(f.core.stats().refutations()).isEqualTo(1);
    assertThat(f.health()).as("being remembered alive is no sign of our own trouble").isZero();
  }

  @Test
  void accusationAtTheLastIncarnationDoesNotThrowOutOfHandleMessage() {
    CoreFixture f = CoreFixture.withPeers("a");

    assertThatCode(() -> f.gossip("a", selfClaim(NodeStatus.SUSPECT, MemberUpdate.MAX_INCARNATION)))
        .doesNotThrowAnyException();
    assertThatCode(() -> f.gossip("a", selfClaim(NodeStatus.ONLINE, MemberUpdate.MAX_INCARNATION)))
        .doesNotThrowAnyException();
  }

  @Test
  void updateMetadataAtTheLastIncarnationFailsClearly() {
    CoreFixture f =
        new CoreFixture(GossipConfig.lan(), 1, b -> b.incarnation(MemberUpdate.MAX_INCARNATION));

    assertThatThrownBy(() -> f.core.updateMetadata(Map.of("k", "v"), f.now))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("incarnation");
  }

  @Test
  void leavingNodeDoesNotRefute() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.core.leave(f.now);

    f.gossip("a", suspect(SELF, 0, "a"), failed(SELF, 0, "a"));

    assertThat(f.core.self().status()).isEqualTo(NodeStatus.LEFT);
    assertThat(f.core.self().incarnation()).isZero();
    assertThat(f.core.stats().refutations()).isZero();
  }

  @Test
  void everyRefutationIsCountedAndHurtsLocalHealth() {
    CoreFixture f = CoreFixture.withPeers("a", "b");

    f.gossip("a", suspect(SELF, 0, "a"));
    assertThat(f.health()).isEqualTo(1);
    f.gossip("b", failed(SELF, 1, "b"));
    assertThat(f.health()).isEqualTo(2);
    f.gossip("b", suspect(SELF, 0, "b")); // stale now

    GossipStats s = f.core.stats();
    assertThat(s.refutations()).isEqualTo(2);
    assertThat(s.localHealth()).isEqualTo(2);
    assertThat(s.incarnation()).isEqualTo(2);
  }

  @Test
  void refutationKeepsOurMetadata() {
    CoreFixture f = new CoreFixture(GossipConfig.lan(), 1, b -> b.metadata(Map.of("role", "db")));
    f.addPeers("a");
    f.core.updateMetadata(Map.of("role", "db", "zone", "b"), f.now);

    f.gossip("a", suspect(SELF, 1, "a"));

    NodeView self = f.core.self();
    assertThat(self.incarnation()).isEqualTo(2);
    assertThat(self.metadata()).containsEntry("zone", "b");
    assertThat(self.metadataVersion()).isEqualTo(1);
  }

  @Test
  void refutationIsRebroadcastByReceivers() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.advance(5 * SEC);
    int mark = f.outbox.mark();

    f.gossip("x", online("x", 1));
    RecordingOutbox.Sent next = f.runUntilSent(s -> !s.message().updates().isEmpty(), SEC);

    assertThat(next.message().updates()).contains(online("x", 1));
    assertThat(f.outbox.since(mark)).contains(next);
  }
}
