package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** User broadcasts through real cores in the simulator, with fixed seeds (issue 14). */
class UserBroadcastSimTest {

  /**
   * A converged cluster, run on for N + 10 s so that every node has probed every other (and learned
   * that it reads wire version 4, which user broadcasts need).
   */
  private static Simulation converged(int nodes, long seed, double loss) {
    Simulation sim = Simulation.builder().nodes(nodes).seed(seed).loss(loss).build();
    assertThat(sim.runUntilConverged(Duration.ofSeconds(30)))
        .as("converged (seed %d)", seed)
        .isTrue();
    sim.runFor(Duration.ofSeconds(nodes + 10));
    return sim;
  }

  /** Broadcasts {@code count} times, every {@code gapMs}, from random running nodes. */
  private static void spread(Simulation sim, int count, long gapMs, String key, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int k = 0; k < count; k++) {
      sim.schedule(
          sim.now().plusMillis(gapMs * k),
          () -> {
            int[] up = sim.liveNodes();
            sim.broadcast(up[rnd.nextInt(up.length)], "t", key, 64);
          });
    }
  }

  /**
   * Without loss, every live node delivers every broadcast, once (issue 14). Before the repair
   * announcements (decision 047) seeds 1 to 3 each missed one pair of 2,360 (decision 043).
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void withoutLossEveryLiveNodeDeliversEveryBroadcastAndNoneTwice(long seed) {
    Simulation sim = converged(60, seed, 0);
    spread(sim, 40, 250, null, seed);
    sim.runFor(Duration.ofSeconds(25));

    UserMetrics m = sim.userMetrics();
    assertThat(m.broadcasts()).isEqualTo(40);
    assertThat(m.deliveredFraction())
        .as("delivered fraction, seed %d:\n%s", seed, sim.describeMissingBroadcasts())
        .isEqualTo(1.0);
    assertThat(m.deliveryNanos().length).isEqualTo(40 * 59);
    assertThat(m.duplicates()).isZero();
    assertThat(m.deliveryPercentile(99)).isLessThan(3_000_000_000L);
  }

  /**
   * At 5% loss every live node delivers every broadcast, once, but for a rare pair: a node that
   * missed every whole copy pulls the body after a repair announcement (decision 047), and what is
   * left is the epidemic's tail, a node that got neither a copy nor an announcement (about one pair
   * in 70,000, decision 066: seeds 1-30 missed 0 pairs before it and 1 after, seed 3's). Before the
   * repair, a few pairs in a thousand were missed (decision 043).
   */
  @Test
  void atFivePercentLossEveryBroadcastIsDeliveredAndNoneTwice() {
    long missed = 0;
    StringBuilder which = new StringBuilder();
    for (long seed = 1; seed <= 3; seed++) {
      Simulation sim = converged(60, seed, 0.05);
      spread(sim, 40, 250, null, seed);
      sim.runFor(Duration.ofSeconds(25));

      UserMetrics m = sim.userMetrics();
      long pairs = 40L * 59;
      missed += pairs - m.deliveryNanos().length;
      which.append("seed ").append(seed).append(": ").append(sim.describeMissingBroadcasts());
      assertThat(m.duplicates()).as("seed %d", seed).isZero();
      assertThat(m.deliveryPercentile(99)).as("seed %d", seed).isLessThan(3_000_000_000L);
    }
    assertThat(missed).as("pairs missed of 7,080:%n%s", which).isLessThanOrEqualTo(1);
  }

  /**
   * A churn storm (10% of 150 nodes crashing and restarting per minute) at 5% loss: every node that
   * was up at a broadcast and stayed up delivers it, once (decision 047). Seeds 15 and 22 are those
   * where a restarted node missed a broadcast before decision 056: the others did not know its wire
   * versions yet, so no user broadcast went to it for seconds.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 15, 22})
  void duringAChurnStormAtFivePercentLossEveryBroadcastIsDelivered(long seed) {
    SimReport r =
        new Scenario()
            .nodes(150)
            .durationSeconds(90)
            .loss(0.05)
            .churnPerMinute(0.1)
            .userRate(2)
            .seed(seed)
            .run(null);
    assertThat(r.number("user_broadcasts")).isGreaterThan(100);
    assertThat(r.number("restarts")).isPositive();
    assertThat(r.number("user_missing")).as("%s", r.values()).isZero();
    assertThat(r.number("user_duplicates")).isZero();
    assertThat(r.number("false_positives")).isZero();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5})
  void aNewerBroadcastWithTheSameKeySupersedesTheOlder(long seed) {
    Simulation sim = converged(40, seed, 0.05);
    long older = sim.broadcast(3, "config", "flag", 64);
    sim.runFor(Duration.ofMillis(20));
    long newer = sim.broadcast(3, "config", "flag", 64);
    sim.runFor(Duration.ofSeconds(15));

    UserMetrics m = sim.userMetrics();
    for (int i : sim.liveNodes()) {
      if (i != 3) {
        assertThat(sim.delivered(newer, i)).as("node %d got the newer one", i).isTrue();
      }
    }
    assertThat(m.staleDeliveries()).as("older after newer").isZero();
    assertThat(m.missing()).isZero();
    assertThat(m.duplicates()).isZero();
    // every node got the older one first or never: superseded plus delivered covers all 39
    int olderDelivered = 0;
    for (int i : sim.liveNodes()) {
      olderDelivered += sim.delivered(older, i) ? 1 : 0;
    }
    assertThat(olderDelivered + m.superseded()).isEqualTo(39);
  }

  @Test
  void moreBroadcastsThanTheDedupWindowAndRestartedOriginsStillDeliverOnce() {
    Simulation sim = converged(12, 6, 0);
    // 1,500 broadcasts from node 1 (beyond the 1,024 sequence numbers remembered per origin
    // life), then node 1 restarts five times (beyond the 4 lives remembered) and broadcasts again
    for (int k = 0; k < 1500; k++) {
      sim.schedule(sim.now().plusMillis(10L * k), () -> sim.broadcast(1, "t", null, 16));
    }
    sim.runFor(Duration.ofSeconds(25));
    for (int life = 0; life < 5; life++) {
      sim.crash(1);
      sim.runFor(Duration.ofMillis(500));
      sim.restart(1);
      sim.runFor(Duration.ofSeconds(3));
      for (int k = 0; k < 5; k++) {
        sim.broadcast(1, "t", null, 16);
      }
      sim.runFor(Duration.ofSeconds(3));
    }
    sim.runFor(Duration.ofSeconds(10));

    UserMetrics m = sim.userMetrics();
    assertThat(m.broadcasts()).isEqualTo(1525);
    assertThat(m.duplicates()).isZero();
    assertThat(m.staleDeliveries()).isZero();
    assertThat(m.deliveredFraction()).isEqualTo(1.0);
  }

  /**
   * 150 nodes start within a second, gossiping joins at full packets meanwhile: user broadcasts
   * still get their share and reach every node once. They are slow (p99 about 9 s) because a node
   * sends user data only to members it knows read wire version 4, and right after joining it knows
   * that of few (decision 043).
   */
  @Test
  void broadcastsSpreadDuringAJoinStorm() {
    Simulation sim = Simulation.builder().nodes(150).seed(7).build();
    sim.runUntil(Duration.ofMillis(600));
    spread(sim, 20, 100, null, 7);
    sim.runFor(Duration.ofSeconds(20));

    UserMetrics m = sim.userMetrics();
    assertThat(m.deliveredFraction()).isEqualTo(1.0);
    assertThat(m.duplicates()).isZero();
    assertThat(m.deliveryPercentile(99)).isLessThan(12_000_000_000L);
  }

  @Test
  void membershipUpdatesStillSpreadUnderAFloodOfUserBroadcasts() {
    Scenario quiet = new Scenario().nodes(100).durationSeconds(50).loss(0.05).updates(12).seed(8);
    Scenario flood =
        new Scenario()
            .nodes(100)
            .durationSeconds(50)
            .loss(0.05)
            .updates(12)
            .seed(8)
            .userRate(100)
            .userPayloadBytes(256);
    SimReport q = quiet.run(null);
    SimReport f = flood.run(null);

    assertThat(f.number("user_broadcasts")).isGreaterThan(3000);
    assertThat(f.number("dissemination_incomplete")).isZero();
    assertThat(f.number("dissemination_p99_ms"))
        .as("membership update p99 with 100 user broadcasts/s, vs %s without", q.values())
        .isLessThanOrEqualTo(1.5 * q.number("dissemination_p99_ms") + 200);
    assertThat(f.number("false_positives")).isZero();
  }
}
