package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent.Kind;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * {@link GossipCore#forceLeave}: a FAILED member is declared LEFT here and everywhere it spreads.
 */
class ForceLeaveTest {

  @Test
  void failedMemberBecomesLeftAndTheClaimIsSpread() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.gossip("b", failed("a", 0, "b"));
    assertThat(f.status("a")).isEqualTo(NodeStatus.FAILED);
    int mark = f.outbox.mark();

    NodeView v = f.core.forceLeave("a", f.now);

    assertThat(v.status()).isEqualTo(NodeStatus.LEFT);
    assertThat(v.incarnation()).isZero();
    assertThat(f.status("a")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.listener.kinds("a")).endsWith(Kind.FAILED, Kind.LEFT);
    f.advance(CoreFixture.SEC);
    assertThat(f.outbox.since(mark))
        .as("the LEFT claim goes out in gossip")
        .anySatisfy(
            s ->
                assertThat(s.message().updates())
                    .anySatisfy(
                        u -> {
                          assertThat(u.id()).isEqualTo("a");
                          assertThat(u.status()).isEqualTo(NodeStatus.LEFT);
                          assertThat(u.from()).isEqualTo(SELF);
                        }));
  }

  @Test
  void aMemberThatIsAliveRefutesItByRejoining() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.gossip("b", failed("a", 0, "b"));
    f.core.forceLeave("a", f.now);

    f.gossip("a", online("a", 1));

    assertThat(f.status("a")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.kinds("a")).endsWith(Kind.LEFT, Kind.RECOVERED);
  }

  @Test
  void onlyAFailedMemberCanBeForcedToLeave() {
    CoreFixture f = CoreFixture.withPeers("a", "b");

    assertThatThrownBy(() -> f.core.forceLeave("a", f.now))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ONLINE");
    assertThatThrownBy(() -> f.core.forceLeave("nobody", f.now))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("nobody");
    assertThatThrownBy(() -> f.core.forceLeave(SELF, f.now))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("leave()");
    assertThat(f.status("a")).isEqualTo(NodeStatus.ONLINE);
  }
}
