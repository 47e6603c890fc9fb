package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.failed;
import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Round trips before trust: address moves, verified members, replies bounded by their request. */
class AddressProofTest {
  private static final NodeAddress SINK = new NodeAddress("10.9.9.9", 9);

  private static MemberUpdate onlineAt(String id, NodeAddress at, long incarnation) {
    return new MemberUpdate(id, at, NodeStatus.ONLINE, incarnation, Map.of(), 0, 0, id);
  }

  @Test
  void aMoveIsNotAppliedOnAForgedAckOrWithoutAnAck() {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(failed("a", 3, "b"), 0);
    u.outbox.clear();

    u.core.handleMessage(new Gossip("b", addr("b"), List.of(onlineAt("a", SINK, 9))), 10);
    Ping proof = u.outbox.messagesTo(Ping.class, "a").get(0);
    // A blind attacker guesses sequence numbers; none but the one sent there moves the member.
    for (long guess = 0; guess < 1000; guess++) {
      if (guess != proof.seq()) {
        u.core.handleMessage(new Ack("a", SINK, guess, List.of()), 20);
      }
    }
    u.core.handleMessage(new Gossip("b", addr("b"), List.of(onlineAt("a", SINK, 10))), 30);

    assertThat(u.member("a").state.address()).isEqualTo(addr("a"));
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.FAILED);
    assertThat(u.member("a").verified).isTrue(); // still at the old address
    assertThat(u.outbox.messagesTo(Ping.class, "a"))
        .as("one proof per probe interval, however many claims")
        .hasSize(1);
  }

  @Test
  void theNewestClaimHeldForTheAddressIsAppliedWhenItsAckArrives() {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(failed("a", 3, "b"), 0);
    NodeAddress moved = new NodeAddress("a.test", 8000);
    u.outbox.clear();

    u.claims.applyGossip(onlineAt("a", moved, 4), 10);
    u.claims.applyGossip(onlineAt("a", moved, 5), 20);
    Ping proof = u.outbox.messagesTo(Ping.class, "a").get(0);
    u.core.handleMessage(new Ack("a", moved, proof.seq(), List.of()), 30);

    assertThat(u.member("a").state.address()).isEqualTo(moved);
    assertThat(u.member("a").state.incarnation()).isEqualTo(5);
    assertThat(u.member("a").status()).isEqualTo(NodeStatus.ONLINE);
    assertThat(u.proofs.movesProven()).isEqualTo(1);
  }

  @Test
  void anUnansweredProofIsSentAgainEachProbeIntervalWithItsSeqUpToMaxTries() {
    Units u = new Units().withMembers("b");
    long interval = u.config.probeInterval().toNanos();
    u.outbox.clear();

    u.claims.applyGossip(onlineAt("n", addr("n"), 1), 0);
    long seq = u.outbox.messagesTo(Ping.class, "n").get(0).seq();
    u.proofs.retry(interval - 1); // not yet a probe interval old
    assertThat(u.outbox.messagesTo(Ping.class, "n")).hasSize(1);
    for (int i = 1; i <= 5; i++) {
      u.proofs.retry(i * interval);
    }

    assertThat(u.outbox.messagesTo(Ping.class, "n"))
        .hasSize(AddressProof.MAX_TRIES)
        .allSatisfy(p -> assertThat(p.seq()).isEqualTo(seq));
    u.core.handleMessage(new Ack("n", addr("n"), seq, List.of()), 6 * interval);
    assertThat(u.member("n").verified).isTrue();
  }

  @Test
  void anAnsweredProofIsNotSentAgain() {
    Units u = new Units().withMembers("b");
    long interval = u.config.probeInterval().toNanos();
    u.outbox.clear();
    u.claims.applyGossip(onlineAt("n", addr("n"), 1), 0);
    long seq = u.outbox.messagesTo(Ping.class, "n").get(0).seq();
    u.core.handleMessage(new Ack("n", addr("n"), seq, List.of()), 10);

    u.proofs.retry(2 * interval);

    assertThat(u.outbox.messagesTo(Ping.class, "n")).hasSize(1);
  }

  @Test
  void sequenceNumbersAreRandomAndNeverTheHellosZero() {
    Units u = new Units();
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      long s = u.proofs.nextSeq();
      assertThat(s).isBetween(1L, AddressProof.SEQ_BOUND - 1);
      seen.add(s);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void anAckToAPingFromAnUnverifiedAddressIsAtMostTwiceThePing() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    for (int i = 0; i < 40; i++) { // plenty of news to piggyback
      f.gossip("a", online("n" + i, 0));
    }
    BinarySerializer sizer = BinarySerializer.forConfig(f.core.config());
    Ping ping = new Ping("x", SINK, 77, CoreFixture.SELF, List.of());
    int mark = f.outbox.mark();

    f.receive(ping);

    List<Sent> acks = new ArrayList<>();
    for (Sent s : f.outbox.since(mark)) {
      if (s.target().address().equals(SINK)) {
        acks.add(s);
      }
    }
    assertThat(acks).hasSize(1);
    assertThat(sizer.encodedSize(acks.get(0).message()))
        .isLessThanOrEqualTo(AddressProof.REPLY_FACTOR * sizer.encodedSize(ping));
    assertThat(acks.get(0).message().updates()).as("some news still rides along").isNotEmpty();
  }

  @Test
  void anAckToAVerifiedMemberStillCarriesAFullPacket() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    for (int i = 0; i < 40; i++) {
      f.gossip("a", online("n" + i, 0));
    }
    BinarySerializer sizer = BinarySerializer.forConfig(f.core.config());
    Ping ping = new Ping("a", addr("a"), 77, CoreFixture.SELF, List.of());
    int mark = f.outbox.mark();

    f.receive(ping);

    Sent ack = f.outbox.since(mark).get(0);
    assertThat(sizer.encodedSize(ack.message()))
        .isGreaterThan(AddressProof.REPLY_FACTOR * sizer.encodedSize(ping));
  }

  @Test
  void membersAtAForgedAddressGetNoExchangeNoNoticeAndOnlySmallPings() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.autoVerify = false;
    f.autoAck = false;
    List<MemberUpdate> fakes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      fakes.add(onlineAt("fake-" + i, SINK, 0));
    }
    int mark = f.outbox.mark();
    f.receive(new Gossip("a", addr("a"), fakes));

    f.advance(600 * SEC); // probed, suspected, failed, reconnect rounds, exchanges

    BinarySerializer sizer = BinarySerializer.forConfig(f.core.config());
    int toSink = 0;
    for (Sent s : f.outbox.since(mark)) {
      if (s.target().address().equals(SINK)) {
        assertThat(s.delivery()).isEqualTo(Delivery.BEST_EFFORT);
        assertThat(s.message()).isInstanceOf(Ping.class);
        GossipMessage bare = s.message().withUpdates(List.of());
        assertThat(sizer.encodedSize(s.message()))
            .isLessThanOrEqualTo(AddressProof.REPLY_FACTOR * sizer.encodedSize(bare));
        toSink++;
      }
    }
    assertThat(toSink)
        .as(
            "one member held at the address: its proof pings and a probe or two (each at most"
                + " three bare pings under loss: the probe, its second ping, the confirmation)"
                + " and the last check, never a transfer")
        .isBetween(1, AddressProof.MAX_TRIES + 7);
    assertThat(f.core.drops(DropReason.SHARED_ADDRESS)).isEqualTo(29);
    assertThat(f.outbox.sentOf(PushPull.class))
        .allSatisfy(s -> assertThat(s.target().address()).isNotEqualTo(SINK));
  }

  @Test
  void oneUnverifiedMemberPerAddressUntilItIsVerifiedOrGone() {
    Units u = new Units().withMembers("b");
    NodeAddress shared = addr("shared");
    u.claims.applyGossip(onlineAt("first", shared, 1), 0);
    assertThat(u.claims.applyGossip(onlineAt("second", shared, 1), 10))
        .isEqualTo(ClaimRules.Outcome.REJECTED);
    assertThat(u.table.get("second")).isNull();
    assertThat(u.core.drops(DropReason.SHARED_ADDRESS)).isEqualTo(1);
    // The first answers its proof ping: the address is proven, another id may live there later.
    long seq = u.outbox.messagesTo(Ping.class, "first").get(0).seq();
    u.core.handleMessage(new Ack("first", shared, seq, List.of()), 20);
    assertThat(u.claims.applyGossip(onlineAt("second", shared, 1), 30))
        .isEqualTo(ClaimRules.Outcome.CHANGED);
    // A claim about the member already held at the address is not a second member.
    u.claims.applyGossip(onlineAt("third", addr("third"), 1), 40);
    assertThat(u.claims.applyGossip(onlineAt("third", addr("third"), 2), 50))
        .isEqualTo(ClaimRules.Outcome.CHANGED);
  }

  @Test
  void proofPingsPerProbeIntervalAreBudgetedFirstPingsBeforeRetries() {
    Units u = new Units().withMembers("b");
    long interval = u.config.probeInterval().toNanos();
    int budget = AddressProof.MAX_PROOFS_PER_INTERVAL;
    int extra = 40;
    u.proofs.retry(0); // a probe tick: a fresh budget (b's proof ping took one of the last)
    u.outbox.clear();
    List<MemberUpdate> batch = new ArrayList<>();
    for (int i = 0; i < budget + extra; i++) {
      batch.add(onlineAt("n" + i, addr("n" + i), 1));
      if (batch.size() == 100 || i == budget + extra - 1) {
        u.core.handleMessage(new Gossip("b", addr("b"), List.copyOf(batch)), 0);
        batch.clear();
      }
    }
    assertThat(u.outbox.sentOf(Ping.class)).hasSize(budget);
    assertThat(u.table.size()).isEqualTo(budget + extra + 1);
    assertThat(u.proofs.proofsDeferred()).isEqualTo(extra);

    u.outbox.clear();
    u.proofs.retry(interval);
    assertThat(u.outbox.sentOf(Ping.class)).hasSize(budget);
    for (int i = budget; i < budget + extra; i++) {
      assertThat(u.outbox.messagesTo(Ping.class, "n" + i)).as("put off, then first").hasSize(1);
    }
  }
}
