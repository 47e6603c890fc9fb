package io.libgossip.sim;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.Lifeguard;
import io.libgossip.core.QueryOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The standard capacity-planning scenario behind {@code gossip sim}: start a cluster, wait for it
 * to converge, then inject metadata updates, crashes, pauses and an optional partition, run to the
 * end and report what was measured.
 *
 * <p>Timeline, relative to the moment the cluster first converges ({@code F}; if it never does, the
 * earlier of the end of the run and 60 s after the last node started): update {@code k} (1 ≤ k ≤
 * updates) at {@code F + k × updateInterval} on a random running, unpaused node; crash {@code j} at
 * {@code F + 1 s + 2 s × j + U[0, 1 s)}; pause {@code j} at {@code F + 2 s + 2 s × j + U[0, 1 s)};
 * the partition (a random 50/50 two-way split) from {@code F + 5 s} for the partition duration, or,
 * with {@link #partitions(List)}, one such split (new random halves each) per window. Crash and
 * pause victims are distinct random nodes other than node 0.
 */
public final class Scenario {
  private int nodes = 100;
  private double durationS = 60;
  private double loss;
  private double latencyMs = 1;
  private double jitterMs = 0.5;
  private boolean timing;
  private double clockSkewMs;
  private double latencySpreadMs;
  private int fail = 1;
  private int pause;
  private double pauseMs = 8000;
  private boolean partition;
  private double partitionS = 60;
  private List<PartitionWindow> windows = List.of();
  private long seed = 1;
  private String profile = "lan";
  private String overload = "default";
  private int confirmationChecks = -1; // -1: the profile's
  private double joinRate;
  private int updates = 10;
  private double updateIntervalMs = 3000;
  private double restartAfterS;
  private double userRate;
  private int userPayloadBytes = 64;
  private double userKeyedFraction;
  private double userWindowS = 10;
  private double userStartS = 1;
  private double churnPerMinute;
  private double churnDowntimeS = 30;
  private int queries;
  private double queryIntervalMs = 2000;
  private int queryAnswerBytes = 64;
  private double queryTimeoutMs;
  private @Nullable String lifeguard;
  private double slowFraction;
  private double slowLoss = 0.8;
  private boolean measureHeap;

  /** Mixed into the seed of the generator that picks the slow nodes. */
  private static final long SLOW_PICK_SALT = 0x5_10E_0D_E5L;

  /** Keys a keyed user broadcast picks from (per origin and topic). */
  static final int USER_KEYS = 4;

  /** Mixed into the seed of the application traffic's and the churn's own generator. */
  private static final long USER_SEED_SALT = 0x5EED_0F_A11_C0DEL;

  /** The simulation of the last {@link #run}, for tests. */
  @Nullable Simulation lastSimulation;

  /** Called with the simulation right after it is built, for tests. */
  java.util.function.@Nullable Consumer<Simulation> onBuild;

  /** A scenario with the CLI's defaults. */
  public Scenario() {}

  private static double finite(String name, double v, double min, double max) {
    if (Double.isNaN(v) || v < min || v > max) {
      throw new IllegalArgumentException(name + " must be in [" + fmt(min) + ", " + fmt(max) + "]");
    }
    return v;
  }

  private static String fmt(double d) {
    return Json.number(d);
  }

  /** Number of nodes, in [2, 1000000]. Default 100. */
  public Scenario nodes(int v) {
    if (v < 2 || v > 1_000_000) {
      throw new IllegalArgumentException("nodes must be in [2, 1000000]");
    }
    nodes = v;
    return this;
  }

  /** Simulated seconds in total, joins included, in (0, 1e6]. Default 60. */
  public Scenario durationSeconds(double v) {
    finite("duration", v, 0, 1e6);
    if (v == 0) {
      throw new IllegalArgumentException("duration must be positive");
    }
    durationS = v;
    return this;
  }

  /** Best-effort packet loss probability in [0, 1). Default 0. */
  public Scenario loss(double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException("loss must be in [0, 1)");
    }
    loss = v;
    return this;
  }

  /** One-way base latency in milliseconds, in [0, 60000]. Default 1. */
  public Scenario latencyMs(double v) {
    latencyMs = finite("latency", v, 0, 60_000);
    return this;
  }

  /** Maximum uniform jitter in milliseconds, in [0, 60000]. Default 0.5. */
  public Scenario jitterMs(double v) {
    jitterMs = finite("jitter", v, 0, 60_000);
    return this;
  }

  /**
   * Clock offsets and Vivaldi coordinates on every node ({@link GossipConfig#clockOffsets()} and
   * {@link GossipConfig#coordinates()}); the report then has their estimation errors. Default off.
   */
  public Scenario timing(boolean v) {
    timing = v;
    return this;
  }

  /** The largest skew of a node's wall clock in milliseconds, in [0, 3600000]. Default 0. */
  public Scenario clockSkewMs(double v) {
    clockSkewMs = finite("clock skew", v, 0, 3_600_000);
    return this;
  }

  /**
   * The side in milliseconds of a square on which nodes are placed at random (from a generator of
   * their own): a link's one-way latency is the base latency plus the distance of its ends. In [0,
   * 60000]; default 0 (every link has the base latency).
   */
  public Scenario latencySpreadMs(double v) {
    latencySpreadMs = finite("latency spread", v, 0, 60_000);
    return this;
  }

  /** Nodes to crash after convergence. Default 1. */
  public Scenario fail(int v) {
    if (v < 0) {
      throw new IllegalArgumentException("fail must be >= 0");
    }
    fail = v;
    return this;
  }

  /** Nodes to pause after convergence. Default 0. */
  public Scenario pause(int v) {
    if (v < 0) {
      throw new IllegalArgumentException("pause must be >= 0");
    }
    pause = v;
    return this;
  }

  /** Length of each pause in milliseconds, in (0, 3600000]. Default 8000. */
  public Scenario pauseMs(double v) {
    finite("pause-ms", v, 0, 3_600_000);
    if (v == 0) {
      throw new IllegalArgumentException("pause-ms must be positive");
    }
    pauseMs = v;
    return this;
  }

  /** Whether to split the cluster 50/50 (two-way) after convergence. Default false. */
  public Scenario partition(boolean v) {
    partition = v;
    return this;
  }

  /** How long the partition lasts, in seconds, in (0, 1e6]. Default 60. */
  public Scenario partitionSeconds(double v) {
    finite("partition-s", v, 0, 1e6);
    if (v == 0) {
      throw new IllegalArgumentException("partition-s must be positive");
    }
    partitionS = v;
    return this;
  }

  /**
   * Several partitions, each a new random 50/50 two-way split from {@code F + startS} for its
   * duration (see {@link PartitionWindow#parseList(String)}); in order, not overlapping. Replaces
   * {@link #partition(boolean)}'s single one. Default none.
   */
  public Scenario partitions(List<PartitionWindow> v) {
    List<PartitionWindow> copy = List.copyOf(v);
    PartitionWindow.checkOrder(copy);
    windows = copy;
    return this;
  }

  /** Root seed. Default 1. */
  public Scenario seed(long v) {
    seed = v;
    return this;
  }

  /**
   * Which parts of the core's overload control are on (decision 052): {@code default} (every part
   * but deferring accusations when saturated; {@code no-defer} is the same), {@code all}, {@code
   * none}, or the default without one part ({@code no-lanes}, {@code no-accusers}, {@code
   * no-budget}, {@code no-capacity}).
   */
  public Scenario overload(String v) {
    overloadParts(v); // validates
    overload = v;
    return this;
  }

  /**
   * Relays of each confirmation re-probe (decision 051), 0 to 16; 0 turns confirmation off. By
   * default the profile's value.
   */
  public Scenario confirmationChecks(int v) {
    if (v < 0 || v > 16) {
      throw new IllegalArgumentException("confirmation checks must be in [0, 16], got " + v);
    }
    confirmationChecks = v;
    return this;
  }

  /** The parts named by an {@link #overload(String)} value. */
  static java.util.Set<io.libgossip.core.OverloadControl> overloadParts(String v) {
    java.util.Set<io.libgossip.core.OverloadControl> parts =
        io.libgossip.core.OverloadControl.defaults();
    switch (v) {
      case "default" -> {}
      case "all" -> parts.addAll(io.libgossip.core.OverloadControl.all());
      case "none" -> parts.clear();
      case "no-lanes" -> parts.remove(io.libgossip.core.OverloadControl.PRIORITY_LANES);
      case "no-accusers" -> parts.remove(io.libgossip.core.OverloadControl.TELL_ACCUSERS);
      case "no-budget" -> parts.remove(io.libgossip.core.OverloadControl.CORRECTION_BUDGET);
      case "no-capacity" -> parts.remove(io.libgossip.core.OverloadControl.SCALED_CAPACITY);
      case "no-defer" -> parts.remove(io.libgossip.core.OverloadControl.DEFER_WHEN_SATURATED);
      default ->
          throw new IllegalArgumentException(
              "must be default, all, none, no-lanes, no-accusers, no-budget, no-capacity or"
                  + " no-defer");
    }
    return parts;
  }

  /** Protocol profile: {@code lan}, {@code wan} or {@code local}. Default {@code lan}. */
  public Scenario profile(String v) {
    GossipConfig.profile(v); // validates
    profile = v;
    return this;
  }

  /** Nodes started per second; 0 picks {@link Simulation#defaultJoinRate(int)}. */
  public Scenario joinRate(double v) {
    joinRate = finite("join-rate", v, 0, 1e9);
    return this;
  }

  /** Metadata updates to make after convergence. Default 10. */
  public Scenario updates(int v) {
    if (v < 0 || v > 1_000_000) {
      throw new IllegalArgumentException("updates must be in [0, 1000000]");
    }
    updates = v;
    return this;
  }

  /** Time between metadata updates in milliseconds. Default 3000. */
  public Scenario updateIntervalMs(double v) {
    finite("update-interval-ms", v, 1, 3_600_000);
    updateIntervalMs = v;
    return this;
  }

  /** Restart each crashed node this many seconds after its crash; 0 never restarts. Default 0. */
  public Scenario restartAfterSeconds(double v) {
    restartAfterS = finite("restart-after-s", v, 0, 1e6);
    return this;
  }

  /**
   * User broadcasts per second, cluster-wide, from {@link #userStartSeconds} after {@code F} until
   * {@link #userWindowSeconds} before the end, each from a random running, unpaused node; 0 for
   * none. Default 0.
   */
  public Scenario userRate(double v) {
    userRate = finite("user-rate", v, 0, 100_000);
    return this;
  }

  /** Payload size of each user broadcast in bytes, in [8, 16 MiB]. Default 64. */
  public Scenario userPayloadBytes(int v) {
    if (v < UserTrafficTracker.TAG_BYTES || v > 16 << 20) {
      throw new IllegalArgumentException("user-payload-bytes must be in [8, 16777216]");
    }
    userPayloadBytes = v;
    return this;
  }

  /**
   * Fraction of user broadcasts that carry a key (one of {@value #USER_KEYS} per origin), so that a
   * newer one from the same origin supersedes them; in [0, 1]. Default 0.
   */
  public Scenario userKeyedFraction(double v) {
    userKeyedFraction = finite("user-keyed", v, 0, 1);
    return this;
  }

  /**
   * How long before the end of the run user broadcasts stop, in seconds, so that the last ones have
   * time to spread; in [0, 1e6]. Default 10.
   */
  public Scenario userWindowSeconds(double v) {
    userWindowS = finite("user-window-s", v, 0, 1e6);
    return this;
  }

  /**
   * When user broadcasts and queries start, in seconds after {@code F}, in [0, 1e6]; a later start
   * measures a cluster whose nodes have had time to learn each other's wire versions. Default 1.
   */
  public Scenario userStartSeconds(double v) {
    userStartS = finite("user-start-s", v, 0, 1e6);
    return this;
  }

  /**
   * A churn storm: this fraction of the nodes crash and restart (after {@link
   * #churnDowntimeSeconds}) per minute, evenly spread from {@code F + 1 s} to the end, each a
   * random running, joined, unpaused node other than node 0; in [0, 60]. Default 0 (none).
   */
  public Scenario churnPerMinute(double v) {
    churnPerMinute = finite("churn", v, 0, 60);
    return this;
  }

  /** How long each churned node stays down, in seconds, in (0, 1e6]. Default 30. */
  public Scenario churnDowntimeSeconds(double v) {
    finite("churn-downtime-s", v, 0, 1e6);
    if (v == 0) {
      throw new IllegalArgumentException("churn-downtime-s must be positive");
    }
    churnDowntimeS = v;
    return this;
  }

  /**
   * Queries to every node, one every {@link #queryIntervalMs} from {@link #userStartSeconds} after
   * {@code F}, each from a random running, unpaused node; every node answers with {@link
   * #queryAnswerBytes} bytes. Default 0.
   */
  public Scenario queries(int v) {
    if (v < 0 || v > 1_000_000) {
      throw new IllegalArgumentException("queries must be in [0, 1000000]");
    }
    queries = v;
    return this;
  }

  /** Time between queries in milliseconds. Default 2000. */
  public Scenario queryIntervalMs(double v) {
    queryIntervalMs = finite("query-interval-ms", v, 1, 3_600_000);
    return this;
  }

  /** Size of every node's answer to a query, in bytes; -1 for no answer. Default 64. */
  public Scenario queryAnswerBytes(int v) {
    if (v < -1 || v > 16 << 20) {
      throw new IllegalArgumentException("query-answer-bytes must be in [-1, 16777216]");
    }
    queryAnswerBytes = v;
    return this;
  }

  /** Timeout of each query in milliseconds; 0 for the core's default. Default 0. */
  public Scenario queryTimeoutMs(double v) {
    queryTimeoutMs = finite("query-timeout-ms", v, 0, 3_600_000);
    return this;
  }

  /**
   * Which of Lifeguard's parts every node runs, by name ({@link Lifeguard#named}: {@code full},
   * {@code none}, {@code no-lhm}, {@code no-dynamic}, {@code no-buddy}, {@code no-nack}). Default:
   * the profile's (full).
   */
  public Scenario lifeguard(String name) {
    Lifeguard.named(name); // validates
    lifeguard = name;
    return this;
  }

  /**
   * The fraction of nodes that are slow from {@code F} on, in [0, 1): {@code ceil(fraction ×
   * nodes)} random nodes other than node 0 and the crash and pause victims, each dropping {@link
   * #slowLoss} of the best-effort packets that reach it ({@link Simulation#slow}). Default 0.
   */
  public Scenario slowFraction(double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException("slow must be in [0, 1)");
    }
    slowFraction = v;
    return this;
  }

  /** The inbound loss of each slow node, in (0, 1]. Default 0.8 (the Rapid paper's). */
  public Scenario slowLoss(double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException("slow-loss must be in (0, 1]");
    }
    slowLoss = v;
    return this;
  }

  /**
   * Whether to measure the simulation's live heap at the end of the run (a full collection before
   * the simulation is built and one at the end) and report it ({@code heap_*} keys). Not part of
   * the trace hash; the collections are outside {@code wall_ms}. Default false.
   */
  public Scenario measureHeap(boolean v) {
    measureHeap = v;
    return this;
  }

  /** The number of slow nodes {@link #slowFraction} gives. */
  int slowCount() {
    return slowFraction <= 0 ? 0 : (int) Math.ceil(slowFraction * nodes - 1e-9);
  }

  /** The number of nodes. */
  public int nodes() {
    return nodes;
  }

  /** Total simulated seconds. */
  public double durationSeconds() {
    return durationS;
  }

  /** Whether the partition is enabled. */
  public boolean partition() {
    return partition;
  }

  /** Partition length in seconds. */
  public double partitionSeconds() {
    return partitionS;
  }

  /** The partitions given to {@link #partitions(List)}; empty if none. */
  public List<PartitionWindow> partitionWindows() {
    return windows;
  }

  /**
   * Checks the settings against each other.
   *
   * @throws IllegalArgumentException naming the conflicting options
   */
  public void validate() {
    if ((long) fail + pause > nodes - 1L) {
      throw new IllegalArgumentException(
          "--fail "
              + fail
              + " plus --pause "
              + pause
              + " exceed the "
              + (nodes - 1)
              + " nodes that may be faulted (all but node 0)");
    }
    if ((long) fail + pause + slowCount() > nodes - 1L) {
      throw new IllegalArgumentException(
          "--fail "
              + fail
              + " plus --pause "
              + pause
              + " plus "
              + slowCount()
              + " slow nodes (--slow "
              + fmt(slowFraction)
              + ") exceed the "
              + (nodes - 1)
              + " nodes that may be faulted (all but node 0)");
    }
  }

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }

  /**
   * Latencies of nodes at random points of a square of side {@code side} nanoseconds: {@code base}
   * plus the distance, the points from a generator of their own (decision 061).
   */
  static LinkLatency plane(int n, long seed, long base, long side) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x9_1A7E_5EEDL);
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble() * side;
      y[i] = r.nextDouble() * side;
    }
    return (from, to) -> base + Math.round(Math.hypot(x[from] - x[to], y[from] - y[to]));
  }

  private static long msNanos(double ms) {
    return Math.round(ms * 1e6);
  }

  /**
   * Runs the scenario.
   *
   * @param progress called now and then with the virtual time in nanoseconds, or null
   */
  public SimReport run(@Nullable LongConsumer progress) {
    validate();
    GossipConfig config = GossipConfig.profile(profile);
    if (lifeguard != null) {
      config = config.toBuilder().lifeguard(Lifeguard.named(lifeguard)).build();
    }
    long heapBefore = measureHeap ? HeapMeter.liveBytes() : 0;

    if (!overload.equals("default")) {
      config = config.toBuilder().overloadControl(overloadParts(overload)).build();
    }
    if (confirmationChecks >= 0) {
      config = config.toBuilder().confirmationChecks(confirmationChecks).build();
    }
    if (timing) {
      config = config.toBuilder().clockOffsets(true).coordinates(true).build();
    }
    double rate = joinRate > 0 ? joinRate : Simulation.defaultJoinRate(nodes);
    Simulation.Builder b =
        Simulation.builder()
            .nodes(nodes)
            .seed(seed)
            .config(config)
            .loss(loss)
            .latency(Duration.ofNanos(msNanos(latencyMs)))
            .jitter(Duration.ofNanos(msNanos(jitterMs)))
            .joinRate(rate)
            .queryAnswerBytes(queryAnswerBytes);
    if (clockSkewMs > 0) {
      b.clockSkew(Duration.ofNanos(msNanos(clockSkewMs)));
    }
    if (latencySpreadMs > 0) {
      b.linkLatency(plane(nodes, seed, msNanos(latencyMs), msNanos(latencySpreadMs)));
    }
    long wallStart = System.nanoTime();
    Simulation sim = b.build();
    lastSimulation = sim;
    if (onBuild != null) {
      onBuild.accept(sim);
    }
    if (progress != null) {
      sim.onProgress(progress);
    }
    long end = nanos(durationS);
    long lastStart = Math.round((nodes - 1) * 1e9 / rate);
    long cutoff = Math.min(end, lastStart + 60_000_000_000L);
    sim.runUntilNanos(cutoff, sim::isConverged);
    long f = sim.nowNanos();
    List<PartitionWindow> cuts =
        !windows.isEmpty()
            ? windows
            : partition ? List.of(new PartitionWindow(5, partitionS)) : List.of();
    long[] healAt = new long[cuts.size()];
    long[] healed = new long[cuts.size()];
    Arrays.fill(healAt, -1);
    Arrays.fill(healed, -1);
    if (f < end) {
      plan(sim, f, cuts, healAt, healed);
      planUserTraffic(sim, f, end);
    }
    sim.runUntilNanos(end, null);
    settleHeal(sim, healAt, healed, cuts.size() - 1);
    long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
    // measured with every node still held: the report below reads the simulation
    long heapLive = measureHeap ? Math.max(0, HeapMeter.liveBytes() - heapBefore) : -1;
    return report(sim, config, rate, f, healed, wallMs, heapLive);
  }

  /**
   * How many slow nodes every other running node holds {@code FAILED} at the end (the cluster
   * removed them), among the slow nodes still running.
   */
  private static int slowFailedEverywhere(Simulation sim) {
    int count = 0;
    for (int s : sim.liveNodes()) {
      if (sim.isSlow(s) && sim.allSee(s, io.libgossip.core.NodeStatus.FAILED)) {
        count++;
      }
    }
    return count;
  }

  /** Records how long partition {@code i} took to heal, if it has healed and converged since. */
  private static void settleHeal(Simulation sim, long[] healAt, long[] healed, int i) {
    if (i >= 0 && healAt[i] >= 0 && healed[i] < 0 && sim.watchedConvergedNanos() >= 0) {
      healed[i] = sim.watchedConvergedNanos() - healAt[i];
    }
  }

  private void plan(
      Simulation sim, long f, List<PartitionWindow> cuts, long[] healAt, long[] healed) {
    SplittableRandom rnd = sim.scenarioRandom();
    int[] pool = new int[nodes - 1];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = i + 1;
    }
    int victims = fail + pause;
    for (int i = 0; i < victims; i++) {
      int j = i + rnd.nextInt(pool.length - i);
      int t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    int slow = slowCount();
    if (slow > 0) {
      // Their own generator: the other choices stay those of a run without slow nodes.
      SplittableRandom sr = new SplittableRandom(seed ^ SLOW_PICK_SALT);
      for (int i = victims; i < victims + slow; i++) {
        int j = i + sr.nextInt(pool.length - i);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        sim.slow(pool[i], slowLoss);
      }
    }
    for (int k = 1; k <= updates; k++) {
      sim.scheduleNanos(
          f + k * msNanos(updateIntervalMs),
          () -> {
            List<Integer> ok = new ArrayList<>();
            for (int i : sim.liveNodes()) {
              if (!sim.isPaused(i)) {
                ok.add(i);
              }
            }
            if (!ok.isEmpty()) {
              int who = ok.get(rnd.nextInt(ok.size()));
              sim.updateMetadata(who, Map.of("update", Long.toString(sim.nowNanos())));
            }
          });
    }
    for (int j = 0; j < fail; j++) {
      int victim = pool[j];
      long at = f + 1_000_000_000L + 2_000_000_000L * j + rnd.nextLong(1_000_000_000L);
      sim.scheduleNanos(
          at,
          () -> {
            if (sim.isUp(victim)) {
              sim.crash(victim);
            }
          });
      if (restartAfterS > 0) {
        sim.scheduleNanos(
            at + nanos(restartAfterS),
            () -> {
              if (!sim.isUp(victim)) {
                sim.restart(victim);
              }
            });
      }
    }
    for (int j = 0; j < pause; j++) {
      int victim = pool[fail + j];
      long at = f + 2_000_000_000L + 2_000_000_000L * j + rnd.nextLong(1_000_000_000L);
      sim.scheduleNanos(
          at,
          () -> {
            if (sim.isUp(victim)) {
              sim.pause(victim, Duration.ofNanos(msNanos(pauseMs)));
            }
          });
    }
    for (int w = 0; w < cuts.size(); w++) {
      int[] all = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        all[i] = i;
      }
      for (int i = nodes - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      List<Integer> a = new ArrayList<>();
      List<Integer> bb = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        (i < nodes / 2 ? a : bb).add(all[i]);
      }
      int window = w;
      long start = f + nanos(cuts.get(w).startS());
      long heal = start + nanos(cuts.get(w).durationS());
      sim.scheduleNanos(
          start,
          () -> {
            settleHeal(sim, healAt, healed, window - 1);
            sim.partition(a, bb, true);
          });
      sim.scheduleNanos(
          heal,
          () -> {
            sim.heal();
            sim.watchConvergence();
            healAt[window] = sim.nowNanos();
          });
    }
  }

  /**
   * Schedules the user broadcasts, the queries and the churn storm. They draw from their own
   * generator, so that runs without them make exactly the random choices they made before.
   */
  private void planUserTraffic(Simulation sim, long f, long end) {
    if (userRate <= 0 && queries == 0 && churnPerMinute <= 0) {
      return;
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ USER_SEED_SALT);
    long start = f + nanos(userStartS);
    if (userRate > 0) {
      long stop = end - nanos(userWindowS);
      long gap = Math.max(1, Math.round(1e9 / userRate));
      SplittableRandom br = rnd.split();
      repeat(sim, start, gap, stop, () -> sendBroadcast(sim, br));
    }
    if (queries > 0) {
      SplittableRandom qr = rnd.split();
      QueryOptions.Builder qo = QueryOptions.builder();
      if (queryTimeoutMs > 0) {
        qo.timeout(Duration.ofNanos(msNanos(queryTimeoutMs)));
      }
      QueryOptions options = qo.build();
      long gap = msNanos(queryIntervalMs);
      for (int k = 0; k < queries; k++) {
        long at = start + k * gap;
        if (at > end) {
          break;
        }
        int n = k;
        sim.scheduleNanos(
            at,
            () -> {
              int who = pickRunning(sim, qr, false);
              if (who >= 0) {
                sim.query(who, "sim-query", UserTrafficTracker.payload(n, 16), options);
              }
            });
      }
    }
    if (churnPerMinute > 0) {
      SplittableRandom cr = rnd.split();
      long gap = Math.max(1, Math.round(60e9 / (churnPerMinute * nodes)));
      long down = nanos(churnDowntimeS);
      repeat(
          sim,
          f + 1_000_000_000L,
          gap,
          end,
          () -> {
            int victim = pickRunning(sim, cr, true);
            if (victim > 0) {
              sim.crash(victim);
              sim.scheduleNanos(
                  sim.nowNanos() + down,
                  () -> {
                    if (!sim.isUp(victim)) {
                      sim.restart(victim);
                    }
                  });
            }
          });
    }
  }

  /** Runs {@code action} at {@code at}, {@code at + gap}, ... up to {@code stop}, one at a time. */
  private static void repeat(Simulation sim, long at, long gap, long stop, Runnable action) {
    if (at > stop) {
      return;
    }
    sim.scheduleNanos(
        at,
        () -> {
          action.run();
          repeat(sim, at + gap, gap, stop, action);
        });
  }

  private void sendBroadcast(Simulation sim, SplittableRandom rnd) {
    int who = pickRunning(sim, rnd, false);
    if (who < 0) {
      return;
    }
    String key = rnd.nextDouble() < userKeyedFraction ? "k" + rnd.nextInt(USER_KEYS) : null;
    sim.broadcast(who, "sim", key, userPayloadBytes);
  }

  /**
   * A random running, unpaused node (for churn also joined, and not node 0), or -1 after a few
   * tries.
   */
  private static int pickRunning(Simulation sim, SplittableRandom rnd, boolean churn) {
    int[] up = sim.liveNodes();
    if (up.length == 0) {
      return -1;
    }
    for (int attempt = 0; attempt < 16; attempt++) {
      int i = up[rnd.nextInt(up.length)];
      if (!sim.isPaused(i) && (!churn || (i != 0 && sim.hasJoined(i)))) {
        return i;
      }
    }
    return -1;
  }

  private static double ms(long nanos) {
    return nanos < 0 ? -1 : nanos / 1e6;
  }

  /** The application-traffic keys, present only when such traffic was configured or sent. */
  @SuppressWarnings("NonApiType") // the report's order
  private void reportUser(LinkedHashMap<String, Object> r, UserMetrics u) {
    if (userRate > 0 || u.broadcasts() > 0) {
      r.put("user_rate", userRate);
      r.put("user_payload_bytes", userPayloadBytes);
      r.put("user_broadcasts", u.broadcasts());
      r.put("user_dissemination_p50_ms", ms(u.deliveryPercentile(50)));
      r.put("user_dissemination_p99_ms", ms(u.deliveryPercentile(99)));
      r.put("user_dissemination_max_ms", ms(u.deliveryPercentile(100)));
      r.put("user_delivered_fraction", u.deliveredFractionFloor());
      r.put("user_missing", u.missing());
      r.put("user_superseded", u.superseded());
      r.put("user_duplicates", u.duplicates());
      r.put("user_stale_deliveries", u.staleDeliveries());
    }
    if (queries > 0 || u.queries() > 0) {
      r.put("queries", u.queries());
      r.put("query_answer_bytes", queryAnswerBytes);
      r.put("query_completion_p50_ms", ms(u.queryPercentile(50)));
      r.put("query_completion_p99_ms", ms(u.queryPercentile(99)));
      r.put("query_completion_max_ms", ms(u.queryPercentile(100)));
      r.put("query_answered_fraction", u.queryAnsweredFraction());
      r.put("query_timeouts", u.queriesTimedOut());
      r.put("query_unfinished", u.queriesUnfinished());
    }
  }

  /** Medians of the detection times over the crashes detected, for churn runs. */
  @SuppressWarnings("NonApiType") // the report's order
  private void reportChurn(LinkedHashMap<String, Object> r, List<Detection> detections) {
    long[] first = new long[detections.size()];
    long[] all = new long[detections.size()];
    int nf = 0;
    int na = 0;
    for (Detection d : detections) {
      if (d.firstSuspectNanos() >= 0) {
        first[nf++] = d.firstSuspectNanos();
      }
      if (d.allFailedNanos() >= 0) {
        all[na++] = d.allFailedNanos();
      }
    }
    first = Arrays.copyOf(first, nf);
    all = Arrays.copyOf(all, na);
    Arrays.sort(first);
    Arrays.sort(all);
    r.put("churn_per_min", churnPerMinute);
    r.put("detection_first_p50_ms", ms(SimMetrics.percentile(first, 50)));
    r.put("detection_all_p50_ms", ms(SimMetrics.percentile(all, 50)));
    r.put("detection_all_p99_ms", ms(SimMetrics.percentile(all, 99)));
  }

  private void reportTiming(Map<String, Object> r, TimingAccuracy t) {
    r.put("clock_skew_ms", clockSkewMs);
    r.put("timing_offset_pairs", t.offsetPairs());
    r.put("timing_offset_error_p50_ms", t.offsetErrorP50Ms());
    r.put("timing_offset_error_p90_ms", t.offsetErrorP90Ms());
    r.put("timing_offset_within_bound", t.offsetWithinBound());
    r.put("timing_rtt_error_p50_ms", t.measuredRttErrorP50Ms());
    r.put("vivaldi_pairs", t.rttPairs());
    r.put("vivaldi_rtt_error_p50_ms", t.vivaldiRttErrorP50Ms());
    r.put("vivaldi_rtt_error_p90_ms", t.vivaldiRttErrorP90Ms());
    r.put("vivaldi_rtt_rel_error_p50", t.vivaldiRttRelErrorP50());
  }

  private SimReport report(
      Simulation sim,
      GossipConfig config,
      double rate,
      long f,
      long[] healed,
      long wallMs,
      long heapLive) {
    SimMetrics m = sim.metrics();
    LinkedHashMap<String, Object> r = new LinkedHashMap<>();
    r.put("nodes", nodes);
    r.put("seed", seed);
    r.put("profile", profile);
    if (!overload.equals("default")) {
      r.put("overload", overload); // only when not the default: reports of the default unchanged
    }
    if (confirmationChecks >= 0) {
      r.put("confirmation_checks", confirmationChecks);
    }
    r.put("simulated_s", m.nowNanos() / 1e9);
    r.put("wall_ms", wallMs);
    r.put("events", m.events());
    r.put("loss", loss);
    r.put("latency_ms", latencyMs);
    r.put("jitter_ms", jitterMs);
    if (latencySpreadMs > 0) {
      r.put("latency_spread_ms", latencySpreadMs); // only when set: reports without it unchanged
    }
    r.put("join_rate", rate);
    r.put("join_converged_ms", ms(m.joinConvergedNanos()));
    r.put("membership_complete_ms", ms(m.membershipCompleteNanos()));
    r.put("faults_start_ms", ms(f));
    r.put("updates", m.updates());
    r.put("dissemination_p50_ms", ms(m.disseminationPercentile(50)));
    r.put("dissemination_p99_ms", ms(m.disseminationPercentile(99)));
    r.put("dissemination_max_ms", ms(m.disseminationPercentile(100)));
    r.put("dissemination_samples", m.disseminationNanos().length);
    r.put("dissemination_incomplete", m.disseminationIncomplete());
    if (sim.userTrafficRan() || userRate > 0 || queries > 0) {
      reportUser(r, sim.userMetrics());
    }

    int detectedFirst = 0;
    long sumFirst = 0;
    long maxFirst = 0;
    long maxAll = 0;
    int missingFirst = 0;
    int incomplete = 0;
    int restartedEarly = 0;
    for (Detection d : m.detections()) {
      if (d.firstSuspectNanos() >= 0) {
        detectedFirst++;
        sumFirst += d.firstSuspectNanos();
        maxFirst = Math.max(maxFirst, d.firstSuspectNanos());
      } else if (!d.restartedBeforeDetection()) {
        missingFirst++;
      }
      if (d.allFailedNanos() >= 0) {
        maxAll = Math.max(maxAll, d.allFailedNanos());
      } else if (d.restartedBeforeDetection()) {
        restartedEarly++;
      } else {
        incomplete++;
      }
    }
    boolean anyCrash = !m.detections().isEmpty();
    r.put("crashes", m.crashes());
    r.put("detection_first_mean_ms", detectedFirst == 0 ? -1.0 : sumFirst / 1e6 / detectedFirst);
    r.put(
        "detection_first_max_ms",
        !anyCrash || missingFirst > 0 || detectedFirst == 0 ? -1.0 : ms(maxFirst));
    r.put(
        "detection_all_max_ms",
        !anyCrash || incomplete > 0 || restartedEarly == m.detections().size() ? -1.0 : ms(maxAll));
    r.put("detection_incomplete", incomplete);
    r.put("detection_restarted", restartedEarly);
    if (churnPerMinute > 0) {
      reportChurn(r, m.detections());
    }
    r.put("suspicion_timeout_min_ms", ms(config.suspicionTimeoutMin(nodes).toNanos()));
    r.put("suspicion_timeout_max_ms", ms(config.suspicionTimeoutMax(nodes).toNanos()));
    r.put("detection_bound_ms", ms(Simulation.detectionBoundNanos(config, nodes)));
    if (lifeguard != null) {
      r.put("lifeguard", lifeguard);
    }
    r.put("false_positives", m.falsePositives());
    r.put("healthy_suspicions", m.healthySuspicions());
    if (slowFraction > 0) {
      Simulation.SlowCounts s = sim.slowFalsePositives();
      r.put("slow_nodes", slowCount());
      r.put("slow_loss", slowLoss);
      r.put("false_positives_about_slow", s.aboutSlow());
      r.put("false_positives_about_healthy", m.falsePositives() - s.aboutSlow());
      r.put("false_positives_by_slow", s.bySlow());
      r.put("healthy_suspicions_about_slow", s.suspicionsAboutSlow());
      r.put("dropped_slow", s.inboundDrops());
      r.put("slow_failed_everywhere", slowFailedEverywhere(sim));
    }
    r.put("pauses", m.pauses());
    r.put("partitions", m.partitions());
    long worst = healed.length == 0 ? -1 : 0;
    StringBuilder each = new StringBuilder();
    for (long h : healed) {
      worst = h < 0 || worst < 0 ? -1 : Math.max(worst, h);
      each.append(each.length() == 0 ? "" : ",").append(Json.number(ms(h)));
    }
    r.put("partition_heal_converged_ms", ms(worst));
    if (!windows.isEmpty()) {
      r.put("partition_heals_ms", each.toString());
    }
    r.put("restarts", m.restarts());
    r.put("leaves", m.leaves());
    r.put("msgs_per_node_s", m.messagesPerNodeSecond());
    r.put("bytes_per_node_s", m.bytesPerNodeSecond());
    for (String kind : SimMetrics.messageKinds()) {
      r.put("bytes_per_node_s_" + kind, m.bytesPerNodeSecond(kind));
    }
    for (String kind : SimMetrics.messageKinds()) {
      r.put("msgs_per_node_s_" + kind, m.messagesPerNodeSecond(kind));
    }
    r.put("traffic_window_s", (m.nowNanos() - m.windowStartNanos()) / 1e9);
    r.put("formation_bytes_per_node", (m.bytesSent() - m.windowBytes()) / (double) nodes);
    r.put("messages_sent", m.messagesSent());
    r.put("bytes_sent", m.bytesSent());
    r.put("dropped_loss", m.droppedLoss());
    r.put("dropped_partition", m.droppedPartition());
    r.put("dropped_unreachable", m.droppedUnreachable());
    r.put("live_nodes_end", sim.liveCount());
    r.put("converged_end", sim.isConverged());
    r.put("tick_stalls", m.tickStalls());
    if (heapLive >= 0) {
      r.put("heap_live_bytes", heapLive);
      r.put("heap_per_node_bytes", heapLive / nodes);
      r.put("heap_per_member_bytes", heapLive / ((double) nodes * nodes));
    }
    if (timing) {
      reportTiming(r, sim.timingAccuracy());
    }
    r.put("trace_hash", String.format("%016x", m.traceHash()));
    return new SimReport(r);
  }
}
