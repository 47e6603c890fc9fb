package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.Schedule.Deadline;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>The protocol's parts live in package-private units behind this facade: {@code MemberTable}
 * (the members, probe order, tombstones, random picks), {@code ClaimRules} (incarnation ordering,
 * refutation, corrections), {@code FailureDetector} (probes, relays, nacks, suspicion expiry),
 * {@code Disseminator} (piggybacking within a byte budget), {@code AntiEntropy} (push-pull,
 * catch-ups, reconnects) and {@code Schedule} (the periodic deadlines).
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
  // The units, package-private for their tests (see Units in the tests), which drive them as
  // wired here.
  final SelfState self;
  final Effects effects;
  final Awareness awareness;
  final SuspicionTimers suspicions = new SuspicionTimers();
  final Schedule schedule;
  final MemberTable table;
  final BroadcastQueue<MemberUpdate> broadcasts;
  final Disseminator disseminator;
  final ClaimRules claims;
  final FailureDetector detector;
  final AntiEntropy antiEntropy;
  final WireNegotiation wire;
  final Departure departure;
  final AddressProof proofs;
  final IncarnationCeiling ceiling;

  private final GossipConfig config;
  private final LongSupplier ticker;
  private final long probeIntervalNanos;
  private final long gossipIntervalNanos;

  private boolean leaveSpreadAnnounced;
  private long messagesReceived;
  private long bytesSent;
  private long bytesReceived;
  private long lastTickNanos;

  /** A builder; {@code id}, {@code address}, {@code random} and {@code outbox} are required. */
  public static Builder builder() {
    return new Builder();
  }

  private GossipCore(Builder b) {
    String id = Objects.requireNonNull(b.id, "id");
    MemberUpdate.checkId(id, "id");
    NodeAddress address = Objects.requireNonNull(b.address, "address");
    this.config = Objects.requireNonNull(b.config, "config");
    Outbox outbox = Objects.requireNonNull(b.outbox, "outbox");
    GossipListener listener = Objects.requireNonNull(b.listener, "listener");
    this.ticker = Objects.requireNonNull(b.ticker, "ticker");
    RandomGenerator random =
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
    SelfState.checkMetadata(b.metadata, config.maxMetadataBytes());
    long lead = config.maxIncarnationLead().toSeconds();
    long incarnation =
        b.wallClockAtStart == null
            ? b.incarnation
            : Math.max(b.incarnation, IncarnationCeiling.generation(b.wallClockAtStart, lead));
    this.ceiling = new IncarnationCeiling(b.wallClockAtStart, lead, incarnation);
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.gossipIntervalNanos = config.gossipInterval().toNanos();
    this.self = new SelfState(id, address, incarnation, b.metadata, b.configEpoch);
    this.effects = new Effects(outbox, listener);
    this.awareness = new Awareness(config.awarenessMaxMultiplier());
    this.schedule = new Schedule(config, random);
    this.table =
        new MemberTable(
            random,
            self,
            suspicions,
            config.gossipToTheDeadTime().toNanos(),
            config.tombstoneTimeout().toNanos(),
            config.reconnectTimeout().toNanos());
    this.wire = new WireNegotiation(self, table, config.wireVersions());
    effects.wire(wire);
    this.broadcasts = new BroadcastQueue<>(config.maxQueuedUpdates());
    this.proofs = new AddressProof(self, table, effects, random, probeIntervalNanos);
    this.disseminator =
        new Disseminator(
            self, table, broadcasts, effects, config, config.maxPacketSize() - b.packetOverhead);
    this.claims =
        new ClaimRules(
            self, table, suspicions, broadcasts, awareness, effects, config, ceiling, proofs);
    this.detector =
        new FailureDetector(
            self, table, claims, suspicions, awareness, disseminator, effects, config, proofs);
    this.antiEntropy =
        new AntiEntropy(self, table, claims, disseminator, schedule, effects, random, config);
    this.departure = new Departure(self, table, disseminator, effects, config);
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
    long t0 = ticker.getAsLong();
    if (!schedule.started()) {
      start(now);
    } else if (schedule.tickedAfterStall(now)) {
      detector.stalled(now);
    }
    detector.expireRelays(now);
    detector.advanceProbe(now);
    if (!self.leaving() && schedule.isDue(Deadline.PROBE, now)) {
      schedule.set(Deadline.PROBE, now + awareness.scale(probeIntervalNanos));
      detector.startProbe(now);
      proofs.retry(now);
    }
    // After the probe steps: a failed probe can confirm a suspicion and bring its end forward.
    detector.expireSuspicions(now);
    if (schedule.isDue(Deadline.GOSSIP, now)) {
      schedule.set(Deadline.GOSSIP, now + gossipIntervalNanos);
      disseminator.gossipRound(now);
    }
    departure.tick(now);
    if (ceiling.respreadDue(now) && !self.leaving()) {
      disseminator.spread(self.claim()); // now within the peers' incarnation ceiling
    }
    if (!self.leaving() && schedule.isDue(Deadline.PUSH_PULL, now)) {
      antiEntropy.pushPullRound(now);
    }
    if (!self.leaving() && schedule.isDue(Deadline.RECONNECT, now)) {
      antiEntropy.reconnectRound(now);
    }
    cleanupExpired(now);
    lastTickNanos = ticker.getAsLong() - t0;
    afterCall();
  }

  /**
   * Sends a full-state push-pull to every live member verified at its address now. Costs O(N²)
   * bytes: small clusters only.
   */
  public void tickFullBroadcast(long now) {
    ensureStarted(now);
    for (Member m : new ArrayList<>(table.all())) {
      if (m.status().isAlive() && m.verified) {
        antiEntropy.requestExchange(m.view());
      }
    }
  }

  /**
   * Applies one inbound message: its piggybacked claims first, then the message itself (answer a
   * ping, match an ack, relay an indirect probe, merge a push-pull state). Claims that contradict
   * an outdated accusation in the message are sent back to its sender.
   *
   * @return what became of the message; runtimes may ignore it
   */
  public Received handleMessage(GossipMessage message, long now) {
    return handleMessage(message, null, now);
  }

  /**
   * Applies one inbound message, as {@link #handleMessage(GossipMessage, long)} does, that came
   * with the sender's range of wire versions ({@link MessageSerializer#senderVersions}; null when
   * the message carried none). The core remembers the range to pick the version of what it sends
   * that member.
   *
   * @return what became of the message; runtimes may ignore it
   */
  public Received handleMessage(GossipMessage message, @Nullable WireVersions sender, long now) {
    Objects.requireNonNull(message, "message");
    wire.receiving(message, sender);
    Received result;
    try {
      result = receive(message, now);
    } finally {
      wire.received(message, sender);
    }
    antiEntropy.noticeRevivals(now);
    afterCall();
    return result;
  }

  private Received receive(GossipMessage message, long now) {
    ensureStarted(now);
    messagesReceived++;
    claims.admission().unsolicited();
    if (message.from().equals(self.id)) {
      effects.drop(DropReason.FROM_SELF);
      return new Received.Dropped(DropReason.FROM_SELF);
    }
    // The one dispatch over message types; exhaustive, as a switch expression over an enum.
    return switch (message.type()) {
      case PUSH_PULL -> Received.Applied.of(antiEntropy.onPushPull((PushPull) message, now));
      case PING -> {
        Piggyback p = applyPiggyback(message, now);
        // The ack carries the corrections: no separate packet.
        yield detector.onPing((Ping) message, p.corrections())
            ? Received.Applied.of(p.changes())
            : new Received.Dropped(DropReason.WRONG_TARGET);
      }
      case ACK -> {
        Piggyback p = applyPiggyback(message, now);
        Ack ack = (Ack) message;
        boolean hello = ack.seq() == WireNegotiation.HELLO_SEQ; // answers a version hello
        yield answered(
            message,
            p,
            hello
                || departure.onAck(ack)
                || proofs.onAck(ack, now, claims)
                || detector.onAck(ack, now, p.corrections()));
      }
      case PING_REQ -> {
        Piggyback p = applyPiggyback(message, now);
        detector.onPingReq((PingReq) message, now, p.corrections());
        yield answered(message, p, true);
      }
      case NACK -> {
        Piggyback p = applyPiggyback(message, now);
        yield answered(message, p, detector.onNack((Nack) message));
      }
      case GOSSIP -> answered(message, applyPiggyback(message, now), true);
    };
  }

  /**
   * What a message's piggybacked claims did: its sender as known before them (may be null), how
   * many changed this node's view, and the corrections its sender needs.
   */
  private record Piggyback(@Nullable Member sender, int changes, List<MemberUpdate> corrections) {}

  private Piggyback applyPiggyback(GossipMessage message, long now) {
    Member sender = table.get(message.from());
    if (sender != null) {
      sender.lastSeen = now;
    }
    int changes = 0;
    List<MemberUpdate> corrections = List.of();
    for (MemberUpdate u : message.updates()) {
      ClaimRules.Outcome outcome = claims.applyGossip(u, now);
      if (outcome.changed()) {
        changes++;
      }
      if (outcome.correctsSender()) {
        corrections = claims.addCorrection(corrections, u.id());
      }
    }
    return new Piggyback(sender, changes, corrections);
  }

  /** Sends the corrections back to the sender, then reports whether the message was acted on. */
  private Received answered(GossipMessage message, Piggyback p, boolean acted) {
    if (!p.corrections().isEmpty()) {
      Member sender = p.sender();
      disseminator.send(
          new Gossip(self.id, self.address, List.of()),
          sender,
          Member.replyTo(sender, message.fromAddress()),
          p.corrections(),
          disseminator.limitFor(sender, message.fromAddress(), message));
    }
    return acted ? Received.Applied.of(p.changes()) : Received.STALE;
  }

  /** Introduces the node at {@code address}: a push-pull state exchange with it. */
  public void meet(NodeAddress address, long now) {
    Objects.requireNonNull(address, "address");
    ensureStarted(now);
    if (!address.equals(self.address)) {
      antiEntropy.requestJoin(NodeView.ofAddress(address));
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
    antiEntropy.rememberSeeds(seeds);
    int sent = 0;
    for (NodeAddress seed : seeds) {
      if (!seed.equals(self.address)) {
        antiEntropy.requestJoin(NodeView.ofAddress(seed));
        sent++;
      }
    }
    if (sent == 0) {
      antiEntropy.markJoined(now);
    }
    afterCall();
  }

  /** Whether a push-pull answer has arrived (or the node bootstrapped a cluster of its own). */
  public boolean hasJoined() {
    return antiEntropy.hasJoined();
  }

  /**
   * Leaves gracefully: announces {@code LEFT} (which wins over {@code ONLINE} at the same
   * incarnation, so it is never mistaken for a failure) and stops probing. The claim is gossiped,
   * and also sent over the reliable delivery, to be acknowledged, to every live member (up to 32 of
   * them) or to 16 random ones (in a larger cluster), again to those that have not answered every
   * probe timeout. Keep ticking and handling messages until {@link ClusterEvent.LeaveSpread} fires,
   * bounded by a timeout of your own: a member that died unnoticed never answers.
   */
  public void leave(long now) {
    ensureStarted(now);
    if (self.leaving()) {
      return;
    }
    detector.cancelProbe();
    disseminator.spread(self.leave(now));
    schedule.set(Deadline.GOSSIP, now); // start spreading at once
    departure.start(detector.nextSeq(), now);
    afterCall();
  }

  /**
   * Whether the {@code LEFT} announcement has been sent as often as any update is and acknowledged
   * by the live members asked (see {@link #leave(long)}), or there is no one left to tell.
   */
  public boolean leaveSpread() {
    return self.leaving()
        && ((departure.done() && !disseminator.isSpreading(self.id)) || liveCount() == 0);
  }

  /**
   * Replaces this node's metadata and spreads it (a new incarnation and metadata version).
   *
   * @throws IllegalArgumentException when the encoded metadata exceeds {@link
   *     GossipConfig#maxMetadataBytes()}
   * @throws IllegalStateException after {@link #leave(long)}
   */
  public void updateMetadata(Map<String, String> metadata, long now) {
    SelfState.checkMetadata(metadata, config.maxMetadataBytes());
    ensureStarted(now);
    if (self.leaving()) {
      throw new IllegalStateException("node " + self.id + " has left; metadata is frozen");
    }
    MemberUpdate claim = self.updateMetadata(metadata);
    disseminator.spread(claim);
    ceiling.raised(claim.incarnation(), now);
  }

  /** Counts bytes the runtime sent on this node's behalf. */
  public void recordBytesSent(long bytes) {
    bytesSent += bytes;
  }

  /**
   * Counts a message the runtime dropped for a protocol reason of its own (for example {@link
   * DropReason#UNPROVEN_ADDRESS}), so that it shows in {@link #stats()} with the core's drops.
   */
  public void recordDrop(DropReason reason) {
    effects.drop(Objects.requireNonNull(reason, "reason"));
  }

  /** Counts bytes the runtime received for this node. */
  public void recordBytesReceived(long bytes) {
    bytesReceived += bytes;
  }

  /**
   * Removes {@code LEFT} members that left more than {@link GossipConfig#tombstoneTimeout()} ago
   * and {@code FAILED} ones that failed more than {@link GossipConfig#reconnectTimeout()} ago (or
   * more than the tombstone timeout ago, oldest first, while failed members outnumber the most live
   * members seen), with a {@code REMOVED} event each.
   *
   * @return how many were removed
   */
  public int cleanupExpired(long now) {
    return table.expireTombstones(now, m -> effects.emit(new ClusterEvent.MemberRemoved(m.view())));
  }

  /**
   * Forgets every member but this node and clears timers, probes and queues. The incarnation is
   * kept, so old claims about this node stay refutable.
   */
  public void reset(long now) {
    table.clear();
    disseminator.clear();
    suspicions.clear();
    detector.clear();
    awareness.reset();
    antiEntropy.reset();
    schedule.stop();
    self.rejoining();
    start(now);
  }

  // =====================================================================================
  // Queries
  // =====================================================================================

  /** This node as it presents itself ({@code JOINING}, then {@code ONLINE}, or {@code LEFT}). */
  public NodeView self() {
    return self.view();
  }

  /** Every member in the table, this node first, then the others by id; tombstones included. */
  public List<NodeView> members() {
    List<NodeView> out = new ArrayList<>(table.size() + 1);
    for (Member m : table.all()) {
      out.add(m.view());
    }
    out.sort(Comparator.comparing(NodeView::id));
    out.add(0, self());
    return out;
  }

  /** The member with {@code id} (this node included), if known. */
  public Optional<NodeView> findNode(String id) {
    if (self.id.equals(id)) {
      return Optional.of(self());
    }
    Member m = table.get(id);
    return m == null ? Optional.empty() : Optional.of(m.view());
  }

  /** The status of member {@code id}, or {@link NodeStatus#UNKNOWN}; allocation-free. */
  public NodeStatus statusOf(String id) {
    if (self.id.equals(id)) {
      return self.status();
    }
    Member m = table.get(id);
    return m == null ? NodeStatus.UNKNOWN : m.status();
  }

  /** Number of members in the table, this node and tombstones included. */
  public int size() {
    return table.size() + 1;
  }

  /** Suspicion timers queued: one per member this node holds SUSPECT (for tests). */
  int suspicionTimerCount() {
    return suspicions.size();
  }

  /** Number of members {@code ONLINE} or {@code SUSPECT}, this node included. */
  public int liveCount() {
    return table.liveCount();
  }

  /** Counters and gauges. */
  public GossipStats stats() {
    GossipStats.Builder b =
        GossipStats.builder()
            .nodes(
                size(),
                table.count(NodeStatus.ONLINE) + (self.status() == NodeStatus.ONLINE ? 1 : 0),
                table.count(NodeStatus.SUSPECT),
                table.count(NodeStatus.FAILED),
                table.count(NodeStatus.LEFT))
            .traffic(effects.messagesSent(), messagesReceived, bytesSent, bytesReceived)
            .self(self.claim().incarnation(), awareness.score(), lastTickNanos)
            .protocol(
                disseminator.queued(),
                detector.probes(),
                detector.suspicionsRaised(),
                claims.refutations(),
                effects.listenerErrors())
            .drop(DropReason.QUEUE_FULL, disseminator.dropped());
    effects.addDrops(b);
    return b.build();
  }

  /** How many inputs were dropped for {@code reason} so far; allocation-free. */
  public long drops(DropReason reason) {
    return reason == DropReason.QUEUE_FULL ? disseminator.dropped() : effects.drops(reason);
  }

  /**
   * The time at which {@link #tick(long)} must next be called; never later than one gossip interval
   * from the last tick.
   */
  public long nextDeadline() {
    if (!schedule.started()) {
      return Long.MIN_VALUE;
    }
    long d = schedule.next(self.leaving());
    d = detector.earliestDeadline(d);
    d = departure.earliestDeadline(d);
    d = ceiling.earliestDeadline(d);
    return table.earliestTombstone(d);
  }

  /**
   * The highest binary wire version every live member speaks, this node included, as far as this
   * node knows: a member it has not yet heard a range from counts as the oldest version of {@link
   * GossipConfig#wireVersions()}. It rises once the last member that speaks only an older version
   * has left or failed and the others have been heard from, and falls when such a member joins.
   * O(members).
   */
  public int clusterWireVersion() {
    return wire.clusterVersion();
  }

  /**
   * The wire versions member {@code id} said it speaks (this node: its own), or empty when unknown:
   * not heard from at version 3 or later since it last joined.
   */
  public Optional<WireVersions> wireVersionsOf(String id) {
    if (self.id.equals(id)) {
      return Optional.of(wire.own());
    }
    Member m = table.get(id);
    return m == null ? Optional.empty() : Optional.ofNullable(m.wireVersions);
  }

  /** The configuration this core runs with. */
  public GossipConfig config() {
    return config;
  }

  // =====================================================================================
  // Internals
  // =====================================================================================

  private void ensureStarted(long now) {
    if (!schedule.started()) {
      start(now);
    }
  }

  private void start(long now) {
    ceiling.anchor(now);
    self.started(now);
    detector.start(now);
    antiEntropy.start(now);
    disseminator.spread(self.claim()); // announce ourselves to whoever we meet
    schedule.start(now);
  }

  /** At the end of each command: announces the leave once it has spread. */
  private void afterCall() {
    if (!leaveSpreadAnnounced && leaveSpread()) {
      leaveSpreadAnnounced = true;
      effects.emit(new ClusterEvent.LeaveSpread(self()));
    }
  }

  /** Builds a {@link GossipCore}. */
  public static final class Builder {
    @Nullable String id;
    @Nullable NodeAddress address;
    Map<String, String> metadata = Map.of();
    long configEpoch;
    long incarnation;
    @Nullable Instant wallClockAtStart;
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

    /**
     * Initial incarnation; default 0. With {@link #wallClockAtStart} the node starts at the larger
     * of this and its generation.
     */
    public Builder incarnation(long v) {
      incarnation = v;
      return this;
    }

    /**
     * The node's wall clock when it starts (the core reads no clock). Recommended: every runtime
     * should give it. The node then starts at its generation, the whole seconds since
     * 2025-01-01T00:00:00Z, so a restarted node never reuses its previous life's incarnations; and
     * it believes no claim above the seconds since then plus {@link
     * GossipConfig#maxIncarnationLead()} (estimated from this value and the monotonic {@code now}),
     * so no claim about a member can be made unrefutable. All nodes of a cluster should give it,
     * with clocks in sync to well within the lead. Default: none (incarnations from {@link
     * #incarnation}, each member's ceiling from where it was first seen).
     *
     * @throws IllegalArgumentException from {@link #build()} when before 2025-01-01T00:00:00Z
     */
    public Builder wallClockAtStart(Instant v) {
      wallClockAtStart = Objects.requireNonNull(v, "wallClockAtStart");
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
