package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quorum leader election and both job scheduler modes over five simulated nodes, through a
 * seeded script of partitions (the leader in the minority, in the majority, cut off alone for less
 * than the detection time), pauses of the leader longer and shorter than the detection time, and a
 * crash of the leader, at 0, 5 and 20 % loss. It checks: no term held by two nodes; no instant with
 * two running leaders; no (job, due time) run twice in at-most-once mode; every due time run in
 * at-least-once mode; a leader again after the crash.
 */
class QuorumSimTest {
  private static final int N = 5;
  private static final int JOBS = 10;
  private static final Duration TAKEOVER = Duration.ofSeconds(15);

  static QuorumSimHarness script(long seed, double loss, Duration takeover, boolean oneWay) {
    Simulation sim = Simulation.builder().nodes(N).seed(seed).loss(loss).build();
    Duration catchUp =
        Duration.ofNanos(Simulation.detectionBoundNanos(sim.config(), N)).plusSeconds(5);
    QuorumSimHarness h = new QuorumSimHarness(sim, JOBS, takeover, catchUp);
    SplittableRandom rng = new SplittableRandom(seed);
    h.run(Duration.ofSeconds(30));

    // 1. a 2 | 3 partition, the leader in the minority half of the time
    int leader = h.leader();
    List<Integer> minority = pickMinority(rng, leader, rng.nextBoolean());
    partition(h, minority, Duration.ofSeconds(45));
    h.run(Duration.ofSeconds(40));

    // 2. the leader (or anyone) paused longer than the detection time, then shorter
    h.sim.pause(leaderOr(h, rng), Duration.ofSeconds(30));
    h.run(Duration.ofSeconds(60));
    h.sim.pause(leaderOr(h, rng), Duration.ofSeconds(3));
    h.run(Duration.ofSeconds(20));

    // 3. the leader in the minority, for sure
    partition(h, pickMinority(rng, h.leader(), true), Duration.ofSeconds(45));
    h.run(Duration.ofSeconds(40));

    // 4. the leader cut off alone for less than the detection time: stale views on both sides
    partition(h, List.of(leaderOr(h, rng)), Duration.ofSeconds(3));
    h.run(Duration.ofSeconds(30));

    if (oneWay) {
      // 4b. the leader hears the others but they do not hear it, for 40 s
      int l = leaderOr(h, rng);
      List<Integer> rest = IntStream.range(0, N).boxed().filter(i -> i != l).toList();
      h.sim.partition(List.of(l), rest, false);
      h.run(Duration.ofSeconds(40));
      h.sim.heal();
      h.run(Duration.ofSeconds(30));
    }

    // 5. the leader crashes
    h.sim.crash(leaderOr(h, rng));
    h.run(Duration.ofSeconds(60));
    return h;
  }

  private static int leaderOr(QuorumSimHarness h, SplittableRandom rng) {
    int l = h.leader();
    return l >= 0 ? l : rng.nextInt(N);
  }

  private static List<Integer> pickMinority(SplittableRandom rng, int leader, boolean withLeader) {
    List<Integer> others = new ArrayList<>(IntStream.range(0, N).boxed().toList());
    List<Integer> out = new ArrayList<>();
    if (leader >= 0) {
      others.remove(Integer.valueOf(leader));
      if (withLeader) {
        out.add(leader);
      }
    }
    while (out.size() < 2) {
      out.add(others.remove(rng.nextInt(others.size())));
    }
    return out;
  }

  private static void partition(QuorumSimHarness h, List<Integer> side, Duration d) {
    List<Integer> rest = IntStream.range(0, N).boxed().filter(i -> !side.contains(i)).toList();
    h.sim.partition(side, rest, true);
    h.run(d);
    h.sim.heal();
  }

  static String summary(long seed, double loss, QuorumSimHarness h) {
    long from = h.jobsRegisteredMillis + 1_000;
    long to = h.millis() - 2_000;
    long due = h.dueTimes(from, to);
    return String.format(
        Locale.ROOT,
        "seed=%d loss=%.2f terms=%d shared_terms=%d overlap_steps=%d leaderless=%.1f%%"
            + " | at-most-once: ran=%d/%d (%.1f%%) dup=%d | at-least-once: unrun=%d dup=%d",
        seed,
        loss,
        h.termHolders.size(),
        h.sharedTerms(),
        h.overlapSteps,
        100.0 * h.leaderlessSteps / h.steps,
        h.ran(h.atMostRuns, from, to),
        due,
        100.0 * h.ran(h.atMostRuns, from, to) / due,
        h.atMostOnceDuplicates(),
        h.unrun(h.atLeastRuns, from, to),
        h.atLeastOnceDuplicates());
  }

  @ParameterizedTest
  @CsvSource({
    "1, 0.0", "2, 0.0", "3, 0.0", "1, 0.05", "2, 0.05", "3, 0.05", "1, 0.20", "2, 0.20", "3, 0.20",
    "4, 0.20"
  })
  void atMostOneLeaderPerTermAtMostOnceRunsAndEveryDueTimeRunsAtLeastOnce(long seed, double loss) {
    QuorumSimHarness h = script(seed, loss, TAKEOVER, false);
    String s = summary(seed, loss, h);
    System.out.println("QuorumSimTest " + s);
    assertThat(h.sharedTerms()).as("terms held by two nodes; %s", s).isZero();
    assertThat(h.overlapSteps).as("instants with two running leaders; %s", s).isZero();
    long from = h.jobsRegisteredMillis + 1_000;
    long to = h.millis() - 2_000;
    assertThat(h.atMostOnceDuplicates())
        .as("at-most-once duplicates; %s: %s", s, h.details(h.atMostRuns, from, to, true))
        .isZero();
    assertThat(h.unrun(h.atLeastRuns, from, to))
        .as("at-least-once gaps; %s: %s", s, h.details(h.atLeastRuns, from, to, false))
        .isZero();
    assertThat(h.ran(h.atMostRuns, from, to)).as("at-most-once ran at all; %s", s).isPositive();
    assertThat(h.leader()).as("a leader after the crash; %s", s).isNotNegative();
  }

  /**
   * The known gap: a one-way partition of the leader (it receives, it cannot send) may give two
   * leaders at once and duplicate at-most-once runs (measured in decision 060: in 3 of these 10
   * runs), but never two leaders with the same term, and at-least-once still runs every due time.
   */
  @ParameterizedTest
  @CsvSource({
    "1, 0.0", "2, 0.0", "3, 0.0", "1, 0.05", "2, 0.05", "3, 0.05", "1, 0.20", "2, 0.20", "3, 0.20",
    "4, 0.20"
  })
  void aOneWayPartitionOfTheLeaderNeverGivesTwoLeadersTheSameTerm(long seed, double loss) {
    QuorumSimHarness h = script(seed, loss, TAKEOVER, true);
    String s = summary(seed, loss, h);
    System.out.println("QuorumSimTest one-way " + s);
    assertThat(h.sharedTerms()).as("terms held by two nodes; %s", s).isZero();
    long from = h.jobsRegisteredMillis + 1_000;
    long to = h.millis() - 2_000;
    assertThat(h.unrun(h.atLeastRuns, from, to))
        .as("at-least-once gaps; %s: %s", s, h.details(h.atLeastRuns, from, to, false))
        .isZero();
    assertThat(h.leader()).as("a leader after the crash; %s", s).isNotNegative();
  }
}
