package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The SWIM membership state machine of one node: failure detection with Lifeguard, piggybacked
 * dissemination, push-pull anti-entropy, metadata and graceful leave.
 *
 * <p>It performs no I/O and reads no clock. Time is the {@code now} argument of every call
 * (monotonic nanoseconds, any origin, compared as {@code a - b < 0}); randomness comes only from
 * the injected generator, so the same seed and inputs give the same outputs. Outgoing messages go
 * to the {@link Outbox}, changes to the {@link GossipListener}, both synchronously.
 *
 * <p>Not thread-safe: confine each instance to one thread. Call {@link #tick(long)} once after
 * building and then whenever {@link #nextDeadline()} is reached; re-read {@code nextDeadline()}
 * after every call, since messages and commands can move it earlier.
 *
 * <pre>{@code
 * GossipCore core = GossipCore.builder()
 *     .id("node-1").address(new NodeAddress("10.0.0.1", 7946))
 *     .config(GossipConfig.lan()).random(new SplittableRandom(42))
 *     .outbox((msg, target, delivery) -> transport.send(msg, target.address(), delivery))
 *     .listener(event -> log(event))
 *     .build();
 * core.tick(clock.nanos());
 * core.join(List.of(NodeAddress.parse("10.0.0.5:7946")), clock.nanos());
 * }</pre>
 */
public final class GossipCore {
  @SuppressWarnings("UnusedVariable") // unused since the core split; the refactor drops it
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** Room kept for the update-count varint when packing a packet. */
  private static final int COUNT_RESERVE = 3;

  /** Slots of {@link #currentClaims} (16 KB of references). */
  private static final int CURRENT_CLAIMS = 4096;

  private final String selfId;
  private final NodeAddress selfAddress;
  private final GossipConfig config;
  private final RandomGenerator random;
  private final Outbox outbox;
  private final GossipListener listener;
  private final LongSupplier ticker;
  private final BinarySerializer sizer;

  private final long probeIntervalNanos;
  private final long probeTimeoutNanos;
  private final long gossipIntervalNanos;
  private final long gossipToTheDeadNanos;
  private final long pushPullBaseNanos;
  private final long reconnectIntervalNanos;
  private final long tombstoneNanos;

  // ---- membership table
  private final IdMap<Member> members = new IdMap<>();
  private final ArrayList<Member> memberList = new ArrayList<>();
  private final int[] statusCounts = new int[NodeStatus.values().length];
  private final BroadcastQueue broadcasts;
  private final Awareness awareness;
  private final SuspicionTimers suspicions = new SuspicionTimers();
  private final ArrayDeque<Timer<Member>> tombstones = new ArrayDeque<>();

  /**
   * Claims that are some member's current state, each in the slot its id, incarnation and status
   * hash to (a later one overwrites). Gossip repeats every claim many times, so most claims a node
   * receives equal the state it already holds; such a claim is found here and skipped without a
   * lookup in the member table, which at thousands of members misses every cache. Invariant: an
   * entry is always the current state of its member (see {@link #setState}); a claim equal to a
   * member's current state changes nothing under the ordering rules, so skipping it is exact.
   */
  private final MemberUpdate[] currentClaims = new MemberUpdate[CURRENT_CLAIMS];

  // ---- self
  private MemberUpdate selfState;
  private NodeStatus selfStatus;
  private long selfStateChangedAt;
  private boolean leaving;
  private boolean leaveSpreadAnnounced;

  /** Encoded bytes a packet may hold: the packet size less the runtime's per-packet overhead. */
  private final int packetBudget;

  private boolean joined;

  // ---- probing
  private final ArrayList<Member> probeOrder = new ArrayList<>();
  private int probeIndex;
  private int probeRound = 1;
  private long seq;
  private @Nullable Probe probe;
  private final ArrayDeque<Relay> relays = new ArrayDeque<>();
  private final Map<Long, Relay> relaysBySeq = new HashMap<>();

  // ---- timers
  private boolean started;
  private long nextProbe;
  private long nextGossip;
  private long nextPushPull;
  private long syncBackoff;

  /**
   * Newer claims that contradict stale accusations in the message being handled; sent back to its
   * sender, who evidently missed them.
   */
  private final List<MemberUpdate> corrections = new ArrayList<>();

  private long nextReconnect;
  private long lastTickAt;
  private long graceUntil;

  // ---- stats
  private long messagesSent;
  private long messagesReceived;
  private long bytesSent;
  private long bytesReceived;
  private final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
  private long lastTickNanos;
  private long probes;
  private long suspicionsRaised;
  private long refutations;
  private long listenerErrors;

  /** A deadline for one object; stale when the object has moved on. */
  private record Timer<T>(long deadline, T subject) {}

  /** A probe in flight. */
  private static final class Probe {
    final Member target;
    final long seq;
    final long timeoutAt;
    long periodEnd;
    boolean indirectSent;
    int expectedNacks;
    int nacks;
    boolean acked;

    Probe(Member target, long seq, long timeoutAt, long periodEnd) {
      this.target = target;
      this.seq = seq;
      this.timeoutAt = timeoutAt;
      this.periodEnd = periodEnd;
    }
  }

  /** An indirect probe this node runs on behalf of another. */
  private static final class Relay {
    final long localSeq;
    final long requesterSeq;
    final String requester;
    final NodeAddress requesterAddress;
    final long nackAt;
    boolean done;

    Relay(
        long localSeq,
        long requesterSeq,
        String requester,
        NodeAddress requesterAddress,
        long nackAt) {
      this.localSeq = localSeq;
      this.requesterSeq = requesterSeq;
      this.requester = requester;
      this.requesterAddress = requesterAddress;
      this.nackAt = nackAt;
    }
  }

  /** A builder; {@code id}, {@code address}, {@code random} and {@code outbox} are required. */
  public static Builder builder() {
    return new Builder();
  }

  private GossipCore(Builder b) {
    this.selfId = Objects.requireNonNull(b.id, "id");
    MemberUpdate.checkId(selfId, "id");
    this.selfAddress = Objects.requireNonNull(b.address, "address");
    this.config = Objects.requireNonNull(b.config, "config");
    this.outbox = Objects.requireNonNull(b.outbox, "outbox");
    this.listener = Objects.requireNonNull(b.listener, "listener");
    this.ticker = Objects.requireNonNull(b.ticker, "ticker");
    this.random =
        Objects.requireNonNull(
            b.random, "random: give a RandomGenerator, e.g. new SplittableRandom(seed)");
    if (b.incarnation < 0 || b.incarnation > MemberUpdate.MAX_INCARNATION) {
      throw new IllegalArgumentException("incarnation must be in [0, 2^32), got " + b.incarnation);
    }
    if (b.packetOverhead < 0 || b.packetOverhead > config.maxPacketSize() / 2) {
      throw new IllegalArgumentException(
          "packetOverhead must be in [0, maxPacketSize / 2 = "
              + config.maxPacketSize() / 2
              + "], got "
              + b.packetOverhead);
    }
    this.packetBudget = config.maxPacketSize() - b.packetOverhead;
    this.sizer = BinarySerializer.forConfig(config);
    checkMetadata(b.metadata);
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.probeTimeoutNanos = config.probeTimeout().toNanos();
    this.gossipIntervalNanos = config.gossipInterval().toNanos();
    this.gossipToTheDeadNanos = config.gossipToTheDeadTime().toNanos();
    this.pushPullBaseNanos = config.pushPullInterval().toNanos();
    this.reconnectIntervalNanos = config.reconnectInterval().toNanos();
    this.tombstoneNanos = config.tombstoneTimeout().toNanos();
    this.broadcasts = new BroadcastQueue(config.maxQueuedUpdates());
    this.awareness = new Awareness(config.awarenessMaxMultiplier());
    this.selfState =
        new MemberUpdate(
            selfId,
            selfAddress,
            NodeStatus.ONLINE,
            b.incarnation,
            b.metadata,
            0,
            b.configEpoch,
            selfId);
    this.selfStatus = NodeStatus.JOINING;
  }

  // =====================================================================================
  // Commands
  // =====================================================================================

  /**
   * Runs every timer due at {@code now}: probe start, probe timeout (indirect probes), probe period
   * end (suspicion), gossip round, push-pull, reconnect to failed members, suspicion timeouts,
   * indirect-probe nacks and tombstone expiry.
   */
  public void tick(long now) {
    runTimers(now);
    afterCall();
  }

  private void runTimers(long now) {
    long t0 = ticker.getAsLong();
    corrections.clear();
    if (!started) {
      start(now);
    } else if (now - lastTickAt > probeIntervalNanos + gossipIntervalNanos) {
      // We were not scheduled for a while (a long GC pause, CPU starvation): what we think of
      // others is stale, and the answers we missed are still waiting to be read. Listen for one
      // probe interval before accusing anyone, and give up the probe that overran.
      graceUntil = now + probeIntervalNanos;
      probe = null;
    }
    lastTickAt = now;
    expireRelays(now);
    if (probe != null) {
      advanceProbe(now);
    }
    if (!leaving && due(nextProbe, now)) {
      nextProbe = now + awareness.scale(probeIntervalNanos);
      startProbe(now);
    }
    // After the probe steps: a failed probe can confirm a suspicion and bring its end forward.
    expireSuspicions(now);
    if (due(nextGossip, now)) {
      nextGossip = now + gossipIntervalNanos;
      gossipRound(now);
    }
    if (!leaving && due(nextPushPull, now)) {
      long regular = ProtocolMath.pushPullIntervalNanos(pushPullBaseNanos, liveCount());
      if (syncBackoff > 0 && syncBackoff < regular && syncBackoff <= 16 * probeIntervalNanos) {
        // Catch-up exchanges after a join, at doubling intervals: members whose news spread
        // while this node was still unknown to most of the cluster (a mass join) are learned
        // here rather than at the next regular exchange, minutes away in a large cluster.
        nextPushPull = now + syncBackoff + (long) (random.nextDouble() * syncBackoff / 2);
        syncBackoff *= 2;
      } else {
        syncBackoff = 0;
        nextPushPull = now + regular;
      }
      Member peer = randomMembers(1, null, false, now).stream().findFirst().orElse(null);
      if (peer != null) {
        sendPushPull(peer.view(), peer.state.address(), false, false);
      }
    }
    if (!leaving && due(nextReconnect, now)) {
      nextReconnect = now + reconnectIntervalNanos;
      reconnect(now);
    }
    cleanupExpired(now);
    lastTickNanos = ticker.getAsLong() - t0;
  }

  /**
   * Sends a full-state push-pull to every live member now. Costs O(N²) bytes: small clusters only.
   */
  public void tickFullBroadcast(long now) {
    ensureStarted(now);
    for (Member m : new ArrayList<>(memberList)) {
      if (m.status().isAlive()) {
        sendPushPull(m.view(), m.state.address(), false, false);
      }
    }
  }

  /**
   * Applies one inbound message: its piggybacked updates first, then the message itself (answer a
   * ping, match an ack, relay an indirect probe, merge a push-pull state).
   */
  public void handleMessage(GossipMessage message, long now) {
    Objects.requireNonNull(message, "message");
    receive(message, now);
    afterCall();
  }

  private void receive(GossipMessage message, long now) {
    ensureStarted(now);
    messagesReceived++;
    corrections.clear();
    if (message.from().equals(selfId)) {
      drop(DropReason.FROM_SELF);
      return;
    }
    Member sender = members.get(message.from());
    if (sender != null && !(message instanceof PushPull)) {
      sender.lastSeen = now;
    }
    if (message instanceof PushPull) {
      onPushPull((PushPull) message, now);
      return;
    }
    for (MemberUpdate u : message.updates()) {
      apply(u, now, false);
    }
    if (message instanceof Ping) {
      onPing((Ping) message, now); // its ack carries the corrections
      corrections.clear();
      return;
    }
    if (message instanceof Ack) {
      onAck((Ack) message, now);
    } else if (message instanceof PingReq) {
      onPingReq((PingReq) message, now);
    } else if (message instanceof Nack) {
      onNack((Nack) message);
    }
    if (!corrections.isEmpty()) {
      NodeView to = sender != null ? sender.view() : NodeView.ofAddress(message.fromAddress());
      send(
          withPiggyback(new Gossip(selfId, selfAddress, List.of()), sender),
          to,
          Delivery.BEST_EFFORT);
    }
    corrections.clear();
  }

  /** Introduces the node at {@code address}: a push-pull state exchange with it. */
  public void meet(NodeAddress address, long now) {
    Objects.requireNonNull(address, "address");
    ensureStarted(now);
    if (!address.equals(selfAddress)) {
      sendPushPull(NodeView.ofAddress(address), address, true, false);
    }
  }

  /**
   * Joins a cluster through {@code seeds}: a join push-pull with each. With no seed other than
   * itself the node forms a cluster of one and is {@code ONLINE} at once. The join has completed
   * when {@link ClusterEvent.SelfJoined} fires (and {@link #hasJoined()} turns true); the runtime
   * decides how long to wait and whether to retry.
   */
  public void join(Collection<NodeAddress> seeds, long now) {
    Objects.requireNonNull(seeds, "seeds");
    ensureStarted(now);
    int sent = 0;
    for (NodeAddress seed : seeds) {
      if (!seed.equals(selfAddress)) {
        sendPushPull(NodeView.ofAddress(seed), seed, true, false);
        sent++;
      }
    }
    if (sent == 0) {
      markJoined(now);
    }
    afterCall();
  }

  /** Whether a push-pull answer has arrived (or the node bootstrapped a cluster of its own). */
  public boolean hasJoined() {
    return joined;
  }

  /**
   * Leaves gracefully: announces {@code LEFT} (which wins over {@code ONLINE} at the same
   * incarnation, so it is never mistaken for a failure) and stops probing. Keep ticking until
   * {@link ClusterEvent.LeaveSpread} fires so the announcement goes out.
   */
  public void leave(long now) {
    ensureStarted(now);
    if (leaving) {
      return;
    }
    leaving = true;
    probe = null;
    selfState = selfState.withStatus(NodeStatus.LEFT, selfState.incarnation(), selfId);
    selfStatus = NodeStatus.LEFT;
    selfStateChangedAt = now;
    broadcasts.add(selfState);
    nextGossip = now; // start spreading at once
    afterCall();
  }

  /**
   * Whether the {@code LEFT} announcement has been sent as often as any update is, or there is no
   * one left to tell.
   */
  public boolean leaveSpread() {
    return leaving && (!broadcasts.contains(selfId) || liveCount() == 0);
  }

  /**
   * Replaces this node's metadata and spreads it (a new incarnation and metadata version).
   *
   * @throws IllegalArgumentException when the encoded metadata exceeds {@link
   *     GossipConfig#maxMetadataBytes()}
   * @throws IllegalStateException after {@link #leave(long)}
   */
  public void updateMetadata(Map<String, String> metadata, long now) {
    checkMetadata(metadata);
    ensureStarted(now);
    if (leaving) {
      throw new IllegalStateException("node " + selfId + " has left; metadata is frozen");
    }
    selfState =
        new MemberUpdate(
            selfId,
            selfAddress,
            NodeStatus.ONLINE,
            nextIncarnation(selfState.incarnation()),
            metadata,
            selfState.metadataVersion() + 1,
            selfState.configEpoch(),
            selfId);
    broadcasts.add(selfState);
  }

  /** Counts bytes the runtime sent on this node's behalf. */
  public void recordBytesSent(long bytes) {
    bytesSent += bytes;
  }

  /** Counts bytes the runtime received for this node. */
  public void recordBytesReceived(long bytes) {
    bytesReceived += bytes;
  }

  /** Counts a packet the runtime dropped (undecodable, unroutable, ...). */
  public void recordDrop(DropReason reason) {
    drop(Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Removes {@code FAILED} and {@code LEFT} members whose tombstone is older than {@link
   * GossipConfig#tombstoneTimeout()}, with a {@code REMOVED} event each.
   *
   * @return how many were removed
   */
  public int cleanupExpired(long now) {
    int removed = 0;
    while (!tombstones.isEmpty()) {
      Timer<Member> t = tombstones.peekFirst();
      Member m = t.subject();
      boolean current =
          members.get(m.id()) == m
              && m.status().isGone()
              && m.stateChangedAt + tombstoneNanos == t.deadline();
      if (current && !due(t.deadline(), now)) {
        break;
      }
      tombstones.pollFirst();
      if (current) {
        removeMember(m);
        emit(new ClusterEvent.MemberRemoved(m.view()));
        removed++;
      }
    }
    return removed;
  }

  /**
   * Forgets every member but this node and clears timers, probes and queues. The incarnation is
   * kept, so old claims about this node stay refutable.
   */
  public void reset(long now) {
    members.clear();
    memberList.clear();
    Arrays.fill(currentClaims, null);
    Arrays.fill(statusCounts, 0);
    tombstones.clear();
    broadcasts.clear();
    suspicions.clear();
    probeOrder.clear();
    probeIndex = 0;
    probe = null;
    relays.clear();
    relaysBySeq.clear();
    awareness.reset();
    joined = false;
    started = false;
    if (!leaving) {
      selfStatus = NodeStatus.JOINING;
    }
    start(now);
  }

  // =====================================================================================
  // Queries
  // =====================================================================================

  /** This node as it presents itself ({@code JOINING}, then {@code ONLINE}, or {@code LEFT}). */
  public NodeView self() {
    MemberUpdate s = selfState;
    return new NodeView(
        selfId,
        selfAddress,
        selfStatus,
        s.incarnation(),
        s.metadata(),
        s.metadataVersion(),
        s.configEpoch(),
        selfStateChangedAt,
        selfStateChangedAt);
  }

  /** Every member in the table, this node first, then the others by id; tombstones included. */
  public List<NodeView> members() {
    List<NodeView> out = new ArrayList<>(memberList.size() + 1);
    for (Member m : memberList) {
      out.add(m.view());
    }
    out.sort(Comparator.comparing(NodeView::id));
    out.add(0, self());
    return out;
  }

  /** The member with {@code id} (this node included), if known. */
  public Optional<NodeView> findNode(String id) {
    if (selfId.equals(id)) {
      return Optional.of(self());
    }
    Member m = members.get(id);
    return m == null ? Optional.empty() : Optional.of(m.view());
  }

  /** The status of member {@code id}, or {@link NodeStatus#UNKNOWN}; allocation-free. */
  public NodeStatus statusOf(String id) {
    if (selfId.equals(id)) {
      return selfStatus;
    }
    Member m = members.get(id);
    return m == null ? NodeStatus.UNKNOWN : m.status();
  }

  /** Number of members in the table, this node and tombstones included. */
  public int size() {
    return memberList.size() + 1;
  }

  /** Suspicion timers queued: one per member this node holds SUSPECT (for tests). */
  int suspicionTimerCount() {
    return suspicions.size();
  }

  /** Number of members {@code ONLINE} or {@code SUSPECT}, this node included. */
  public int liveCount() {
    return statusCounts[NodeStatus.ONLINE.ordinal()]
        + statusCounts[NodeStatus.SUSPECT.ordinal()]
        + (leaving ? 0 : 1);
  }

  /** Counters and gauges. */
  public GossipStats stats() {
    GossipStats.Builder b =
        GossipStats.builder()
            .nodes(
                size(),
                statusCounts[NodeStatus.ONLINE.ordinal()]
                    + (selfStatus == NodeStatus.ONLINE ? 1 : 0),
                statusCounts[NodeStatus.SUSPECT.ordinal()],
                statusCounts[NodeStatus.FAILED.ordinal()],
                statusCounts[NodeStatus.LEFT.ordinal()])
            .traffic(messagesSent, messagesReceived, bytesSent, bytesReceived)
            .self(selfState.incarnation(), awareness.score(), lastTickNanos)
            .protocol(broadcasts.size(), probes, suspicionsRaised, refutations, listenerErrors)
            .drop(DropReason.QUEUE_FULL, broadcasts.dropped());
    for (Map.Entry<DropReason, Long> e : drops.entrySet()) {
      b.drop(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /**
   * The time at which {@link #tick(long)} must next be called; never later than one gossip interval
   * from the last tick.
   */
  public long nextDeadline() {
    if (!started) {
      return Long.MIN_VALUE;
    }
    long d = nextGossip;
    if (!leaving) {
      d = min(d, nextProbe);
      d = min(d, nextPushPull);
      d = min(d, nextReconnect);
    }
    if (probe != null) {
      d = min(d, probe.indirectSent ? probe.periodEnd : probe.timeoutAt);
    }
    Suspicion s = suspicions.peek();
    if (s != null) {
      d = min(d, max(s.deadline(), graceUntil));
    }
    Relay r = relays.peekFirst();
    if (r != null) {
      d = min(d, r.nackAt);
    }
    Timer<Member> t = tombstones.peekFirst();
    if (t != null) {
      d = min(d, t.deadline());
    }
    return d;
  }

  /** The configuration this core runs with. */
  public GossipConfig config() {
    return config;
  }

  // =====================================================================================
  // Timers
  // =====================================================================================

  private void ensureStarted(long now) {
    if (!started) {
      start(now);
    }
  }

  private void start(long now) {
    started = true;
    lastTickAt = now;
    graceUntil = now;
    selfStateChangedAt = now;
    broadcasts.add(selfState); // announce ourselves to whoever we meet
    // Random phases, so nodes started together do not probe and gossip in lockstep.
    nextProbe = now + (long) (random.nextDouble() * probeIntervalNanos);
    nextGossip = now + (long) (random.nextDouble() * gossipIntervalNanos);
    nextPushPull = now + pushPullBaseNanos / 2 + (long) (random.nextDouble() * pushPullBaseNanos);
    nextReconnect =
        now + reconnectIntervalNanos + (long) (random.nextDouble() * reconnectIntervalNanos);
  }

  private static boolean due(long deadline, long now) {
    return deadline - now <= 0;
  }

  private static long min(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  private static long max(long a, long b) {
    return a - b >= 0 ? a : b;
  }

  // =====================================================================================
  // Failure detection
  // =====================================================================================

  private void startProbe(long now) {
    if (probe != null) {
      // The previous probe's period overran (its period end moved with the health score).
      finishFailedProbe(probe, now);
    }
    Member target = nextProbeTarget(now);
    if (target == null) {
      return;
    }
    probes++;
    long s = ++seq;
    probe =
        new Probe(
            target,
            s,
            now + awareness.scale(probeTimeoutNanos),
            now + awareness.scale(probeIntervalNanos));
    Ping ping = new Ping(selfId, selfAddress, s, target.id(), List.of());
    send(withPiggyback(ping, target), target.view(), Delivery.BEST_EFFORT);
  }

  @SuppressWarnings("UnusedVariable") // `now`: uniform step signatures; the refactor revisits
  private @Nullable Member nextProbeTarget(long now) {
    for (int pass = 0; pass < 2; pass++) {
      while (probeIndex < probeOrder.size()) {
        Member m = probeOrder.get(probeIndex++);
        if (members.get(m.id()) == m && m.status().isAlive() && m.probedRound != probeRound) {
          m.probedRound = probeRound; // a member re-inserted after recovering is probed once
          return m;
        }
      }
      // One full round done: reshuffle the live members for the next one.
      probeOrder.clear();
      probeIndex = 0;
      probeRound++;
      for (Member m : memberList) {
        if (m.status().isAlive()) {
          probeOrder.add(m);
        }
      }
      shuffle(probeOrder);
      if (probeOrder.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  private void advanceProbe(long now) {
    Probe p = Objects.requireNonNull(probe, "advanceProbe needs a probe in flight");
    if (p.acked) {
      probe = null;
      return;
    }
    if (members.get(p.target.id()) != p.target || !p.target.status().isAlive()) {
      probe = null; // target gone meanwhile
      return;
    }
    if (!p.indirectSent && due(p.timeoutAt, now)) {
      p.indirectSent = true;
      List<Member> helpers = randomMembers(config.indirectChecks(), p.target, true, now);
      for (Member h : helpers) {
        PingReq req =
            new PingReq(
                selfId, selfAddress, p.seq, p.target.id(), p.target.state.address(), List.of());
        send(withPiggyback(req, h), h.view(), Delivery.BEST_EFFORT);
      }
      p.expectedNacks = helpers.size();
      // Indirect probes need their share of the period even when this tick came late.
      p.periodEnd = max(p.periodEnd, now + awareness.scale(probeIntervalNanos - probeTimeoutNanos));
    }
    if (p.indirectSent && due(p.periodEnd, now)) {
      finishFailedProbe(p, now);
    }
  }

  private void finishFailedProbe(Probe p, long now) {
    probe = null;
    if (p.acked) {
      return;
    }
    // Lifeguard: missing nacks mean our own links are suspect; with no helpers, penalise once.
    int delta = 0;
    if (p.expectedNacks > 0) {
      if (p.nacks < p.expectedNacks) {
        delta += p.expectedNacks - p.nacks;
      }
    } else {
      delta += 1;
    }
    awareness.apply(delta);
    Member t = p.target;
    if (members.get(t.id()) == t && t.status() == NodeStatus.ONLINE) {
      suspicionsRaised++;
      apply(t.state.withStatus(NodeStatus.SUSPECT, t.state.incarnation(), selfId), now, false);
    } else if (members.get(t.id()) == t && t.status() == NodeStatus.SUSPECT) {
      // Our own failed probe of an already suspected member is an independent confirmation.
      apply(t.state.withStatus(NodeStatus.SUSPECT, t.state.incarnation(), selfId), now, false);
    }
  }

  @SuppressWarnings("UnusedVariable") // `now`: uniform handler signatures
  private void onPing(Ping ping, long now) {
    if (!ping.target().equals(selfId)) {
      drop(DropReason.WRONG_TARGET);
      return;
    }
    Member sender = members.get(ping.from());
    NodeView to = sender != null ? sender.view() : NodeView.ofAddress(ping.fromAddress());
    Ack ack = new Ack(selfId, selfAddress, ping.seq(), List.of());
    send(withPiggyback(ack, sender), to, Delivery.BEST_EFFORT);
  }

  private void onAck(Ack ack, long now) {
    Probe p = probe;
    if (p != null && p.seq == ack.seq()) {
      if (!p.acked) {
        p.acked = true;
        awareness.apply(-1);
        p.target.lastSeen = now;
      }
      return;
    }
    Relay r = relaysBySeq.remove(ack.seq());
    if (r != null && !r.done) {
      r.done = true;
      Member requester = members.get(r.requester);
      Ack relayed = new Ack(selfId, selfAddress, r.requesterSeq, List.of());
      NodeView to = requester != null ? requester.view() : NodeView.ofAddress(r.requesterAddress);
      send(withPiggyback(relayed, requester), to, Delivery.BEST_EFFORT);
      return;
    }
    drop(DropReason.STALE);
  }

  private void onNack(Nack nack) {
    Probe p = probe;
    if (p != null && p.seq == nack.seq() && p.indirectSent) {
      p.nacks++;
    } else {
      drop(DropReason.STALE);
    }
  }

  private void onPingReq(PingReq req, long now) {
    if (req.target().equals(selfId)) {
      // Asked to probe ourselves: answer the requester directly.
      Member requester = members.get(req.from());
      NodeView to = requester != null ? requester.view() : NodeView.ofAddress(req.fromAddress());
      send(
          withPiggyback(new Ack(selfId, selfAddress, req.seq(), List.of()), requester),
          to,
          Delivery.BEST_EFFORT);
      return;
    }
    long local = ++seq;
    // Nack a little before the requester's own deadline, so the nack can still count.
    Relay r =
        new Relay(local, req.seq(), req.from(), req.fromAddress(), now + probeTimeoutNanos * 4 / 5);
    relays.addLast(r);
    relaysBySeq.put(local, r);
    Member target = members.get(req.target());
    NodeView to =
        target != null && target.state.address().equals(req.targetAddress())
            ? target.view()
            : new NodeView(
                req.target(), req.targetAddress(), NodeStatus.UNKNOWN, 0, Map.of(), 0, 0, 0, 0);
    Ping ping = new Ping(selfId, selfAddress, local, req.target(), List.of());
    send(withPiggyback(ping, target), to, Delivery.BEST_EFFORT);
  }

  private void expireRelays(long now) {
    while (!relays.isEmpty() && due(relays.peekFirst().nackAt, now)) {
      Relay r = relays.pollFirst();
      relaysBySeq.remove(r.localSeq);
      if (!r.done) {
        r.done = true;
        Member requester = members.get(r.requester);
        NodeView to = requester != null ? requester.view() : NodeView.ofAddress(r.requesterAddress);
        send(
            withPiggyback(new Nack(selfId, selfAddress, r.requesterSeq, List.of()), requester),
            to,
            Delivery.BEST_EFFORT);
      }
    }
  }

  private void expireSuspicions(long now) {
    if (!due(graceUntil, now)) {
      return;
    }
    Suspicion s;
    while ((s = suspicions.peek()) != null && due(s.deadline(), now)) {
      suspicions.remove(s);
      Member m = s.member;
      m.suspicion = null;
      if (members.get(m.id()) == m
          && m.status() == NodeStatus.SUSPECT
          && m.state.incarnation() == s.incarnation) {
        apply(m.state.withStatus(NodeStatus.FAILED, s.incarnation, selfId), now, false);
      }
    }
  }

  // =====================================================================================
  // Dissemination
  // =====================================================================================

  private void gossipRound(long now) {
    if (broadcasts.isEmpty()) {
      return;
    }
    List<Member> targets = randomMembers(config.gossipNodes(), null, false, now, true);
    for (Member t : targets) {
      if (broadcasts.isEmpty()) {
        break;
      }
      Gossip g = new Gossip(selfId, selfAddress, List.of());
      GossipMessage packed = withPiggyback(g, t);
      if (!packed.updates().isEmpty()) {
        send(packed, t.view(), Delivery.BEST_EFFORT);
      }
    }
  }

  /**
   * The message with as many queued updates as fit in one packet. When the peer is suspected or
   * failed in our view, that claim goes first, so it can refute at once (the buddy system).
   */
  private GossipMessage withPiggyback(GossipMessage empty, @Nullable Member peer) {
    List<MemberUpdate> prefix = List.of();
    int budget = packetBudget - sizer.encodedSize(empty) - COUNT_RESERVE;
    if (!corrections.isEmpty()) {
      List<MemberUpdate> fixes = new ArrayList<>(corrections.size());
      for (MemberUpdate c : corrections) {
        int size = BinarySerializer.updateSize(c);
        if (size <= budget) {
          fixes.add(c);
          budget -= size;
        }
      }
      prefix = fixes;
    } else if (peer != null
        && members.get(peer.id()) == peer
        && peer.status() != NodeStatus.ONLINE) {
      MemberUpdate claim = peer.state;
      int size = BinarySerializer.updateSize(claim);
      if (size <= budget) {
        prefix = List.of(claim);
        budget -= size;
      }
    }
    List<MemberUpdate> updates =
        broadcasts.take(
            budget, ProtocolMath.retransmitLimit(config.retransmitMult(), liveCount()), prefix);
    if (updates.isEmpty()) {
      return empty;
    }
    return rebuild(empty, updates);
  }

  private static GossipMessage rebuild(GossipMessage m, List<MemberUpdate> updates) {
    if (m instanceof Ping) {
      Ping p = (Ping) m;
      return new Ping(p.from(), p.fromAddress(), p.seq(), p.target(), updates);
    } else if (m instanceof Ack) {
      Ack a = (Ack) m;
      return new Ack(a.from(), a.fromAddress(), a.seq(), updates);
    } else if (m instanceof PingReq) {
      PingReq r = (PingReq) m;
      return new PingReq(
          r.from(), r.fromAddress(), r.seq(), r.target(), r.targetAddress(), updates);
    } else if (m instanceof Nack) {
      Nack n = (Nack) m;
      return new Nack(n.from(), n.fromAddress(), n.seq(), updates);
    } else if (m instanceof Gossip) {
      return new Gossip(m.from(), m.fromAddress(), updates);
    }
    throw new IllegalArgumentException("cannot piggyback on " + m.type());
  }

  // =====================================================================================
  // Anti-entropy
  // =====================================================================================

  @SuppressWarnings("UnusedVariable") // `address`: the refactor revisits this signature
  private void sendPushPull(NodeView to, NodeAddress address, boolean join, boolean reply) {
    PushPull pp = new PushPull(selfId, selfAddress, join, reply, fullState());
    send(pp, to, Delivery.RELIABLE);
  }

  private List<MemberUpdate> fullState() {
    List<MemberUpdate> state = new ArrayList<>(memberList.size() + 1);
    state.add(selfState);
    for (Member m : memberList) {
      state.add(m.state);
    }
    return state;
  }

  private void onPushPull(PushPull pp, long now) {
    Member before = members.get(pp.from());
    boolean fromTheDead = before != null && before.status() == NodeStatus.FAILED;
    // Merge first so that the reply already carries any refutation of claims about us.
    for (MemberUpdate u : pp.updates()) {
      apply(u, now, true, pp.from());
    }
    Member sender = members.get(pp.from());
    if (sender != null) {
      sender.lastSeen = now;
    }
    if (pp.reply()) {
      markJoined(now);
      if (fromTheDead && !leaving) {
        // A member we had declared dead answered: a partition has healed. Exchange state with
        // the other side again soon rather than a whole reconnect interval later, so that
        // refutations made over there since the last exchange cross over quickly.
        // Bounded to a quarter interval, so an overloaded cluster that keeps declaring live
        // members dead cannot turn this into a storm of state exchanges.
        nextReconnect = min(nextReconnect, now + reconnectIntervalNanos / 4);
      }
    } else {
      NodeView to = sender != null ? sender.view() : NodeView.ofAddress(pp.fromAddress());
      sendPushPull(to, pp.fromAddress(), false, true);
    }
  }

  private void markJoined(long now) {
    if (!joined) {
      joined = true;
      // The first catch-up exchange (see tick); later ones follow at doubling intervals.
      syncBackoff = 4 * probeIntervalNanos;
      nextPushPull =
          now + 2 * probeIntervalNanos + (long) (random.nextDouble() * probeIntervalNanos);
      if (selfStatus == NodeStatus.JOINING) {
        selfStatus = NodeStatus.ONLINE;
        selfStateChangedAt = now;
      }
      emit(new ClusterEvent.SelfJoined(self()));
    }
  }

  @SuppressWarnings("UnusedVariable") // `now`: uniform step signatures
  private void reconnect(long now) {
    // Partition healing. Every interval, tell one random FAILED member that we hold it dead, in
    // one small packet: if it is alive after all it answers with its refutation (see
    // corrections), and we recover it. This is what repairs the last stale entry one node may
    // keep after a heal. A full state exchange follows with probability failed/alive, so the
    // cluster as a whole exchanges state with each failed member about once per interval.
    int failed = statusCounts[NodeStatus.FAILED.ordinal()];
    if (failed == 0) {
      return;
    }
    Member pick = randomFailed();
    send(
        withPiggyback(new Gossip(selfId, selfAddress, List.of()), pick),
        pick.view(),
        Delivery.BEST_EFFORT);
    int alive = Math.max(1, liveCount());
    if (failed < alive && random.nextDouble() * alive >= failed) {
      return;
    }
    pick = randomFailed();
    sendPushPull(pick.view(), pick.state.address(), false, false);
  }

  private Member randomFailed() {
    for (int i = 0; i < 16; i++) {
      Member m = memberList.get(random.nextInt(memberList.size()));
      if (m.status() == NodeStatus.FAILED) {
        return m;
      }
    }
    List<Member> all = new ArrayList<>();
    for (Member m : memberList) {
      if (m.status() == NodeStatus.FAILED) {
        all.add(m);
      }
    }
    return all.get(random.nextInt(all.size()));
  }

  // =====================================================================================
  // Applying claims
  // =====================================================================================

  /**
   * Applies one claim under the ordering rules. {@code fromState} marks claims from a push-pull
   * state, where a remote FAILED or SUSPECT is only taken as a suspicion (a partition must not
   * declare our live members dead).
   */
  private void apply(MemberUpdate u, long now, boolean fromState) {
    apply(u, now, fromState, null);
  }

  @SuppressWarnings("ReferenceEquality") // identity first: the simulator shares claim objects
  private void apply(MemberUpdate u, long now, boolean fromState, @Nullable String stateSender) {
    if (u.id().equals(selfId)) {
      applyAboutSelf(u, now);
      return;
    }
    MemberUpdate held = currentClaims[claimSlot(u)];
    if (held == u || (held != null && held.equals(u))) {
      return; // a member's current state: nothing to do (see currentClaims)
    }
    Member m = members.get(u.id());
    if (m != null && m.state == u) {
      return; // the very claim we hold (the simulator shares claim objects between nodes)
    }
    if (fromState && (u.status() == NodeStatus.FAILED || u.status() == NodeStatus.SUSPECT)) {
      if (m == null) {
        return; // we cannot suspect what we do not know; we will hear of it alive if it is
      }
      u = u.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from());
    }
    if (u.status() == NodeStatus.ONLINE
        && (m == null || u.incarnation() > m.state.incarnation())
        && !u.metadata().isEmpty()
        && metadataSize(u.metadata()) > config.maxMetadataBytes()) {
      drop(DropReason.TOO_LARGE);
      return;
    }
    if (m == null) {
      if (u.status() == NodeStatus.ONLINE) {
        m = new Member(u, now);
        addMember(m);
        if (!fromState || u.id().equals(stateSender)) {
          // Members learned in bulk from a state exchange are not news worth re-gossiping;
          // the sender's own entry is (that is how a joiner becomes known).
          broadcasts.add(u);
        }
        emit(new ClusterEvent.MemberJoined(m.view()));
      }
      // Suspect/failed/left claims about unknown members are ignored, as in memberlist.
      return;
    }
    MemberUpdate cur = m.state;
    if (!fromState && u.status() != NodeStatus.ONLINE && cur.incarnation() > u.incarnation()) {
      addCorrection(cur); // the sender holds an accusation we know to be outdated
      return;
    }
    switch (u.status()) {
      case ONLINE:
        if (u.incarnation() <= cur.incarnation()) {
          return;
        }
        NodeStatus was = cur.status();
        boolean metaChanged =
            u.metadataVersion() != cur.metadataVersion() || !u.metadata().equals(cur.metadata());
        setState(m, u, now);
        broadcasts.add(u);
        if (was != NodeStatus.ONLINE) {
          emit(new ClusterEvent.MemberRecovered(m.view(), was));
        } else if (metaChanged) {
          emit(new ClusterEvent.MetadataChanged(m.view(), cur.metadata()));
        }
        return;
      case SUSPECT:
        if (u.incarnation() < cur.incarnation()) {
          return;
        }
        if (cur.status() == NodeStatus.SUSPECT) {
          Suspicion s = m.suspicion;
          if (u.incarnation() > cur.incarnation()) {
            // A suspicion of a refutation we missed: take the newer incarnation, timed afresh.
            setState(m, cur.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from()), now);
            broadcasts.add(m.state);
            startSuspicion(m, u.from(), now); // ends the old one
          } else if (s != null && s.confirm(u.from())) {
            suspicions.deadlineChanged(s);
            broadcasts.add(u);
          }
          return;
        }
        if (cur.status() != NodeStatus.ONLINE) {
          return; // FAILED/LEFT stay so until refuted with a higher incarnation
        }
        setState(m, cur.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from()), now);
        startSuspicion(m, u.from(), now);
        broadcasts.add(m.state);
        emit(new ClusterEvent.MemberSuspected(m.view(), u.from()));
        return;
      case FAILED:
      case LEFT:
        if (!u.supersedes(cur)) {
          return;
        }
        NodeStatus before = cur.status();
        if (before.isGone() && u.incarnation() == cur.incarnation()) {
          return;
        }
        setState(m, cur.withStatus(u.status(), u.incarnation(), u.from()), now);
        broadcasts.add(m.state);
        emit(
            u.status() == NodeStatus.LEFT
                ? new ClusterEvent.MemberLeft(m.view(), before)
                : new ClusterEvent.MemberFailed(m.view(), before, u.from()));
        return;
      default:
        drop(DropReason.MALFORMED);
    }
  }

  @SuppressWarnings("UnusedVariable") // `now`: uniform step signatures
  private void applyAboutSelf(MemberUpdate u, long now) {
    if (leaving) {
      return; // we are on our way out: let LEFT stand
    }
    long mine = selfState.incarnation();
    boolean refute;
    if (u.status() == NodeStatus.ONLINE) {
      // Someone holds a newer claim of us alive than we do (we restarted): move past it.
      refute = u.incarnation() > mine;
    } else {
      refute = u.incarnation() >= mine;
    }
    if (!refute) {
      if (u.status() != NodeStatus.ONLINE) {
        // A stale accusation: its holder missed our refutation. Tell the sender directly, or
        // it may declare us FAILED.
        addCorrection(selfState);
      }
      return;
    }
    if (mine >= MemberUpdate.MAX_INCARNATION || u.incarnation() >= MemberUpdate.MAX_INCARNATION) {
      drop(DropReason.MALFORMED); // no incarnation left to refute with: a hostile claim
      return;
    }
    refutations++;
    if (u.status() != NodeStatus.ONLINE) {
      awareness.apply(1); // being suspected hints that we are the slow one
    }
    selfState =
        new MemberUpdate(
            selfId,
            selfAddress,
            NodeStatus.ONLINE,
            nextIncarnation(Math.max(mine, u.incarnation())),
            selfState.metadata(),
            selfState.metadataVersion(),
            selfState.configEpoch(),
            selfId);
    broadcasts.add(selfState);
    if (u.status() != NodeStatus.ONLINE) {
      addCorrection(selfState); // and tell the accuser's messenger at once
    }
    emit(new ClusterEvent.SelfRefuted(self(), u.status(), u.incarnation(), u.from()));
  }

  private void addCorrection(MemberUpdate claim) {
    if (corrections.size() < 8 && !corrections.contains(claim)) {
      corrections.add(claim);
    }
  }

  private void startSuspicion(Member m, String accuser, long now) {
    int n = liveCount();
    long min = ProtocolMath.suspicionMinNanos(config.suspicionMult(), n, probeIntervalNanos);
    long max =
        ProtocolMath.suspicionMaxNanos(
            config.suspicionMult(), config.suspicionMaxTimeoutMult(), n, probeIntervalNanos);
    int k = ProtocolMath.suspicionConfirmationsNeeded(config.suspicionMult(), n);
    endSuspicion(m);
    Suspicion s = new Suspicion(m, m.state.incarnation(), accuser, now, min, max, k);
    m.suspicion = s;
    suspicions.add(s);
  }

  private void setState(Member m, MemberUpdate next, long now) {
    NodeStatus before = m.status();
    forgetClaim(m.state);
    m.state = next;
    rememberClaim(next);
    if (before != next.status()) {
      statusCounts[before.ordinal()]--;
      statusCounts[next.status().ordinal()]++;
      m.stateChangedAt = now;
      if (next.status().isGone()) {
        tombstones.addLast(new Timer<>(now + tombstoneNanos, m));
      }
      if (!next.status().isAlive() || next.status() == NodeStatus.ONLINE) {
        endSuspicion(m);
      }
      if (before.isGone() && next.status().isAlive()) {
        insertIntoProbeOrder(m);
      }
    } else if (next.status() == NodeStatus.ONLINE) {
      endSuspicion(m);
    }
  }

  /** Drops {@code m}'s running suspicion, if any, timer included. */
  private void endSuspicion(Member m) {
    Suspicion s = m.suspicion;
    if (s != null) {
      suspicions.remove(s);
      m.suspicion = null;
    }
  }

  private void addMember(Member m) {
    members.put(m);
    rememberClaim(m.state);
    m.index = memberList.size();
    memberList.add(m);
    statusCounts[m.status().ordinal()]++;
    insertIntoProbeOrder(m);
  }

  private static int claimSlot(MemberUpdate u) {
    int h = u.id().hashCode();
    h = h * 31 + (int) u.incarnation();
    h = h * 31 + u.status().ordinal();
    h *= 0x9E3779B9;
    return (h ^ (h >>> 16)) & (CURRENT_CLAIMS - 1);
  }

  private void rememberClaim(MemberUpdate u) {
    currentClaims[claimSlot(u)] = u;
  }

  @SuppressWarnings("ReferenceEquality") // forgets only this very claim object
  private void forgetClaim(MemberUpdate u) {
    int slot = claimSlot(u);
    if (currentClaims[slot] == u) {
      currentClaims[slot] = null;
    }
  }

  private void insertIntoProbeOrder(Member m) {
    // A random position in the rest of this round, so a newcomer is probed within one round.
    // Appended, then swapped with a random slot of the rest of the round (O(1); the member it
    // displaces moves to the end, still within the round).
    int lo = probeIndex;
    int pos = lo + random.nextInt(probeOrder.size() - lo + 1);
    probeOrder.add(m);
    probeOrder.set(probeOrder.size() - 1, probeOrder.get(pos));
    probeOrder.set(pos, m);
  }

  private void removeMember(Member m) {
    members.remove(m.id());
    forgetClaim(m.state);
    int i = m.index;
    Member last = memberList.remove(memberList.size() - 1);
    if (last != m) {
      memberList.set(i, last);
      last.index = i;
    }
    m.index = -1;
    statusCounts[m.status().ordinal()]--;
    endSuspicion(m);
  }

  // =====================================================================================
  // Helpers
  // =====================================================================================

  private List<Member> randomMembers(
      int k, @Nullable Member exclude, boolean onlineOnly, long now) {
    return randomMembers(k, exclude, onlineOnly, now, false);
  }

  /**
   * Up to {@code k} distinct random members that are alive (or, with {@code includeRecentDead},
   * failed or left within the gossip-to-the-dead time).
   */
  private List<Member> randomMembers(
      int k, @Nullable Member exclude, boolean onlineOnly, long now, boolean includeRecentDead) {
    int n = memberList.size();
    List<Member> out = new ArrayList<>(k);
    if (k <= 0 || n == 0) {
      return out;
    }
    int attempts = 0;
    int maxAttempts = 4 * k + 8;
    while (out.size() < k && attempts++ < maxAttempts) {
      Member m = memberList.get(random.nextInt(n));
      if (eligible(m, exclude, onlineOnly, now, includeRecentDead) && !out.contains(m)) {
        out.add(m);
      }
    }
    if (out.size() < k && attempts >= maxAttempts) {
      // Sparse eligibility (many tombstones): fall back to a scan.
      List<Member> all = new ArrayList<>();
      for (Member m : memberList) {
        if (eligible(m, exclude, onlineOnly, now, includeRecentDead) && !out.contains(m)) {
          all.add(m);
        }
      }
      while (out.size() < k && !all.isEmpty()) {
        int i = random.nextInt(all.size());
        out.add(all.get(i));
        all.set(i, all.get(all.size() - 1));
        all.remove(all.size() - 1);
      }
    }
    return out;
  }

  private boolean eligible(
      Member m, @Nullable Member exclude, boolean onlineOnly, long now, boolean includeRecentDead) {
    if (m == exclude) {
      return false;
    }
    NodeStatus s = m.status();
    if (onlineOnly) {
      return s == NodeStatus.ONLINE;
    }
    if (s.isAlive()) {
      return true;
    }
    return includeRecentDead && s.isGone() && now - m.stateChangedAt < gossipToTheDeadNanos;
  }

  private void shuffle(List<Member> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Member tmp = list.get(i);
      list.set(i, list.get(j));
      list.set(j, tmp);
    }
  }

  private void send(GossipMessage message, NodeView target, Delivery delivery) {
    messagesSent++;
    outbox.send(message, target, delivery);
  }

  /** At the end of each command: announces the leave once it has spread. */
  private void afterCall() {
    if (!leaveSpreadAnnounced && leaveSpread()) {
      leaveSpreadAnnounced = true;
      emit(new ClusterEvent.LeaveSpread(self()));
    }
  }

  private void emit(ClusterEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
  }

  private void drop(DropReason reason) {
    drops.merge(reason, 1L, Long::sum);
  }

  private long nextIncarnation(long current) {
    if (current >= MemberUpdate.MAX_INCARNATION) {
      throw new IllegalStateException("incarnation of " + selfId + " exhausted");
    }
    return current + 1;
  }

  private int metadataSize(Map<String, String> metadata) {
    int size = ProtocolMath.varintSize(metadata.size());
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      int k = Utf8.length(e.getKey());
      int v = Utf8.length(e.getValue());
      size += ProtocolMath.varintSize(k) + k + ProtocolMath.varintSize(v) + v;
    }
    return size;
  }

  private void checkMetadata(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("metadata must not contain null keys or values");
      }
      if (e.getKey().isEmpty() || Utf8.length(e.getKey()) > 255) {
        throw new IllegalArgumentException(
            "metadata key must be 1..255 bytes of UTF-8, got '" + e.getKey() + "'");
      }
    }
    int size = metadataSize(metadata);
    if (size > config.maxMetadataBytes()) {
      throw new IllegalArgumentException(
          "metadata is "
              + size
              + " bytes encoded, more than maxMetadataBytes ("
              + config.maxMetadataBytes()
              + ")");
    }
  }

  /** Builds a {@link GossipCore}. */
  public static final class Builder {
    @Nullable String id;
    @Nullable NodeAddress address;
    Map<String, String> metadata = Map.of();
    long configEpoch;
    long incarnation;
    GossipConfig config = GossipConfig.lan();
    @Nullable RandomGenerator random;
    @Nullable Outbox outbox;
    GossipListener listener = e -> {};
    LongSupplier ticker = () -> 0L;
    int packetOverhead;

    Builder() {}

    /** This node's unique id (memberlist's node name), 1..255 bytes of UTF-8. Required. */
    public Builder id(String v) {
      id = v;
      return this;
    }

    /** Where this node listens, as other members should reach it. Required. */
    public Builder address(NodeAddress v) {
      address = v;
      return this;
    }

    /** Initial metadata; at most {@link GossipConfig#maxMetadataBytes()} encoded. */
    public Builder metadata(Map<String, String> v) {
      metadata = v;
      return this;
    }

    /** Application-defined configuration epoch, gossiped with this node's state. */
    public Builder configEpoch(long v) {
      configEpoch = v;
      return this;
    }

    /** Initial incarnation; 0 for a fresh node. */
    public Builder incarnation(long v) {
      incarnation = v;
      return this;
    }

    /** Protocol settings; default {@link GossipConfig#lan()}. */
    public Builder config(GossipConfig v) {
      config = v;
      return this;
    }

    /** The only source of randomness; seed it for reproducible runs. Required. */
    public Builder random(RandomGenerator v) {
      random = v;
      return this;
    }

    /** Where outgoing messages go. Required. */
    public Builder outbox(Outbox v) {
      outbox = v;
      return this;
    }

    /** Receives membership events; default: none. */
    public Builder listener(GossipListener v) {
      listener = v;
      return this;
    }

    /**
     * A nanosecond ticker used only to measure tick durations for {@link
     * GossipStats#lastTickNanos()}; default: none (always 0), which keeps runs deterministic.
     */
    public Builder ticker(LongSupplier v) {
      ticker = v;
      return this;
    }

    /**
     * Bytes the runtime adds to every packet after encoding (a cluster label, an encryption nonce
     * and tag, ...): piggybacked updates are packed so that the encoded message plus this overhead
     * stays within {@link GossipConfig#maxPacketSize()}. Default 0; at most half the packet size.
     */
    public Builder packetOverhead(int bytes) {
      packetOverhead = bytes;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException or {@link NullPointerException} naming the missing or
     *     invalid setting
     */
    public GossipCore build() {
      return new GossipCore(this);
    }
  }
}
