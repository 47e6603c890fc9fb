package io.libgossip.core;

import static io.libgossip.core.CoreFixture.claim;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.left;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The ordering of claims about one member, and how the core applies them. */
class ClaimOrderingTest {
  private static final List<NodeStatus> CLAIM_STATUSES =
      List.of(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT);

  // ---- MemberUpdate.supersedes

  @ParameterizedTest(name = "{0}@{1} supersedes {2}@{3}: {4}")
  @CsvSource({
    // higher incarnation wins whatever the status
    "ONLINE, 2, FAILED, 1, true",
    "ONLINE, 2, LEFT, 1, true",
    "ONLINE, 2, SUSPECT, 1, true",
    "SUSPECT, 2, FAILED, 1, true",
    "FAILED, 1, ONLINE, 2, false",
    "LEFT, 1, ONLINE, 2, false",
    // equal incarnation: FAILED/LEFT > SUSPECT > ONLINE
    "FAILED, 3, SUSPECT, 3, true",
    "LEFT, 3, SUSPECT, 3, true",
    "SUSPECT, 3, ONLINE, 3, true",
    "FAILED, 3, ONLINE, 3, true",
    "LEFT, 3, ONLINE, 3, true",
    "ONLINE, 3, SUSPECT, 3, false",
    "ONLINE, 3, FAILED, 3, false",
    "SUSPECT, 3, FAILED, 3, false",
    "SUSPECT, 3, LEFT, 3, false",
    // LEFT beats FAILED (a leave heard after a failure, a force-leave), never the reverse
    "LEFT, 3, FAILED, 3, true",
    "FAILED, 3, LEFT, 3, false",
    // equal claims never supersede each other
    "ONLINE, 3, ONLINE, 3, false",
    "SUSPECT, 3, SUSPECT, 3, false",
    "FAILED, 3, FAILED, 3, false",
    "LEFT, 3, LEFT, 3, false",
  })
  void supersedesFollowsIncarnationThenPrecedence(
      NodeStatus a, long incA, NodeStatus b, long incB, boolean expected) {
    assertThat(claim("x", a, incA).supersedes(claim("x", b, incB))).isEqualTo(expected);
  }

