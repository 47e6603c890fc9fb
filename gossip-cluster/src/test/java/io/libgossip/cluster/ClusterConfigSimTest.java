package io.libgossip.cluster;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipConfig;
import io.libgossip.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClusterConfig} on simulated cores: concurrent writes to shared keys from every node, loss,
 * skewed clocks (one going back), a two-way partition with writes on both sides, crashes and
 * restarts (a restarted node starts empty). After the heal every live node holds the same map, in
 * which no acknowledged write is missing unless a larger-stamped write to its key replaced it,
 * within the bound documented in docs/cluster.md.
 */
class ClusterConfigSimTest {
  private static final int N = 10;
  private static final long T0 = 1_700_000_000_000L;

  /**
   * The documented bound after the last fault heals: two push-pull intervals (30 s each with {@link
   * GossipConfig#lan()} below 33 members) plus 10 s for the membership to re-form and the crashed
   * nodes to restart. Measured (seeds 1-10, loss 0, 5 and 20%): at most 42.5 s.
   */
  static final Duration BOUND_AFTER_HEAL = Duration.ofSeconds(70);

  /**
   * The bound for writes made while nothing is broken but the loss: a push-pull interval and a half
   * (a broadcast reaches everyone in under a second; a node that missed it gets it in the next
   * exchange).
   */
  static final Duration BOUND_QUIET = Duration.ofSeconds(45);

  /** One acknowledged write: put or remove returned {@code stamp} on node {@code writer}. */
  record Write(String key, ConfigStamp stamp, byte @Nullable [] value, int writer) {}

  /** A cluster of simulated cores, each with a ClusterConfig (a fresh one on every restart). */
  static final class Cluster {
    final Simulation sim;
    final ClusterConfig[] configs = new ClusterConfig[N];
    final Duration tombstoneLifetime;

    /** When every running node first saw every other ONLINE during {@link #converge}, or -1. */
    long membershipAt = -1;

    Cluster(long seed, double loss, Duration tombstoneLifetime) {
      this(seed, loss, tombstoneLifetime, GossipConfig.lan());
    }

    Cluster(long seed, double loss, Duration tombstoneLifetime, GossipConfig config) {
      this.tombstoneLifetime = tombstoneLifetime;
      Simulation[] holder = new Simulation[1];
      this.sim =
          Simulation.builder()
              .nodes(N)
              .seed(seed)
              .loss(loss)
              .config(config)
              .customizeCore(
                  (i, b) -> {
                    ClusterConfig c =
                        ClusterConfig.builder(holder[0].id(i))
                            .wallClock(() -> wallMillis(holder[0], i))
                            .tombstoneLifetime(tombstoneLifetime)
                            .build();
                    c.attach(
                        (t, p, k) -> holder[0].core(i).broadcast(t, p, k, holder[0].nowNanos()));
                    configs[i] = c;
                    b.appState(c.appState()).messageHandler(c.messageHandler());
                  })
              .build();
      holder[0] = sim;
    }

    /** Each node's wall clock: skewed by up to ±250 ms; node 3's jumps back 2 s after 40 s. */
    static long wallMillis(Simulation sim, int i) {
      long ms = sim.nowNanos() / 1_000_000;
      long skew = (i * 137L) % 500 - 250;
      long back = i == 3 && ms > 40_000 ? -2_000 : 0;
      return T0 + ms + skew + back;
    }

    List<Integer> up() {
      return IntStream.range(0, N).filter(sim::isUp).boxed().toList();
    }

    /** Whether every running node holds the same entries (stamps and values), tombstones too. */
    boolean identical() {
      List<Integer> up = up();
      Map<String, ConfigEntry> first = configs[up.get(0)].entries();
      for (int i : up) {
        Map<String, ConfigEntry> m = configs[i].entries();
        if (!m.keySet().equals(first.keySet())) {
          return false;
        }
        for (Map.Entry<String, ConfigEntry> e : m.entrySet()) {
          if (!e.getValue().sameAs(first.get(e.getKey()))) {
            return false;
          }
        }
      }
      return true;
    }

    /** Whether every running node holds, for every write, that write or a later one. */
    boolean holdsAll(List<Write> writes) {
      for (int i : up()) {
        Map<String, ConfigEntry> m = configs[i].entries();
        for (Write w : writes) {
          ConfigEntry e = m.get(w.key());
          if (e == null || e.stamp().compareTo(w.stamp()) < 0) {
            return false;
          }
        }
      }
      return true;
    }

    /**
     * Runs in 100 ms steps until identical and holding {@code writes}; the time it took, or null.
     */
    @Nullable Duration converge(List<Write> writes, Duration max) {
      long start = sim.nowNanos();
      while (sim.nowNanos() - start <= max.toNanos()) {
        trackSpread();
        if (membershipAt < 0 && sim.allConverged()) {
          membershipAt = sim.nowNanos();
        }
        if (identical() && holdsAll(writes)) {
          return Duration.ofNanos(sim.nowNanos() - start);
        }
        sim.runFor(Duration.ofMillis(100));
      }
      return null;
    }

