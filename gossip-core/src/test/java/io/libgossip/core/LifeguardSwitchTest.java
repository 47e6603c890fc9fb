package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each of Lifeguard's parts switched off alone through {@link GossipConfig#lifeguard()}. */
class LifeguardSwitchTest {
  private static final long T0 = 100 * SEC;

  private static GossipConfig with(Lifeguard l) {
    return GossipConfig.lan().toBuilder().lifeguard(l).build();
  }

  private static Units units(Lifeguard l, String... members) {
    return new Units(with(l), 1, 0).noLossSeen().withMembers(members);
  }

  // ---- the value

  @Test
  void everyProfileRunsFullLifeguard() {
    assertThat(GossipConfig.lan().lifeguard()).isEqualTo(Lifeguard.full());
    assertThat(GossipConfig.wan().lifeguard()).isEqualTo(Lifeguard.full());
    assertThat(GossipConfig.local().lifeguard()).isEqualTo(Lifeguard.full());
    assertThat(with(Lifeguard.none()).toBuilder().build().lifeguard())
        .as("toBuilder keeps it")
        .isEqualTo(Lifeguard.none());
  }

  @Test
  void namesSwitchOffOnePartEach() {
    assertThat(Lifeguard.named("full")).isEqualTo(new Lifeguard(true, true, true, true));
    assertThat(Lifeguard.named("none")).isEqualTo(new Lifeguard(false, false, false, false));
    assertThat(Lifeguard.named("no-lhm")).isEqualTo(new Lifeguard(false, true, true, true));
    assertThat(Lifeguard.named("no-dynamic")).isEqualTo(new Lifeguard(true, false, true, true));
    assertThat(Lifeguard.named("no-buddy")).isEqualTo(new Lifeguard(true, true, false, true));
    assertThat(Lifeguard.named("no-nack")).isEqualTo(new Lifeguard(true, true, true, false));
    assertThatThrownBy(() -> Lifeguard.named("swim"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-buddy")
        .hasMessageContaining("'swim'");
    assertThatThrownBy(() -> GossipConfig.lan().toBuilder().lifeguard(null))
        .isInstanceOf(NullPointerException.class);
  }

  // ---- local health multiplier

  @Test
  void withoutLocalHealthRefutationsLeaveTheMultiplierAtOne() {
    CoreFixture f = new CoreFixture(with(Lifeguard.full().withLocalHealth(false)), 1, b -> {});
    f.addPeers("a", "b", "c");
    f.hurtHealth(5);
    assertThat(f.health()).isZero();

    CoreFixture full = CoreFixture.withPeers("a", "b", "c");
    full.hurtHealth(5);
    assertThat(full.health()).as("the same with LHM on").isEqualTo(5);
  }

  @Test
  void withoutLocalHealthAFailedProbeDoesNotStretchTheNextOne() {
    Units u = units(Lifeguard.full().withLocalHealth(false), "a", "b", "c", "d");
    u.detector.startProbe(T0);
    u.detector.advanceProbe(T0 + 500 * MS);
    u.detector.advanceProbe(T0 + SEC); // three relays, no nacks: would be +3

    assertThat(u.awareness.score()).isZero();
    assertThat(u.awareness.scale(500 * MS)).isEqualTo(500 * MS);
  }

  // ---- dynamic suspicion

  @Test
  void withoutDynamicSuspicionEverySuspicionLastsTheMinimumTimeout() {
    Units u = units(Lifeguard.full().withDynamicSuspicion(false), "a", "b", "c", "x");
    u.claims.applyGossip(suspect("x", 0, "a"), T0);
    Suspicion s = u.suspicions.peek();
    long min = u.config.suspicionTimeoutMin(5).toNanos();

    assertThat(s.deadline()).isEqualTo(T0 + min);
    u.claims.applyGossip(suspect("x", 0, "b"), T0 + SEC);
    assertThat(s.confirmations()).as("confirmations are not counted").isZero();
    assertThat(s.deadline()).isEqualTo(T0 + min);
    assertThat(u.queue.size()).as("nor re-gossiped: only the first claim is queued").isEqualTo(1);
  }

  @Test
  void withDynamicSuspicionAFreshSuspicionStartsAtTheMaximum() {
    Units u = units(Lifeguard.full(), "a", "b", "c", "x");
    u.claims.applyGossip(suspect("x", 0, "a"), T0);

    assertThat(u.suspicions.peek().deadline())
        .isEqualTo(T0 + u.config.suspicionTimeoutMax(5).toNanos());
  }

  // ---- buddy system

  @Test
  void withoutBuddyAPingToASuspectCarriesOnlyQueuedClaimsInTheirTurn() {
    Units u = units(Lifeguard.full().withBuddy(false), "a", "b");
    u.claims.applyGossip(suspect("a", 0, "b"), 0);
    for (int i = 0; i < 3; i++) {
      u.disseminator.spread(CoreFixture.online("m" + i, 0, Map.of("k", "v"), 1));
    }
    for (int i = 0; i < 20; i++) { // send the suspicion to its limit: it leaves the queue
      u.disseminator.pack(ping("b"), u.member("b"), List.of());
    }

    GossipMessage packed = u.disseminator.pack(ping("a"), u.member("a"), List.of());

    assertThat(packed.updates()).doesNotContain(u.member("a").state);

    Units buddy = units(Lifeguard.full(), "a", "b");
    buddy.claims.applyGossip(suspect("a", 0, "b"), 0);
    for (int i = 0; i < 20; i++) {
      buddy.disseminator.pack(ping("b"), buddy.member("b"), List.of());
    }
    assertThat(buddy.disseminator.pack(ping("a"), buddy.member("a"), List.of()).updates())
        .as("with the buddy system the suspect hears of it anyway")
        .first()
        .isSameAs(buddy.member("a").state);
  }

  private static Ping ping(String target) {
    return new Ping(Units.SELF, CoreFixture.SELF_ADDR, 1, target, List.of());
  }

  // ---- nacks

  @Test
  void withoutNacksARelayStaysSilentWhenTheTargetDoesNotAnswer() {
    Units u = units(Lifeguard.full().withNacks(false), "req", "target");
    u.detector.onPingReq(
        new PingReq("req", addr("req"), 42, "target", addr("target"), List.of()), T0, List.of());
    assertThat(u.outbox.messagesTo(Ping.class, "target")).hasSize(1);

    u.detector.expireRelays(T0 + SEC);

    assertThat(u.outbox.sentOf(Nack.class)).isEmpty();
    assertThat(u.detector.earliestDeadline(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);

    Units full = units(Lifeguard.full(), "req", "target");
    full.detector.onPingReq(
        new PingReq("req", addr("req"), 42, "target", addr("target"), List.of()), T0, List.of());
    full.detector.expireRelays(T0 + SEC);
    assertThat(full.outbox.sentOf(Nack.class)).as("with nacks on").hasSize(1);
  }

  @Test
  void withoutNacksAFailedProbeCostsOneHealthPointNotOnePerRelay() {
    Units u = units(Lifeguard.full().withNacks(false), "a", "b", "c", "d");
    u.detector.startProbe(T0);
    Ping ping = u.outbox.messages(Ping.class).get(0);
    u.detector.advanceProbe(T0 + 500 * MS);
    assertThat(u.outbox.messages(PingReq.class)).hasSize(3);

    u.detector.advanceProbe(T0 + SEC);

    assertThat(u.member(ping.target()).status()).isEqualTo(NodeStatus.SUSPECT);
    assertThat(u.awareness.score()).isEqualTo(1);
  }

  @Test
  void withoutNacksAnAckedProbeStillHeals() {
    Units u = units(Lifeguard.full().withNacks(false), "a", "b");
    u.awareness.apply(3);
    u.detector.startProbe(T0);
    Ping ping = u.outbox.messages(Ping.class).get(0);

    assertThat(
            u.detector.onAck(
                new Ack(ping.target(), addr(ping.target()), ping.seq(), List.of()),
                T0 + MS,
                List.of()))
        .isTrue();

    assertThat(u.awareness.score()).isEqualTo(2);
  }
}
