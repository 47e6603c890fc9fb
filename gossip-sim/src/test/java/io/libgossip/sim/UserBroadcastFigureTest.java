package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.MessageHandler;
import io.libgossip.core.UserBroadcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * User broadcast figures on the simulator: how long a broadcast takes to reach every live node,
 * whether every live node gets it, and that none gets it twice. A check of the core's rules by its
 * author; the simulator's own scenarios and metrics report the published figures.
 *
 * <p>The default runs 300 nodes; {@code -Dbcast.nodes=1000 -Dbcast.seeds=1,2,3} runs the issue's
 * figure (LAN, 5% loss) and {@code -Dbcast.churn=true} adds 5% of nodes restarting per minute.
 */
class UserBroadcastFigureTest {
  /** Delivery times per broadcast (origin/seq) per node index and life. */
  static final class Recorder {
    final Map<String, Long> sentAt = new HashMap<>();
    final Map<String, Map<String, Integer>> times = new HashMap<>();
    final List<Long> latencies = new ArrayList<>();
    long duplicates;
    Simulation sim;

    MessageHandler handler(int node, int life) {
      return new MessageHandler() {
        @Override
        public void onBroadcast(UserBroadcast b) {
          String id = b.origin() + "/" + b.seq();
          Map<String, Integer> got = times.computeIfAbsent(id, k -> new HashMap<>());
          if (got.merge(node + "@" + life, 1, Integer::sum) > 1) {
            duplicates++;
          }
          Long at = sentAt.get(id);
          if (at != null) {
            latencies.add(sim.nowNanos() - at);
          }
        }
      };
    }
  }

  record Figures(double p50ms, double p99ms, double maxMs, double delivered, long duplicates) {}

  static Figures run(int nodes, long seed, boolean churn) {
    Recorder r = new Recorder();
    int[] lives = new int[nodes];
    Simulation sim =
        Simulation.builder()
            .nodes(nodes)
            .seed(seed)
            .loss(0.05)
            .customizeCore((i, b) -> b.messageHandler(r.handler(i, ++lives[i])))
            .build();
    r.sim = sim;
    assertThat(sim.runUntilConverged(Duration.ofSeconds(120))).isTrue();
    sim.runFor(Duration.ofSeconds(Long.getLong("bcast.warmup", 60)));
    SplittableRandom random = new SplittableRandom(seed);
    if (Boolean.getBoolean("bcast.debug")) {
      long known = 0;
      for (int i : sim.liveNodes()) {
        for (int j : sim.liveNodes()) {
          if (i != j && sim.core(i).wireVersionsOf(sim.id(j)).isPresent()) {
            known++;
          }
        }
      }
      System.out.printf(
          "ranges known at %d s: %.3f%n",
          sim.nowNanos() / 1_000_000_000L, known / (double) nodes / (nodes - 1));
    }
    long start = sim.nowNanos();
    int broadcasts = 20;
    List<String> ids = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int k = 0; k < broadcasts; k++) {
      long at = start + k * 500_000_000L;
      sim.scheduleNanos(
          at,
          () -> {
            int[] live = sim.liveNodes();
            int origin = live[random.nextInt(live.length)];
            long seq = sim.core(origin).broadcast("figure", new byte[64], null, sim.nowNanos());
            String id = sim.id(origin) + "/" + seq;
            r.sentAt.put(id, sim.nowNanos());
            ids.add(id);
            expected.add(Arrays.stream(live).filter(i -> i != origin).toArray());
          });
      if (churn && k % 2 == 0) {
        // 5% of the nodes per minute: one restart per 1.2 s at N = 1000
        int victim = random.nextInt(nodes);
        sim.scheduleNanos(
            at + 250_000_000L,
            () -> {
              if (sim.isUp(victim)) {
                sim.crash(victim);
                sim.scheduleNanos(sim.nowNanos() + 2_000_000_000L, () -> sim.restart(victim));
              }
            });
      }
    }
    sim.runFor(Duration.ofSeconds(broadcasts / 2 + 15));
    long want = 0;
    long got = 0;
    for (int k = 0; k < ids.size(); k++) {
      Map<String, Integer> times = r.times.getOrDefault(ids.get(k), Map.of());
      for (int i : expected.get(k)) {
        if (!sim.isUp(i)) {
          continue; // crashed meanwhile
        }
        want++;
        boolean any = times.keySet().stream().anyMatch(s -> s.startsWith(i + "@"));
        if (any) {
          got++;
        }
      }
    }
    long[] lat = r.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Figures(
        lat[lat.length / 2] / 1e6,
        lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] / 1e6,
        lat[lat.length - 1] / 1e6,
        want == 0 ? 1 : (double) got / want,
        r.duplicates);
  }

  @Test
  void everyLiveNodeDeliversEachBroadcastOnceAndSoon() {
    int nodes = Integer.getInteger("bcast.nodes", 300);
    boolean churn = Boolean.getBoolean("bcast.churn");
    for (String s : System.getProperty("bcast.seeds", "1").split(",")) {
      long seed = Long.parseLong(s.trim());
      Figures f = run(nodes, seed, churn);
      System.out.printf(
          "user broadcasts N=%d seed=%d churn=%s: p50 %.0f ms, p99 %.0f ms, max %.0f ms,"
              + " delivered %.5f, duplicates %d%n",
          nodes, seed, churn, f.p50ms(), f.p99ms(), f.maxMs(), f.delivered(), f.duplicates());
      assertThat(f.duplicates()).isZero();
      if (!churn) {
        // every one since the repair announcements (decision 047); before, a node missed a
        // broadcast with probability about e^-(retransmit limit): one in 6000 at N=300 seed 1
        assertThat(f.delivered()).isEqualTo(1.0);
        assertThat(f.p99ms()).isLessThanOrEqualTo(1500);
      }
    }
  }
}
