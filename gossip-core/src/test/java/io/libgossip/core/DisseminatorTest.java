package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Piggyback packing within the packet budget, the buddy system, and gossip rounds. */
class DisseminatorTest {
  private static final GossipConfig SMALL_PACKETS =
      GossipConfig.lan().toBuilder().maxPacketSize(600).maxMetadataBytes(256).build();

  private static Ping emptyPing() {
    return new Ping(Units.SELF, CoreFixture.SELF_ADDR, 1, "a", List.of());
  }

  /** Queues {@code n} claims of about 50 bytes each. */
  private static void queueClaims(Units u, int n) {
    for (int i = 0; i < n; i++) {
      u.disseminator.spread(online("m" + i, 0, Map.of("k", "x".repeat(20)), 1));
    }
  }

  private static int encodedSize(GossipMessage m) {
    return BinarySerializer.forConfig(GossipConfig.lan()).encodedSize(m);
  }

  @Test
  void packedMessageKeepsItsFieldsAndFitsThePacket() {
    Units u = new Units(SMALL_PACKETS, 1, 0);
    queueClaims(u, 40);

    GossipMessage packed = u.disseminator.pack(emptyPing(), null, List.of());

    assertThat(packed).isInstanceOf(Ping.class);
    assertThat(((Ping) packed).target()).isEqualTo("a");
    assertThat(packed.updates()).isNotEmpty().hasSizeLessThan(40);
    assertThat(encodedSize(packed)).isLessThanOrEqualTo(600);
  }

  @Test
  void packetOverheadShrinksTheBudget() {
    Units plain = new Units(SMALL_PACKETS, 1, 0);
    Units labelled = new Units(SMALL_PACKETS, 1, 200);
    queueClaims(plain, 40);
    queueClaims(labelled, 40);

    GossipMessage full = plain.disseminator.pack(emptyPing(), null, List.of());
    GossipMessage reduced = labelled.disseminator.pack(emptyPing(), null, List.of());

    assertThat(encodedSize(reduced)).isLessThanOrEqualTo(600 - 200);
    assertThat(reduced.updates().size()).isLessThan(full.updates().size());
  }

  @Test
  void nothingQueuedLeavesTheMessageAsItIs() {
    Units u = new Units();
    Ping ping = emptyPing();

    assertThat(u.disseminator.pack(ping, null, List.of())).isSameAs(ping);
  }

  @Test
  void correctionsGoFirst() {
    Units u = new Units();
    queueClaims(u, 3);
    MemberUpdate fix = online("z", 9);

    GossipMessage packed = u.disseminator.pack(emptyPing(), null, List.of(fix));

    assertThat(packed.updates()).hasSize(4).first().isEqualTo(fix);
  }

  @Test
  void suspectedPeerIsToldOfItsSuspicionFirst() {
    Units u = new Units().withMembers("a", "b");
    u.claims.applyGossip(suspect("a", 0, "b"), 0);
    queueClaims(u, 3);

    GossipMessage packed = u.disseminator.pack(emptyPing(), u.member("a"), List.of());

    assertThat(packed.updates().get(0)).isSameAs(u.member("a").state);
  }

  @Test
  void gossipRoundSendsQueuedClaimsToRandomMembers() {
    Units u = new Units().withMembers("a", "b", "c", "d");
    u.disseminator.spread(online("n", 0));

    u.disseminator.gossipRound(SEC);

    List<RecordingOutbox.Sent> sent = u.outbox.sentOf(Gossip.class);
    assertThat(sent).hasSizeBetween(1, u.config.gossipNodes());
    assertThat(sent).allSatisfy(s -> assertThat(s.message().updates()).contains(online("n", 0)));
  }

  @Test
  void gossipRoundWithNothingQueuedSendsNothing() {
    Units u = new Units().withMembers("a", "b");

    u.disseminator.gossipRound(SEC);

    assertThat(u.outbox.size()).isZero();
  }

  @Test
  void claimRetiresAfterTheRetransmitLimit() {
    Units u = new Units().withMembers("a");
    u.disseminator.spread(online("n", 0));
    int sends = 0;
    while (u.disseminator.isSpreading("n")) {
      u.disseminator.pack(emptyPing(), null, List.of());
      sends++;
    }

    assertThat(sends).isEqualTo(ProtocolMath.retransmitLimit(u.config.retransmitMult(), 2));
    assertThat(u.disseminator.queued()).isZero();
  }
}