    /**
     * Per write (by its index in the log): when it was made, and when every running node held it.
     */
    final Map<Write, long[]> spread = new HashMap<>();

    /** Records, for the writes not yet everywhere, whether every running node now holds them. */
    void trackSpread() {
      for (Map.Entry<Write, long[]> e : spread.entrySet()) {
        long[] t = e.getValue();
        if (t[1] < 0 && holdsAll(List.of(e.getKey()))) {
          t[1] = sim.nowNanos();
        }
      }
    }

    /** The longest time from a tracked write to every running node holding it, or null. */
    @Nullable Duration slowestSpread() {
      long max = 0;
      for (long[] t : spread.values()) {
        if (t[1] < 0) {
          return null;
        }
        max = Math.max(max, t[1] - t[0]);
      }
      return Duration.ofNanos(max);
    }

    /** Schedules {@code count} writes from random running nodes in [from, from + span). */
    void writeRandomly(
        SplittableRandom r,
        List<Write> log,
        int count,
        Duration span,
        List<Integer> writers,
        boolean track) {
      long from = sim.nowNanos();
      for (int n = 0; n < count; n++) {
        long at = from + r.nextLong(span.toNanos());
        int writer = writers.get(r.nextInt(writers.size()));
        String key = "key-" + r.nextInt(12);
        boolean remove = r.nextInt(5) == 0;
        String value = "v" + n + "@" + writer;
        sim.schedule(
            Duration.ofNanos(at),
            () -> {
              if (!sim.isUp(writer)) {
                return;
              }
              ClusterConfig c = configs[writer];
              ConfigStamp s = remove ? c.remove(key) : c.put(key, value);
              Write w = new Write(key, s, remove ? null : value.getBytes(UTF_8), writer);
              log.add(w);
              if (track) {
                spread.put(w, new long[] {sim.nowNanos(), -1});
              }
            });
      }
      long end = from + span.toNanos();
      while (sim.nowNanos() < end) {
        sim.runFor(Duration.ofMillis(100));
        trackSpread();
      }
    }
  }

  /**
   * The writes of {@code victim} that no other running node holds (by stamp) now: a crash may lose
   * them (not acknowledged beyond the writer, see the guarantee).
   */
  private static List<Write> unreplicated(Cluster c, List<Write> log, int victim) {
    List<Write> lost = new ArrayList<>();
    for (Write w : log) {
      if (w.writer() != victim) {
        continue;
      }
      boolean held =
          c.up().stream()
              .filter(i -> i != victim)
              .anyMatch(
                  i -> {
                    ConfigEntry e = c.configs[i].entries().get(w.key());
                    return e != null && e.stamp().compareTo(w.stamp()) >= 0;
                  });
      if (!held) {
        lost.add(w);
      }
    }
    return lost;
  }