  @Test
  void supersedesIsAStrictOrder() {
    long seed = 20240601L;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 2_000; i++) {
      MemberUpdate a = claim("x", CLAIM_STATUSES.get(r.nextInt(4)), r.nextInt(4));
      MemberUpdate b = claim("x", CLAIM_STATUSES.get(r.nextInt(4)), r.nextInt(4));
      MemberUpdate c = claim("x", CLAIM_STATUSES.get(r.nextInt(4)), r.nextInt(4));
      String ctx = "seed " + seed + " iteration " + i + ": " + a + " / " + b + " / " + c;
      assertThat(a.supersedes(a)).as(ctx).isFalse();
      assertThat(a.supersedes(b) && b.supersedes(a)).as(ctx).isFalse();
      if (a.supersedes(b) && b.supersedes(c)) {
        assertThat(a.supersedes(c)).as(ctx).isTrue();
      }
    }
  }

  // ---- the core's application of claims

  @Test
  void higherIncarnationWinsOverEverything() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 4, "a"));
    assertThat(f.view("x").status()).isEqualTo(NodeStatus.FAILED);

    f.gossip("x", online("x", 5));

    assertThat(f.view("x").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view("x").incarnation()).isEqualTo(5);
  }

  @Test
  void lowerIncarnationClaimIsIgnored() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("x", online("x", 5));
    f.listener.clear();

    f.gossip("a", suspect("x", 4, "a"), failed("x", 3, "a"), online("x", 4), left("x", 2));

    assertThat(f.view("x").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view("x").incarnation()).isEqualTo(5);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void suspectBeatsOnlineAtEqualIncarnation() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);

    f.gossip("x", online("x", 0));

    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"FAILED", "LEFT"})
  void goneBeatsSuspectAndOnlineAtEqualIncarnation(NodeStatus gone) {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.gossip("a", claim("x", gone, 0));
    assertThat(f.status("x")).isEqualTo(gone);
    f.listener.clear();

    f.gossip("a", suspect("x", 0, "b"), online("x", 0));

    assertThat(f.status("x")).isEqualTo(gone);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void staleOnlineNeverResurrectsAFailedMemberAtTheSameIncarnation() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("x", online("x", 7));
    f.gossip("a", failed("x", 7, "a"));
    f.listener.clear();

    for (int i = 0; i < 5; i++) {
      f.gossip("b", online("x", 7));
      f.gossip("b", online("x", 6));
    }

    assertThat(f.status("x")).isEqualTo(NodeStatus.FAILED);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void leftReplacesFailedAtTheSameIncarnationButNotTheReverse() {
    CoreFixture f = CoreFixture.withPeers("a", "x", "y");
    f.gossip("a", failed("x", 0, "a"), left("y", 0));
    f.listener.clear();

    f.gossip("a", left("x", 0), failed("y", 0, "a"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.status("y")).isEqualTo(NodeStatus.LEFT);
    assertThat(f.listener.kinds("x")).containsExactly(ClusterEvent.Kind.LEFT);
    assertThat(f.listener.kinds("y")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "LEFT"})
  void onlineAtHigherIncarnationRecoversTheMember(NodeStatus from) {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", claim("x", from, 0));
    assertThat(f.status("x")).isEqualTo(from);
    f.listener.clear();

    f.gossip("x", online("x", 1));

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.events()).hasSize(1);
    ClusterEvent.MemberEvent e = f.listener.last();
    assertThat(e.kind()).isEqualTo(Kind.RECOVERED);
    assertThat(e.previousStatus()).isEqualTo(from);
    assertThat(e.status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(e.node().status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(e.node().incarnation()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "LEFT"})
  void claimsOtherThanOnlineAboutUnknownMembersAreIgnored(NodeStatus status) {
    CoreFixture f = CoreFixture.withPeers("a");
    int size = f.core.size();
    f.listener.clear();

    f.gossip("a", claim("ghost", status, 3));

    assertThat(f.core.findNode("ghost")).isEmpty();
    assertThat(f.status("ghost")).isEqualTo(NodeStatus.UNKNOWN);
    assertThat(f.core.size()).isEqualTo(size);
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void duplicateClaimsEmitNoEvents() {
    CoreFixture f = CoreFixture.create();
    for (int i = 0; i < 3; i++) {
      f.gossip("a", online("a", 0), online("x", 0), online("y", 0));
    }
    for (int i = 0; i < 3; i++) {
      f.gossip("a", suspect("x", 0, "a"), failed("y", 0, "a"));
    }
    for (int i = 0; i < 3; i++) {
      f.gossip("x", online("x", 1));
    }

    assertThat(f.listener.kinds("a")).containsExactly(Kind.JOINED);
    assertThat(f.listener.kinds("x")).containsExactly(Kind.JOINED, Kind.SUSPECTED, Kind.RECOVERED);
    assertThat(f.listener.kinds("y")).containsExactly(Kind.JOINED, Kind.FAILED);
  }

  @Test
  void aCopyOfTheHeldClaimIsANoOpButTheSameClaimOnceStaleIsCorrected() {
    // The core skips claims equal to a member's current state without a table lookup; a claim
    // that was current once must go through the rules again after the state moved on.
    CoreFixture f = CoreFixture.create();
    f.gossip("a", online("a", 0), online("b", 0), online("x", 0));
    f.gossip("a", suspect("x", 0, "a"));
    int mark = f.outbox.mark();
    for (int i = 0; i < 3; i++) {
      f.gossip("b", suspect("x", 0, "a")); // a fresh but equal object each time
    }
    assertThat(f.listener.kinds("x")).containsExactly(Kind.JOINED, Kind.SUSPECTED);
    assertThat(f.outbox.since(mark)).isEmpty();

    f.gossip("x", online("x", 1));
    mark = f.outbox.mark();
    f.gossip("b", suspect("x", 0, "a"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.kinds("x")).containsExactly(Kind.JOINED, Kind.SUSPECTED, Kind.RECOVERED);
    assertThat(f.outbox.since(mark))
        .as("b still holds the refuted accusation: it is told of the refutation")
        .anySatisfy(
            s -> {
              assertThat(s.targetId()).isEqualTo("b");
              assertThat(s.message().updates()).contains(online("x", 1));
            });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'ONLINE, FAILED, LEFT', 77",
    "'ONLINE, SUSPECT', 78",
  })
  void claimsInAnyArrivalOrderEndAtTheGreatestClaim(String statuses, long seed) {
    List<NodeStatus> pool = new ArrayList<>();
    for (String s : statuses.split(",\\s*")) {
      pool.add(NodeStatus.valueOf(s));
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int round = 0; round < 200; round++) {
      List<MemberUpdate> claims = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        claims.add(claim("x", pool.get(r.nextInt(pool.size())), r.nextInt(3)));
      }
      MemberUpdate best = online("x", 0);
      for (MemberUpdate c : claims) {
        if (c.supersedes(best)) {
          best = c;
        }
      }
      for (int i = claims.size() - 1; i > 0; i--) {
        Collections.swap(claims, i, r.nextInt(i + 1));
      }
      CoreFixture f = CoreFixture.withPeers("a", "x");
      for (MemberUpdate c : claims) {
        f.gossip("a", c);
      }
      NodeView x = f.view("x");
      String ctx = "seed " + seed + " round " + round + " claims " + claims;
      assertThat(x.incarnation()).as(ctx).isEqualTo(best.incarnation());
      if (best.status().isGone()) {
        // FAILED and LEFT at one incarnation do not replace each other: the first one stays.
        assertThat(x.status().isGone()).as(ctx).isTrue();
      } else {
        assertThat(x.status()).as(ctx).isEqualTo(best.status());
      }
    }
  }

  @Test
  void suspectAtHigherIncarnationDoesNotReviveAGoneMember() {
    // As in memberlist: only an ONLINE claim brings a FAILED/LEFT member back; a suspicion of a
    // dead member is dropped whatever its incarnation (the member will refute it with ONLINE).
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    f.listener.clear();

    f.gossip("b", suspect("x", 1, "b"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.FAILED);
    assertThat(f.view("x").incarnation()).isZero();
    assertThat(f.listener.events()).isEmpty();
  }

  @Test
  void suspectAtHigherIncarnationOfAnOnlineMemberIsTaken() {
    CoreFixture f = CoreFixture.withPeers("a", "x");

    f.gossip("b", suspect("x", 3, "b"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.view("x").incarnation()).isEqualTo(3);
    assertThat(f.listener.last().kind()).isEqualTo(Kind.SUSPECTED);
  }

  @Test
  void claimStatusesAreTheFourWireStatuses() {
    assertThat(EnumSet.copyOf(CLAIM_STATUSES))
        .isEqualTo(
            EnumSet.of(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT));
  }
}
