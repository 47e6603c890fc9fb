package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The member table: counts, tombstones, the probe order and the named random picks. */
class MemberTableTest {
  private static final String[] FIVE = {"a", "b", "c", "d", "e"};

  private static Units units(String... ids) {
    return new Units().withMembers(ids);
  }

  private static void set(Units u, MemberUpdate claim, long now) {
    u.table.setState(u.member(claim.id()), claim, now);
  }

  @Test
  void countsFollowStatusChangesAndLiveCountIncludesThisNode() {
    Units u = units(FIVE);
    set(u, suspect("a", 0, "x"), 0);
    set(u, failed("b", 0, "x"), 0);
    set(u, left("c", 0), 0);

    assertThat(u.table.size()).isEqualTo(5);
    assertThat(u.table.count(NodeStatus.ONLINE)).isEqualTo(2);
    assertThat(u.table.count(NodeStatus.SUSPECT)).isEqualTo(1);
    assertThat(u.table.count(NodeStatus.FAILED)).isEqualTo(1);
    assertThat(u.table.count(NodeStatus.LEFT)).isEqualTo(1);
    assertThat(u.table.liveCount()).isEqualTo(4);
    u.self.leave(0);
    assertThat(u.table.liveCount()).isEqualTo(3);
  }

  @Test
  void currentClaimIsRecognisedAndForgottenWhenReplaced() {
    Units u = units("a");
    assertThat(u.table.isCurrentClaim(online("a", 0))).isTrue();

    set(u, online("a", 1), 0);

    assertThat(u.table.isCurrentClaim(online("a", 0))).isFalse();
    assertThat(u.table.isCurrentClaim(online("a", 1))).isTrue();
  }

  @Test
  void failedMemberIsRemovedWhenItsReconnectTimeoutExpires() {
    Units u = units("a", "b");
    long tombstone = u.config.reconnectTimeout().toNanos();
    set(u, failed("a", 0, "x"), 10 * SEC);
    List<String> removed = new ArrayList<>();

    assertThat(u.table.earliestTombstone(Long.MAX_VALUE)).isEqualTo(10 * SEC + tombstone);
    assertThat(u.table.expireTombstones(10 * SEC + tombstone - 1, m -> removed.add(m.id())))
        .isZero();
    assertThat(u.table.expireTombstones(10 * SEC + tombstone, m -> removed.add(m.id())))
        .isEqualTo(1);

    assertThat(removed).containsExactly("a");
    assertThat(u.table.get("a")).isNull();
    assertThat(u.table.size()).isEqualTo(1);
    assertThat(u.table.count(NodeStatus.FAILED)).isZero();
  }

  @Test
  void recoveredMemberKeepsNoTombstone() {
    Units u = units("a");
    long tombstone = u.config.tombstoneTimeout().toNanos();
    set(u, failed("a", 0, "x"), 0);
    set(u, online("a", 1), SEC);

    assertThat(u.table.expireTombstones(tombstone, m -> {})).isZero();
    assertThat(u.table.get("a")).isNotNull();
    assertThat(u.table.earliestTombstone(7L)).isEqualTo(7L);
  }

  @Test
  void statusChangeEndsTheSuspicion() {
    Units u = units("a", "b");
    u.claims.applyGossip(suspect("a", 0, "b"), 0);
    assertThat(u.member("a").suspicion).isNotNull();

    set(u, failed("a", 0, "b"), 0);

    assertThat(u.member("a").suspicion).isNull();
    assertThat(u.suspicions.size()).isZero();
  }

  @Test
  void everyLiveMemberIsProbedOncePerRound() {
    Units u = units(FIVE);
    set(u, failed("e", 0, "x"), 0);

    for (int round = 0; round < 3; round++) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        seen.add(u.table.nextProbeTarget().id());
      }
      assertThat(seen).containsExactlyInAnyOrder("a", "b", "c", "d");
    }
  }

  @Test
  void noProbeTargetWithoutLiveMembers() {
    Units u = units("a");
    set(u, left("a", 0), 0);

    assertThat(u.table.nextProbeTarget()).isNull();
    assertThat(new Units().table.nextProbeTarget()).isNull();
  }

  @Test
  void relayPicksAreOnlineAndNeverTheTarget() {
    Units u = units(FIVE);
    set(u, suspect("b", 0, "x"), 0);

    for (int i = 0; i < 50; i++) {
      List<Member> helpers = u.table.randomOnlineExcept(3, u.member("a"));
      assertThat(helpers).extracting(Member::id).containsExactlyInAnyOrder("c", "d", "e");
    }
  }

  @Test
  void gossipTargetsIncludeRecentlyGoneButNotLongGone() {
    Units u = units("a", "b");
    long toTheDead = u.config.gossipToTheDeadTime().toNanos();
    set(u, failed("b", 0, "x"), 0);

    assertThat(u.table.randomGossipTargets(5, toTheDead - MS))
        .extracting(Member::id)
        .containsExactlyInAnyOrder("a", "b");
    assertThat(u.table.randomGossipTargets(5, toTheDead))
        .extracting(Member::id)
        .containsExactly("a");
  }

  @Test
  void randomAliveAndRandomFailedPickByStatus() {
    Units u = units(FIVE);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      set(u, failed(id, 0, "x"), 0);
    }

    for (int i = 0; i < 20; i++) {
      assertThat(u.table.randomAlive().id()).isEqualTo("e");
      assertThat(u.table.randomFailed().status()).isEqualTo(NodeStatus.FAILED);
    }
    set(u, left("e", 0), 0);
    assertThat(u.table.randomAlive()).isNull();
  }

  @Test
  void clearForgetsEveryMember() {
    Units u = units(FIVE);

    u.table.clear();

    assertThat(u.table.size()).isZero();
    assertThat(u.table.get("a")).isNull();
    assertThat(u.table.isCurrentClaim(online("a", 0))).isFalse();
    assertThat(u.table.liveCount()).isEqualTo(1);
  }
}
