package io.libgossip.core;

import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClaimRules.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ordering rules, driven directly: each claim's outcome and what it does to the table. */
class ClaimRulesTest {
  private static final String SELF = Units.SELF;

  @Test
  void onlineClaimOfAnUnknownMemberAddsItAndQueuesIt() {
    Units u = new Units();

    assertThat(u.claims.applyGossip(online("a", 0), 0)).isEqualTo(Outcome.CHANGED);

    assertThat(u.table.get("a").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.queue.contains("a")).isTrue();
    assertThat(u.listener.kinds("a")).containsExactly(ClusterEvent.Kind.JOINED);
  }

  @Test
  void claimAlreadyHeldChangesNothing() {
    Units u = new Units().withMembers("a");

    assertThat(u.claims.applyGossip(online("a", 0), 1)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.queue.isEmpty()).isTrue();
    assertThat(u.listener.size()).isZero();
  }

  @Test
  void accusationsOfUnknownMembersAreIgnored() {
    Units u = new Units();

    assertThat(u.claims.applyGossip(suspect("a", 0, "b"), 0)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyGossip(failed("a", 0, "b"), 0)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyGossip(left("a", 0), 0)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.table.size()).isZero();
  }

  @Test
  void suspicionAtTheHeldIncarnationStartsATimer() {
    Units u = new Units().withMembers("a", "b");

    assertThat(u.claims.applyGossip(suspect("a", 0, "b"), 0)).isEqualTo(Outcome.CHANGED);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.suspicions.size()).isEqualTo(1);
    assertThat(u.listener.kinds("a")).containsExactly(ClusterEvent.Kind.SUSPECTED);
  }

  @Test
  void accusationOlderThanTheHeldStateAsksForACorrection() {
    Units u = new Units().withMembers("b");
    u.claims.applyGossip(online("a", 3), 0);

    assertThat(u.claims.applyGossip(suspect("a", 2, "b"), 0)).isEqualTo(Outcome.OUTDATED);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.claims.currentClaim("a")).isEqualTo(online("a", 3));
  }

  @Test
  void accusationOfThisNodeIsRefutedWithAHigherIncarnation() {
    Units u = new Units();

    Outcome outcome = u.claims.applyGossip(suspect(SELF, 0, "b"), 0);

    assertThat(outcome).isEqualTo(Outcome.REFUTED);
    assertThat(outcome.changed()).isTrue();
    assertThat(outcome.correctsSender()).isTrue();
    assertThat(u.self.claim().incarnation()).isEqualTo(1);
    assertThat(u.claims.currentClaim(SELF)).isSameAs(u.self.claim());
    assertThat(u.claims.refutations()).isEqualTo(1);
    assertThat(u.awareness.score()).isEqualTo(1);
  }

  @Test
  void staleAccusationOfThisNodeIsCorrectedNotRefuted() {
    Units u = new Units();
    u.claims.applyGossip(suspect(SELF, 0, "b"), 0); // now at incarnation 1

    assertThat(u.claims.applyGossip(failed(SELF, 0, "b"), 0)).isEqualTo(Outcome.OUTDATED);
    assertThat(u.self.claim().incarnation()).isEqualTo(1);
  }

  @Test
  void newerOnlineClaimOfThisNodeMovesPastItWithoutACorrection() {
    Units u = new Units();

    Outcome outcome = u.claims.applyGossip(online(SELF, 5), 0);

    assertThat(outcome).isEqualTo(Outcome.CHANGED);
    assertThat(outcome.correctsSender()).isFalse();
    assertThat(u.self.claim().incarnation()).isEqualTo(6);
  }

  @Test
  void accusationAtTheLastIncarnationIsRejected() {
    Units u = new Units();

    Outcome outcome = u.claims.applyGossip(suspect(SELF, MemberUpdate.MAX_INCARNATION, "b"), 0);

    assertThat(outcome).isEqualTo(Outcome.REJECTED);
    assertThat(u.self.claim().incarnation()).isZero();
  }

  @Test
  void oversizedMetadataIsRejected() {
    Units u = new Units();
    int max = u.config.maxMetadataBytes();

    Outcome outcome = u.claims.applyGossip(online("a", 0, Map.of("k", "v".repeat(max)), 1), 0);

    assertThat(outcome).isEqualTo(Outcome.REJECTED);
    assertThat(u.table.get("a")).isNull();
  }

  @Test
  void failedInAStateExchangeIsOnlyASuspicion() {
    Units u = new Units().withMembers("a", "b");

    assertThat(u.claims.applyState(failed("a", 0, "b"), 0, "b")).isEqualTo(Outcome.CHANGED);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void membersLearnedFromAStateAreNotRegossipedExceptItsSender() {
    Units u = new Units();

    u.claims.applyState(online("a", 0), 0, "b");
    u.claims.applyState(online("b", 0), 0, "b");

    assertThat(u.queue.contains("a")).isFalse();
    assertThat(u.queue.contains("b")).isTrue();
  }

  @Test
  void failedBeatsSuspectAtTheSameIncarnationAndOnlyAHigherOneRecovers() {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(suspect("a", 0, "b"), 0);

    assertThat(u.claims.applyGossip(failed("a", 0, "b"), 0)).isEqualTo(Outcome.CHANGED);
    assertThat(u.claims.applyGossip(online("a", 0), 0)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyGossip(online("a", 1), 0)).isEqualTo(Outcome.CHANGED);

    assertThat(u.listener.kinds("a"))
        .containsExactly(
            ClusterEvent.Kind.SUSPECTED, ClusterEvent.Kind.FAILED, ClusterEvent.Kind.RECOVERED);
  }

  @Test
  void leftBeatsFailedAtTheSameIncarnationButFailedNeverOverridesLeft() {
    Units u = new Units().withMembers("a", "b", "c");
    u.claims.applyGossip(failed("a", 0, "b"), 0);
    u.claims.applyGossip(left("b", 0), 0);

    assertThat(u.claims.applyGossip(left("a", 0), 1)).isEqualTo(Outcome.CHANGED);
    assertThat(u.claims.applyGossip(failed("b", 0, "c"), 1)).isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyGossip(left("a", 0), 2)).isEqualTo(Outcome.UNCHANGED);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.LEFT);
    assertThat(u.member("b").status()).isEqualTo(NodeStatus.LEFT);
    assertThat(u.listener.kinds("a"))
        .containsExactly(ClusterEvent.Kind.FAILED, ClusterEvent.Kind.LEFT);
    assertThat(u.listener.kinds("b")).containsExactly(ClusterEvent.Kind.LEFT);
  }

  @Test
  void correctionsAreDistinctAndAtMostEight() {
    Units u = new Units();
    List<MemberUpdate> corrections = List.of();
    for (int i = 0; i < 10; i++) {
      u.claims.applyGossip(online("m" + i, 0), 0);
      corrections = u.claims.addCorrection(corrections, "m" + i);
      corrections = u.claims.addCorrection(corrections, "m" + i);
    }

    assertThat(corrections).hasSize(ClaimRules.MAX_CORRECTIONS).doesNotHaveDuplicates();
    assertThat(corrections.get(0)).isEqualTo(online("m0", 0));
  }
}
