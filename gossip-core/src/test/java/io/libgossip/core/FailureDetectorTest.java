package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The failure detector and its relays, driven directly with LAN timing: probe interval 1 s, probe
 * timeout 500 ms.
 */
class FailureDetectorTest {
  private static final long T0 = 100 * SEC;

  private static Ping probe(Units u) {
    u.detector.startProbe(T0);
    List<Ping> pings = u.outbox.messages(Ping.class);
    assertThat(pings).hasSize(1);
    return pings.get(0);
  }

  private static Ack ack(String from, long seq) {
    return new Ack(from, addr(from), seq, List.of());
  }

  @Test
  void probePingsTheNextMemberAndAnAckEndsIt() {
    Units u = new Units().withMembers("a");
    u.awareness.apply(2);

    Ping ping = probe(u);
    assertThat(ping.target()).isEqualTo("a");
    assertThat(u.detector.probes()).isEqualTo(1);
    assertThat(u.detector.onAck(ack("a", ping.seq()), T0 + MS, List.of())).isTrue();
    u.detector.advanceProbe(T0 + 10 * SEC);

    assertThat(u.outbox.sentOf(PingReq.class)).isEmpty();
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.awareness.score()).as("a successful probe restores health").isEqualTo(1);
  }

  /** A detector without confirmation (decision 051): a failed probe suspects at once. */
  private static Units swim() {
    return new Units(GossipConfig.lan().toBuilder().confirmationChecks(0).build(), 1, 0);
  }

  @Test
  void unansweredProbeGoesIndirectAfterTheTimeoutThenSuspects() {
    Units u = swim().withMembers("a", "b", "c");
    Ping ping = probe(u);
    String target = ping.target();

    u.detector.advanceProbe(T0 + 499 * MS);
    assertThat(u.outbox.sentOf(PingReq.class)).isEmpty();
    u.detector.advanceProbe(T0 + 500 * MS);
    List<PingReq> reqs = u.outbox.messages(PingReq.class);
    assertThat(reqs).hasSize(2).allSatisfy(r -> assertThat(r.target()).isEqualTo(target));
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(T0 + SEC);

    u.detector.advanceProbe(T0 + SEC);

    assertThat(u.member(target).status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.detector.suspicionsRaised()).isEqualTo(1);
    assertThat(u.awareness.score()).as("two nacks missing").isEqualTo(2);
  }

  @Test
  void nacksFromEveryRelaySpareLocalHealth() {
    Units u = new Units().noLossSeen().withMembers("a", "b", "c");
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    for (PingReq r : u.outbox.messages(PingReq.class)) {
      assertThat(u.detector.onNack(new Nack("x", addr("x"), r.seq(), List.of()))).isTrue();
    }

    u.detector.advanceProbe(T0 + SEC);

    assertThat(u.member(ping.target()).status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.awareness.score()).isZero();
  }

  @Test
  void ackOrNackForNoRunningProbeIsStale() {
    Units u = new Units().withMembers("a");

    assertThat(u.detector.onAck(ack("a", 99), T0, List.of())).isFalse();
    assertThat(u.detector.onNack(new Nack("a", addr("a"), 99, List.of()))).isFalse();
  }

  @Test
  void pingForAnotherNodeIsNotAnswered() {
    Units u = new Units();

    assertThat(u.detector.onPing(new Ping("a", addr("a"), 1, "other", List.of()), List.of()))
        .isFalse();
    assertThat(u.outbox.size()).isZero();
  }

  @Test
  void pingIsAnsweredWithTheCorrectionsFirst() {
    Units u = new Units().withMembers("a");
    MemberUpdate fix = CoreFixture.online("z", 4);

    assertThat(u.detector.onPing(new Ping("a", addr("a"), 7, Units.SELF, List.of()), List.of(fix)))
        .isTrue();

    Ack ack = u.outbox.messages(Ack.class).get(0);
    assertThat(ack.seq()).isEqualTo(7);
    assertThat(ack.updates()).first().isEqualTo(fix);
  }

  @Test
  void suspicionExpiresIntoFailedButNotDuringAGracePeriod() {
    Units u = new Units().noLossSeen().withMembers("a", "b");
    u.detector.start(T0);
    u.claims.applyGossip(CoreFixture.suspect("a", 0, "b"), T0);
    long deadline = u.suspicions.peek().deadline();
    u.detector.stalled(deadline - MS); // listen one probe interval before accusing

    u.detector.expireSuspicions(deadline);
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(deadline - MS + SEC);

    u.detector.expireSuspicions(deadline - MS + SEC);
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.FAILED);
    assertThat(u.listener.last().kind()).isEqualTo(ClusterEvent.Kind.FAILED);
  }

  @Test
  void relayPingsTheTargetAndRelaysItsAckToTheRequester() {
    Units u = new Units().withMembers("req", "target");
    u.detector.onPingReq(
        new PingReq("req", addr("req"), 42, "target", addr("target"), List.of()), T0, List.of());
    Ping ping = u.outbox.messagesTo(Ping.class, "target").get(0);

    assertThat(u.detector.onAck(ack("target", ping.seq()), T0 + MS, List.of())).isTrue();

    assertThat(u.outbox.messagesTo(Ack.class, "req")).extracting(Ack::seq).containsExactly(42L);
    u.detector.expireRelays(T0 + SEC);
    assertThat(u.outbox.sentOf(Nack.class)).as("answered: no nack").isEmpty();
  }

  @Test
  void relayNacksWhenTheTargetStaysSilent() {
    Units u = new Units().withMembers("req", "target");
    u.detector.onPingReq(
        new PingReq("req", addr("req"), 42, "target", addr("target"), List.of()), T0, List.of());
    long nackAt = T0 + 400 * MS; // four fifths of the probe timeout
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(nackAt);

    u.detector.expireRelays(nackAt - 1);
    assertThat(u.outbox.sentOf(Nack.class)).isEmpty();
    u.detector.expireRelays(nackAt);

    assertThat(u.outbox.messagesTo(Nack.class, "req")).extracting(Nack::seq).containsExactly(42L);
    Ping ping = u.outbox.messages(Ping.class).get(0);
    assertThat(u.detector.onAck(ack("target", ping.seq()), nackAt, List.of()))
        .as("too late: stale")
        .isFalse();
  }

  @Test
  void pingReqForThisNodeIsAnsweredDirectly() {
    Units u = new Units().withMembers("req");

    u.detector.onPingReq(
        new PingReq("req", addr("req"), 5, Units.SELF, CoreFixture.SELF_ADDR, List.of()),
        T0,
        List.of());

    assertThat(u.outbox.messagesTo(Ack.class, "req")).extracting(Ack::seq).containsExactly(5L);
    assertThat(u.outbox.sentOf(Ping.class)).isEmpty();
  }

  // ---- confirmation before accusing (decision 051)

  /** The members sent a ping-req so far. */
  private static List<String> relays(Units u) {
    return u.outbox.sentOf(PingReq.class).stream().map(RecordingOutbox.Sent::targetId).toList();
  }

  /**
   * Heavy loss seen: a dozen late answers, the last a probe answered only through a relay after its
   * timeout, at T0 - 9.4 s.
   */
  private static Units seeLoss(Units u) {
    for (int i = 0; i < LossEstimate.WINDOW / LossEstimate.HEAVY_ONE_IN; i++) {
      u.loss.sample(true, 0);
    }
    long t = T0 - 10 * SEC;
    u.detector.startProbe(t);
    Ping ping = u.outbox.messages(Ping.class).get(0);
    u.detector.advanceProbe(t + 500 * MS);
    u.detector.onAck(ack("x", ping.seq()), t + 600 * MS, List.of());
    u.detector.advanceProbe(t + SEC);
    u.outbox.clear();
    return u;
  }

  /** Probes, lets the probe time out and go indirect, and ends its period unanswered. */
  private static Ping failOneProbe(Units u) {
    seeLoss(u);
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    u.outbox.clear();
    u.detector.advanceProbe(T0 + SEC);
    return ping;
  }

  @Test
  void whileLossIsSeenAFailedProbeIsProbedAgainBeforeAnySuspicion() {
    Units u =
        seeLoss(
            new Units()
                .withMembers(
                    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"));
    long widened = u.detector.probesWidened();
    Ping first = probe(u);
    String target = first.target();
    u.detector.advanceProbe(T0 + 500 * MS);
    List<String> firstRelays = relays(u);
    assertThat(firstRelays).as("widened: 3 + 3 relays").hasSize(6);
    assertThat(u.outbox.messagesTo(Ping.class, target))
        .as("the probe's ping, and a second one with the same sequence number")
        .extracting(Ping::seq)
        .containsExactly(first.seq(), first.seq());
    assertThat(u.detector.probesWidened()).isEqualTo(widened + 1);
    u.outbox.clear();

    u.detector.advanceProbe(T0 + SEC); // no ack, no nack

    assertThat(u.member(target).status()).as("not accused yet").isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.suspicionsRaised()).isZero();
    assertThat(u.detector.confirmationsStarted()).isEqualTo(1);
    List<Ping> again = u.outbox.messagesTo(Ping.class, target);
    assertThat(again).hasSize(1);
    long seq = again.get(0).seq();
    assertThat(seq).isNotEqualTo(first.seq());
    List<String> confirmRelays = relays(u);
    assertThat(confirmRelays)
        .as("fresh relays, not those of the failed probe")
        .hasSize(6)
        .doesNotContain(target)
        .doesNotContainAnyElementsOf(firstRelays);
    assertThat(u.outbox.messages(PingReq.class))
        .allSatisfy(r -> assertThat(r.seq()).isEqualTo(seq))
        .allSatisfy(r -> assertThat(r.target()).isEqualTo(target));
    assertThat(u.awareness.score())
        .as("six nacks missing of six relays: penalised as three of three")
        .isEqualTo(3);
    long end = T0 + SEC + u.awareness.scale(500 * MS); // one probe timeout, stretched by health
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(end);

    u.detector.advanceProbe(end - 1);
    assertThat(u.member(target).status()).isEqualTo(NodeStatus.ONLINE);
    u.detector.advanceProbe(end);

    assertThat(u.member(target).status()).as("second failure").isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.detector.suspicionsRaised()).isEqualTo(1);
    assertThat(u.detector.suspicionsAverted()).isZero();
  }

  @Test
  void answeredConfirmationAvertsTheSuspicionAndKeepsConfirmationOn() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e");
    Ping first = failOneProbe(u);
    long seq = u.outbox.messagesTo(Ping.class, first.target()).get(0).seq();

    assertThat(u.detector.onAck(ack("x", seq), T0 + SEC + 10 * MS, List.of())).isTrue();
    u.detector.advanceProbe(T0 + 3 * SEC);

    assertThat(u.member(first.target()).status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.suspicionsRaised()).isZero();
    assertThat(u.detector.suspicionsAverted()).isEqualTo(1);
    long seen = T0 + SEC + 10 * MS;
    long memory = LossEstimate.MEMORY_PERIODS * SEC;
    assertThat(u.detector.confirming(seen + memory - 1)).isTrue();
    assertThat(u.detector.confirming(seen + memory)).as("forgotten").isFalse();
  }

  @Test
  void lateAckOfTheFailedProbeAlsoAvertsTheSuspicion() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e");
    Ping first = failOneProbe(u);

    assertThat(u.detector.onAck(ack(first.target(), first.seq()), T0 + SEC + MS, List.of()))
        .isTrue();
    u.detector.advanceProbe(T0 + 2 * SEC);

    assertThat(u.member(first.target()).status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.suspicionsAverted()).isEqualTo(1);
  }

  @Test
  void nacksOfTheConfirmationCount() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e", "f", "g", "h");
    failOneProbe(u);
    List<PingReq> reqs = u.outbox.messages(PingReq.class);
    int before = u.awareness.score();
    for (PingReq r : reqs) {
      assertThat(u.detector.onNack(new Nack("x", addr("x"), r.seq(), List.of()))).isTrue();
    }
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE))
        .as("every relay nacked: the check ends without waiting for its timeout")
        .isEqualTo(T0 + SEC);

    u.detector.advanceProbe(T0 + SEC + 400 * MS);

    assertThat(u.awareness.score()).as("every nack came: no further penalty").isEqualTo(before);
    assertThat(u.detector.suspicionsRaised()).isEqualTo(1);
  }

  @Test
  void withoutSignsOfLossAFailedProbeSuspectsAtOnce() {
    Units u = new Units().noLossSeen().withMembers("a", "b", "c");
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);

    u.detector.advanceProbe(T0 + SEC); // no ack, no nack: a crash, or relays far away

    assertThat(u.member(ping.target()).status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.detector.confirmationsStarted()).as("a crash on a lossless network").isZero();
    assertThat(u.detector.probesWidened()).isZero();
  }

  @Test
  void untilEnoughAnswersCameAFailedProbeIsConfirmed() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e"); // 5 answers so far
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    u.detector.advanceProbe(T0 + SEC);

    assertThat(u.member(ping.target()).status())
        .as("a node that cannot tell loss from failure yet does not accuse at once")
        .isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.probesWidened()).isEqualTo(1);
    assertThat(u.detector.confirmationsStarted()).isEqualTo(1);
  }

  @Test
  void probeAnsweredOnlyAfterItsTimeoutIsASignOfLoss() {
    Units u = new Units().noLossSeen().withMembers("a", "b", "c");
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    assertThat(u.detector.onAck(ack("b", ping.seq()), T0 + 600 * MS, List.of())).isTrue();
    assertThat(u.detector.confirming(T0 + 600 * MS)).isTrue();

    // The next probe fails: with loss seen lately, it is widened in its own period; one late
    // answer in nine is moderate loss, so no second round follows.
    u.outbox.clear();
    u.detector.advanceProbe(T0 + SEC);
    u.detector.startProbe(T0 + SEC);
    Ping next = u.outbox.messages(Ping.class).get(0);
    u.detector.advanceProbe(T0 + 1500 * MS);
    assertThat(u.outbox.messagesTo(Ping.class, next.target())).hasSize(2);
    for (PingReq r : u.outbox.messages(PingReq.class)) {
      u.detector.onNack(new Nack("x", addr("x"), r.seq(), List.of()));
    }
    u.detector.advanceProbe(T0 + 2 * SEC);

    assertThat(u.detector.probesWidened()).isEqualTo(1);
    assertThat(u.detector.confirmationsStarted()).isZero();
    assertThat(u.member(next.target()).status()).isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void underHeavyLossAFailedWidenedProbeIsConfirmedByASecondRound() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e", "f", "g", "h");
    u.loss.sample(true, T0 - SEC);
    u.loss.sample(true, T0 - SEC); // 2 late of 10: one in five
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    u.detector.advanceProbe(T0 + SEC);

    assertThat(u.member(ping.target()).status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.confirmationsStarted()).isEqualTo(1);
  }

  @Test
  void withConfirmationOffAProbeAnsweredLateChangesNothing() {
    Units u = swim().withMembers("a", "b", "c");
    Ping ping = probe(u);
    u.detector.advanceProbe(T0 + 500 * MS);
    u.detector.onAck(ack("b", ping.seq()), T0 + 600 * MS, List.of());

    assertThat(u.detector.confirming(T0 + 600 * MS)).isFalse();
  }

  @Test
  void confirmationEndsWhenTheNodeStalls() {
    Units u = new Units().withMembers("a", "b", "c", "d", "e");
    Ping first = failOneProbe(u);

    u.detector.stalled(T0 + 1200 * MS);
    u.detector.advanceProbe(T0 + 2 * SEC);

    assertThat(u.member(first.target()).status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void expiredSuspicionGetsALastCheckWhileLossIsSeen() {
    Units u = seeLoss(new Units().withMembers("a", "b", "c", "d", "e"));
    u.claims.applyGossip(CoreFixture.suspect("a", 0, "b"), T0 - 9 * SEC);
    long deadline = u.suspicions.peek().deadline();

    u.detector.expireSuspicions(deadline);

    assertThat(u.member("a").status()).as("not failed yet").isEqualTo(NodeStatus.SUSPECT);
    List<Ping> pings = u.outbox.messagesTo(Ping.class, "a");
    assertThat(pings).hasSize(1);
    assertThat(pings.get(0).updates())
        .as("the suspicion rides along, so it can refute")
        .anySatisfy(c -> assertThat(c.status()).isEqualTo(NodeStatus.SUSPECT));
    assertThat(u.outbox.messages(PingReq.class)).as("every other member relays").hasSize(4);
    long end = deadline + u.awareness.scale(500 * MS);
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(end);

    u.detector.advanceProbe(end);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.FAILED);
    assertThat(u.detector.failuresAverted()).isZero();
  }

  @Test
  void answeredLastCheckTimesTheSuspicionAfresh() {
    Units u = seeLoss(new Units().withMembers("a", "b", "c", "d", "e"));
    u.claims.applyGossip(CoreFixture.suspect("a", 0, "b"), T0 - 9 * SEC);
    long deadline = u.suspicions.peek().deadline();
    u.detector.expireSuspicions(deadline);
    long seq = u.outbox.messagesTo(Ping.class, "a").get(0).seq();

    assertThat(u.detector.onAck(ack("c", seq), deadline + MS, List.of())).isTrue();
    u.detector.advanceProbe(deadline + 10 * SEC);
    u.detector.expireSuspicions(deadline + 10 * SEC);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.detector.failuresAverted()).isEqualTo(1);
    assertThat(u.suspicions.peek()).isNotNull();
    assertThat(u.suspicions.peek().deadline()).isGreaterThan(deadline + 10 * SEC);
  }

  @Test
  void withoutSignsOfLossAnExpiredSuspicionFailsAtOnce() {
    Units u = new Units().noLossSeen().withMembers("a", "b", "c");
    u.claims.applyGossip(CoreFixture.suspect("a", 0, "b"), T0);
    long deadline = u.suspicions.peek().deadline();

    u.detector.expireSuspicions(deadline);

    assertThat(u.member("a").status()).isEqualTo(NodeStatus.FAILED);
    assertThat(u.outbox.sentOf(Ping.class)).isEmpty();
  }
}
