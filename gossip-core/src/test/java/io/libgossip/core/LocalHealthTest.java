package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Lifeguard's local health multiplier, alone and as it stretches the core's probes. */
class LocalHealthTest {
  private static final long PROBE_INTERVAL = GossipConfig.lan().probeInterval().toNanos();
  private static final long PROBE_TIMEOUT = GossipConfig.lan().probeTimeout().toNanos();

  @Test
  void scoreStaysWithinZeroAndMaxMinusOne() {
    long seed = 99L;
    SplittableRandom r = new SplittableRandom(seed);
    for (int max : new int[] {1, 2, 8, 100}) {
      Awareness a = new Awareness(max);
      for (int i = 0; i < 500; i++) {
        a.apply(r.nextInt(-5, 6));
        assertThat(a.score()).as("seed %d max %d step %d", seed, max, i).isBetween(0, max - 1);
      }
    }
  }

  @Test
  void scoreSaturatesAndScalesTimeoutsByScorePlusOne() {
    Awareness a = new Awareness(8);
    assertThat(a.scale(500)).isEqualTo(500);

    a.apply(3);
    assertThat(a.score()).isEqualTo(3);
    assertThat(a.scale(500)).isEqualTo(2_000);

    a.apply(100);
    assertThat(a.score()).isEqualTo(7);
    assertThat(a.scale(500)).isEqualTo(4_000);

    a.apply(-100);
    assertThat(a.score()).isZero();
    a.apply(2);
    a.reset();
    assertThat(a.score()).isZero();
  }

  @Test
  void coreHealthIsBoundedByTheConfiguredMultiplier() {
    CoreFixture f = CoreFixture.withPeers("a");
    f.hurtHealth(50);

    assertThat(f.health()).isEqualTo(f.config.awarenessMaxMultiplier() - 1);
  }

  @Test
  void badHealthStretchesTheProbeTimeoutAndPeriod() {
    // Without confirmation probes (decision 051), which would add pings beside the next probe.
    CoreFixture f =
        CoreFixture.create(GossipConfig.lan().toBuilder().confirmationChecks(0).build());
    f.addPeers("a", "b", "c", "d", "e");
    f.autoAck = false;
    Sent first = f.nextPing();
    f.runUntil(first.at() + PROBE_INTERVAL); // fails with 3 helpers and no nacks: health 3
    assertThat(f.health()).isEqualTo(3);
    long t1 = first.at() + PROBE_INTERVAL;
    List<Sent> second = f.outbox.where(s -> s.is(Ping.class) && s.at() == t1);
    assertThat(second).as("the next probe starts as the failed one ends").hasSize(1);
    long seq = second.get(0).as(Ping.class).seq();

    f.runUntil(t1 + 4 * PROBE_TIMEOUT - 1);
    assertThat(f.outbox.where(s -> s.is(PingReq.class) && s.as(PingReq.class).seq() == seq))
        .as("no indirect probe before 4 x probeTimeout")
        .isEmpty();

    f.runUntil(t1 + 4 * PROBE_TIMEOUT);
    assertThat(f.outbox.where(s -> s.is(PingReq.class) && s.as(PingReq.class).seq() == seq))
        .allSatisfy(s -> assertThat(s.at()).isEqualTo(t1 + 4 * PROBE_TIMEOUT))
        .hasSize(3);

    Sent third = f.nextPing();
    assertThat(third.at())
        .as("the period is stretched 4-fold too")
        .isEqualTo(t1 + 4 * PROBE_INTERVAL);
  }

  @Test
  void successfulProbesHealTheNode() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.hurtHealth(3);

    for (int i = 0; i < 3; i++) {
      f.nextPing();
    }

    assertThat(f.health()).isZero();
  }

  @Test
  void healthyNodeProbesAtTheNominalRate() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c");
    f.advance(20 * SEC);

    assertThat(f.core.stats().probes()).isBetween(19L, 21L);
    assertThat(f.health()).isZero();
  }

  @Test
  void badHealthDoesNotSlowGossip() {
    // Fresh news arrives every 100 ms, so every gossip round has something to send. Gossip is
    // not slowed by bad local health: refutations must spread at full speed under heavy loss.
    assertThat(gossipRoundsIn3s(0)).isBetween(14, 16);
    assertThat(gossipRoundsIn3s(3)).isBetween(14, 16);
  }

  private static int gossipRoundsIn3s(int hurt) {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    f.advance(2 * SEC);
    f.hurtHealth(hurt);
    long start = f.now;
    for (int i = 0; i < 30; i++) {
      f.gossip("a", CoreFixture.online("x" + i, 0));
      f.runUntil(start + (i + 1) * SEC / 10);
    }
    return (int)
        f.outbox.where(s -> s.is(Gossip.class) && s.at() > start).stream()
            .mapToLong(Sent::at)
            .distinct()
            .count();
  }
}
