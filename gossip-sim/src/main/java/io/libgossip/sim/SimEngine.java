package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageHandler;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeView;
import io.libgossip.core.Outbox;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.core.WireVersions;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The simulation loop: virtual time, the event queue, and what each event does to the nodes and
 * their cores (ticks, packet delivery through the {@link Network}, starts, stops, pauses, leaves).
 * Every change it makes is reported to the {@link Measurements}.
 *
 * <p>The faults and commands that change nodes from outside the loop are in {@link NodeCommands}.
 */
final class SimEngine {
  private static final int SEED_ATTEMPTS = 8;

  /** How far a tick is pushed when a core is still due right after two ticks at one instant. */
  private static final long STALL_NANOS = 1_000_000L;

  /** The simulated wall clock at time 0: 2026-01-01T00:00:00Z, a year into libgossip's epoch. */
  static final Instant WALL_CLOCK_ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

  /** Observes every message a core sends, before the network decides its fate (for tests). */
  interface SendTap {
    void onSend(long now, int src, int dst, GossipMessage message, Delivery delivery);

    /** As the five-argument method, with the wire version the core picked (0: the default). */
    default void onSend(
        long now, int src, int dst, GossipMessage message, Delivery delivery, int version) {
      onSend(now, src, dst, message, delivery);
    }
  }

  private final GossipConfig config;
  private final MessageSerializer serializer;
  private final Network net;
  private final SplittableRandom nodeRandoms;
  private final SplittableRandom pickRandom;
  private final SplittableRandom scenarioRandom;
  private final @Nullable CoreCustomizer customizer;
  private final int queryAnswerBytes;
  private final long queryAnswerDelayNanos;
  private final EventQueue<SimEvent> queue;
  final LiveNodes live;
  final Measurements measure;
  final NodeCommands commands;

  private long now;
  private final LinkLatency linkLatency;
  private final long jitterNanos;

  /** Each node's wall-clock skew, drawn from a generator of its own; null when none. */
  private final long @Nullable [] skews;

  private long eventsProcessed;
  private long versionDrops;
  private @Nullable LongConsumer progress;
  private @Nullable SendTap sendTap;

  SimEngine(Simulation.Builder b) {
    int n = b.nodes;
    this.config = b.config;
    this.linkLatency = b.linkLatency != null ? b.linkLatency : LinkLatency.constant(b.latencyNanos);
    this.jitterNanos = b.jitterNanos;
    this.skews = skews(n, b.seed, b.clockSkewNanos);
    this.serializer = b.serializer != null ? b.serializer : Serializers.binary(b.config);
    SplittableRandom root = new SplittableRandom(b.seed);
    this.net =
        new Network(root.split(), b.loss, linkLatency, b.jitterNanos, b.reliableLatencyFactor);
    this.nodeRandoms = root.split();
    this.pickRandom = root.split();
    this.scenarioRandom = root.split();
    this.customizer = b.customizer;
    this.queryAnswerBytes = b.queryAnswerBytes;
    this.queryAnswerDelayNanos = b.queryAnswerDelayNanos;
    this.queue = new EventQueue<>(n * 8);
    this.live = new LiveNodes(n);
    this.measure = new Measurements(live, b.trace, this::healthy);
    this.commands =
        new NodeCommands(this, net, b.leaveTimeoutNanos, Simulation.detectionBoundNanos(config, n));

    double rate = b.joinRate > 0 ? b.joinRate : Simulation.defaultJoinRate(n);
    for (int i = 0; i < n; i++) {
      long at = i == 0 ? 0 : Math.round(i * 1e9 / rate);
      queue.push(at, new SimEvent.Start(live.node(i)));
    }
  }

  long now() {
    return now;
  }

