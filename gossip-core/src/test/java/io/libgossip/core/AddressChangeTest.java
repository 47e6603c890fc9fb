package io.libgossip.core;

import static io.libgossip.core.CoreFixture.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClaimRules.Outcome;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A member id at a new address: answers go where a message came from, a claim moves a member only
 * when its entry is suspected or gone, and two live instances of one id are reported as a {@link
 * ClusterEvent.MemberConflict} rather than fought over.
 */
class AddressChangeTest {
  private static final String SELF = CoreFixture.SELF;
  private static final long PROBE_INTERVAL = GossipConfig.lan().probeInterval().toNanos();
  private static final long PROBE_TIMEOUT = GossipConfig.lan().probeTimeout().toNanos();

  /** Where a member restarted: another port on the same host. */
  private static NodeAddress moved(String id) {
    return new NodeAddress(id + ".test", 8946);
  }

  private static MemberUpdate claim(String id, NodeAddress at, NodeStatus s, long inc, String by) {
    return new MemberUpdate(id, at, s, inc, Map.of(), 0, 0, by);
  }

  private static List<ClusterEvent.MemberConflict> conflicts(RecordingListener l) {
    return l.selfEvents().stream()
        .filter(e -> e instanceof ClusterEvent.MemberConflict)
        .map(e -> (ClusterEvent.MemberConflict) e)
        .toList();
  }

