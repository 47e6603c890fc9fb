package io.libgossip.sim;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.QueryOptions;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A deterministic discrete-event simulation of a cluster of real {@link GossipCore}s talking over a
 * simulated network, in virtual time.
 *
 * <p>Node {@code i} has id {@code "n" + i} and a distinct address {@code 10.x.y.z:7946}. Node 0
 * starts alone at time 0; node {@code i > 0} starts at {@code i / joinRate} seconds and joins
 * through a random node that is already running. Everything random (which packets are lost, jitter,
 * join seeds, each core's own generator) is drawn from one {@link SplittableRandom} seeded with
 * {@link Builder#seed(long)}: the same builder settings and the same sequence of calls give the
 * same run, event for event.
 *
 * <p>Faults are applied with {@link #crash}, {@link #restart} (or {@link #restartAt}, at a new
 * address), {@link #pause}, {@link #partition} and {@link #leave}, either between calls to {@link
 * #runUntil} or from actions scheduled with {@link #schedule}. While it runs, the simulation
 * measures join convergence, metadata dissemination, crash detection, false positives and traffic;
 * {@link #metrics()} returns them.
 *
 * <p>Not thread-safe: drive it from one thread.
 */
public final class Simulation {
  private final int n;
  private final long seed;
  private final SimEngine engine;

  /** Mixed into the seed of the slow nodes' drop generator. */
  private static final long SLOW_SEED_SALT = 0x51_0B0D_E5L;

  private final LiveNodes live;

  /** A builder with defaults: 100 nodes, seed 1, LAN profile, no loss, 1 ms latency. */
  public static Builder builder() {
    return new Builder();
  }

  private Simulation(Builder b) {
    this.n = b.nodes;
    this.seed = b.seed;
    this.engine = new SimEngine(b);
    this.live = engine.live;
  }

  /**
   * The join rate used when none is given: all nodes within the first second for up to 1000 nodes,
   * 100 nodes per second beyond (so a 10,000-node cluster starts over 100 s).
   */
  public static double defaultJoinRate(int nodes) {
    return nodes <= 1000 ? Math.max(1, nodes) : 100;
  }

  /** The address of node {@code i}: {@code 10.x.y.z:7946} with {@code x.y.z} = {@code i + 1}. */
  public static NodeAddress addressOf(int i) {
    int v = i + 1;
    return new NodeAddress(
        "10." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255), 7946);
  }

  /**
   * The time within which a crash should be {@code FAILED} everywhere, in nanoseconds: the core's
   * longest suspicion timeout for {@code nodes} members ({@link
   * GossipConfig#suspicionTimeoutMax(int)}) plus two probe intervals plus 3 s for dissemination.
   */
  public static long detectionBoundNanos(GossipConfig config, int nodes) {
    return config.suspicionTimeoutMax(nodes).toNanos()
        + 2 * config.probeInterval().toNanos()
        + 3_000_000_000L;
  }

  // ---------------------------------------------------------------- running

  /** Runs every event up to and including virtual time {@code time} (since the start). */
  public void runUntil(Duration time) {
    runUntilNanos(time.toNanos(), null);
  }

  /** Runs for {@code duration} more virtual time. */
  public void runFor(Duration duration) {
    runUntilNanos(engine.now() + duration.toNanos(), null);
  }

  /**
   * Runs until {@link #isConverged()} holds or virtual time {@code deadline} is reached.
   *
   * @return whether the cluster converged
   */
  public boolean runUntilConverged(Duration deadline) {
    if (isConverged()) {
      return true;
    }
    return runUntilNanos(deadline.toNanos(), this::isConverged);
  }

  /**
   * Runs events up to virtual time {@code end}, stopping early right after an event when {@code
   * stop} (if not null) returns true. Returns whether it stopped early.
   */
  boolean runUntilNanos(long end, @Nullable BooleanSupplier stop) {
    return engine.runUntil(end, stop);
  }

  /** Calls {@code listener} with the virtual time every 65,536 events (for progress reports). */
  public void onProgress(LongConsumer listener) {
    engine.onProgress(listener);
  }

  /** Runs {@code action} at virtual time {@code at} (since the start), in the simulation loop. */
  public void schedule(Duration at, Runnable action) {
    scheduleNanos(at.toNanos(), action);
  }

  void scheduleNanos(long at, Runnable action) {
    Objects.requireNonNull(action, "action");
    if (at < engine.now()) {
      throw new IllegalArgumentException(
          "cannot schedule in the past: at " + at + " ns, now " + engine.now() + " ns");
    }
    engine.push(at, new SimEvent.Action(action));
  }

  /** Observes every message a core sends, before the network decides its fate (for tests). */
  void sendTap(SimEngine.SendTap tap) {
    engine.sendTap(tap);
  }

  // ---------------------------------------------------------------- faults and commands

  private SimNode node(int i) {
    if (i < 0 || i >= n) {
      throw new IllegalArgumentException("node index must be in [0, " + n + "), got " + i);
    }
    return live.node(i);
  }

  private SimNode upNode(int i) {
    SimNode node = node(i);
    if (!node.up) {
      throw new IllegalStateException("node " + i + " is not running");
    }
    return node;
  }

  private SimNode upUnpaused(int i) {
    SimNode node = upNode(i);
    if (node.paused) {
      throw new IllegalStateException("node " + i + " is paused");
    }
    return node;
  }

  /** Crashes node {@code i} now: its core is discarded and packets in flight to it are lost. */
  public void crash(int i) {
    engine.commands.crash(upNode(i));
  }

  /**
   * Restarts a stopped node now: a fresh core with the same id and address at incarnation 0,
   * joining through a random running node.
   */
  public void restart(int i) {
    SimNode node = node(i);
    if (node.up) {
      throw new IllegalStateException("node " + i + " is running; crash it first");
    }
    if (!node.everStarted) {
      throw new IllegalStateException("node " + i + " has not started yet");
    }
    engine.commands.restart(node);
  }

  /**
   * Restarts a stopped node now at another address, as a process restarted on a new host or port
   * with the same id: a fresh core at incarnation 0 listening at {@code address}, joining through a
   * random running node. Packets to its old address reach nobody from now on. Use it after a {@link
   * #crash} (the old instance may be detected or not yet) or after a {@link #leave} has stopped the
   * node. To restart at a given time, call it from {@link #schedule}.
   *
   * @throws IllegalStateException when the node is running or has never started
   * @throws IllegalArgumentException when another node has {@code address}
   */
  public void restartAt(int i, NodeAddress address) {
    Objects.requireNonNull(address, "address");
    SimNode node = node(i);
    if (node.up) {
      throw new IllegalStateException("node " + i + " is running; crash it or let it leave first");
    }
    if (!node.everStarted) {
      throw new IllegalStateException("node " + i + " has not started yet");
    }
    live.move(node, address);
    engine.commands.restart(node);
  }

  /**
   * Where node {@code i} listens now: {@link #addressOf(int)} unless {@link #restartAt} moved it.
   */
  public NodeAddress address(int i) {
    return node(i).address;
  }

  /**
   * Pauses node {@code i} for {@code duration} from now, like a long GC pause: it runs no timers
   * and handles no packets; packets that reach it meanwhile are buffered and handled, in arrival
   * order, when the pause ends.
   */
  public void pause(int i, Duration duration) {
    SimNode node = upNode(i);
    long d = duration.toNanos();
    if (d <= 0) {
      throw new IllegalArgumentException("pause duration must be positive, got " + duration);
    }
    engine.commands.pause(node, d);
  }

  /**
   * Makes node {@code i} slow from now on, as an overloaded host whose receive buffer overflows: it
   * drops each best-effort (UDP) packet that reaches it with probability {@code inboundLoss}, on
   * top of the network's loss; reliable (TCP) messages still arrive. It keeps running and sending
   * and counts as healthy, so marking it {@code FAILED} is a false positive, counted apart too
   * ({@link #slowFalsePositives()}). 0 makes it normal again. The drops come from their own
   * generator, so a run without slow nodes draws exactly what it drew before.
   */
  public void slow(int i, double inboundLoss) {
    if (!(inboundLoss >= 0 && inboundLoss <= 1)) {
      throw new IllegalArgumentException("inboundLoss must be in [0, 1], got " + inboundLoss);
    }
    if (i < 0 || i >= n) {
      throw new IllegalArgumentException("node index " + i + " outside [0, " + n + ")");
    }
    engine.commands.slow(live.node(i), inboundLoss, seed ^ SLOW_SEED_SALT);
  }

  /** Whether node {@code i} was made slow (see {@link #slow}). */
  public boolean isSlow(int i) {
    return engine.commands.isSlow(i);
  }

  /**
   * The false-positive and healthy-suspicion counts split by slow nodes: {@code aboutSlow} (a slow
   * subject), {@code bySlow} (a slow observer marking a subject that is not slow {@code FAILED}),
   * {@code suspicionsAboutSlow}, and {@code inboundDrops} (best-effort packets slow nodes dropped).
   */
  public SlowCounts slowFalsePositives() {
    FalsePositiveTracker t = engine.measure.falsePositives;
    return new SlowCounts(
        t.failedAboutSlow(), t.failedBySlow(), t.suspectedSlow(), engine.commands.slowDrops());
  }

  /**
   * See {@link #slowFalsePositives()}.
   *
   * @param aboutSlow (observer, slow subject) pairs marked {@code FAILED}
   * @param bySlow (slow observer, subject not slow) pairs marked {@code FAILED}
   * @param suspicionsAboutSlow (slow subject, incarnation) pairs suspected
   * @param inboundDrops best-effort packets dropped by slow nodes
   */
  public record SlowCounts(int aboutSlow, int bySlow, int suspicionsAboutSlow, long inboundDrops) {}

  /**
   * Cuts the links from every node in {@code a} to every node in {@code b} (and back when {@code
   * twoWay}) until {@link #heal()}. Packets are checked when they arrive, so packets in flight
   * across the cut are lost too; reliable messages also fail when the cut exists at send time.
   */
  public void partition(Collection<Integer> a, Collection<Integer> b, boolean twoWay) {
    BitSet sa = toBits(a, "a");
    BitSet sb = toBits(b, "b");
    engine.commands.partition(new Network.Cut(sa, sb, twoWay));
  }

  private BitSet toBits(Collection<Integer> set, String name) {
    BitSet s = new BitSet(n);
    for (int i : set) {
      if (i < 0 || i >= n) {
        throw new IllegalArgumentException(
            "partition set " + name + " holds node index " + i + ", outside [0, " + n + ")");
      }
      s.set(i);
    }
    return s;
  }

  /** Removes every partition. */
  public void heal() {
    engine.commands.heal();
  }

  /** Whether any partition is in effect. */
  public boolean isPartitioned() {
    return engine.commands.partitioned();
  }

  /**
   * Replaces node {@code i}'s metadata now and tracks how long the change takes to reach every
   * other running node (see {@link SimMetrics#disseminationNanos()}).
   */
  public void updateMetadata(int i, Map<String, String> metadata) {
    engine.commands.updateMetadata(upUnpaused(i), metadata);
  }

  /**
   * Makes node {@code i} leave gracefully now; it stops once its {@code LEFT} announcement has
   * spread (or after the builder's leave timeout).
   */
  public void leave(int i) {
    engine.commands.leave(upUnpaused(i));
  }

  /**
   * Sends a user broadcast from node {@code i} now ({@code GossipCore#broadcast}) and tracks its
   * delivery to every other node that is running and joined now (see {@link #userMetrics()}). The
   * payload is {@code payloadBytes} long: the broadcast's number in its first 8 bytes, then filler.
   *
   * @param key when not null, a newer broadcast from the same node with the same topic and key
   *     supersedes this one
   * @return the broadcast's number, for {@link #delivered(long, int)}
   * @throws IllegalArgumentException when {@code payloadBytes < 8}, or when the core refuses the
   *     topic, the key or the size
   */
  public long broadcast(int i, String topic, @Nullable String key, int payloadBytes) {
    Objects.requireNonNull(topic, "topic");
    if (payloadBytes < UserTrafficTracker.TAG_BYTES) {
      throw new IllegalArgumentException(
          "payloadBytes must be at least "
              + UserTrafficTracker.TAG_BYTES
              + ", got "
              + payloadBytes);
    }
    return engine.broadcast(upUnpaused(i), topic, key, payloadBytes);
  }

  /**
   * Whether node {@code node}'s application (in its current life) has been given broadcast {@code
   * broadcast} (a number {@link #broadcast} returned).
   */
  public boolean delivered(long broadcast, int node) {
    node(node);
    return engine.measure.user.hasDelivered(broadcast, node);
  }

  /**
   * Asks a query from node {@code i} now ({@code GossipCore#query}) and tracks how long it takes to
   * end (see {@link #userMetrics()}). Every node's application answers every query it gets with
   * {@link Builder#queryAnswerBytes(int)} bytes after {@link Builder#queryAnswerDelay(Duration)}.
   */
  public void query(int i, String name, byte[] payload, QueryOptions options) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    engine.query(upUnpaused(i), name, payload, options);
  }

  // ---------------------------------------------------------------- inspection

  /** Number of nodes (running or not). */
  public int size() {
    return n;
  }

  /** The seed the simulation was built with. */
  public long seed() {
    return seed;
  }

  /**
   * The protocol configuration every node runs with (unless a {@link CoreCustomizer} changed it).
   */
  public GossipConfig config() {
    return engine.config();
  }

  /** Current virtual time since the start. */
  public Duration now() {
    return Duration.ofNanos(engine.now());
  }

  /** Current virtual time since the start, in nanoseconds. */
  public long nowNanos() {
    return engine.now();
  }

  /** The id of node {@code i}. */
  public String id(int i) {
    return node(i).id;
  }

  /** Whether node {@code i} is running (started, not crashed, not left); a paused node runs. */
  public boolean isUp(int i) {
    return node(i).up;
  }

  /** Whether node {@code i} is running and its core has completed its join ({@code SelfJoined}). */
  public boolean hasJoined(int i) {
    SimNode node = node(i);
    return node.up && node.joined;
  }

  /** Whether node {@code i} is paused. */
  public boolean isPaused(int i) {
    return node(i).paused;
  }

  /** Number of running nodes. */
  public int liveCount() {
    return live.count();
  }

  /** The indexes of the running nodes, ascending. */
  public int[] liveNodes() {
    return live.sorted();
  }

  /**
   * Packets dropped because their receiver does not read the wire version they were sent at, as its
   * decoder would ({@code UNSUPPORTED_VERSION}): version hellos to nodes that speak only older
   * versions.
   */
  public long versionDrops() {
    return engine.versionDrops();
  }

  /** The core of running node {@code i} (for inspection; do not drive it directly). */
  public GossipCore core(int i) {
    return upNode(i).running();
  }

  /** Node {@code i}'s membership table ({@link GossipCore#members()}). */
  public List<NodeView> view(int i) {
    return core(i).members();
  }

  /**
   * How running node {@code observer} sees node {@code subject} ({@code UNKNOWN} if not at all).
   */
  public NodeStatus statusOf(int observer, int subject) {
    SimNode s = node(subject);
    upNode(observer);
    return live.statusOf(observer, s);
  }

  /**
   * Whether every running node sees {@code subject} as {@code status} (the subject itself is not
   * asked).
   */
  public boolean allSee(int subject, NodeStatus status) {
    for (int k = 0; k < live.count(); k++) {
      int o = live.at(k);
      if (o != subject && statusOf(o, subject) != status) {
        return false;
      }
    }
    return true;
  }

  /**
   * How well the running nodes estimate each other's clock offsets and round trips now (with {@link
   * GossipConfig#clockOffsets()} on; otherwise no pairs).
   */
  public TimingAccuracy timingAccuracy() {
    return TimingAccuracy.of(engine);
  }

  /**
   * Whether every node has started and every running node sees every other running node {@code
   * ONLINE}, maintained incrementally from the cores' events (constant time).
   */
  public boolean isConverged() {
    return engine.measure.convergence.converged();
  }

  /**
   * The same as {@link #isConverged()}, but computed by asking every running core about every other
   * running node (quadratic; for tests).
   */
  public boolean allConverged() {
    if (!live.allStarted() || live.count() == 0) {
      return false;
    }
    for (int k = 0; k < live.count(); k++) {
      int o = live.at(k);
      for (int j = 0; j < live.count(); j++) {
        int s = live.at(j);
        if (s != o && statusOf(o, s) != NodeStatus.ONLINE) {
          return false;
        }
      }
    }
    return true;
  }

  /** A generator for scenario choices, split from the simulation's root seed. */
  SplittableRandom scenarioRandom() {
    return engine.scenarioRandom();
  }

  /**
   * Starts watching for the next moment the cluster is converged (see {@link
   * #watchedConvergedNanos()}).
   */
  void watchConvergence() {
    engine.measure.convergence.watch(engine.now());
  }

  /** The first time at or after {@link #watchConvergence()} the cluster was converged, or -1. */
  long watchedConvergedNanos() {
    return engine.measure.convergence.watchedConvergedAt();
  }

  /** The membership events seen so far, in order (empty unless the builder enabled tracing). */
  public List<TraceEvent> trace() {
    return engine.measure.trace.events();
  }

  /**
   * A 64-bit digest of every membership event so far (time, observer, subject, kind, status),
   * computed whether or not tracing is on: two runs with the same digest saw the same events.
   */
  public long traceHash() {
    return engine.measure.trace.hash();
  }

  /** What the simulation has measured so far. */
  public SimMetrics metrics() {
    return engine.metrics();
  }

  /** What the simulation has measured of application traffic so far. */
  public UserMetrics userMetrics() {
    return engine.measure.user.report();
  }

  /** Whether any user broadcast was sent or query asked (see {@link #userMetrics()}). */
  public boolean userTrafficRan() {
    return engine.measure.user.active();
  }

  /** Describes the first tick stalls (for failure messages). */
  String describeStalls() {
    return engine.measure.stalls.describe();
  }

  /** Describes the first false positives (for failure messages). */
  String describeFalsePositives() {
    return engine.measure.falsePositives.describe();
  }

  /** Describes the user broadcasts that have not reached every node yet (for failure messages). */
  String describeMissingBroadcasts() {
    return engine.measure.user.describeMissing();
  }

  /** Describes the metadata updates that have not reached every node yet (for failure messages). */
  String describePendingUpdates() {
    return engine.measure.dissemination.describePending();
  }

  /**
   * Checks the incremental convergence bookkeeping against the cores' tables; returns a description
   * of the first mismatch, or null (for tests).
   */
  @Nullable String verifyBookkeeping() {
    String online = engine.measure.convergence.verify();
    return online != null ? online : engine.measure.membership.verify();
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link Simulation}; every setter validates its argument. */
  public static final class Builder {
    // Read by SimEngine.
    int nodes = 100;
    long seed = 1;
    GossipConfig config = GossipConfig.lan();
    double loss;
    long latencyNanos = 1_000_000L;
    @Nullable LinkLatency linkLatency; // null: latencyNanos on every link
    long jitterNanos;
    long clockSkewNanos; // 0: every wall clock exact
    int reliableLatencyFactor = 2;
    double joinRate; // 0: defaultJoinRate(nodes)
    @Nullable MessageSerializer serializer; // null: the core's binary serializer
    boolean trace;
    long leaveTimeoutNanos = 10_000_000_000L;
    @Nullable CoreCustomizer customizer; // null: none
    int queryAnswerBytes = 64; // -1: no answer
    long queryAnswerDelayNanos;

    private Builder() {}

    /** Number of nodes, at least 2 (default 100). */
    public Builder nodes(int v) {
      if (v < 2 || v > 1_000_000) {
        throw new IllegalArgumentException("nodes must be in [2, 1000000], got " + v);
      }
      nodes = v;
      return this;
    }

    /** The root seed of every random choice (default 1). */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /** The protocol configuration of every node (default {@link GossipConfig#lan()}). */
    public Builder config(GossipConfig v) {
      config = Objects.requireNonNull(v, "config");
      return this;
    }

    /** Probability in [0, 1) that a best-effort packet is lost (default 0). */
    public Builder loss(double v) {
      if (!(v >= 0 && v < 1)) {
        throw new IllegalArgumentException("loss must be in [0, 1), got " + v);
      }
      loss = v;
      return this;
    }

    /** One-way base latency of every link (default 1 ms). */
    public Builder latency(Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException("latency must be >= 0, got " + v);
      }
      latencyNanos = v.toNanos();
      linkLatency = null;
      return this;
    }

    /** Per-link base latency; overrides {@link #latency(Duration)}. */
    public Builder linkLatency(LinkLatency v) {
      linkLatency = Objects.requireNonNull(v, "linkLatency");
      return this;
    }

    /**
     * The largest skew of a node's wall clock (default 0): each node's clock runs ahead or behind
     * virtual time by an amount drawn uniformly from [-v, v], from a generator of its own (other
     * draws, and so the trace, stay those of a run without). Read only by nodes with {@link
     * GossipConfig#clockOffsets()}.
     */
    public Builder clockSkew(Duration v) {
      if (v.isNegative() || v.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("clockSkew must be in [0, 1 day], got " + v);
      }
      clockSkewNanos = v.toNanos();
      return this;
    }

    /** Extra latency drawn uniformly from [0, v] for every packet (default 0). */
    public Builder jitter(Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException("jitter must be >= 0, got " + v);
      }
      jitterNanos = v.toNanos();
      return this;
    }

    /**
     * How many times the base latency a reliable (TCP) message takes, modelling the handshake
     * (default 2).
     */
    public Builder reliableLatencyFactor(int v) {
      if (v < 1 || v > 100) {
        throw new IllegalArgumentException("reliableLatencyFactor must be in [1, 100], got " + v);
      }
      reliableLatencyFactor = v;
      return this;
    }

    /** Nodes started per virtual second (default {@link Simulation#defaultJoinRate(int)}). */
    public Builder joinRate(double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("joinRate must be a positive number, got " + v);
      }
      joinRate = v;
      return this;
    }

    /** The serializer that sizes every message (default the core's binary serializer). */
    public Builder serializer(MessageSerializer v) {
      serializer = Objects.requireNonNull(v, "serializer");
      return this;
    }

    /** Whether to keep every membership event for {@link Simulation#trace()} (default false). */
    public Builder trace(boolean v) {
      trace = v;
      return this;
    }

    /** The longest a leaving node keeps running before it stops anyway (default 10 s). */
    public Builder leaveTimeout(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("leaveTimeout must be positive, got " + v);
      }
      leaveTimeoutNanos = v.toNanos();
      return this;
    }

    /**
     * Changes each node's core builder before the core is built, at every start and restart: for a
     * per-node packet overhead, initial metadata or config (see {@link CoreCustomizer}). Default:
     * none.
     */
    public Builder customizeCore(CoreCustomizer v) {
      customizer = Objects.requireNonNull(v, "customizer");
      return this;
    }

    /**
     * How many bytes every node's application answers each query it gets with; -1 for no answer
     * (default 64).
     */
    public Builder queryAnswerBytes(int v) {
      if (v < -1 || v > 16 << 20) {
        throw new IllegalArgumentException("queryAnswerBytes must be in [-1, 16 MiB], got " + v);
      }
      queryAnswerBytes = v;
      return this;
    }

    /** How long after getting a query every node's application answers it (default 0). */
    public Builder queryAnswerDelay(Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException("queryAnswerDelay must be >= 0, got " + v);
      }
      queryAnswerDelayNanos = v.toNanos();
      return this;
    }

    /** Builds the simulation; nothing runs until {@link Simulation#runUntil}. */
    public Simulation build() {
      return new Simulation(this);
    }
  }
}
