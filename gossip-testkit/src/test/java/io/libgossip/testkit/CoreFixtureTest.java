package io.libgossip.testkit;

import static io.libgossip.testkit.CoreFixture.SEC;
import static io.libgossip.testkit.CoreFixture.SELF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.NodeStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoreFixtureTest {

  @Test
  void startsAtItsOriginWithTheCoreTickedOnce() {
    GossipConfig config = GossipConfig.wan();
    CoreFixture f = CoreFixture.create(config);
    assertThat(f.now()).isEqualTo(CoreFixture.START);
    assertThat(f.core().self().id()).isEqualTo(SELF);
    assertThat(f.core().self().address()).isEqualTo(CoreFixture.addr(SELF));
    assertThat(f.config()).isSameAs(config);
    assertThat(f.core().config()).isSameAs(config);
  }

  @Test
  void peersAddedByGossipAreOnlineAndAnnounced() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    assertThat(f.status("a")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view("b").incarnation()).isZero();
    assertThat(f.status("nobody")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.listener().ofType(ClusterEvent.MemberJoined.class))
        .extracting(e -> e.node().id())
        .containsExactlyInAnyOrder("a", "b");
    assertThatThrownBy(() -> f.view("nobody")).isInstanceOf(AssertionError.class);
  }

  @Test
  void answeringPeersStayOnline() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.advance(Duration.ofSeconds(60));
    assertThat(f.outbox().messages(Ping.class)).hasSizeGreaterThan(10);
    assertThat(f.core().liveCount()).isEqualTo(4);
    assertThat(f.listener().ofType(ClusterEvent.MemberSuspected.class)).isEmpty();
  }

  @Test
  void aSilencedPeerIsSuspectedByThisNodeThenDeclaredFailed() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.silence("a");
    f.advance(Duration.ofSeconds(60));

    assertThat(f.status("a")).isEqualTo(NodeStatus.FAILED);
    assertThat(f.listener().typesAbout("a"))
        .containsSubsequence(
            ClusterEvent.MemberJoined.class,
            ClusterEvent.MemberSuspected.class,
            ClusterEvent.MemberFailed.class);
    assertThat(f.listener().ofType(ClusterEvent.MemberSuspected.class))
        .singleElement()
        .satisfies(e -> assertThat(e.accuser()).isEqualTo(SELF));
    assertThat(f.status("b")).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void anUnsilencedPeerThatRefutesRecovers() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.silence("a");
    f.runUntilSent(s -> s.is(Ping.class) && s.targetId().equals("a"), 30 * SEC);
    // A fresh core confirms a failed probe once more before it accuses (decision 058).
    f.advance(Duration.ofSeconds(4));
    assertThat(f.status("a")).isEqualTo(NodeStatus.SUSPECT);

    f.unsilence("a");
    f.gossip("a", CoreFixture.online("a", 1));
    assertThat(f.status("a")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view("a").incarnation()).isEqualTo(1);
  }

  @Test
  void withoutAutoAckEveryProbedPeerIsSuspected() {
    CoreFixture f = CoreFixture.withPeers("a");
    f.autoAck(false);
    Ping ping = f.nextPing().as(Ping.class);
    assertThat(ping.target()).isEqualTo("a");
    f.advance(Duration.ofSeconds(3));
    assertThat(f.status("a")).isIn(NodeStatus.SUSPECT, NodeStatus.FAILED);
  }

  @Test
  void theCustomizerAdjustsTheBuilder() {
    CoreFixture f =
        CoreFixture.create(GossipConfig.lan(), 7, b -> b.metadata(Map.of("role", "db")));
    assertThat(f.core().self().role()).isEqualTo("db");
  }

  @Test
  void timeOnlyRunsForward() {
    CoreFixture f = CoreFixture.create();
    assertThatThrownBy(() -> f.tickAt(f.now() - 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time runs forward");
  }

  @Test
  void runUntilSentFailsWhenNothingMatchingIsSent() {
    CoreFixture f = CoreFixture.create();
    assertThatThrownBy(() -> f.runUntilSent(s -> s.is(Ping.class), 5 * SEC))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("nothing matching");
  }
}