  // ---- ClaimRules: claims about other members

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "LEFT"})
  void higherIncarnationAtANewAddressMovesASuspectedOrGoneMember(NodeStatus held) {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(claim("a", addr("a"), held, 3, held == NodeStatus.LEFT ? "a" : "b"), 0);
    u.queue.clear();
    u.listener.clear();

    MemberUpdate back = claim("a", moved("a"), NodeStatus.ONLINE, 4, "a");
    assertThat(u.claims.applyGossip(back, 10))
        .as("held until a answers at the new address")
        .isEqualTo(Outcome.UNCHANGED);
    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
    Ping proof = u.outbox.messagesTo(Ping.class, "a").get(0);
    assertThat(u.outbox.sentOf(Ping.class).get(0).target().address()).isEqualTo(moved("a"));
    assertThat(u.core.handleMessage(new Ack("a", moved("a"), proof.seq(), List.of()), 20))
        .isNotEqualTo(Received.STALE);

    assertThat(u.member("a").verified).as("it answered there").isTrue();
    assertThat(u.member("a").state.address()).isEqualTo(moved("a"));
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.queue.contains("a")).as("the move spreads like any claim").isTrue();
    assertThat(u.listener.kinds("a")).containsExactly(ClusterEvent.Kind.RECOVERED);
    assertThat(conflicts(u.listener)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "LEFT"})
  void lowerOrEqualIncarnationAtANewAddressLeavesASuspectedOrGoneMemberAlone(NodeStatus held) {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(claim("a", addr("a"), held, 3, held == NodeStatus.LEFT ? "a" : "b"), 0);
    u.listener.clear();

    assertThat(u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 0, "a"), 1))
        .isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 3, "a"), 1))
        .isEqualTo(Outcome.UNCHANGED);

    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
    assertThat(u.member("a").status()).isEqualTo(held);
    assertThat(u.listener.size()).isZero();
  }

  @Test
  void unknownMemberIsLearnedAtWhateverAddressItClaims() {
    Units u = new Units();

    assertThat(u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 0, "a"), 0))
        .isEqualTo(Outcome.CHANGED);
    assertThat(u.member("a").state.address()).isEqualTo(moved("a"));
  }

  @Test
  void aliveClaimAtAnotherAddressOfAnOnlineMemberIsAConflictAndChangesNothing() {
    Units u = new Units().withMembers("a", "b");

    Outcome same = u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 0, "a"), 5);

    assertThat(same).isEqualTo(Outcome.CONFLICT);
    assertThat(same.changed()).isFalse();
    assertThat(same.correctsSender()).isFalse();
    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
    assertThat(u.member("a").state.incarnation()).isZero();
    assertThat(u.queue.isEmpty()).as("a conflicting claim is not spread").isTrue();
    assertThat(u.listener.events()).isEmpty();
    List<ClusterEvent.MemberConflict> events = conflicts(u.listener);
    assertThat(events).hasSize(1);
    ClusterEvent.MemberConflict c = events.get(0);
    assertThat(c.kind()).isEqualTo(ClusterEvent.Kind.CONFLICT);
    assertThat(c.node().id()).isEqualTo("a");
    assertThat(c.node().address()).as("the member as held").isEqualTo(addr("a"));
    assertThat(c.claimedAddress()).isEqualTo(moved("a"));
    assertThat(c.claimedIncarnation()).isZero();
    assertThat(c.claimedBy()).isEqualTo("a");
    assertThat(c.local()).isFalse();
  }

  @Test
  void higherIncarnationAtAnotherAddressOfAnOnlineMemberIsStillAConflict() {
    Units u = new Units().withMembers("a", "b");

    assertThat(u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 7, "a"), 0))
        .isEqualTo(Outcome.CONFLICT);

    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
    assertThat(u.member("a").state.incarnation()).isZero();
    assertThat(conflicts(u.listener)).hasSize(1);
  }

  @Test
  void staleClaimAtAnotherAddressIsNeverAConflict() {
    Units u = new Units().withMembers("b");
    u.claims.applyGossip(claim("a", addr("a"), NodeStatus.ONLINE, 5, "a"), 0);
    u.listener.clear();

    assertThat(u.claims.applyGossip(claim("a", moved("a"), NodeStatus.ONLINE, 4, "a"), 0))
        .isEqualTo(Outcome.UNCHANGED);
    assertThat(u.claims.applyState(claim("a", moved("a"), NodeStatus.ONLINE, 4, "a"), 0, "b"))
        .isEqualTo(Outcome.UNCHANGED);

    assertThat(conflicts(u.listener)).isEmpty();
  }

  @Test
  void conflictInAStateExchangeIsAConflictToo() {
    Units u = new Units().withMembers("a", "b");

    assertThat(u.claims.applyState(claim("a", moved("a"), NodeStatus.ONLINE, 0, "a"), 0, "b"))
        .isEqualTo(Outcome.CONFLICT);
    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
  }

  @Test
  void conflictsAreReportedAtMostOncePerMemberPerProbeInterval() {
    Units u = new Units().withMembers("a", "b");
    MemberUpdate a2 = claim("a", moved("a"), NodeStatus.ONLINE, 0, "a");
    MemberUpdate b2 = claim("b", moved("b"), NodeStatus.ONLINE, 0, "b");

    for (int i = 0; i < 10; i++) {
      assertThat(u.claims.applyGossip(a2, i * PROBE_INTERVAL / 10)).isEqualTo(Outcome.CONFLICT);
    }
    u.claims.applyGossip(b2, 0);
    assertThat(conflicts(u.listener)).extracting(e -> e.node().id()).containsExactly("a", "b");

    u.claims.applyGossip(a2, PROBE_INTERVAL);
    assertThat(conflicts(u.listener)).extracting(e -> e.node().id()).containsExactly("a", "b", "a");
  }

  @Test
  void accusationsOfAnOnlineMemberKeepItsAddress() {
    Units u = new Units().withMembers("a", "b");

    u.claims.applyGossip(claim("a", moved("a"), NodeStatus.SUSPECT, 0, "b"), 0);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
  }

  @Test
  void conflictWithANewerIncarnationProbesTheHeldAddressNext() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    String x = f.nextPing().targetId(); // probed (and acked) now: not due again this round
    String other = x.equals("a") ? "b" : "a";

    f.gossip(other, claim(x, moved(x), NodeStatus.ONLINE, 1, x));

    Sent next = f.nextPing();
    assertThat(next.targetId()).isEqualTo(x);
    assertThat(next.target().address()).isEqualTo(addr(x));
  }

  @Test
  void conflictAtTheSameIncarnationLeavesTheProbeOrderAlone() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    String x = f.nextPing().targetId();
    String other = x.equals("a") ? "b" : "a";

    f.gossip(other, claim(x, moved(x), NodeStatus.ONLINE, 0, x));

    assertThat(f.nextPing().targetId()).isNotEqualTo(x);
  }

  @Test
  void failedProbeOfAnAddressTheMemberHasLeftSuspectsNobody() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.autoAck = false;
    Sent ping = f.nextPing(); // goes unanswered: the instance there crashed
    String x = ping.targetId();
    String other = x.equals("a") ? "b" : "a";
    f.gossip(other, CoreFixture.suspect(x, 0, other));
    int mark = f.outbox.mark();
    f.gossip(x, claim(x, moved(x), NodeStatus.ONLINE, 1, x)); // restarted elsewhere, refuted
    Ping proof =
        (Ping)
            f.outbox.since(mark).stream()
                .filter(s -> s.is(Ping.class) && s.target().address().equals(moved(x)))
                .findFirst()
                .orElseThrow()
                .message();
    f.receive(new Ack(x, moved(x), proof.seq(), List.of())); // the new instance answers there

    f.runUntil(ping.at() + PROBE_INTERVAL);

    assertThat(f.status(x)).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.view(x).address()).isEqualTo(moved(x));
    assertThat(f.listener.kinds(x))
        .as("the silence of the old address is not held against the new one")
        .containsExactly(
            ClusterEvent.Kind.JOINED, ClusterEvent.Kind.SUSPECTED, ClusterEvent.Kind.RECOVERED);
  }

  // ---- ClaimRules: claims about this node

  @ParameterizedTest
  @EnumSource(
      value = NodeStatus.class,
      names = {"SUSPECT", "FAILED", "LEFT"})
  void accusationOfThisNodeAtAnotherAddressIsRefutedFromItsOwnAddress(NodeStatus accused) {
    Units u = new Units();
    NodeAddress old = new NodeAddress("old.test", 7946);

    Outcome outcome = u.claims.applyGossip(claim(SELF, old, accused, 5, "b"), 0);

    assertThat(outcome).isEqualTo(Outcome.REFUTED);
    assertThat(u.self.claim().incarnation()).isEqualTo(6);
    assertThat(u.self.claim().address()).isEqualTo(CoreFixture.SELF_ADDR);
    assertThat(u.self.claim().status()).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void aliveClaimOfThisNodeAtAnotherAddressIsAConflictNotARefutation() {
    Units u = new Units();
    NodeAddress other = new NodeAddress("other.test", 7946);

    Outcome outcome = u.claims.applyGossip(claim(SELF, other, NodeStatus.ONLINE, 5, SELF), 0);

    assertThat(outcome).isEqualTo(Outcome.CONFLICT);
    assertThat(u.self.claim().incarnation()).as("no incarnation race").isZero();
    assertThat(u.claims.refutations()).isZero();
    assertThat(u.queue.isEmpty()).isTrue();
    List<ClusterEvent.MemberConflict> events = conflicts(u.listener);
    assertThat(events).hasSize(1);
    assertThat(events.get(0).local()).isTrue();
    assertThat(events.get(0).node().id()).isEqualTo(SELF);
    assertThat(events.get(0).node().address()).isEqualTo(CoreFixture.SELF_ADDR);
    assertThat(events.get(0).claimedAddress()).isEqualTo(other);
    assertThat(events.get(0).claimedIncarnation()).isEqualTo(5);

    // Rate-bounded, and a stale claim is never a conflict.
    u.claims.applyGossip(claim(SELF, other, NodeStatus.ONLINE, 5, SELF), PROBE_INTERVAL - 1);
    assertThat(conflicts(u.listener)).hasSize(1);
    u.claims.applyGossip(claim(SELF, other, NodeStatus.ONLINE, 5, SELF), PROBE_INTERVAL);
    assertThat(conflicts(u.listener)).hasSize(2);
  }

  @Test
  void staleAliveClaimOfThisNodeAtAnotherAddressIsIgnored() {
    Units u = new Units();
    u.claims.applyGossip(CoreFixture.suspect(SELF, 2, "b"), 0); // now at incarnation 3
    NodeAddress other = new NodeAddress("other.test", 7946);

    assertThat(u.claims.applyGossip(claim(SELF, other, NodeStatus.ONLINE, 2, SELF), 0))
        .isEqualTo(Outcome.UNCHANGED);
    assertThat(conflicts(u.listener)).isEmpty();
    assertThat(u.self.claim().incarnation()).isEqualTo(3);
  }

  @Test
  void newerAliveClaimOfThisNodeAtItsOwnAddressIsStillMovedPast() {
    Units u = new Units();

    assertThat(u.claims.applyGossip(CoreFixture.online(SELF, 5), 0)).isEqualTo(Outcome.CHANGED);
    assertThat(u.self.claim().incarnation()).isEqualTo(6);
  }

  // ---- answers go where the message came from

  /** A fixture that holds "a" at its old address; "a" now talks from {@link #moved}. */
  private static CoreFixture holdingOldAddress() {
    CoreFixture f = CoreFixture.withPeers("a", "b");
    f.autoAck = false;
    return f;
  }

  @Test
  void pushPullRequestIsAnsweredAtTheAddressItCameFrom() {
    CoreFixture f = holdingOldAddress();
    f.receive(new Gossip("b", addr("b"), List.of(CoreFixture.failed("a", 0, "b"))));
    int mark = f.outbox.mark();

    f.receive(
        new PushPull(
            "a",
            moved("a"),
            true,
            false,
            List.of(claim("a", moved("a"), NodeStatus.ONLINE, 0, "a"))));

    List<Sent> replies = f.outbox.since(mark).stream().filter(s -> s.is(PushPull.class)).toList();
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).target().address()).isEqualTo(moved("a"));
    assertThat(replies.get(0).as(PushPull.class).updates())
        .as("the reply carries the tombstone the new instance must refute")
        .anyMatch(c -> c.id().equals("a") && c.status() == NodeStatus.FAILED);
  }

  @Test
  void pingIsAckedAtTheAddressItCameFrom() {
    CoreFixture f = holdingOldAddress();
    int mark = f.outbox.mark();

    f.receive(new Ping("a", moved("a"), 9, SELF, List.of()));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).as(Ack.class).seq()).isEqualTo(9);
    assertThat(out.get(0).target().address()).isEqualTo(moved("a"));
  }

  @Test
  void pingReqForThisNodeIsAckedAtTheAddressItCameFrom() {
    CoreFixture f = holdingOldAddress();
    int mark = f.outbox.mark();

    f.receive(new PingReq("a", moved("a"), 4, SELF, CoreFixture.SELF_ADDR, List.of()));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).is(Ack.class)).isTrue();
    assertThat(out.get(0).target().address()).isEqualTo(moved("a"));
  }

  @Test
  void relayedAckAndNackGoToTheAddressThePingReqCameFrom() {
    CoreFixture f = holdingOldAddress();
    f.receive(new PingReq("a", moved("a"), 77, "b", addr("b"), List.of()));
    List<Sent> toB = f.outbox.sentOf(Ping.class, "b"); // the last: the relay's, after b's proof
    long relaySeq = toB.get(toB.size() - 1).as(Ping.class).seq();
    int mark = f.outbox.mark();

    f.receive(new Ack("b", addr("b"), relaySeq, List.of()));

    List<Sent> relayed = f.outbox.since(mark);
    assertThat(relayed).hasSize(1);
    assertThat(relayed.get(0).as(Ack.class).seq()).isEqualTo(77);
    assertThat(relayed.get(0).target().address()).isEqualTo(moved("a"));

    long t = f.now;
    f.receive(new PingReq("a", moved("a"), 78, "b", addr("b"), List.of()));
    f.runUntil(t + PROBE_TIMEOUT);
    List<Sent> nacks = f.outbox.sentOf(Nack.class);
    assertThat(nacks).hasSize(1);
    assertThat(nacks.get(0).as(Nack.class).seq()).isEqualTo(78);
    assertThat(nacks.get(0).target().address()).isEqualTo(moved("a"));
  }

  @Test
  void correctionsGoToTheAddressTheStaleClaimCameFrom() {
    CoreFixture f = holdingOldAddress();
    f.gossip("b", CoreFixture.suspect(SELF, 0, "b")); // refuted: now at incarnation 1
    int mark = f.outbox.mark();

    f.receive(new Gossip("a", moved("a"), List.of(CoreFixture.suspect(SELF, 0, "a"))));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).target().address()).isEqualTo(moved("a"));
    assertThat(out.get(0).message().updates()).contains(f.core.self.claim());
  }
}
