package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import io.libgossip.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Quorum leader elections and job schedulers (one of each mode) on every node of a simulation,
 * ticked every 100 ms of virtual time from the node's own view, with what they did recorded: which
 * node held which term, how many instants had two leaders or none, and the runs of every (job, due
 * time) in each mode. A paused or crashed node is not ticked: its process is frozen or gone.
 */
final class QuorumSimHarness {
  static final String ROLE = "svc";
  static final Duration STEP = Duration.ofMillis(100);
  static final Duration JOB_INTERVAL = Duration.ofSeconds(1);

  final Simulation sim;
  final int n;
  final Duration takeover;
  final List<MembershipTracker> trackers = new ArrayList<>();
  final List<QuorumLeaderElection> elections = new ArrayList<>();
  final List<JobScheduler> atMostOnce = new ArrayList<>();
  final List<JobScheduler> atLeastOnce = new ArrayList<>();
  final List<String> jobs = new ArrayList<>();

  /** Which node ids held each term, over the whole run. */
  final Map<Long, Set<String>> termHolders = new TreeMap<>();

  /** Successful runs by job, then due time (ms), per mode. */
  final Map<String, Map<Long, Integer>> atMostRuns = new HashMap<>();

  final Map<String, Map<Long, Integer>> atLeastRuns = new HashMap<>();
  final long jobsRegisteredMillis;
  int steps;
  int overlapSteps;
  int leaderlessSteps;

  QuorumSimHarness(Simulation sim, int jobCount, Duration takeover, Duration catchUp) {
    this.sim = sim;
    this.n = sim.size();
    this.takeover = takeover;
    if (!sim.runUntilConverged(Duration.ofSeconds(60))) {
      throw new AssertionError("seed " + sim.seed() + ": no convergence");
    }
    for (int i = 0; i < n; i++) {
      sim.updateMetadata(i, Map.of(NodeView.ROLE, ROLE));
    }
    sim.runFor(Duration.ofSeconds(5));
    for (int k = 0; k < jobCount; k++) {
      jobs.add("job-" + k);
      atMostRuns.put("job-" + k, new TreeMap<>());
      atLeastRuns.put("job-" + k, new TreeMap<>());
    }
    jobsRegisteredMillis = millis();
    for (int i = 0; i < n; i++) {
      int node = i;
      MembershipTracker t = new MembershipTracker(sim.view(i));
      trackers.add(t);
      LeaseClock clock =
          new LeaseClock() {
            @Override
            public long nanoTime() {
              return sim.nowNanos();
            }

            @Override
            public long epochMillis() {
              return sim.nowNanos() / 1_000_000;
            }
          };
      elections.add(
          QuorumLeaderElection.builder(t, sim.id(i), ROLE)
              .clock(clock)
              .takeoverDelay(takeover)
              .publisher(
                  MetadataPublisher.merging(
                      () -> sim.core(node).self().metadata(), m -> sim.updateMetadata(node, m)))
              .build());
      JobScheduler most =
          JobScheduler.builder(t, sim.id(i))
              .role(ROLE)
              .mode(JobScheduler.Mode.AT_MOST_ONCE)
              .takeoverDelay(takeover)
              .clock(clock)
              .executor(Runnable::run)
              .build();
      JobScheduler least =
          JobScheduler.builder(t, sim.id(i))
              .role(ROLE)
              .mode(JobScheduler.Mode.AT_LEAST_ONCE)
              .catchUp(catchUp)
              .clock(clock)
              .executor(Runnable::run)
              .build();
      for (String j : jobs) {
        most.schedule(j, JobSchedule.every(JOB_INTERVAL), at -> {});
        least.schedule(j, JobSchedule.every(JOB_INTERVAL), at -> {});
      }
      most.addListener(r -> record(atMostRuns, r));
      least.addListener(r -> record(atLeastRuns, r));
      atMostOnce.add(most);
      atLeastOnce.add(least);
    }
  }

