package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** This node's own claim: joining, refuting, publishing metadata, leaving. */
class SelfStateTest {
  private static SelfState self(long incarnation) {
    return new SelfState("me", CoreFixture.addr("me"), incarnation, Map.of("role", "db"), 7);
  }

  @Test
  void startsJoiningAndTurnsOnlineOnceJoined() {
    SelfState s = self(0);
    s.started(5);
    assertThat(s.status()).isEqualTo(NodeStatus.JOINING);
    assertThat(s.claim().status())
        .as("it claims ONLINE while joining")
        .isEqualTo(NodeStatus.ONLINE);

    s.joined(9);
    s.joined(11);

    assertThat(s.status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(s.view().lastChangeNanos()).isEqualTo(9);
  }

  @Test
  void refutationMovesPastTheSeenIncarnationAndKeepsMetadata() {
    SelfState s = self(3);

    MemberUpdate claim = s.refute(10);

    assertThat(claim.incarnation()).isEqualTo(11);
    assertThat(claim.metadata()).containsEntry("role", "db");
    assertThat(claim.configEpoch()).isEqualTo(7);
    assertThat(s.refute(0).incarnation()).isEqualTo(12);
  }

  @Test
  void metadataUpdateRaisesIncarnationAndVersion() {
    SelfState s = self(0);

    MemberUpdate claim = s.updateMetadata(Map.of("role", "web"));

    assertThat(claim.incarnation()).isEqualTo(1);
    assertThat(claim.metadataVersion()).isEqualTo(1);
    assertThat(s.view().metadata()).containsEntry("role", "web");
  }

  @Test
  void leavingClaimsLeftAtTheSameIncarnationAndStaysLeft() {
    SelfState s = self(4);

    MemberUpdate claim = s.leave(20);
    s.rejoining();

    assertThat(claim.status()).isEqualTo(NodeStatus.LEFT);
    assertThat(claim.incarnation()).isEqualTo(4);
    assertThat(s.leaving()).isTrue();
    assertThat(s.status()).isEqualTo(NodeStatus.LEFT);
  }

  @Test
  void noIncarnationLeftIsAnError() {
    SelfState s = self(MemberUpdate.MAX_INCARNATION);

    assertThatThrownBy(() -> s.refute(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("me");
  }

  @Test
  void metadataChecksNameTheProblem() {
    assertThatThrownBy(() -> SelfState.checkMetadata(Map.of("", "v"), 512))
        .hasMessageContaining("metadata key");
    assertThatThrownBy(() -> SelfState.checkMetadata(Map.of("k", "v".repeat(100)), 50))
        .hasMessageContaining("maxMetadataBytes (50)");
    assertThat(WireSizes.metadataSize(Map.of("k", "vv"))).isEqualTo(1L + 1 + 1 + 1 + 2);
  }
}
