package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.Schedule.Deadline;
import java.time.Duration;
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
  final UserBroadcasts userBroadcasts;
  final AddressProof proofs;
  final LossEstimate loss;
  final IncarnationCeiling ceiling;
  // application messaging (direct messages, requests, queries, application state)
  final PendingTable pending;
  final Messaging messaging;
  final Queries queries;
  final AppStates appStates;
  private final ClockOffsets clockOffsets;

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
    this.effects = new Effects(outbox, listener, b.messageHandler);
    // Without Lifeguard's local health the multiplier can never leave 1 (a score below 1).
    this.awareness =
        new Awareness(config.lifeguard().localHealth() ? config.awarenessMaxMultiplier() : 1);
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
    this.userBroadcasts =
        new UserBroadcasts(
            self,
            table,
            effects,
            config,
            random,
            b.wallClockAtStart == null ? null : incarnation, // a generation: a new one per life
            config.maxPacketSize() - b.packetOverhead);
    this.loss = new LossEstimate(probeIntervalNanos);
    this.proofs =
        new AddressProof(
            self,
            table,
            effects,
            random,
            probeIntervalNanos,
            config.probeTimeout().toNanos(),
            loss);
    this.disseminator =
        new Disseminator(
            self,
            table,
            broadcasts,
            userBroadcasts.queue(),
            effects,
            config,
            config.maxPacketSize() - b.packetOverhead);
    this.claims =
        new ClaimRules(
            self, table, suspicions, broadcasts, awareness, effects, config, ceiling, proofs);
    this.detector =
        new FailureDetector(
            self,
            table,
            claims,
            suspicions,
            awareness,
            disseminator,
            effects,
            config,
            proofs,
            loss);
    this.antiEntropy =
        new AntiEntropy(self, table, claims, disseminator, schedule, effects, random, config);
    this.departure = new Departure(self, table, disseminator, effects, config);
    this.pending = new PendingTable(config.maxPendingRequests());
    this.messaging =
        new Messaging(
            self, table, wire, effects, config, pending, config.maxPacketSize() - b.packetOverhead);
    this.queries = new Queries(self, table, messaging, effects, config, pending);
    this.appStates = new AppStates(b.appState, effects, config.maxAppStateBytes());
    effects.appStates(appStates);
    this.clockOffsets = new ClockOffsets(config, b.wallClock, wire, table, random);
    detector.clockOffsets(clockOffsets);
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
    userBroadcasts.tick(now);
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
    tickMessaging(now);
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
      case PUSH_PULL -> onPushPull((PushPull) message, now);
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
        clockOffsets.onAck(ack, now);
        boolean hello = ack.seq() == WireNegotiation.HELLO_SEQ; // answers a version hello
        yield answered(
            message,
            p,
            hello
                || departure.onAck(ack)
                || proofs.onAck(ack, now, claims)
                || detector.onAck(ack, now, p.corrections()),
            now);
      }
      case PING_REQ -> {
        Piggyback p = applyPiggyback(message, now);
        detector.onPingReq((PingReq) message, now, p.corrections());
        yield answered(message, p, true, now);
      }
      case NACK -> {
        Piggyback p = applyPiggyback(message, now);
        yield answered(message, p, detector.onNack((Nack) message), now);
      }
      case GOSSIP -> answered(message, applyPiggyback(message, now), true, now);
      case BROADCAST_PULL -> {
        Piggyback p = applyPiggyback(message, now);
        Received r = userBroadcasts.onPull((GossipMessage.BroadcastPull) message, now);
        answered(message, p, true, now);
        yield r;
      }
      case USER, QUERY, QUERY_REPLY -> onApplicationMessage(message, now);
    };
  }

  private Received onPushPull(PushPull pp, long now) {
    boolean joining = !antiEntropy.hasJoined();
    appStates.receiving(pp, joining);
    Received r;
    try {
      r = Received.Applied.of(antiEntropy.onPushPull(pp, now));
    } finally {
      appStates.received();
    }
    if (joining
        && pp.reply()
        && antiEntropy.hasJoined()
        && wire.senderVersions() == null
        && appStates.active(wire.own())) {
      // The join went at the oldest version (the seed's was unknown), without application state:
      // exchange again as a join at this node's newest, which an older seed drops.
      appStates.expectJoinReply(pp.from());
      antiEntropy.requestJoinAt(
          Member.replyTo(table.get(pp.from()), pp.fromAddress()), wire.own().max());
    }
    return r;
  }

  /** A direct message, query or query reply: its claims first, then the application part. */
  private Received onApplicationMessage(GossipMessage message, long now) {
    Piggyback p = applyPiggyback(message, now);
    Member sender = table.get(message.from());
    Received r;
    if (message instanceof UserMessage m) {
      r = messaging.onUser(m, sender, now);
    } else if (message instanceof QueryMessage m) {
      r = queries.onQuery(m, sender, now);
    } else {
      r = queries.onReply((QueryReplyMessage) message, now);
    }
    Received answered = answered(message, p, true, now);
    return r instanceof Received.Dropped ? r : answered;
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
      if (outcome == ClaimRules.Outcome.REFUTED && !u.from().equals(message.from())) {
        disseminator.tellAccuser(u.from(), self.claim(), now); // decision 052
      }
    }
    if (!message.broadcasts().isEmpty()) {
      userBroadcasts.receive(message, table.get(message.from()), now);
    }
    return new Piggyback(sender, changes, corrections);
  }

  /** Sends the corrections back to the sender, then reports whether the message was acted on. */
  private Received answered(GossipMessage message, Piggyback p, boolean acted, long now) {
    // A correction is never answered with a correction, and corrections are budgeted (052).
    if (!p.corrections().isEmpty() && !Disseminator.isCorrection(message)) {
      Member sender = p.sender();
      disseminator.sendCorrections(
          sender,
          Member.replyTo(sender, message.fromAddress()),
          p.corrections(),
          disseminator.limitFor(sender, message.fromAddress(), message),
          now);
    }
    return acted ? Received.Applied.of(p.changes()) : Received.STALE;
  }

  /**
   * Broadcasts {@code payload} to every other live member: it spreads epidemically, piggybacked on
   * the packets the protocol sends anyway and on gossip rounds, through the same least-sent-first
   * queue and retransmit limit as membership claims, with a fair share of every packet (see {@link
   * GossipConfig#broadcastPacketShare()}). Each other node's {@link MessageHandler#onBroadcast}
   * gets it at most once (by origin, origin life and sequence number); this node's handler never
   * does. Members that read only wire versions below 4 do not get it.
   *
   * <p>With a {@code key}, a newer broadcast from this node with the same topic and key replaces
   * the older one in the queues it still waits in, and a node that delivered the newer one never
   * delivers the older. A payload too large to ride in a packet (more than about half the packet
   * size) is announced instead, and every node pulls its body over {@link Delivery#RELIABLE} from a
   * member that announced it to it, or from this node.
   *
   * <p>Delivery is best effort: a node that is unreachable (partitioned, paused) for longer than
   * the broadcast keeps being retransmitted (the retransmit limit's number of sends by each node
   * that has it, a few seconds on a LAN) does not get it, and a broadcast is not delivered to a
   * node more than {@value DeliveryLog#WINDOW} broadcasts of its origin behind. The order of
   * delivery is not defined, not even for one origin.
   *
   * @param topic what it is about, printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes to deliver (copied), at most {@link GossipConfig#maxBroadcastBytes()}
   * @param key null, or a printable key of 1 to 64 bytes of UTF-8 (see above)
   * @param now the runtime's clock, in nanoseconds
   * @return the broadcast's sequence number, from 1 in this life of the node
   * @throws IllegalArgumentException when the topic or key is empty, too long or not printable, or
   *     the payload is too large
   * @throws IllegalStateException before the node started (its first tick, join or message) or
   *     after {@link #leave(long)}
   */
  public long broadcast(String topic, byte[] payload, @Nullable String key, long now) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (!schedule.started()) {
      throw new IllegalStateException(
          "node " + self.id + " has not started: tick, join or handle a message first");
    }
    if (self.leaving()) {
      throw new IllegalStateException("node " + self.id + " has left; it broadcasts no more");
    }
    boolean idle = disseminator.queuedBroadcasts() == 0 && disseminator.queued() == 0;
    long seq = userBroadcasts.broadcast(topic, payload, key, now);
    if (idle) {
      schedule.set(Deadline.GOSSIP, now); // start spreading at once
    }
    afterCall();
    return seq;
  }

  /** User broadcasts this node has delivered to its handler. */
  public long broadcastsDelivered() {
    return userBroadcasts.delivered();
  }

  /**
   * User broadcasts this node got by repair: it missed every whole copy and pulled the body after
   * hearing a repair announcement (counted in {@link #broadcastsDelivered()} too).
   */
  public long broadcastsRepaired() {
    return userBroadcasts.repaired();
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
    shutdownMessaging();
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

  /**
   * Declares a {@code FAILED} member {@code LEFT}, as if it had left gracefully, and spreads that
   * claim (the operator's "force-leave" for a member that will not come back): the cluster stops
   * trying to reconnect to it and forgets it after {@link GossipConfig#tombstoneTimeout()} instead
   * of {@link GossipConfig#reconnectTimeout()}. A member that is in fact alive refutes the claim
   * and rejoins, as it would any accusation.
   *
   * @return the member, now {@code LEFT}
   * @throws java.util.NoSuchElementException when no member has that id
   * @throws IllegalStateException when the member is this node or is not {@code FAILED}
   */
  public NodeView forceLeave(String id, long now) {
    Objects.requireNonNull(id, "id");
    ensureStarted(now);
    if (self.id.equals(id)) {
      throw new IllegalStateException("node " + id + " is this node: use leave() instead");
    }
    Member m = table.get(id);
    if (m == null) {
      throw new java.util.NoSuchElementException("no member with id " + id);
    }
    if (m.status() != NodeStatus.FAILED) {
      throw new IllegalStateException(
          "member " + id + " is " + m.status() + "; only a FAILED member can be forced to leave");
    }
    MemberUpdate left = m.state.withStatus(NodeStatus.LEFT, m.state.incarnation(), self.id);
    table.setState(m, left, now);
    disseminator.spread(left);
    effects.emit(new ClusterEvent.MemberLeft(m.view(), NodeStatus.FAILED));
    afterCall();
    return m.view();
  }

  // -------------------------------------------------------------------------------------
  // Application messaging: direct messages, requests, queries (see MessageHandler)
  // -------------------------------------------------------------------------------------

  /**
   * Sends {@code payload} to member {@code memberId} under {@code topic}, delivered there through
   * {@link MessageHandler#onMessage} as a {@link DirectMessage} with request id 0.
   *
   * <p>{@link Delivery#BEST_EFFORT}: one datagram, fire and forget, delivered at most once, maybe
   * not at all; the message must fit one packet ({@link GossipConfig#maxPacketSize()} less the
   * runtime's overhead). Returns 0 once it is handed to the outbox. When the target is unknown, not
   * alive or too old, nothing is sent and an id is returned instead, whose {@link
   * MessageHandler#onSendFailed} follows from the next {@link #tick}.
   *
   * <p>{@link Delivery#RELIABLE}: handed to the reliable path (a stream), up to {@link
   * GossipConfig#maxUserPayloadBytes()}; returns an id, and exactly one outcome follows for it,
   * never from within this call: {@link MessageHandler#onDelivered} once the target's node got it
   * (its core sends a receipt), or {@link MessageHandler#onSendFailed} with {@link
   * MessageFailure#TIMEOUT} (no receipt within {@link GossipConfig#messageTimeout()}), {@link
   * MessageFailure#UNKNOWN_MEMBER}, {@link MessageFailure#MEMBER_NOT_LIVE} (also when the target
   * fails or leaves while the message waits), {@link MessageFailure#UNSUPPORTED_BY_PEER} (it speaks
   * a wire version older than 4), {@link MessageFailure#TOO_LARGE}, {@link
   * MessageFailure#SEND_FAILED} (see {@link #cancel}) or {@link MessageFailure#SHUTDOWN}. A timed
   * out message may still have been delivered (its receipt was lost or late).
   *
   * @param topic printable, 1 to {@link UserMessage#MAX_TOPIC_BYTES} bytes of UTF-8
   * @return 0, or the id the outcome is reported under
   * @throws IllegalArgumentException for a bad topic, {@code memberId} naming this node, or a
   *     best-effort payload that does not fit a packet (send it with {@link Delivery#RELIABLE})
   * @throws IllegalStateException after {@link #leave(long)}, or when {@link
   *     GossipConfig#maxPendingRequests()} outcomes are pending
   */
  public long send(String memberId, String topic, byte[] payload, Delivery delivery, long now) {
    ensureStarted(now);
    return messaging.send(memberId, topic, payload, delivery, now);
  }

  /**
   * Sends a request to member {@code memberId}, delivered there as a {@link DirectMessage} whose
   * {@link DirectMessage#requestId()} is the returned id; its node answers with {@link #respond} or
   * {@link #reject}. The request goes best effort (one datagram) when it fits a packet, and over
   * the reliable path otherwise (up to {@link GossipConfig#maxUserPayloadBytes()}); it is sent
   * once, never repeated. Exactly one outcome follows, never from within this call: {@link
   * MessageHandler#onResponse} with the answer, or {@link MessageHandler#onSendFailed} with {@link
   * MessageFailure#TIMEOUT} (no answer within {@code timeout}: the request or its answer may have
   * been lost), {@link MessageFailure#REJECTED}, or a reason as for {@link #send}.
   *
   * @param timeout how long to wait for the answer, in (0, 1 h]
   * @return the request's id
   * @throws IllegalArgumentException for a bad topic or timeout, or {@code memberId} naming this
   *     node
   * @throws IllegalStateException after {@link #leave(long)}, or when {@link
   *     GossipConfig#maxPendingRequests()} outcomes are pending
   */
  public long request(
      String memberId, String topic, byte[] payload, java.time.Duration timeout, long now) {
    ensureStarted(now);
    return messaging.request(memberId, topic, payload, timeout, now);
  }

  /**
   * Answers the request {@code requestId} of member {@code to} (a {@link DirectMessage} with a
   * request id): best effort when the answer fits a packet, over the reliable path otherwise. When
   * {@code to} is no longer a live member nothing is sent (counted as {@link
   * DropReason#UNDELIVERABLE_REPLY}). Answer each request once; the requester takes the first.
   *
   * @throws IllegalArgumentException when {@code requestId} is 0 or the payload exceeds {@link
   *     GossipConfig#maxUserPayloadBytes()}
   */
  public void respond(String to, long requestId, byte[] payload, long now) {
    ensureStarted(now);
    messaging.respond(to, requestId, payload, now);
  }

  /**
   * Refuses the request {@code requestId} of member {@code to}: its {@link
   * MessageHandler#onSendFailed} reports {@link MessageFailure#REJECTED}. Best effort.
   *
   * @throws IllegalArgumentException when {@code requestId} is 0
   */
  public void reject(String to, long requestId, long now) {
    ensureStarted(now);
    messaging.reject(to, requestId, now);
  }

  /**
   * The runtime reports that it could not hand over the message or request {@code id} (a {@link
   * UserMessage} this node sent with {@link UserMessage#originatedHere()}): connection refused,
   * reset or closed. Its {@link MessageHandler#onSendFailed} reports {@code reason} at once, unless
   * an outcome was reported already; ids of queries and unknown ids are ignored (a query sends
   * again to targets that have not answered).
   */
  public void cancel(long id, MessageFailure reason, long now) {
    ensureStarted(now);
    messaging.cancel(id, reason);
  }

  /**
   * Asks the live members that match {@code options} (this node included, when it matches) and
   * collects their answers. The query goes straight to each target (best effort when it fits a
   * packet, else over the reliable path) and again every {@link GossipConfig#queryRetryInterval()},
   * up to {@link GossipConfig#queryRetries()} times, to targets that have neither acknowledged nor
   * answered. Members whose wire version is older than 4 are left out (counted as {@link
   * DropReason#PEER_TOO_OLD}). Each target delivers it once through {@link MessageHandler#onQuery}
   * (after checking the metadata filters against its own metadata) and answers with {@link
   * #respondToQuery}.
   *
   * <p>Never from within this call: {@link MessageHandler#onQueryResponse} once per acknowledgement
   * and once per answer (at most one each per member), then {@link MessageHandler#onQueryDone} as
   * soon as every targeted member still alive has answered (a target that fails or leaves moves to
   * {@link QueryResult#departed()}), or at the timeout ({@link QueryOptions#timeout()}, by default
   * {@link GossipConfig#queryTimeout()}); on {@link #leave} or {@link #reset} instead {@link
   * MessageHandler#onSendFailed} with {@link MessageFailure#SHUTDOWN}.
   *
   * @param name printable, 1 to {@link UserMessage#MAX_TOPIC_BYTES} bytes of UTF-8
   * @return the query's id
   * @throws IllegalArgumentException for a bad name, more than {@link QueryMessage#MAX_FILTERS}
   *     metadata filters, or a payload beyond {@link GossipConfig#maxUserPayloadBytes()}
   * @throws IllegalStateException after {@link #leave(long)}, or when {@link
   *     GossipConfig#maxPendingRequests()} outcomes are pending
   */
  public long query(String name, byte[] payload, QueryOptions options, long now) {
    ensureStarted(now);
    return queries.query(name, payload, options, now);
  }

  /**
   * Answers query {@code q} (as {@link MessageHandler#onQuery} gave it): best effort when the
   * answer fits a packet (sent again if the query comes again), over the reliable path otherwise.
   * One answer per query; later ones are ignored. When the origin is no longer a live member
   * nothing is sent (counted as {@link DropReason#UNDELIVERABLE_REPLY}).
   *
   * @throws IllegalArgumentException when the payload exceeds {@link
   *     GossipConfig#maxUserPayloadBytes()}
   */
  public void respondToQuery(QueryRequest q, byte[] payload, long now) {
    ensureStarted(now);
    queries.respondToQuery(q, payload, now);
  }

  /** How many reliable sends, requests and queries of this node wait for their outcome. */
  public int pendingOutcomes() {
    return pending.size();
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

  /**
   * Sets who is told the protocol's timings (probe round trips, suspicion durations, state
   * exchanges), in place of the previous observer; {@link ProtocolObserver#NONE}, the default,
   * tells no one. Called from the thread that drives the core; the observer is called on it too.
   */
  public void observer(ProtocolObserver observer) {
    effects.observer(Objects.requireNonNull(observer, "observer"));
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
    shutdownMessaging();
    table.clear();
    disseminator.clear();
    userBroadcasts.clear();
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
            .probesWidened(detector.probesWidened())
            .drop(DropReason.QUEUE_FULL, disseminator.dropped());
    effects.addDrops(b);
    return b.build();
  }

  /**
   * Failed probes that raised no suspicion because this node had more news queued than it could
   * send in time ({@link OverloadControl#DEFER_WHEN_SATURATED}); the member was probed again.
   */
  public long suspicionsDeferred() {
    return detector.suspicionsDeferred();
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
    d = userBroadcasts.earliestDeadline(d);
    d = pending.earliestDeadline(d);
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

  /**
   * What this node has measured of member {@code id} from timed probe acks: round-trip time and
   * clock offset with its error bound (see {@link PeerTiming}), aged at {@code now}. Empty unless
   * {@link GossipConfig#clockOffsets()} is on, {@code id} speaks wire version 5 with it on too, and
   * this node has had at least one timed ack from it.
   */
  public Optional<PeerTiming> timing(String id, long now) {
    return clockOffsets.timing(id, now);
  }

  /**
   * This node's Vivaldi network coordinate; empty unless {@link GossipConfig#coordinates()} is on.
   */
  public Optional<NetworkCoordinate> coordinate() {
    return clockOffsets.coordinate();
  }

  /**
   * The round-trip time to member {@code id} that this node's coordinate and the last one {@code
   * id} sent predict; empty unless {@link GossipConfig#coordinates()} is on and a timed ack from
   * {@code id} carried its coordinate. Works for members this node measured directly; the estimate
   * is only as good as both coordinates (their {@link NetworkCoordinate#error()}).
   */
  public Optional<Duration> estimateRtt(String id) {
    return clockOffsets.estimateRtt(id);
  }

  /** The timed acks this node took a sample from, and those it rejected (implausible times). */
  long clockSamples() {
    return clockOffsets.samples();
  }

  long clockSamplesRejected() {
    return clockOffsets.rejected();
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

  /** Outcomes due: timeouts, failures decided earlier, query retries, departures, endings. */
  private void tickMessaging(long now) {
    queries.tick(now);
    if (pending.isEmpty()) {
      return;
    }
    messaging.failDeparted();
    for (PendingTable.Entry e : pending.due(now)) {
      if (e.kind == PendingTable.Kind.QUERY) {
        queries.due(e, now);
      } else {
        messaging.expire(e);
      }
    }
  }

  /** Every send, request and query still waiting fails with {@link MessageFailure#SHUTDOWN}. */
  private void shutdownMessaging() {
    for (PendingTable.Entry e : pending.all()) {
      long id = e.id;
      effects.deliver(h -> h.onSendFailed(id, MessageFailure.SHUTDOWN));
    }
    pending.clear();
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
    @Nullable LongSupplier wallClock;
    @Nullable Outbox outbox;
    GossipListener listener = e -> {};
    MessageHandler messageHandler = new MessageHandler() {};
    @Nullable AppState appState;
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

    /**
     * The node's wall clock, in nanoseconds since the Unix epoch, read when a probe ping is sent
     * and when a probe ack is sent or received; used only with {@link GossipConfig#clockOffsets()},
     * which requires it. A runtime gives its real clock; a simulator gives each node its own,
     * skewed as it likes. Default: none.
     */
    public Builder wallClock(LongSupplier v) {
      wallClock = Objects.requireNonNull(v, "wallClock");
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

    /** Receives application data (broadcasts, messages, queries) and outcomes; default: none. */
    public Builder messageHandler(MessageHandler v) {
      messageHandler = Objects.requireNonNull(v, "messageHandler");
      return this;
    }

    /** Application state carried in push-pull exchanges; default: none. */
    public Builder appState(AppState v) {
      appState = Objects.requireNonNull(v, "appState");
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