  @ParameterizedTest(name = "seed {0}, loss {1}")
  @CsvSource({"1, 0", "1, 0.05", "2, 0.05", "3, 0.05", "1, 0.20", "2, 0.20", "3, 0.20"})
  void liveNodesConvergeToOneMapWithEveryWriteNotOverwrittenAfterPartitionsLossAndRestarts(
      long seed, double loss) {
    Cluster c = new Cluster(seed, loss, Duration.ofHours(1));
    Simulation sim = c.sim;
    assertThat(sim.runUntilConverged(Duration.ofSeconds(60))).as("formed, seed %d", seed).isTrue();
    SplittableRandom r = new SplittableRandom(seed * 31 + (long) (loss * 100));
    List<Write> log = new ArrayList<>();
    List<Integer> all = IntStream.range(0, N).boxed().toList();

    // 1. concurrent writes from every node to 12 shared keys, nothing broken but the loss
    c.writeRandomly(r, log, 80, Duration.ofSeconds(20), all, true);
    Duration quiet = c.converge(log, BOUND_QUIET);
    assertThat(quiet).as("seed %d loss %s: converged after the writes", seed, loss).isNotNull();
    Duration slowest = c.slowestSpread();
    assertThat(slowest).isNotNull().isLessThanOrEqualTo(BOUND_QUIET);

    // a crashed node restarts empty and catches up through its join exchange
    sim.crash(7);
    sim.runFor(Duration.ofSeconds(5));
    sim.restart(7);
    long restartedAt = sim.nowNanos();
    Duration catchUp = c.converge(log, BOUND_QUIET);
    assertThat(catchUp).as("seed %d loss %s: the restarted node caught up", seed, loss).isNotNull();
    assertThat(sim.nowNanos() - restartedAt).isEqualTo(catchUp.toNanos());

    // 2. a two-way partition with writes on both sides, then a crash on each side
    List<Integer> a = all.subList(0, N / 2);
    List<Integer> b = all.subList(N / 2, N);
    sim.partition(a, b, true);
    c.writeRandomly(r, log, 60, Duration.ofSeconds(40), all, false);
    sim.runFor(Duration.ofSeconds(15));
    List<Write> lost = new ArrayList<>();
    for (int victim : List.of(4, 9)) {
      lost.addAll(unreplicated(c, log, victim));
      sim.crash(victim);
    }
    sim.runFor(Duration.ofSeconds(5));

    // 3. heal; the crashed nodes restart empty a little later
    sim.heal();
    long healedAt = sim.nowNanos();
    c.membershipAt = -1;
    sim.schedule(Duration.ofNanos(healedAt + 5_000_000_000L), () -> sim.restart(4));
    sim.schedule(Duration.ofNanos(healedAt + 8_000_000_000L), () -> sim.restart(9));
    for (int step = 0; step < 80; step++) {
      sim.runFor(Duration.ofMillis(100));
      if (c.membershipAt < 0 && sim.allConverged()) {
        c.membershipAt = sim.nowNanos();
      }
    }
    List<Write> acknowledged = log.stream().filter(w -> !lost.contains(w)).toList();
    Duration rest = c.converge(acknowledged, BOUND_AFTER_HEAL.minusSeconds(8));
    assertThat(rest)
        .as(
            "seed %d loss %s: every live node holds one map within %s of the heal",
            seed, loss, BOUND_AFTER_HEAL)
        .isNotNull();
    Duration afterHeal = rest.plusSeconds(8);

    // the map is, key by key, the write with the largest stamp among the acknowledged ones (or a
    // larger one that got out before its writer crashed), and every value is one that was written
    Map<String, ConfigEntry> map = c.configs[0].entries();
    Map<String, Write> best = new HashMap<>();
    for (Write w : acknowledged) {
      best.merge(w.key(), w, (x, y) -> y.stamp().compareTo(x.stamp()) > 0 ? y : x);
    }
    for (Map.Entry<String, ConfigEntry> e : map.entrySet()) {
      ConfigEntry got = e.getValue();
      assertThat(log)
          .as("seed %d: %s was written", seed, got)
          .anyMatch(
              w ->
                  w.key().equals(got.key())
                      && got.sameAs(new ConfigEntry(w.key(), w.stamp(), w.value())));
      assertThat(got.stamp()).isGreaterThanOrEqualTo(best.get(e.getKey()).stamp());
    }
    assertThat(map.keySet()).isEqualTo(best.keySet());
    for (int i : c.up()) {
      assertThat(c.configs[i].stats().malformed()).isZero();
      assertThat(c.configs[i].stats().overBound()).isZero();
    }
    System.out.printf(
        "config sim seed=%d loss=%.2f writes=%d lost-with-crashed-writer=%d slowest-write=%.1fs"
            + " restart-catch-up=%.1fs quiet=%.1fs membership-after-heal=%.1fs after-heal=%.1fs"
            + " keys=%d%n",
        seed,
        loss,
        log.size(),
        lost.size(),
        slowest.toMillis() / 1e3,
        catchUp.toMillis() / 1e3,
        quiet.toMillis() / 1e3,
        c.membershipAt < 0 ? -1 : (c.membershipAt - healedAt) / 1e9,
        afterHeal.toMillis() / 1e3,
        c.configs[0].size());
  }

  @ParameterizedTest(name = "seed {0}, tombstones kept {1} s")
  @CsvSource({"1, 3600, false", "2, 3600, false", "1, 20, true", "2, 20, true"})
  void aDeleteOutlivesAPartitionShorterThanItsTombstoneALongerOneBringsTheKeyBack(
      long seed, long lifetimeSeconds, boolean comesBack) {
    Cluster c = new Cluster(seed, 0.05, Duration.ofSeconds(lifetimeSeconds));
    Simulation sim = c.sim;
    assertThat(sim.runUntilConverged(Duration.ofSeconds(60))).isTrue();
    c.configs[0].put("feature.x", "on");
    assertThat(c.converge(List.of(), BOUND_QUIET)).isNotNull();
    assertThat(c.configs[9].getString("feature.x")).contains("on");

    List<Integer> all = IntStream.range(0, N).boxed().toList();
    sim.partition(all.subList(0, 5), all.subList(5, N), true);
    sim.runFor(Duration.ofSeconds(1));
    c.configs[7].remove("feature.x"); // side B deletes; side A still holds "on"
    sim.runFor(Duration.ofSeconds(59));
    for (int i = 5; i < N; i++) {
      assertThat(c.configs[i].get("feature.x")).isNull();
      assertThat(c.configs[i].stats().tombstones()).isEqualTo(comesBack ? 0 : 1);
    }
    assertThat(c.configs[0].getString("feature.x")).contains("on");

    sim.heal();
    assertThat(c.converge(List.of(), BOUND_AFTER_HEAL)).as("seed %d", seed).isNotNull();
    for (int i = 0; i < N; i++) {
      // the documented caveat: a partition longer than the tombstone lifetime undoes the delete
      assertThat(c.configs[i].getString("feature.x"))
          .as("seed %d node %d", seed, i)
          .isEqualTo(comesBack ? java.util.Optional.of("on") : java.util.Optional.empty());
    }
  }
}