  private static void record(Map<String, Map<Long, Integer>> runs, JobRun r) {
    if (r.ran()) {
      runs.get(r.job()).merge(r.scheduled().toEpochMilli(), 1, Integer::sum);
    }
  }

  long millis() {
    return sim.nowNanos() / 1_000_000;
  }

  boolean running(int i) {
    return sim.isUp(i) && !sim.isPaused(i);
  }

  /** Runs for {@code d}, ticking every running node each step and recording the leaders. */
  void run(Duration d) {
    long end = sim.nowNanos() + d.toNanos();
    while (sim.nowNanos() < end) {
      sim.runFor(STEP);
      List<Integer> leaders = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!running(i)) {
          continue;
        }
        trackers.get(i).replaceAll(sim.view(i));
        elections.get(i).tick();
        atMostOnce.get(i).tick();
        atLeastOnce.get(i).tick();
        if (elections.get(i).isLeader()) {
          leaders.add(i);
          termHolders.computeIfAbsent(elections.get(i).term(), k -> new HashSet<>()).add(sim.id(i));
        }
      }
      steps++;
      if (leaders.size() > 1) {
        overlapSteps++;
      }
      if (leaders.isEmpty()) {
        leaderlessSteps++;
      }
    }
  }

  /** The index of the running node that leads now, or -1. */
  int leader() {
    for (int i = 0; i < n; i++) {
      if (running(i) && elections.get(i).isLeader()) {
        return i;
      }
    }
    return -1;
  }

  /** Terms held by more than one node. */
  long sharedTerms() {
    return termHolders.values().stream().filter(s -> s.size() > 1).count();
  }

  /** (job, due time) pairs run more than once, in at-most-once mode. */
  long atMostOnceDuplicates() {
    return duplicates(atMostRuns);
  }

  /** (job, due time) pairs run more than once, in at-least-once mode. */
  long atLeastOnceDuplicates() {
    return duplicates(atLeastRuns);
  }

  private static long duplicates(Map<String, Map<Long, Integer>> runs) {
    return runs.values().stream().flatMap(m -> m.values().stream()).filter(c -> c > 1).count();
  }

  /** Due times in [from, to] ms for every job. */
  long dueTimes(long from, long to) {
    long per = 0;
    long step = JOB_INTERVAL.toMillis();
    for (long s = (from + step - 1) / step * step; s <= to; s += step) {
      per++;
    }
    return per * jobs.size();
  }

  /** Due times in [from, to] ms, over every job, with no run in {@code runs}. */
  long unrun(Map<String, Map<Long, Integer>> runs, long from, long to) {
    long step = JOB_INTERVAL.toMillis();
    long missing = 0;
    for (Map<Long, Integer> m : runs.values()) {
      for (long s = (from + step - 1) / step * step; s <= to; s += step) {
        if (!m.containsKey(s)) {
          missing++;
        }
      }
    }
    return missing;
  }

  /** The first unrun or duplicated due times, for a failure message. */
  String details(Map<String, Map<Long, Integer>> runs, long from, long to, boolean dups) {
    StringBuilder sb = new StringBuilder();
    long step = JOB_INTERVAL.toMillis();
    for (Map.Entry<String, Map<Long, Integer>> e : new TreeMap<>(runs).entrySet()) {
      for (long s = (from + step - 1) / step * step; s <= to; s += step) {
        Integer c = e.getValue().get(s);
        if (dups ? c != null && c > 1 : c == null) {
          sb.append(e.getKey()).append('@').append(s).append(' ');
        }
      }
    }
    return sb.length() > 600 ? sb.substring(0, 600) : sb.toString();
  }

  /** Due times in [from, to] ms that ran in {@code runs}. */
  long ran(Map<String, Map<Long, Integer>> runs, long from, long to) {
    return dueTimes(from, to) - unrun(runs, from, to);
  }
}
