package io.libgossip.core;

import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The member table's bounds: {@link GossipConfig#maxMembers()} in all, and {@link
 * GossipConfig#maxNewMembersPerMessage()} unknown members per unsolicited message, while the answer
 * to an exchange this node started may fill the table.
 */
class MemberBoundsTest {
  private static List<MemberUpdate> fakes(String prefix, int n) {
    List<MemberUpdate> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(online(prefix + i, 0));
    }
    return out;
  }

  private static GossipConfig config(int maxMembers, int perMessage) {
    return GossipConfig.lan().toBuilder()
        .maxMembers(maxMembers)
        .maxNewMembersPerMessage(perMessage)
        .build();
  }

  @Test
  void defaultsAreSafeForTenThousandNodeClusters() {
    GossipConfig c = GossipConfig.lan();
    assertThat(c.maxMembers()).isEqualTo(65536);
    assertThat(c.maxNewMembersPerMessage()).isEqualTo(128);
  }

  @Test
  void gossipIntroducesAtMostTheBoundOfUnknownMembersPerMessage() {
    CoreFixture f = CoreFixture.create(config(65536, 32));

    f.receive(new Gossip("x", addr("x"), fakes("fake", 100)));

    assertThat(f.core.size()).as("self + 32 new").isEqualTo(33);
    assertThat(f.core.stats().drops()).containsEntry(DropReason.NEW_MEMBER_LIMIT, 68L);
  }

  @Test
  void theBoundIsPerMessage() {
    CoreFixture f = CoreFixture.create(config(65536, 32));

    f.receive(new Gossip("x", addr("x"), fakes("a", 40)));
    f.receive(new Gossip("x", addr("x"), fakes("b", 40)));

    assertThat(f.core.size()).isEqualTo(1 + 32 + 32);
    assertThat(f.core.stats().drops()).containsEntry(DropReason.NEW_MEMBER_LIMIT, 16L);
  }

  @Test
  void knownMembersAreNotCountedAgainstTheBound() {
    CoreFixture f = CoreFixture.create(config(65536, 32));
    f.receive(new Gossip("x", addr("x"), fakes("a", 30)));
    List<MemberUpdate> refreshed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      refreshed.add(online("a" + i, 1)); // known: a new incarnation is no new member
    }
    refreshed.addAll(fakes("b", 32));

    f.receive(new Gossip("x", addr("x"), refreshed));

    assertThat(f.core.size()).isEqualTo(1 + 30 + 32);
    assertThat(f.core.stats().drops()).doesNotContainKey(DropReason.NEW_MEMBER_LIMIT);
  }

  @Test
  void anUnsolicitedPushPullIsBoundedButStillAnswered() {
    CoreFixture f = CoreFixture.create(config(65536, 32));
    List<MemberUpdate> state = new ArrayList<>(List.of(online("x", 0)));
    state.addAll(fakes("fake", 1000));
    int mark = f.outbox.mark();

    f.receive(new PushPull("x", addr("x"), false, false, state));

    assertThat(f.core.size()).isEqualTo(1 + 32);
    assertThat(f.core.findNode("x")).as("the sender comes first").isPresent();
    assertThat(f.core.stats().drops()).containsEntry(DropReason.NEW_MEMBER_LIMIT, 1001L - 32L);
    assertThat(f.outbox.since(mark)).anyMatch(s -> s.is(PushPull.class));
  }

  @Test
  void aForgedReplyNobodyAskedForIsBoundedLikeARequest() {
    CoreFixture f = CoreFixture.create(config(65536, 32));

    f.receive(new PushPull("x", addr("x"), false, true, fakes("fake", 1000)));

    assertThat(f.core.size()).isEqualTo(1 + 32);
  }

  @Test
  void theAnswerToAJoinMayFillTheTable() {
    CoreFixture f = CoreFixture.create(config(65536, 32));
    f.core.join(Set.of(addr("seed")), f.now);
    List<MemberUpdate> state = new ArrayList<>(List.of(online("seed", 0)));
    state.addAll(fakes("m", 9999));

    f.receive(new PushPull("seed", addr("seed"), false, true, state));

    assertThat(f.core.size()).as("a 10,000-node cluster at once").isEqualTo(10_001);
    assertThat(f.core.stats().drops()).doesNotContainKey(DropReason.NEW_MEMBER_LIMIT);
  }

  @Test
  void aSeedMayBeAnsweredFromAnotherAddressButOnlyOnce() {
    CoreFixture f = CoreFixture.create(config(65536, 32));
    f.core.join(Set.of(addr("seed-service")), f.now);

    f.receive(new PushPull("seed-7", addr("seed-7"), false, true, fakes("m", 100)));
    f.receive(new PushPull("other", addr("other"), false, true, fakes("n", 100)));

    assertThat(f.core.size()).isEqualTo(1 + 100 + 32);
  }

  @Test
  void theAnswerToAPeriodicExchangeMayFillTheTableOnlyFromThatPeer() {
    CoreFixture f = CoreFixture.create(config(65536, 32));
    f.core.join(Set.of(addr("a")), f.now);
    f.receive(new PushPull("a", addr("a"), false, true, List.of(online("a", 0))));
    f.runUntilSent(
        s -> s.is(PushPull.class) && !s.as(PushPull.class).reply() && "a".equals(s.targetId()),
        120 * CoreFixture.SEC); // the first catch-up exchange goes to a, the only member
    List<MemberUpdate> state = new ArrayList<>(List.of(online("a", 0)));
    state.addAll(fakes("m", 100));

    f.receive(new PushPull("b", addr("b"), false, true, fakes("x", 100)));
    f.receive(new PushPull("a", addr("a"), false, true, state));

    assertThat(f.core.size()).as("self, a, 32 from b, 100 from a").isEqualTo(1 + 1 + 32 + 100);
  }

  @Test
  void theTableStopsAtItsCapAndCountsTheRest() {
    CoreFixture f = CoreFixture.create(config(100, 32));
    f.core.join(Set.of(addr("seed")), f.now);

    f.receive(new PushPull("seed", addr("seed"), false, true, fakes("m", 500)));
    for (int i = 0; i < 10; i++) {
      f.receive(new Gossip("x", addr("x"), fakes("g" + i + "-", 32)));
    }

    assertThat(f.core.size()).isEqualTo(100);
    assertThat(f.core.stats().drops()).containsEntry(DropReason.TABLE_FULL, 401L + 320L);
  }

  @Test
  void aFullTableStillTakesNewsOfKnownMembers() {
    CoreFixture f = CoreFixture.create(config(10, 32));
    f.receive(new Gossip("x", addr("x"), fakes("m", 20)));
    assertThat(f.core.size()).isEqualTo(10);

    f.gossip("x", CoreFixture.suspect("m0", 0, "x"));

    assertThat(f.core.findNode("m0").orElseThrow().status()).isEqualTo(NodeStatus.SUSPECT);
  }
}