  /**
   * The skew of each node's wall clock, uniform in [-max, max], from a generator seeded apart from
   * every other draw (so the trace with no skew is unchanged); null when {@code max} is 0.
   */
  private static long @Nullable [] skews(int n, long seed, long max) {
    if (max == 0) {
      return null;
    }
    SplittableRandom r = new SplittableRandom(seed ^ 0x5EED_C10C_0FF5_E7L);
    long[] s = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = r.nextLong(-max, max + 1);
    }
    return s;
  }

  /** Node {@code i}'s wall-clock skew in nanoseconds (0 without skews). */
  long skewNanos(int i) {
    return skews == null ? 0 : skews[i];
  }

  /**
   * The configured round trip between nodes {@code i} and {@code j}: both ways plus mean jitter.
   */
  double trueRttNanos(int i, int j) {
    return (double) linkLatency.nanos(i, j) + linkLatency.nanos(j, i) + jitterNanos;
  }

  /** Node {@code node}'s wall clock: the epoch nanoseconds of virtual time, plus its skew. */
  private long wallClockNanos(SimNode node) {
    return WALL_EPOCH_NANOS + now + skewNanos(node.index);
  }

  private static final long WALL_EPOCH_NANOS =
      WALL_CLOCK_ORIGIN.getEpochSecond() * 1_000_000_000L + WALL_CLOCK_ORIGIN.getNano();

  /** Whether node {@code s} counts as healthy now (see {@link NodeCommands#healthy}). */
  private boolean healthy(int s) {
    return commands.healthy(s);
  }

  GossipConfig config() {
    return config;
  }

  SplittableRandom scenarioRandom() {
    return scenarioRandom;
  }

  void onProgress(LongConsumer listener) {
    this.progress = listener;
  }

  void sendTap(SendTap tap) {
    this.sendTap = tap;
  }

  /** A snapshot of every measurement. */
  SimMetrics metrics() {
    return measure.snapshot(now, eventsProcessed);
  }

  // ---------------------------------------------------------------- the loop

  /**
   * Runs events up to virtual time {@code end}, stopping early right after an event when {@code
   * stop} (if not null) returns true. Returns whether it stopped early.
   */
  boolean runUntil(long end, @Nullable BooleanSupplier stop) {
    EventQueue<SimEvent> q = queue;
    while (!q.isEmpty() && q.peekTime() <= end) {
      now = q.peekTime();
      q.poll().fire(this);
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

  /** Schedules {@code event} at virtual time {@code at}. */
  void push(long at, SimEvent event) {
    queue.push(at, event);
  }

  void onStart(SimNode node) {
    if (!node.everStarted) {
      startNode(node);
    }
  }

  void onTick(SimNode node, int generation) {
    if (generation != node.tickGen || !node.up) {
      return;
    }
    node.tickAt = SimNode.NONE;
    if (node.paused) {
      return; // the pause end reschedules
    }
    GossipCore c = node.running();
    if (c.nextDeadline() - now > 0) {
      scheduleTick(node, false); // woken early because the deadline moved later
      return;
    }
    c.tick(now);
    afterCall(node, true);
  }

  void onDeliver(SimEvent.Deliver d) {
    SimNode dst = d.dst();
    if (!dst.up || dst.life != d.dstLife()) {
      measure.traffic.unreachable();
      return;
    }
    if (net.cut(d.src(), dst.index)) {
      measure.traffic.lostToPartition();
      return;
    }
    if (d.version() != 0 && !dst.running().config().wireVersions().contains(d.version())) {
      versionDrops++; // its decoder would reject the packet (UNSUPPORTED_VERSION)
      return;
    }
    if (dst.paused) {
      dst.hold(d.message(), d.size(), d.senderVersions());
      return;
    }
    deliver(dst, d.message(), d.size(), d.senderVersions());
  }

  private void deliver(
      SimNode dst, GossipMessage m, int size, @Nullable WireVersions senderVersions) {
    GossipCore c = dst.running();
    measure.traffic.delivered();
    c.recordBytesReceived(size);
    c.handleMessage(m, senderVersions, now);
    afterCall(dst, false);
  }

  /** Packets dropped because their receiver does not read their wire version. */
  long versionDrops() {
    return versionDrops;
  }

  void onPauseEnd(SimNode node, int life) {
    if (!node.up || node.life != life || !node.paused || node.pauseEnd > now) {
      return; // stale, or the pause was extended and a later event ends it
    }
    node.paused = false;
    node.lastDisturbance = now;
    for (SimNode.Held h : node.takeHeld()) {
      if (!node.up || node.paused) {
        break; // a held message made the node leave; the rest is lost with it
      }
      deliver(node, h.message(), h.size(), h.senderVersions());
    }
    if (node.up) {
      scheduleTick(node, false);
    }
  }

  void onLeaveDeadline(SimNode node, int life) {
    if (node.up && node.leaving && node.life == life) {
      stopNode(node);
      measure.faults.left();
    }
  }

  /** Bookkeeping after any call into a node's core: flush byte counts, reschedule its tick. */
  void afterCall(SimNode node, boolean ticked) {
    long pb = node.pendingBytes;
    if (pb != 0) {
      node.pendingBytes = 0;
      node.running().recordBytesSent(pb);
    }
    if (node.leaving && node.leaveSpread) {
      stopNode(node);
      measure.faults.left();
      return;
    }
    scheduleTick(node, ticked);
  }

  private void scheduleTick(SimNode node, boolean justTicked) {
    long d = node.running().nextDeadline();
    if (d - now <= 0) {
      if (justTicked) {
        // A tick should leave nothing due. Tick again at once, as a runtime would, but if the
        // core is still due right after that second tick, back off so the loop cannot spin.
        measure.stalls.stalled(node.index, now, d);
        d = node.stalledAt == now ? now + STALL_NANOS : now;
        node.stalledAt = now;
      } else {
        d = now;
      }
    }
    long cur = node.tickAt;
    if (cur != SimNode.NONE && cur - d <= 0) {
      return; // an earlier (or equal) tick is pending; it re-reads the deadline when it fires
    }
    int g = ++node.tickGen;
    node.tickAt = d;
    queue.push(d, new SimEvent.Tick(node, g));
  }

  // ---------------------------------------------------------------- what cores do

  private void onSend(
      SimNode src, GossipMessage m, NodeView target, Delivery delivery, int version) {
    int size = version == 0 ? serializer.encodedSize(m) : serializer.encodedSize(m, version);
    measure.traffic.sent(m, size);
    src.pendingBytes += size;
    SimNode dst = live.byAddress(target.address());
    if (dst == null) {
      measure.traffic.unreachable();
      return;
    }
    if (sendTap != null) {
      sendTap.onSend(now, src.index, dst.index, m, delivery, version);
    }
    if (!dst.up) {
      measure.traffic.unreachable();
      return;
    }
    long delay;
    if (delivery == Delivery.RELIABLE) {
      if (net.cut(src.index, dst.index)) {
        measure.traffic.lostToPartition();
        return;
      }
      delay = net.reliableDelay(src.index, dst.index);
    } else {
      if (net.lose()) {
        measure.traffic.lostToLoss();
        return;
      }
      if (net.loseInbound(dst.index)) {
        return; // a slow node's overflowing receive buffer (counted by the network)
      }
      delay = net.bestEffortDelay(src.index, dst.index);
    }
    WireVersions senderVersions =
        version >= 3 ? src.running().config().wireVersions() : null; // in a version 3 header
    // a push-pull below version 3 has no room for ranges: its receiver reads none
    GossipMessage read =
        version < 3 && m instanceof GossipMessage.PushPull p ? p.withoutRanges() : m;
    queue.push(
        now + delay,
        new SimEvent.Deliver(dst, dst.life, src.index, size, read, version, senderVersions));
  }

  private void onClusterEvent(SimNode observer, ClusterEvent event) {
    if (event instanceof ClusterEvent.MemberEvent e) {
      measure.memberEvent(observer.index, e, now);
    } else if (event instanceof ClusterEvent.SelfJoined) {
      observer.joined = true;
    } else if (event instanceof ClusterEvent.LeaveSpread) {
      observer.leaveSpread = true; // afterCall stops the node once the core call returns
    }
    // SelfRefuted: the refutation shows up as the others' RECOVERED events.
  }

  // ---------------------------------------------------------------- starts and stops

  /** Starts (or restarts) a node now: a fresh core that joins through a random running node. */
  void startNode(SimNode node) {
    boolean restart = node.everStarted;
    measure.traffic.accountLive(now, live.count());
    node.life++;
    node.up = true;
    node.paused = false;
    node.leaving = false;
    node.joined = false;
    node.leaveSpread = false;
    if (!restart) {
      node.everStarted = true;
      live.firstStart();
    } else {
      node.lastDisturbance = now;
      measure.detection.restarted(node.index);
      measure.dissemination.restarted(node.index);
    }
    int seedNode = pickSeed();
    live.add(node);
    GossipCore c = buildCore(node);
    node.core = c;
    measure.convergence.started(node, restart, now);
    measure.membership.started(node, restart, now);
    c.tick(now);
    afterCall(node, true);
    if (node.up) {
      // A node with no one to join forms a cluster of its own, as GossipNode does: it turns ONLINE
      // and runs its catch-up exchanges like any other (decision 066).
      c.join(seedNode >= 0 ? List.of(live.node(seedNode).address) : List.of(), now);
      afterCall(node, false);
    }
  }

  private GossipCore buildCore(SimNode node) {
    // Production runtimes give the wall clock at start: the simulated one is virtual time from
    // WALL_CLOCK_ORIGIN, so a restarted node starts at a later generation, as a real one does.
    GossipCore.Builder b =
        GossipCore.builder()
            .config(config)
            .wallClockAtStart(WALL_CLOCK_ORIGIN.plusNanos(Math.max(0, now)))
            .messageHandler(handler(node, node.life));
    if (config.clockOffsets()) {
      b.wallClock(() -> wallClockNanos(node));
    }
    if (customizer != null) {
      customizer.customize(node.index, b);
    }
    return b.id(node.id)
        .address(node.address)
        .random(nodeRandoms.split())
        .outbox(
            new Outbox() {
              @Override
              public void send(GossipMessage m, NodeView target, Delivery delivery) {
                onSend(node, m, target, delivery, 0);
              }

              @Override
              public void send(GossipMessage m, NodeView target, Delivery delivery, int version) {
                onSend(node, m, target, delivery, version);
              }
            })
        .listener(e -> onClusterEvent(node, e))
        .build();
  }

  /**
   * The application of node {@code node} in life {@code life}: reports what its core delivers to
   * the {@link UserTrafficTracker} and answers queries (see {@link Simulation.Builder}).
   */
  private MessageHandler handler(SimNode node, int life) {
    return new MessageHandler() {
      @Override
      public void onBroadcast(UserBroadcast broadcast) {
        measure.user.delivered(node.index, life, broadcast, now);
      }

      @Override
      public void onQuery(QueryRequest query) {
        if (queryAnswerBytes >= 0) {
          // the handler must not call back into the core: answer from the loop
          queue.push(
              now + queryAnswerDelayNanos, new SimEvent.Action(() -> answer(node, life, query)));
        }
      }

      @Override
      public void onQueryDone(QueryResult result) {
        measure.user.queryDone(node.index, life, result, now);
      }
    };
  }

  private void answer(SimNode node, int life, QueryRequest query) {
    if (!node.up || node.life != life || node.paused) {
      return; // a paused application answers late: not modelled, it does not answer
    }
    byte[] answer = new byte[queryAnswerBytes];
    node.running().respondToQuery(query, answer, now);
    afterCall(node, false);
  }

  /**
   * Sends a user broadcast of {@code size} bytes from a running node now; returns its number in the
   * {@link UserTrafficTracker}.
   */
  long broadcast(SimNode node, String topic, @Nullable String key, int size) {
    UserTrafficTracker u = measure.user;
    long id = u.nextId();
    byte[] payload = UserTrafficTracker.payload(id, size);
    node.running().broadcast(topic, payload, key, now);
    BitSet need = new BitSet(live.size());
    for (int k = 0; k < live.count(); k++) {
      SimNode o = live.node(live.at(k));
      if (o != node && (o.joined || (o.index == 0 && o.life == 1))) { // node 0 joins nobody
        need.set(o.index);
      }
    }
    u.broadcast(node.index, node.life, topic, key, now, need);
    afterCall(node, false);
    return id;
  }

  /** Asks a query from a running node now. */
  void query(SimNode node, String name, byte[] payload, QueryOptions options) {
    long id = node.running().query(name, payload, options, now);
    measure.user.queried(node.index, node.life, id, now);
    afterCall(node, false);
  }

  /**
   * A random running node to join through, preferring one whose own join has completed (as an
   * operator's seed list would); -1 when no node runs.
   */
  private int pickSeed() {
    if (live.count() == 0) {
      return -1;
    }
    int pick = -1;
    for (int attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
      pick = live.at(pickRandom.nextInt(live.count()));
      if (live.node(pick).joined || pick == live.at(0)) {
        break;
      }
    }
    return pick;
  }

  /** Stops a node now: its core is discarded, and the trackers stop waiting for it. */
  void stopNode(SimNode node) {
    measure.traffic.accountLive(now, live.count());
    node.up = false;
    node.life++;
    node.tickGen++;
    node.tickAt = SimNode.NONE;
    node.paused = false;
    node.leaving = false;
    node.joined = false;
    node.leaveSpread = false;
    node.takeHeld();
    node.pendingBytes = 0;
    node.core = null;
    live.remove(node);
    measure.user.stopped(node.index);
    measure.dissemination.stopped(node.index);
    measure.detection.stopped(node.index, now);
    measure.convergence.stopped(node, now);
    measure.membership.stopped(node, now);
  }
}
