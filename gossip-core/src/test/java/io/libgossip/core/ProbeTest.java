package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.SELF;
import static io.libgossip.core.CoreFixture.SELF_ADDR;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SWIM failure detection: direct and indirect probes, acks, nacks, and their timing. */
class ProbeTest {
  private static final long PROBE_INTERVAL = GossipConfig.lan().probeInterval().toNanos();
  private static final long PROBE_TIMEOUT = GossipConfig.lan().probeTimeout().toNanos();

  /**
   * A fixture whose peers never answer, without confirmation probes (decision 051; {@link
   * FailureDetectorTest} covers them): one failed probe suspects.
   */
  private static CoreFixture silentPeers(String... peers) {
    CoreFixture f =
        CoreFixture.create(GossipConfig.lan().toBuilder().confirmationChecks(0).build());
    f.addPeers(peers);
    f.autoAck = false;
    return f;
  }

  private static List<Sent> pingReqsFor(CoreFixture f, long seq) {
    return f.outbox.where(s -> s.is(PingReq.class) && s.as(PingReq.class).seq() == seq);
  }

  @Test
  void tickPingsAMemberByItsId() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");

    Sent s = f.nextPing();

    Ping ping = s.as(Ping.class);
    assertThat(ping.target()).isIn("a", "b", "c").isEqualTo(s.targetId());
    assertThat(s.target().address()).isEqualTo(addr(ping.target()));
    assertThat(ping.from()).isEqualTo(SELF);
    assertThat(ping.fromAddress()).isEqualTo(SELF_ADDR);
    assertThat(s.delivery()).isEqualTo(Delivery.BEST_EFFORT);
    assertThat(f.core.stats().probes()).isEqualTo(1);
  }

  @Test
  void nothingIsProbedWithoutMembers() {
    CoreFixture f = CoreFixture.create();

    f.advance(10 * SEC);

    assertThat(f.outbox.sentOf(Ping.class)).isEmpty();
    assertThat(f.core.stats().probes()).isZero();
  }

  @Test
  void ackWithTheSameSeqEndsTheProbeAndImprovesHealth() {
    CoreFixture f = silentPeers("a", "b", "c", "d");
    f.hurtHealth(2);
    Sent s = f.nextPing();
    Ping ping = s.as(Ping.class);

    f.receive(new Ack(ping.target(), addr(ping.target()), ping.seq(), List.of()));

    assertThat(f.health()).isEqualTo(1);
    f.runUntil(s.at() + 3 * PROBE_INTERVAL); // the whole period, stretched by health 2
    assertThat(pingReqsFor(f, ping.seq())).isEmpty();
    assertThat(f.status(ping.target())).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.stats().suspicionsRaised()).isZero();
    assertThat(f.listener.ofKind(Kind.SUSPECTED)).isEmpty();
  }

  @Test
  void ackWithAnotherSeqIsStaleAndDoesNotEndTheProbe() {
    CoreFixture f = silentPeers("a", "b", "c", "d");
    Sent s = f.nextPing();
    Ping ping = s.as(Ping.class);

    f.receive(new Ack(ping.target(), addr(ping.target()), ping.seq() + 1000, List.of()));
    f.runUntil(s.at() + PROBE_INTERVAL);

    assertThat(f.core.stats().drops()).containsEntry(DropReason.STALE, 1L);
    assertThat(pingReqsFor(f, ping.seq())).isNotEmpty();
    assertThat(f.status(ping.target())).isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void noAckByTheProbeTimeoutSendsPingReqsToOnlineHelpersOnly() {
    CoreFixture f = silentPeers("a", "b", "c", "d", "e", "s");
    f.gossip("a", suspect("s", 0, "a"));
    Sent s = f.nextPing();
    Ping ping = s.as(Ping.class);
    String target = ping.target();

    f.runUntil(s.at() + PROBE_TIMEOUT - 1);
    assertThat(pingReqsFor(f, ping.seq())).isEmpty();

    f.runUntil(s.at() + PROBE_TIMEOUT);

    List<Sent> reqs = pingReqsFor(f, ping.seq());
    assertThat(reqs).hasSize(f.config.indirectChecks());
    Set<String> helpers = new HashSet<>();
    for (Sent r : reqs) {
      PingReq req = r.as(PingReq.class);
      assertThat(r.at()).isEqualTo(s.at() + PROBE_TIMEOUT);
      assertThat(r.delivery()).isEqualTo(Delivery.BEST_EFFORT);
      assertThat(req.from()).isEqualTo(SELF);
      assertThat(req.target()).isEqualTo(target);
      assertThat(req.targetAddress()).isEqualTo(addr(target));
      assertThat(r.targetId()).isNotEqualTo(target).isNotEqualTo("s").isNotEqualTo(SELF);
      assertThat(f.status(r.targetId())).isEqualTo(NodeStatus.ONLINE);
      helpers.add(r.targetId());
    }
    assertThat(helpers).hasSize(reqs.size());
  }

  @Test
  void helpersAreFoundAmongManyTombstones() {
    CoreFixture f = silentPeers("a", "b", "c", "d");
    List<MemberUpdate> dead = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      f.gossip("a", online("dead" + i, 0));
      dead.add(failed("dead" + i, 0, "a"));
    }
    f.receive(new GossipMessage.Gossip("a", addr("a"), dead));
    Sent s = f.nextPing();

    f.runUntil(s.at() + PROBE_TIMEOUT);

    assertThat(pingReqsFor(f, s.as(Ping.class).seq()))
        .extracting(Sent::targetId)
        .hasSize(3)
        .doesNotHaveDuplicates()
        .allSatisfy(id -> assertThat(id).isIn("a", "b", "c", "d").isNotEqualTo(s.targetId()));
  }

  @Test
  void pingReqsGoToEveryOnlineMemberWhenThereAreFewerThanIndirectChecks() {
    CoreFixture f = silentPeers("a", "b");
    Sent s = f.nextPing();
    String target = s.targetId();

    f.runUntil(s.at() + PROBE_TIMEOUT);

    String other = target.equals("a") ? "b" : "a";
    assertThat(pingReqsFor(f, s.as(Ping.class).seq()))
        .extracting(Sent::targetId)
        .containsExactly(other);
  }

  @Test
  void noAckByThePeriodEndMakesTheTargetSuspectAccusedBySelf() {
    CoreFixture f = silentPeers("a", "b", "c", "d");
    Sent s = f.nextPing();
    String target = s.targetId();

    f.runUntil(s.at() + PROBE_INTERVAL - 1);
    assertThat(f.status(target)).isEqualTo(NodeStatus.ONLINE);
    int mark = f.outbox.mark();

    f.runUntil(s.at() + PROBE_INTERVAL);

    assertThat(f.status(target)).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.listener.last().kind()).isEqualTo(Kind.SUSPECTED);
    assertThat(f.listener.last().node().id()).isEqualTo(target);
    assertThat(f.core.stats().suspicionsRaised()).isEqualTo(1);
    List<MemberUpdate> spread = new ArrayList<>();
    for (Sent out : f.outbox.since(mark)) {
      spread.addAll(out.message().updates());
    }
    assertThat(spread)
        .filteredOn(u -> u.id().equals(target) && u.status() == NodeStatus.SUSPECT)
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u.from()).isEqualTo(SELF));
  }

  @Test
  void indirectAckFromAHelperCounts() {
    CoreFixture f = silentPeers("a", "b", "c", "d", "e");
    f.hurtHealth(2);
    Sent s = f.nextPing();
    Ping ping = s.as(Ping.class);
    f.runUntil(s.at() + 3 * PROBE_TIMEOUT);
    List<Sent> reqs = pingReqsFor(f, ping.seq());
    assertThat(reqs).isNotEmpty();
    String helper = reqs.get(0).targetId();

    f.receive(new Ack(helper, addr(helper), ping.seq(), List.of()));
    f.runUntil(s.at() + 3 * PROBE_INTERVAL);

    assertThat(f.status(ping.target())).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.stats().suspicionsRaised()).isZero();
    assertThat(f.health()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} nacks")
  @ValueSource(ints = {0, 1, 2, 3})
  void nacksReduceTheHealthPenaltyOfAFailedProbe(int nacks) {
    CoreFixture f = silentPeers("a", "b", "c", "d", "e");
    Sent s = f.nextPing();
    Ping ping = s.as(Ping.class);
    f.runUntil(s.at() + PROBE_TIMEOUT);
    List<Sent> reqs = pingReqsFor(f, ping.seq());
    assertThat(reqs).hasSize(3);

    for (int i = 0; i < nacks; i++) {
      String helper = reqs.get(i).targetId();
      f.receive(new Nack(helper, addr(helper), ping.seq(), List.of()));
    }
    f.runUntil(s.at() + PROBE_INTERVAL);

    assertThat(f.health()).isEqualTo(3 - nacks);
    assertThat(f.status(ping.target()))
        .as("nacks do not save the target")
        .isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void failedProbeWithoutHelpersCostsOneHealthPoint() {
    CoreFixture f = silentPeers("a");
    Sent s = f.nextPing();

    f.runUntil(s.at() + PROBE_INTERVAL);

    assertThat(f.outbox.sentOf(PingReq.class)).isEmpty();
    assertThat(f.health()).isEqualTo(1);
    assertThat(f.status("a")).isEqualTo(NodeStatus.SUSPECT);
  }

  @Test
  void nackBeforeTheIndirectProbeIsStale() {
    CoreFixture f = silentPeers("a", "b", "c", "d");
    Ping ping = f.nextPing().as(Ping.class);

    f.receive(new Nack("b", addr("b"), ping.seq(), List.of()));

    assertThat(f.core.stats().drops()).containsEntry(DropReason.STALE, 1L);
  }

  @Test
  void pingForAnotherTargetIsDroppedAndNotAcked() {
    CoreFixture f = CoreFixture.withPeers("a");
    int mark = f.outbox.mark();

    f.receive(new Ping("a", addr("a"), 5, "someone-else", List.of()));

    assertThat(f.outbox.since(mark)).isEmpty();
    assertThat(f.core.stats().drops()).containsEntry(DropReason.WRONG_TARGET, 1L);
  }

  @Test
  void pingIsAckedWithItsSeq() {
    CoreFixture f = CoreFixture.create();
    int mark = f.outbox.mark();

    f.receive(new Ping("stranger", addr("stranger"), 31, SELF, List.of()));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    Sent ack = out.get(0);
    assertThat(ack.as(Ack.class).seq()).isEqualTo(31);
    assertThat(ack.target().address()).isEqualTo(addr("stranger"));
    assertThat(ack.delivery()).isEqualTo(Delivery.BEST_EFFORT);
  }

  @Test
  void pingReqMakesUsPingTheTargetAndRelayItsAckWithTheRequestersSeq() {
    CoreFixture f = silentPeers("a", "b");
    int mark = f.outbox.mark();

    f.receive(new PingReq("a", addr("a"), 77, "b", addr("b"), List.of()));

    List<Sent> pings = f.outbox.since(mark);
    assertThat(pings).hasSize(1);
    Sent probe = pings.get(0);
    assertThat(probe.targetId()).isEqualTo("b");
    assertThat(probe.target().address()).isEqualTo(addr("b"));
    Ping ping = probe.as(Ping.class);
    assertThat(ping.target()).isEqualTo("b");
    assertThat(ping.from()).isEqualTo(SELF);

    mark = f.outbox.mark();
    f.receive(new Ack("b", addr("b"), ping.seq(), List.of()));

    List<Sent> relayed = f.outbox.since(mark);
    assertThat(relayed).hasSize(1);
    assertThat(relayed.get(0).targetId()).isEqualTo("a");
    Ack ack = relayed.get(0).as(Ack.class);
    assertThat(ack.seq()).isEqualTo(77);
    assertThat(ack.from()).isEqualTo(SELF);

    f.advance(2 * PROBE_INTERVAL);
    assertThat(f.outbox.sentOf(Nack.class)).as("an answered relay is never nacked").isEmpty();
  }

  @Test
  void pingReqForASilentTargetIsNackedBeforeTheRequestersPeriodEnds() {
    CoreFixture f = silentPeers("a", "b");
    long t = f.now;

    f.receive(new PingReq("a", addr("a"), 77, "b", addr("b"), List.of()));
    assertThat(f.core.nextDeadline()).isLessThanOrEqualTo(t + PROBE_TIMEOUT * 4 / 5);
    f.runUntil(t + PROBE_TIMEOUT * 4 / 5 - 1);
    assertThat(f.outbox.sentOf(Nack.class)).isEmpty();

    f.runUntil(t + PROBE_TIMEOUT * 4 / 5);

    List<Sent> nacks = f.outbox.sentOf(Nack.class);
    assertThat(nacks).hasSize(1);
    Sent nack = nacks.get(0);
    assertThat(nack.targetId()).isEqualTo("a");
    assertThat(nack.as(Nack.class).seq()).isEqualTo(77);
    assertThat(nack.at() - t)
        .as("the requester sends its PingReq at its probe timeout; its period ends after the rest")
        .isLessThan(PROBE_INTERVAL - PROBE_TIMEOUT);
    long relaySeq = f.outbox.sentOf(Ping.class, "b").get(0).as(Ping.class).seq();
    f.receive(new Ack("b", addr("b"), relaySeq, List.of()));
    assertThat(f.outbox.sentOf(Ack.class)).as("a late ack is not relayed after the nack").isEmpty();
  }

  @Test
  void pingReqForAnUnknownTargetPingsTheGivenAddress() {
    CoreFixture f = silentPeers("a");
    NodeAddress where = new NodeAddress("10.9.9.9", 1234);

    f.receive(new PingReq("a", addr("a"), 3, "stranger", where, List.of()));

    Sent ping = f.outbox.sentOf(Ping.class, "stranger").get(0);
    assertThat(ping.target().address()).isEqualTo(where);
    assertThat(ping.as(Ping.class).target()).isEqualTo("stranger");
  }

  @Test
  void pingReqAboutOurselvesIsAckedDirectly() {
    CoreFixture f = silentPeers("a");
    int mark = f.outbox.mark();

    f.receive(new PingReq("a", addr("a"), 12, SELF, SELF_ADDR, List.of()));

    List<Sent> out = f.outbox.since(mark);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).targetId()).isEqualTo("a");
    assertThat(out.get(0).as(Ack.class).seq()).isEqualTo(12);
  }

  @Test
  void everyLiveMemberIsProbedExactlyOncePerRoundInShuffledOrder() {
    List<String> peers = List.of("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
    Set<List<String>> orders = new HashSet<>();
    for (long seed = 1; seed <= 4; seed++) {
      CoreFixture f = CoreFixture.create(GossipConfig.lan(), seed);
      f.addPeers(peers.toArray(String[]::new));
      for (int round = 0; round < 3; round++) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
          order.add(f.nextPing().targetId());
        }
        assertThat(order)
            .as("seed %d round %d", seed, round)
            .containsExactlyInAnyOrderElementsOf(peers);
        orders.add(order);
      }
    }
    assertThat(orders).as("rounds are shuffled").hasSizeGreaterThan(6);
  }

  @Test
  void probesComeOncePerProbeIntervalWhileHealthy() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    long first = f.nextPing().at();

    for (int i = 1; i <= 5; i++) {
      assertThat(f.nextPing().at()).isEqualTo(first + i * PROBE_INTERVAL);
    }
  }

  @Test
  void newMemberIsProbedWithinTheCurrentRound() {
    List<String> peers = List.of("p0", "p1", "p2", "p3", "p4", "p5");
    CoreFixture f = CoreFixture.withPeers(peers.toArray(String[]::new));
    List<String> seen = new ArrayList<>();
    seen.add(f.nextPing().targetId());
    f.gossip("p0", online("late", 0));

    for (int i = 0; i < peers.size(); i++) {
      seen.add(f.nextPing().targetId());
    }

    assertThat(seen).contains("late").containsAll(peers).doesNotHaveDuplicates();
  }

  @Test
  void goneMembersAreNotProbed() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.gossip("a", failed("b", 0, "a"), CoreFixture.left("c", 0));
    int mark = f.outbox.mark();

    f.advance(10 * SEC);

    assertThat(f.outbox.since(mark))
        .filteredOn(s -> s.is(Ping.class))
        .extracting(Sent::targetId)
        .containsOnly("a");
  }

  @Test
  void memberRecoveringWithinARoundIsProbedOnceInIt() {
    List<String> peers = List.of("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7");
    CoreFixture f = CoreFixture.withPeers(peers.toArray(String[]::new));
    String first = f.nextPing().targetId();
    String x = peers.stream().filter(p -> !p.equals(first)).findFirst().orElseThrow();
    f.gossip("p0", failed(x, 0, "p0"));
    f.gossip(x, online(x, 1));

    List<String> rest = new ArrayList<>();
    for (int i = 0; i < peers.size() - 1; i++) {
      rest.add(f.nextPing().targetId());
    }

    assertThat(rest).as("the rest of the round").containsOnlyOnce(x).doesNotContain(first);
  }

  @Test
  void pingingASuspectPutsTheSuspicionFirst() {
    // Rare gossip rounds, so that fresh news added before each probe is still the least sent.
    GossipConfig cfg =
        GossipConfig.lan().toBuilder().gossipInterval(java.time.Duration.ofSeconds(10)).build();
    CoreFixture f = CoreFixture.create(cfg);
    f.addPeers("a", "b", "c", "d");
    f.gossip("b", suspect("a", 0, "b"));

    for (int i = 0; i < 20; i++) {
      MemberUpdate fresh = online("fresh" + i, 0);
      f.gossip("b", fresh);
      Sent ping = f.nextPing();
      if (ping.targetId().equals("a")) {
        List<MemberUpdate> updates = ping.message().updates();
        assertThat(updates).first().isEqualTo(suspect("a", 0, "b"));
        assertThat(updates.indexOf(fresh)).as("fresher news comes after").isPositive();
        return;
      }
    }
    throw new AssertionError("the suspect was never probed");
  }

  @Test
  void answeringAMemberWeThinkDeadPutsThatClaimFirst() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", failed("x", 0, "a"));
    f.advance(10 * SEC); // the FAILED news retires from the queue
    f.gossip("a", online("late", 0));
    int mark = f.outbox.mark();

    f.receive(new Ping("x", addr("x"), 8, SELF, List.of()));

    Sent ack = f.outbox.since(mark).get(0);
    assertThat(ack.targetId()).isEqualTo("x");
    assertThat(ack.message().updates()).first().isEqualTo(failed("x", 0, "a"));
  }

  @Test
  void probeStartsAtAPhaseWithinTheFirstInterval() {
    CoreFixture f = CoreFixture.withPeers("a");
    long start = f.now;

    assertThat(f.nextPing().at()).isBetween(start, start + PROBE_INTERVAL);
    assertThat(f.now - start).isLessThan(PROBE_INTERVAL + MS);
  }
}
