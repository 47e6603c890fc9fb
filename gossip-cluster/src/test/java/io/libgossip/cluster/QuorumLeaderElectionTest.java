package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuorumLeaderElectionTest {
  private static final Map<String, String> SVC = Map.of(NodeView.ROLE, "svc");
  private static final Duration TAKEOVER = Duration.ofSeconds(5);

  private final FakeClock clock = new FakeClock(1_000_000);
  private final Map<String, String> published = new HashMap<>();

  private static NodeView m(String id, NodeStatus s) {
    return Views.member(id, s, SVC);
  }

  private static NodeView m(String id, NodeStatus s, long term) {
    return Views.member(id, s, Map.of(NodeView.ROLE, "svc", "term.svc", Long.toString(term)));
  }

  private static List<NodeView> all(NodeStatus... statuses) {
    List<NodeView> out = new ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      out.add(m("n" + i, statuses[i]));
    }
    out.add(Views.online("web-0", Map.of(NodeView.ROLE, "web")));
    return out;
  }

  private QuorumLeaderElection election(ListSource source, String id) {
    return QuorumLeaderElection.builder(source, id, "svc")
        .clock(clock)
        .takeoverDelay(TAKEOVER)
        .freshness(Duration.ofSeconds(3))
        .maxTickGap(Duration.ofSeconds(1))
        .publisher(published::put)
        .build();
  }

  /** The id of the rendezvous winner among n0..n(n-1). */
  private String winner(ListSource source) {
    QuorumLeaderElection probe = election(source, "web-0");
    probe.tick();
    return probe.leader().orElseThrow().id();
  }

  private void run(QuorumLeaderElection e, Duration d) {
    for (long t = 0; t < d.toMillis(); t += 100) {
      clock.advance(Duration.ofMillis(100));
      e.tick();
    }
  }

  @Test
  void theCandidateClaimsOnlyAfterTheTakeoverDelayAndPublishesTermOne() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    QuorumLeaderElection e = election(src, winner(src));
    List<LeaderChange> changes = new ArrayList<>();
    e.addListener(changes::add);
    e.tick();
    assertThat(e.hasQuorum()).isTrue();
    assertThat(e.isLeader()).isFalse();
    run(e, TAKEOVER.minusMillis(200));
    assertThat(e.isLeader()).isFalse();
    run(e, Duration.ofMillis(300));
    assertThat(e.isLeader()).isTrue();
    assertThat(e.term()).isEqualTo(1);
    assertThat(published).containsEntry("term.svc", "1");
    assertThat(changes).last().satisfies(c -> assertThat(c.gained()).isTrue());
  }

  @Test
  void aFailureDoesNotShrinkTheConfigurationSoAMinorityHasNoLeader() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    String w = winner(src);
    QuorumLeaderElection e = election(src, w);
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isTrue();
    // the two others fail in w's view (a partition): 1 of 3 is no majority
    List<NodeView> cut = new ArrayList<>();
    for (NodeView v : src.members()) {
      boolean other = !v.id().equals(w) && v.role().equals("svc");
      cut.add(other ? m(v.id(), NodeStatus.FAILED) : v);
    }
    src.set(cut);
    e.tick();
    assertThat(e.isLeader()).isFalse();
    assertThat(e.hasQuorum()).isFalse();
    assertThat(e.leader()).isEmpty();
    assertThat(e.configuration()).hasSize(3);
    // they are reaped from the table: still in the configuration by default
    src.set(cut.stream().filter(v -> v.id().equals(w) || !v.role().equals("svc")).toList());
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isFalse();
    // an operator forgets them: w alone is the whole configuration
    cut.stream()
        .filter(v -> v.status() == NodeStatus.FAILED)
        .forEach(v -> assertThat(e.forget(v.id())).isTrue());
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isTrue();
    assertThat(e.term()).isEqualTo(2);
  }

  @Test
  void anOnlineMemberNotHeardFromWithinTheFreshnessWindowDoesNotCount() {
    // lastSeenNanos stays 0: after 3 s nobody but the local node is fresh
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), null);
    QuorumLeaderElection e = election(src, "n0");
    e.tick();
    assertThat(e.hasQuorum()).isTrue();
    run(e, Duration.ofMillis(3100));
    assertThat(e.hasQuorum()).isFalse();
    assertThat(e.isLeader()).isFalse();
  }

  @Test
  void aGracefulLeaveShrinksTheConfiguration() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    QuorumLeaderElection e = election(src, "n0");
    e.tick();
    src.set(all(NodeStatus.ONLINE, NodeStatus.LEFT, NodeStatus.LEFT));
    e.tick();
    assertThat(e.configuration()).containsExactly("n0");
    assertThat(e.hasQuorum()).isTrue();
  }

  @Test
  void removedMembersLeaveTheConfigurationOnlyWhenAsked() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    QuorumLeaderElection e =
        QuorumLeaderElection.builder(src, "n0", "svc")
            .clock(clock)
            .publisher(published::put)
            .forgetRemovedMembers(true)
            .build();
    e.tick();
    src.set(List.of(m("n0", NodeStatus.ONLINE)));
    e.tick();
    assertThat(e.configuration()).containsExactly("n0");
    assertThat(e.hasQuorum()).isTrue();
  }

  @Test
  void expectedSizeKeepsASmallKnownConfigurationFromAMajority() {
    ListSource src = new ListSource(List.of(m("n0", NodeStatus.ONLINE)), clock);
    QuorumLeaderElection e =
        QuorumLeaderElection.builder(src, "n0", "svc")
            .clock(clock)
            .publisher(published::put)
            .expectedSize(3)
            .build();
    e.tick();
    assertThat(e.hasQuorum()).isFalse();
    src.set(List.of(m("n0", NodeStatus.ONLINE), m("n1", NodeStatus.ONLINE)));
    e.tick();
    assertThat(e.hasQuorum()).isTrue();
  }

  @Test
  void aNewLeaderTakesOneMoreThanTheHighestPublishedTermTombstonesIncluded() {
    List<NodeView> view = new ArrayList<>();
    view.add(m("n0", NodeStatus.ONLINE));
    view.add(m("n1", NodeStatus.ONLINE));
    view.add(m("n2", NodeStatus.FAILED, 41));
    ListSource src = new ListSource(view, clock);
    // n2 is FAILED: the winner among n0, n1
    QuorumLeaderElection probe = election(src, "x");
    probe.tick();
    String w = probe.leader().orElseThrow().id();
    QuorumLeaderElection e = election(src, w);
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isTrue();
    assertThat(e.term()).isEqualTo(42);
    assertThat(published).containsEntry("term.svc", "42");
    assertThat(probe.term()).as("a follower reports the highest term it sees").isEqualTo(41);
  }

  @Test
  void aGapBetweenTicksIsAPauseTheLeaderStepsDownAndWaitsAgain() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    QuorumLeaderElection e = election(src, winner(src));
    List<LeaderChange> changes = new ArrayList<>();
    e.addListener(changes::add);
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isTrue();
    clock.advance(Duration.ofSeconds(3)); // a 3 s pause
    e.tick();
    assertThat(e.isLeader()).isFalse();
    assertThat(changes).last().satisfies(c -> assertThat(c.lost()).isTrue());
    run(e, TAKEOVER.minusSeconds(1));
    assertThat(e.isLeader()).isFalse();
    run(e, Duration.ofSeconds(2));
    assertThat(e.isLeader()).isTrue();
    assertThat(e.term()).as("a new claim takes a new term").isEqualTo(2);
  }

  @Test
  void aNonCandidateNeverClaimsAndAThrowingListenerOrPublisherIsCounted() {
    ListSource src =
        new ListSource(all(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    String w = winner(src);
    String other = w.equals("n0") ? "n1" : "n0";
    QuorumLeaderElection follower = election(src, other);
    run(follower, TAKEOVER.plusSeconds(2));
    assertThat(follower.isLeader()).isFalse();
    assertThat(follower.leader()).map(NodeView::id).contains(w);

    QuorumLeaderElection e =
        QuorumLeaderElection.builder(src, w, "svc")
            .clock(clock)
            .takeoverDelay(TAKEOVER)
            .freshness(Duration.ofSeconds(3))
            .publisher(
                (k, v) -> {
                  throw new IllegalStateException("closed");
                })
            .build();
    e.addListener(
        c -> {
          throw new IllegalStateException("bad listener");
        });
    run(e, TAKEOVER.plusSeconds(1));
    assertThat(e.isLeader()).isTrue();
    assertThat(e.publishFailures()).isEqualTo(1);
    assertThat(e.listenerFailures()).isPositive();
    e.close();
    assertThat(e.isLeader()).isFalse();
  }

  @Test
  void builderChecksItsOptions() {
    ListSource src = new ListSource(List.of(), clock);
    assertThatThrownBy(() -> QuorumLeaderElection.builder(src, "n0", "svc").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MetadataPublisher");
    assertThatThrownBy(
            () ->
                QuorumLeaderElection.builder(src, "n0", "svc")
                    .publisher((k, v) -> {})
                    .takeoverDelay(Duration.ofSeconds(1))
                    .maxTickGap(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("takeoverDelay");
    assertThatThrownBy(() -> QuorumLeaderElection.builder(src, "n0", "svc").expectedSize(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> QuorumLeaderElection.builder(src, "n0", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
