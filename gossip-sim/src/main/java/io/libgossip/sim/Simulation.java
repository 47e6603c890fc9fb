package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipListener;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.Outbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * <p>Faults are applied with {@link #crash}, {@link #restart}, {@link #pause}, {@link #partition}
 * and {@link #leave}, either between calls to {@link #runUntil} or from actions scheduled with
 * {@link #schedule}. While it runs, the simulation measures join convergence, metadata
 * dissemination, crash detection, false positives and traffic; {@link #metrics()} returns them.
 *
 * <p>Not thread-safe: drive it from one thread.
 */
public final class Simulation {
  private static final int TICK = 0;
  private static final int DELIVER = 1;
  private static final int START = 2;
  private static final int PAUSE_END = 3;
  private static final int ACTION = 4;
  private static final int LEAVE_DEADLINE = 5;

  private static final long NONE = Long.MIN_VALUE;
  private static final int SEED_ATTEMPTS = 8;

  /** How far a tick is pushed when a core is still due right after two ticks at one instant. */
  private static final long STALL_NANOS = 1_000_000L;

  private final int n;
  private final long seed;
  private final GossipConfig config;
  private final MessageSerializer serializer;
  private final Network net;
  private final SplittableRandom nodeRandoms;
  private final SplittableRandom pickRandom;
  private final SplittableRandom scenarioRandom;
  private final EventQueue queue;
  private final long leaveTimeoutNanos;
  private final long excuseNanos;
  private final boolean traceEnabled;

  private final String[] ids;
  private final NodeAddress[] addresses;
  private final HashMap<NodeAddress, Integer> byAddress;

  private final GossipCore[] cores;
  private final boolean[] up;
  private final boolean[] everStarted;
  private final boolean[] paused;
  private final boolean[] leaving;

  /** Whether node i's core reported its own join complete ({@code SelfJoined}). */
  private final boolean[] joined;

  /** Whether node i's core reported that its leave has spread ({@code LeaveSpread}). */
  private final boolean[] leaveSpread;

  private final int[] life;
  private final int[] tickGen;
  private final long[] tickAt;
  private final long[] lastDisturbance;
  private final long[] pauseEnd;
  private final long[] stalledAt;
  private final long[] pendingBytes;
  private final HashMap<Integer, ArrayList<Held>> held = new HashMap<>();
  private final int[] liveList;
  private final int[] livePos;
  private int liveCount;
  private int startedCount;

  private long now;
  private long eventsProcessed;
  private @Nullable LongConsumer progress;

  // Convergence: onlineLive[o] = live nodes other than o that o sees ONLINE.
  private final int[] onlineLive;
  private int fullObservers;
  private boolean converged;
  private long joinConvergedAt = -1;
  private long watchFrom = -1;
  private long watchedConvergedAt = -1;

  // Traffic.
  private long messagesSent;
  private long bytesSent;
  private long messagesDelivered;
  private long droppedLoss;
  private long droppedPartition;
  private long droppedUnreachable;
  private long tickStalls;
  private long liveNanos;
  private long liveNanosAt;
  private long windowStart;
  private long windowMessages0;
  private long windowBytes0;
  private long windowLiveNanos0;

  // Faults.
  private int crashes;
  private int restarts;
  private int pauses;
  private int partitions;
  private int leaves;
  private long partitionExcuseUntil = Long.MIN_VALUE / 4;

  // Dissemination.
  private final List<TrackedUpdate> activeUpdates = new ArrayList<>();
  private int updatesMade;
  private long[] dissemination = new long[64];
  private int disseminationCount;

  // Detection.
  private final TrackedCrash[] activeCrashBySubject;
  private final List<TrackedCrash> activeCrashes = new ArrayList<>();
  private final List<TrackedCrash> allCrashes = new ArrayList<>();

  // False positives.
  private final Set<Long> falsePositivePairs = new HashSet<>();
  private final Set<Long> suspectedIncarnations = new HashSet<>();
  private final List<String> falsePositiveLog = new ArrayList<>();
  private final List<String> stallLog = new ArrayList<>();

  // Trace.
  private final List<TraceEvent> trace;
  private long traceHash = 0x5151_5151_5151_5151L;
  private long membershipEvents;

  private record Held(GossipMessage message, int size) {}

  /** Observes every message a core sends, before the network decides its fate (for tests). */
  interface SendTap {
    void onSend(long now, int src, int dst, GossipMessage message, Delivery delivery);
  }

  private @Nullable SendTap sendTap;

  void sendTap(SendTap tap) {
    this.sendTap = tap;
  }

  private static final class TrackedUpdate {
    final int subject;
    final long version;
    final long startedAt;

    @SuppressWarnings("UnusedVariable") // kept for debugging; the simulator refactor revisits
    final int subjectLife;

    final BitSet need;
    int remaining;

    TrackedUpdate(int subject, long version, long startedAt, int subjectLife, BitSet need) {
      this.subject = subject;
      this.version = version;
      this.startedAt = startedAt;
      this.subjectLife = subjectLife;
      this.need = need;
      this.remaining = need.cardinality();
    }
  }

  private static final class TrackedCrash {
    final int subject;
    final long crashedAt;
    final BitSet need;
    int remaining;
    long first = -1;
    long all = -1;
    boolean restarted;

    TrackedCrash(int subject, long crashedAt, BitSet need) {
      this.subject = subject;
      this.crashedAt = crashedAt;
      this.need = need;
      this.remaining = need.cardinality();
    }
  }

  /** A builder with defaults: 100 nodes, seed 1, LAN profile, no loss, 1 ms latency. */
  public static Builder builder() {
    return new Builder();
  }

  private Simulation(Builder b) {
    this.n = b.nodes;
    this.seed = b.seed;
    this.config = b.config;
    this.serializer = b.serializer != null ? b.serializer : Serializers.binary(b.config);
    SplittableRandom root = new SplittableRandom(b.seed);
    this.net =
        new Network(
            root.split(),
            b.loss,
            b.linkLatency != null ? b.linkLatency : LinkLatency.constant(b.latencyNanos),
            b.jitterNanos,
            b.reliableLatencyFactor);
    this.nodeRandoms = root.split();
    this.pickRandom = root.split();
    this.scenarioRandom = root.split();
    this.queue = new EventQueue(n * 8);
    this.leaveTimeoutNanos = b.leaveTimeoutNanos;
    this.excuseNanos = detectionBoundNanos(config, n);
    this.traceEnabled = b.trace;
    this.trace = b.trace ? new ArrayList<>() : List.of();

    ids = new String[n];
    addresses = new NodeAddress[n];
    byAddress = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      ids[i] = "n" + i;
      addresses[i] = addressOf(i);
      byAddress.put(addresses[i], i);
    }
    cores = new GossipCore[n];
    up = new boolean[n];
    everStarted = new boolean[n];
    paused = new boolean[n];
    leaving = new boolean[n];
    joined = new boolean[n];
    leaveSpread = new boolean[n];
    life = new int[n];
    tickGen = new int[n];
    tickAt = new long[n];
    Arrays.fill(tickAt, NONE);
    lastDisturbance = new long[n];
    Arrays.fill(lastDisturbance, Long.MIN_VALUE / 4);
    pendingBytes = new long[n];
    pauseEnd = new long[n];
    stalledAt = new long[n];
    Arrays.fill(stalledAt, NONE);
    liveList = new int[n];
    livePos = new int[n];
    onlineLive = new int[n];
    activeCrashBySubject = new TrackedCrash[n];

    double rate = b.joinRate > 0 ? b.joinRate : defaultJoinRate(n);
    for (int i = 0; i < n; i++) {
      long at = i == 0 ? 0 : Math.round(i * 1e9 / rate);
      queue.push(at, START, i, 0, 0, 0, null);
    }
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
   * The shortest suspicion timeout the config implies for {@code nodes} members, in nanoseconds:
   * {@code suspicionMult × max(1, log10(nodes)) × probeInterval}.
   */
  public static long suspicionTimeoutMinNanos(GossipConfig config, int nodes) {
    double scale = Math.max(1.0, Math.log10(nodes));
    return Math.round(config.suspicionMult() * scale * config.probeInterval().toNanos());
  }

  /** The longest suspicion timeout: {@code suspicionMaxTimeoutMult × min}, in nanoseconds. */
  public static long suspicionTimeoutMaxNanos(GossipConfig config, int nodes) {
    return config.suspicionMaxTimeoutMult() * suspicionTimeoutMinNanos(config, nodes);
  }

  /**
   * The time within which a crash should be {@code FAILED} everywhere: the longest suspicion
   * timeout plus two probe intervals plus 3 s for dissemination, in nanoseconds.
   */
  public static long detectionBoundNanos(GossipConfig config, int nodes) {
    return suspicionTimeoutMaxNanos(config, nodes)
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
    runUntilNanos(now + duration.toNanos(), null);
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
    EventQueue q = queue;
    while (!q.isEmpty() && q.peekTime() <= end) {
      q.poll();
      now = q.curTime;
      dispatch(q);
      eventsProcessed++;
      if ((eventsProcessed & 0xFFFF) == 0 && progress != null) {
        progress.accept(now);
      }
      if (stop != null && stop.getAsBoolean()) {
        return true;
      }
    }
    if (end > now) {
      now = end;
    }
    return false;
  }

  /** Calls {@code listener} with the virtual time every 65,536 events (for progress reports). */
  public void onProgress(LongConsumer listener) {
    this.progress = listener;
  }

  /** Runs {@code action} at virtual time {@code at} (since the start), in the simulation loop. */
  public void schedule(Duration at, Runnable action) {
    scheduleNanos(at.toNanos(), action);
  }

  void scheduleNanos(long at, Runnable action) {
    Objects.requireNonNull(action, "action");
    if (at < now) {
      throw new IllegalArgumentException(
          "cannot schedule in the past: at " + at + " ns, now " + now + " ns");
    }
    queue.push(at, ACTION, -1, 0, 0, 0, action);
  }

  private void dispatch(EventQueue q) {
    int node = q.curNode;
    switch (q.curKind) {
      case TICK:
        onTick(node, q.curA);
        break;
      case DELIVER:
        onDeliver(
            node,
            q.curA,
            q.curB,
            q.curC,
            (GossipMessage) Objects.requireNonNull(q.curObj, "DELIVER without a message"));
        break;
      case START:
        if (!everStarted[node]) {
          startNode(node);
        }
        break;
      case PAUSE_END:
        onPauseEnd(node, q.curA);
        break;
      case ACTION:
        ((Runnable) Objects.requireNonNull(q.curObj, "ACTION without a runnable")).run();
        break;
      case LEAVE_DEADLINE:
        if (up[node] && leaving[node] && life[node] == q.curA) {
          stopNode(node);
          leaves++;
        }
        break;
      default:
        throw new IllegalStateException("unknown event kind " + q.curKind);
    }
  }

  private void onTick(int i, int gen) {
    if (gen != tickGen[i] || !up[i]) {
      return;
    }
    tickAt[i] = NONE;
    if (paused[i]) {
      return; // the pause end reschedules
    }
    GossipCore c = cores[i];
    if (c.nextDeadline() - now > 0) {
      scheduleTick(i, false); // woken early because the deadline moved later
      return;
    }
    c.tick(now);
    afterCall(i, true);
  }

  private void onDeliver(int dst, int dstLife, int src, int size, GossipMessage m) {
    if (!up[dst] || life[dst] != dstLife) {
      droppedUnreachable++;
      return;
    }
    if (net.cut(src, dst)) {
      droppedPartition++;
      return;
    }
    if (paused[dst]) {
      held.computeIfAbsent(dst, k -> new ArrayList<>()).add(new Held(m, size));
      return;
    }
    deliver(dst, m, size);
  }

  private void deliver(int dst, GossipMessage m, int size) {
    GossipCore c = cores[dst];
    messagesDelivered++;
    c.recordBytesReceived(size);
    c.handleMessage(m, now);
    afterCall(dst, false);
  }

  private void onPauseEnd(int i, int nodeLife) {
    if (!up[i] || life[i] != nodeLife || !paused[i] || pauseEnd[i] > now) {
      return; // stale, or the pause was extended and a later event ends it
    }
    paused[i] = false;
    lastDisturbance[i] = now;
    ArrayList<Held> h = held.remove(i);
    if (h != null) {
      for (Held x : h) {
        if (!up[i] || paused[i]) {
          break; // a held message made the node leave; the rest is lost with it
        }
        deliver(i, x.message(), x.size());
      }
    }
    if (up[i]) {
      scheduleTick(i, false);
    }
  }

  /** Bookkeeping after any call into node i's core: flush byte counts, reschedule its tick. */
  private void afterCall(int i, boolean ticked) {
    GossipCore c = cores[i];
    long pb = pendingBytes[i];
    if (pb != 0) {
      pendingBytes[i] = 0;
      c.recordBytesSent(pb);
    }
    if (leaving[i] && leaveSpread[i]) {
      stopNode(i);
      leaves++;
      return;
    }
    scheduleTick(i, ticked);
  }

  private void scheduleTick(int i, boolean justTicked) {
    long d = cores[i].nextDeadline();
    if (d - now <= 0) {
      d = now;
      if (justTicked) {
        // A tick should leave nothing due. Tick again at once, as a runtime would, but if the
        // core is still due right after that second tick, back off so the loop cannot spin.
        tickStalls++;
        if (stallLog.size() < 20) {
          stallLog.add(
              "node "
                  + i
                  + " at "
                  + now
                  + " ns asked for a tick at "
                  + cores[i].nextDeadline()
                  + " ns right after one");
        }
        if (stalledAt[i] == now) {
          d = now + STALL_NANOS;
        }
        stalledAt[i] = now;
      }
    }
    long cur = tickAt[i];
    if (cur != NONE && cur - d <= 0) {
      return; // an earlier (or equal) tick is pending; it re-reads the deadline when it fires
    }
    int g = ++tickGen[i];
    tickAt[i] = d;
    queue.push(d, TICK, i, g, 0, 0, null);
  }

  // ---------------------------------------------------------------- network

  private final class NodeOutbox implements Outbox {
    private final int src;

    NodeOutbox(int src) {
      this.src = src;
    }

    @Override
    public void send(GossipMessage message, NodeView target, Delivery delivery) {
      onSend(src, message, target, delivery);
    }
  }

  private void onSend(int src, GossipMessage m, NodeView target, Delivery delivery) {
    int size = serializer.encodedSize(m);
    messagesSent++;
    bytesSent += size;
    pendingBytes[src] += size;
    Integer dstBox = byAddress.get(target.address());
    if (dstBox == null) {
      droppedUnreachable++;
      return;
    }
    int dst = dstBox;
    if (sendTap != null) {
      sendTap.onSend(now, src, dst, m, delivery);
    }
    if (!up[dst]) {
      droppedUnreachable++;
      return;
    }
    long delay;
    if (delivery == Delivery.RELIABLE) {
      if (net.cut(src, dst)) {
        droppedPartition++;
        return;
      }
      delay = net.reliableDelay(src, dst);
    } else {
      if (net.lose()) {
        droppedLoss++;
        return;
      }
      delay = net.bestEffortDelay(src, dst);
    }
    queue.push(now + delay, DELIVER, dst, life[dst], src, size, m);
  }

  // ---------------------------------------------------------------- events from cores

  private final class NodeListener implements GossipListener {
    private final int observer;

    NodeListener(int observer) {
      this.observer = observer;
    }

    @Override
    public void onEvent(ClusterEvent event) {
      onClusterEvent(observer, event);
    }
  }

  private int indexOfId(String id) {
    int len = id.length();
    if (len < 2 || len > 11 || id.charAt(0) != 'n') {
      return -1;
    }
    long v = 0;
    for (int k = 1; k < len; k++) {
      char ch = id.charAt(k);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v < n ? (int) v : -1;
  }

  private void onClusterEvent(int obs, ClusterEvent event) {
    switch (event.kind()) {
      case SELF_JOINED:
        joined[obs] = true;
        return;
      case LEAVE_SPREAD:
        leaveSpread[obs] = true; // afterCall stops the node once the core call returns
        return;
      case SELF_REFUTED:
        return; // the refutation shows up as the others' RECOVERED events
      default:
        onMemberEvent(obs, (ClusterEvent.MemberEvent) event);
    }
  }

  private void onMemberEvent(int obs, ClusterEvent.MemberEvent e) {
    NodeView v = e.node();
    int subj = indexOfId(v.id());
    if (subj < 0) {
      return;
    }
    ClusterEvent.Kind kind = e.kind();
    NodeStatus status = e.status();
    membershipEvents++;
    long h = traceHash;
    h = (h ^ now) * 0x9E3779B97F4A7C15L;
    h = (h ^ (((long) obs << 32) | subj)) * 0xC2B2AE3D27D4EB4FL;
    h = (h ^ ((kind.ordinal() << 8) | status.ordinal())) * 0x165667B19E3779F9L;
    traceHash = h ^ (h >>> 29);
    if (traceEnabled) {
      trace.add(new TraceEvent(now, obs, subj, kind, status));
    }

    boolean wasOnline = e.previousStatus() == NodeStatus.ONLINE;
    boolean isOnline = kind != ClusterEvent.Kind.REMOVED && status == NodeStatus.ONLINE;
    if (wasOnline != isOnline && up[subj] && subj != obs && up[obs]) {
      adjustOnline(obs, isOnline ? 1 : -1);
      updateConverged();
    }

    if (isOnline && !activeUpdates.isEmpty()) {
      onUpdateSeen(obs, subj, v.metadataVersion());
    }
    if (status == NodeStatus.SUSPECT || status == NodeStatus.FAILED) {
      TrackedCrash tc = activeCrashBySubject[subj];
      if (tc != null) {
        onCrashSeen(tc, obs, status);
      }
      if (kind != ClusterEvent.Kind.REMOVED && healthy(subj)) {
        if (status == NodeStatus.FAILED) {
          if (falsePositivePairs.add(((long) obs << 32) | subj) && falsePositiveLog.size() < 20) {
            falsePositiveLog.add(
                "node "
                    + obs
                    + " marked healthy node "
                    + subj
                    + " FAILED at "
                    + now / 1e6
                    + " ms (incarnation "
                    + v.incarnation()
                    + ")");
          }
        } else if (kind == ClusterEvent.Kind.SUSPECTED) {
          suspectedIncarnations.add(((long) subj << 32) | v.incarnation());
        }
      }
    }
  }

  private void adjustOnline(int obs, int delta) {
    int target = liveCount - 1;
    int before = onlineLive[obs];
    int after = before + delta;
    onlineLive[obs] = after;
    if (before == target) {
      fullObservers--;
    }
    if (after == target) {
      fullObservers++;
    }
  }

  private void recountFull() {
    int target = liveCount - 1;
    int f = 0;
    for (int k = 0; k < liveCount; k++) {
      if (onlineLive[liveList[k]] == target) {
        f++;
      }
    }
    fullObservers = f;
    updateConverged();
  }

  private void updateConverged() {
    boolean c = startedCount == n && liveCount > 0 && fullObservers == liveCount;
    if (c == converged) {
      return;
    }
    converged = c;
    if (c) {
      if (joinConvergedAt < 0) {
        joinConvergedAt = now;
        accountLive();
        windowStart = now;
        windowMessages0 = messagesSent;
        windowBytes0 = bytesSent;
        windowLiveNanos0 = liveNanos;
      }
      if (watchFrom >= 0 && watchedConvergedAt < 0) {
        watchedConvergedAt = now;
      }
    }
  }

  private boolean healthy(int s) {
    return up[s]
        && !paused[s]
        && now - lastDisturbance[s] >= excuseNanos
        && !net.partitioned()
        && now - partitionExcuseUntil >= 0;
  }

  private void onUpdateSeen(int obs, int subj, long version) {
    for (int k = activeUpdates.size() - 1; k >= 0; k--) {
      TrackedUpdate u = activeUpdates.get(k);
      if (u.subject == subj && version >= u.version && u.need.get(obs)) {
        u.need.clear(obs);
        u.remaining--;
        addDissemination(now - u.startedAt);
        if (u.remaining == 0) {
          activeUpdates.remove(k);
        }
      }
    }
  }

  private void addDissemination(long d) {
    if (disseminationCount == dissemination.length) {
      dissemination = Arrays.copyOf(dissemination, disseminationCount * 2);
    }
    dissemination[disseminationCount++] = d;
  }

  private void onCrashSeen(TrackedCrash tc, int obs, NodeStatus status) {
    if (tc.first < 0) {
      tc.first = now - tc.crashedAt;
    }
    if (status == NodeStatus.FAILED && tc.need.get(obs)) {
      tc.need.clear(obs);
      tc.remaining--;
      if (tc.remaining == 0) {
        finishCrash(tc);
      }
    }
  }

  private void finishCrash(TrackedCrash tc) {
    tc.all = now - tc.crashedAt;
    activeCrashBySubject[tc.subject] = null;
    activeCrashes.remove(tc);
  }

  // ---------------------------------------------------------------- liveness

  private void accountLive() {
    liveNanos += (long) liveCount * (now - liveNanosAt);
    liveNanosAt = now;
  }

  private void startNode(int i) {
    boolean restart = everStarted[i];
    accountLive();
    life[i]++;
    up[i] = true;
    paused[i] = false;
    leaving[i] = false;
    joined[i] = false;
    leaveSpread[i] = false;
    if (!restart) {
      everStarted[i] = true;
      startedCount++;
    } else {
      lastDisturbance[i] = now;
      TrackedCrash tc = activeCrashBySubject[i];
      if (tc != null) {
        tc.restarted = true;
        activeCrashBySubject[i] = null;
        activeCrashes.remove(tc);
      }
      for (int k = activeUpdates.size() - 1; k >= 0; k--) {
        if (activeUpdates.get(k).subject == i) {
          activeUpdates.remove(k); // left incomplete: versions restart with the node
        }
      }
    }
    int seedNode = pickSeed();
    livePos[i] = liveCount;
    liveList[liveCount++] = i;
    onlineLive[i] = 0;
    GossipCore c =
        GossipCore.builder()
            .id(ids[i])
            .address(addresses[i])
            .config(config)
            .random(nodeRandoms.split())
            .outbox(new NodeOutbox(i))
            .listener(new NodeListener(i))
            .build();
    cores[i] = c;
    if (restart) {
      // Others may still hold the old incarnation as ONLINE.
      for (int k = 0; k < liveCount; k++) {
        int o = liveList[k];
        if (o != i && statusOf(o, i) == NodeStatus.ONLINE) {
          onlineLive[o]++;
        }
      }
    }
    recountFull();
    c.tick(now);
    afterCall(i, true);
    if (seedNode >= 0 && up[i]) {
      c.join(List.of(addresses[seedNode]), now);
      afterCall(i, false);
    }
  }

  /**
   * A random running node to join through, preferring one whose own join has completed (as an
   * operator's seed list would); -1 when no node runs.
   */
  private int pickSeed() {
    if (liveCount == 0) {
      return -1;
    }
    int pick = -1;
    for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
      pick = liveList[pickRandom.nextInt(liveCount)];
      if (joined[pick] || pick == liveList[0]) {
        break;
      }
    }
    return pick;
  }

  private void stopNode(int i) {
    accountLive();
    up[i] = false;
    life[i]++;
    tickGen[i]++;
    tickAt[i] = NONE;
    paused[i] = false;
    leaving[i] = false;
    joined[i] = false;
    leaveSpread[i] = false;
    held.remove(i);
    pendingBytes[i] = 0;
    cores[i] = null;
    int p = livePos[i];
    int last = liveList[--liveCount];
    liveList[p] = last;
    livePos[last] = p;
    for (int k = 0; k < liveCount; k++) {
      int o = liveList[k];
      if (statusOf(o, i) == NodeStatus.ONLINE) {
        onlineLive[o]--;
      }
    }
    onlineLive[i] = 0;
    for (int k = activeUpdates.size() - 1; k >= 0; k--) {
      TrackedUpdate u = activeUpdates.get(k);
      if (u.need.get(i)) {
        u.need.clear(i);
        if (--u.remaining == 0) {
          activeUpdates.remove(k);
        }
      }
    }
    for (int k = activeCrashes.size() - 1; k >= 0; k--) {
      TrackedCrash tc = activeCrashes.get(k);
      if (tc.need.get(i)) {
        tc.need.clear(i);
        if (--tc.remaining == 0) {
          finishCrash(tc);
        }
      }
    }
    recountFull();
  }

  // ---------------------------------------------------------------- faults and commands

  private void requireIndex(int i) {
    if (i < 0 || i >= n) {
      throw new IllegalArgumentException("node index must be in [0, " + n + "), got " + i);
    }
  }

  private void requireUp(int i) {
    requireIndex(i);
    if (!up[i]) {
      throw new IllegalStateException("node " + i + " is not running");
    }
  }

  /** Crashes node {@code i} now: its core is discarded and packets in flight to it are lost. */
  public void crash(int i) {
    requireUp(i);
    stopNode(i);
    crashes++;
    lastDisturbance[i] = now;
    BitSet need = new BitSet(n);
    for (int k = 0; k < liveCount; k++) {
      need.set(liveList[k]);
    }
    TrackedCrash tc = new TrackedCrash(i, now, need);
    allCrashes.add(tc);
    if (tc.remaining == 0) {
      tc.all = 0;
    } else {
      activeCrashBySubject[i] = tc;
      activeCrashes.add(tc);
    }
  }

  /**
   * Restarts a stopped node now: a fresh core with the same id and address at incarnation 0,
   * joining through a random running node.
   */
  public void restart(int i) {
    requireIndex(i);
    if (up[i]) {
      throw new IllegalStateException("node " + i + " is running; crash it first");
    }
    if (!everStarted[i]) {
      throw new IllegalStateException("node " + i + " has not started yet");
    }
    restarts++;
    startNode(i);
  }

  /**
   * Pauses node {@code i} for {@code duration} from now, like a long GC pause: it runs no timers
   * and handles no packets; packets that reach it meanwhile are buffered and handled, in arrival
   * order, when the pause ends.
   */
  public void pause(int i, Duration duration) {
    requireUp(i);
    long d = duration.toNanos();
    if (d <= 0) {
      throw new IllegalArgumentException("pause duration must be positive, got " + duration);
    }
    long end = now + d;
    if (paused[i] && pauseEnd[i] > end) {
      end = pauseEnd[i];
    }
    pauseEnd[i] = end;
    paused[i] = true;
    pauses++;
    lastDisturbance[i] = now;
    queue.push(end, PAUSE_END, i, life[i], 0, 0, null);
  }

  /**
   * Cuts the links from every node in {@code a} to every node in {@code b} (and back when {@code
   * twoWay}) until {@link #heal()}. Packets are checked when they arrive, so packets in flight
   * across the cut are lost too; reliable messages also fail when the cut exists at send time.
   */
  public void partition(Collection<Integer> a, Collection<Integer> b, boolean twoWay) {
    BitSet sa = toBits(a, "a");
    BitSet sb = toBits(b, "b");
    net.addCut(new Network.Cut(sa, sb, twoWay));
    partitions++;
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
    if (net.partitioned()) {
      net.clearCuts();
      partitionExcuseUntil = now + excuseNanos;
    }
  }

  /** Whether any partition is in effect. */
  public boolean isPartitioned() {
    return net.partitioned();
  }

  /**
   * Replaces node {@code i}'s metadata now and tracks how long the change takes to reach every
   * other running node (see {@link SimMetrics#disseminationNanos()}).
   */
  public void updateMetadata(int i, Map<String, String> metadata) {
    requireUp(i);
    if (paused[i]) {
      throw new IllegalStateException("node " + i + " is paused");
    }
    GossipCore c = cores[i];
    c.updateMetadata(metadata, now);
    long version = c.self().metadataVersion();
    updatesMade++;
    BitSet need = new BitSet(n);
    for (int k = 0; k < liveCount; k++) {
      int o = liveList[k];
      if (o != i) {
        need.set(o);
      }
    }
    TrackedUpdate u = new TrackedUpdate(i, version, now, life[i], need);
    if (u.remaining > 0) {
      activeUpdates.add(u);
    }
    afterCall(i, false);
  }

  /**
   * Makes node {@code i} leave gracefully now; it stops once its {@code LEFT} announcement has
   * spread (or after the builder's leave timeout).
   */
  public void leave(int i) {
    requireUp(i);
    if (paused[i]) {
      throw new IllegalStateException("node " + i + " is paused");
    }
    if (leaving[i]) {
      return;
    }
    leaving[i] = true;
    queue.push(now + leaveTimeoutNanos, LEAVE_DEADLINE, i, life[i], 0, 0, null);
    cores[i].leave(now);
    afterCall(i, false);
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

  /** The protocol configuration every node runs with. */
  public GossipConfig config() {
    return config;
  }

  /** Current virtual time since the start. */
  public Duration now() {
    return Duration.ofNanos(now);
  }

  /** Current virtual time since the start, in nanoseconds. */
  public long nowNanos() {
    return now;
  }

  /** The id of node {@code i}. */
  public String id(int i) {
    requireIndex(i);
    return ids[i];
  }

  /** Whether node {@code i} is running (started, not crashed, not left); a paused node runs. */
  public boolean isUp(int i) {
    requireIndex(i);
    return up[i];
  }

  /** Whether node {@code i} is paused. */
  public boolean isPaused(int i) {
    requireIndex(i);
    return paused[i];
  }

  /** Number of running nodes. */
  public int liveCount() {
    return liveCount;
  }

  /** The indexes of the running nodes, ascending. */
  public int[] liveNodes() {
    int[] r = Arrays.copyOf(liveList, liveCount);
    Arrays.sort(r);
    return r;
  }

  /** The core of running node {@code i} (for inspection; do not drive it directly). */
  public GossipCore core(int i) {
    requireUp(i);
    return cores[i];
  }

  /** Node {@code i}'s membership table ({@link GossipCore#members()}). */
  public List<NodeView> view(int i) {
    return core(i).members();
  }

  /**
   * How running node {@code observer} sees node {@code subject} ({@code UNKNOWN} if not at all).
   */
  public NodeStatus statusOf(int observer, int subject) {
    requireIndex(subject);
    Optional<NodeView> v = core(observer).findNode(ids[subject]);
    return v.isPresent() ? v.get().status() : NodeStatus.UNKNOWN;
  }

  /**
   * Whether every running node sees {@code subject} as {@code status} (the subject itself is not
   * asked).
   */
  public boolean allSee(int subject, NodeStatus status) {
    for (int k = 0; k < liveCount; k++) {
      int o = liveList[k];
      if (o != subject && statusOf(o, subject) != status) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether every node has started and every running node sees every other running node {@code
   * ONLINE}, maintained incrementally from the cores' events (constant time).
   */
  public boolean isConverged() {
    return converged;
  }

  /**
   * The same as {@link #isConverged()}, but computed by asking every running core about every other
   * running node (quadratic; for tests).
   */
  public boolean allConverged() {
    if (startedCount != n || liveCount == 0) {
      return false;
    }
    for (int k = 0; k < liveCount; k++) {
      int o = liveList[k];
      for (int j = 0; j < liveCount; j++) {
        int s = liveList[j];
        if (s != o && statusOf(o, s) != NodeStatus.ONLINE) {
          return false;
        }
      }
    }
    return true;
  }

  /** A generator for scenario choices, split from the simulation's root seed. */
  SplittableRandom scenarioRandom() {
    return scenarioRandom;
  }

  /**
   * Starts watching for the next moment the cluster is converged (see {@link
   * #watchedConvergedNanos()}).
   */
  void watchConvergence() {
    watchFrom = now;
    watchedConvergedAt = converged ? now : -1;
  }

  /** The first time at or after {@link #watchConvergence()} the cluster was converged, or -1. */
  long watchedConvergedNanos() {
    return watchedConvergedAt;
  }

  /** The membership events seen so far, in order (empty unless the builder enabled tracing). */
  public List<TraceEvent> trace() {
    return List.copyOf(trace);
  }

  /**
   * A 64-bit digest of every membership event so far (time, observer, subject, kind, status),
   * computed whether or not tracing is on: two runs with the same digest saw the same events.
   */
  public long traceHash() {
    return traceHash;
  }

  /** What the simulation has measured so far. */
  public SimMetrics metrics() {
    accountLive();
    long[] d = Arrays.copyOf(dissemination, disseminationCount);
    Arrays.sort(d);
    int incomplete = 0;
    for (TrackedUpdate u : activeUpdates) {
      incomplete += u.remaining;
    }
    List<Detection> det = new ArrayList<>(allCrashes.size());
    for (TrackedCrash tc : allCrashes) {
      det.add(new Detection(tc.subject, tc.crashedAt, tc.first, tc.all, tc.restarted));
    }
    long ws = joinConvergedAt >= 0 ? windowStart : 0;
    long wm = joinConvergedAt >= 0 ? messagesSent - windowMessages0 : messagesSent;
    long wb = joinConvergedAt >= 0 ? bytesSent - windowBytes0 : bytesSent;
    long wl = joinConvergedAt >= 0 ? liveNanos - windowLiveNanos0 : liveNanos;
    return new SimMetrics(
        now,
        eventsProcessed,
        joinConvergedAt,
        updatesMade,
        d,
        incomplete,
        List.copyOf(det),
        falsePositivePairs.size(),
        suspectedIncarnations.size(),
        messagesSent,
        bytesSent,
        messagesDelivered,
        ws,
        wm,
        wb,
        wl,
        droppedLoss,
        droppedPartition,
        droppedUnreachable,
        crashes,
        restarts,
        pauses,
        partitions,
        leaves,
        membershipEvents,
        tickStalls,
        traceHash);
  }

  /** Describes the first tick stalls (for failure messages). */
  String describeStalls() {
    return String.join("\n", stallLog);
  }

  /** Describes the first false positives (for failure messages). */
  String describeFalsePositives() {
    return String.join("\n", falsePositiveLog);
  }

  /** Describes the metadata updates that have not reached every node yet (for failure messages). */
  String describePendingUpdates() {
    StringBuilder sb = new StringBuilder();
    for (TrackedUpdate u : activeUpdates) {
      sb.append("update of node ")
          .append(u.subject)
          .append(" to version ")
          .append(u.version)
          .append(" at ")
          .append(u.startedAt / 1e6)
          .append(" ms missing at nodes ")
          .append(u.need)
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * Checks the incremental convergence bookkeeping against the cores' tables; returns a description
   * of the first mismatch, or null (for tests).
   */
  @Nullable String verifyBookkeeping() {
    for (int k = 0; k < liveCount; k++) {
      int o = liveList[k];
      int count = 0;
      for (int j = 0; j < liveCount; j++) {
        int s = liveList[j];
        if (s != o && statusOf(o, s) == NodeStatus.ONLINE) {
          count++;
        }
      }
      if (count != onlineLive[o]) {
        return "node "
            + o
            + " sees "
            + count
            + " live nodes ONLINE, bookkeeping says "
            + onlineLive[o];
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link Simulation}; every setter validates its argument. */
  public static final class Builder {
    private int nodes = 100;
    private long seed = 1;
    private GossipConfig config = GossipConfig.lan();
    private double loss;
    private long latencyNanos = 1_000_000L;
    private @Nullable LinkLatency linkLatency;
    private long jitterNanos;
    private int reliableLatencyFactor = 2;
    private double joinRate;
    private @Nullable MessageSerializer serializer;
    private boolean trace;
    private long leaveTimeoutNanos = 10_000_000_000L;

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

    /** Builds the simulation; nothing runs until {@link Simulation#runUntil}. */
    public Simulation build() {
      return new Simulation(this);
    }
  }
}
