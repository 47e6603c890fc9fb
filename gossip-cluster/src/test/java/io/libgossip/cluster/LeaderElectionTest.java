package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
  private static final Map<String, String> SVC = Map.of(NodeView.ROLE, "svc");

  private static List<NodeView> group(int n) {
    List<NodeView> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Views.online("node-" + i, SVC));
    }
    out.add(Views.online("web-0", Map.of(NodeView.ROLE, "web")));
    return out;
  }

  @Test
  void noMemberOfTheGroupMeansNoLeader() {
    MembershipTracker t = new MembershipTracker(List.of(Views.online("web-0")));
    LeaderElection e = LeaderElection.ofRole(t, "web-0", "svc");
    assertThat(e.leader()).isEmpty();
    assertThat(e.isLeader()).isFalse();
    assertThat(e.term()).isZero();
  }

  @Test
  void everyNodeWithTheSameViewAgreesAndExactlyOneLeads() {
    MembershipTracker t = new MembershipTracker(group(7));
    List<LeaderElection> all = new ArrayList<>();
    for (NodeView m : t.members()) {
      all.add(LeaderElection.ofRole(t, m.id(), "svc"));
    }
    NodeView leader = all.get(0).leader().orElseThrow();
    assertThat(leader.role()).isEqualTo("svc");
    assertThat(all).allSatisfy(e -> assertThat(e.leader()).contains(leader));
    assertThat(all.stream().filter(LeaderElection::isLeader).count()).isEqualTo(1);
    assertThat(all).allSatisfy(e -> assertThat(e.term()).isEqualTo(1));
  }

  @Test
  void aSuspectedLeaderIsReplacedAndTakesOverAgainWhenItRecovers() {
    MembershipTracker t = new MembershipTracker(group(5));
    LeaderElection probe = LeaderElection.ofRole(t, "web-0", "svc");
    NodeView first = probe.leader().orElseThrow();
    LeaderElection atFirst = LeaderElection.ofRole(t, first.id(), "svc");
    List<LeaderChange> changes = new ArrayList<>();
    atFirst.addListener(changes::add);

    t.onEvent(
        new ClusterEvent.MemberSuspected(
            Views.member(first.id(), NodeStatus.SUSPECT, SVC), "node-x"));
    NodeView second = probe.leader().orElseThrow();
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(atFirst.isLeader()).isFalse();
    assertThat(atFirst.term()).isEqualTo(2);
    assertThat(changes).hasSize(1);
    assertThat(changes.get(0).lost()).isTrue();
    assertThat(changes.get(0).leader()).isEqualTo(second);

    t.onEvent(new ClusterEvent.MemberRecovered(first, NodeStatus.SUSPECT));
    assertThat(atFirst.isLeader()).isTrue();
    assertThat(atFirst.term()).isEqualTo(3);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).gained()).isTrue();
    assertThat(changes.get(1).term()).isEqualTo(3);
  }

  @Test
  void rendezvousLeadershipSurvivesJoinsThatDoNotWinAndLowestIdMovesToASmallerId() {
    MembershipTracker t = new MembershipTracker(group(5));
    LeaderElection hrw = LeaderElection.ofRole(t, "web-0", "svc");
    LeaderElection lowest =
        LeaderElection.of(
            t,
            "web-0",
            "svc",
            MemberFilter.online().withRole("svc"),
            LeaderElection.Strategy.LOWEST_ID);
    assertThat(lowest.leader().orElseThrow().id()).isEqualTo("node-0");
    NodeView leader = hrw.leader().orElseThrow();
    int kept = 0;
    for (int i = 0; i < 20; i++) {
      NodeView joiner = Views.online("a-" + i, SVC); // sorts before every node-*
      List<NodeView> with = new ArrayList<>(t.members());
      with.add(joiner);
      boolean joinerWins =
          RendezvousHash.of(with.stream().filter(m -> m.role().equals("svc")).toList())
              .ownerOfHash(Hash64.hash("svc"))
              .orElseThrow()
              .equals(joiner);
      if (joinerWins) {
        continue;
      }
      t.onEvent(new ClusterEvent.MemberJoined(joiner));
      assertThat(hrw.leader()).contains(leader);
      kept++;
    }
    assertThat(kept).isGreaterThan(10);
    assertThat(hrw.term()).isEqualTo(1);
    assertThat(lowest.leader().orElseThrow().id()).startsWith("a-");
    assertThat(lowest.term()).isEqualTo(2);
  }

  @Test
  void aNewViewOfTheSameLeaderIsNoChangeAndAThrowingListenerIsCounted() {
    MembershipTracker t = new MembershipTracker(group(3));
    LeaderElection e = LeaderElection.ofRole(t, "web-0", "svc");
    e.addListener(
        c -> {
          throw new IllegalStateException("boom");
        });
    NodeView leader = e.leader().orElseThrow();
    t.onEvent(
        new ClusterEvent.MetadataChanged(
            Views.online(leader.id(), Map.of(NodeView.ROLE, "svc", "v", "2")), SVC));
    assertThat(e.term()).isEqualTo(1);
    assertThat(e.leader().orElseThrow().metadata()).containsEntry("v", "2");
    assertThat(e.listenerFailures()).isZero();
    t.onEvent(
        new ClusterEvent.MemberLeft(
            Views.member(leader.id(), NodeStatus.LEFT, SVC), NodeStatus.ONLINE));
    assertThat(e.term()).isEqualTo(2);
    assertThat(e.listenerFailures()).isEqualTo(1);
    e.close();
    t.onEvent(new ClusterEvent.MemberRecovered(leader, NodeStatus.LEFT));
    assertThat(e.term()).isEqualTo(2); // closed
  }
}
