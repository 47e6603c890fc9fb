package io.libgossip.core;

import io.libgossip.core.GossipMessage.Gossip;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Piggybacked dissemination: queued claims ride on every packet this node sends, as many as fit in
 * the packet's byte budget (the packet size less the runtime's per-packet overhead), and a gossip
 * round sends them to a few random members each gossip interval.
 *
 * <p>Overload control (decision 052): this node's own claims and refutations of suspicions go first
 * (see {@link BroadcastQueue}'s lanes); the queue's bound follows the cluster size ({@link
 * #capacityFor}); packets sent outside the gossip rounds and answers (corrections, refutations told
 * to the accuser) share a budget of {@link GossipConfig#gossipNodes()} per gossip interval, and a
 * correction is never answered with a correction; {@link #saturated} tells the failure detector
 * when this node has more news queued than it can send in time.
 */
final class Disseminator {
  /**
   * Candidates drawn per gossip target while user broadcasts wait, to find members known to read
   * them (see {@link #readersFirst}).
   */
  static final int READER_DRAWS = 8;

  /** Room kept for the update-count varint when packing a packet. */
  private static final int COUNT_RESERVE = 3;

  /**
   * The sequence number of an ack that answers no probe: a correction (or a refutation told to an
   * accuser), which its receiver never answers with a correction. The same value as a version
   * hello's ({@link WireNegotiation#HELLO_SEQ}), which probes never use, so a node of an older
   * release takes it as a hello's answer and applies its claims.
   */
  static final long CORRECTION_SEQ = WireNegotiation.HELLO_SEQ;

  /** The encoded size of a typical claim, for the send-rate estimate before any was measured. */
  static final int TYPICAL_CLAIM_BYTES = 40;

  /** Unsolicited packets (corrections, refutations told to accusers) that may be saved up. */
  static final int EXTRA_BURST_ROUNDS = 2;

  private final SelfState self;
  private final MemberTable table;
  private final BroadcastQueue<MemberUpdate> queue;
  private final BroadcastQueue<UserItem> userQueue;
  private final int userShare;
  private final Effects effects;
  private final BinarySerializer sizer;
  private final int headerReserve;
  private final int packetBudget;
  private final int retransmitMult;
  private final int gossipNodes;
  private final boolean buddy;

  private final long gossipIntervalNanos;
  private final long probeIntervalNanos;
  private final int suspicionMult;
  private final int suspicionMaxTimeoutMult;
  private final boolean lanes;
  private final boolean tellAccusers;
  private final boolean correctionBudget;
  private final boolean scaledCapacity;
  private final boolean deferWhenSaturated;

  // Budget of unsolicited packets: a token bucket, refilled at gossipNodes per gossip interval.
  private long extraTokensScaled; // tokens x gossipIntervalNanos
  private long extraRefilledAt;
  private boolean extraStarted;
  private long correctionsSuppressed;
  private long accusersTold;

  // Claims sent, for the measured send rate (see saturated).
  private long claimsSent;
  private long rateWindowStart;
  private long rateWindowClaims;
  private double claimsPerSecond;
  private boolean rateStarted;

  Disseminator(
      SelfState self,
      MemberTable table,
      BroadcastQueue<MemberUpdate> queue,
      Effects effects,
      GossipConfig config,
      int packetBudget) {
    this(self, table, queue, new BroadcastQueue<>(1), effects, config, packetBudget);
  }

  Disseminator(
      SelfState self,
      MemberTable table,
      BroadcastQueue<MemberUpdate> queue,
      BroadcastQueue<UserItem> userQueue,
      Effects effects,
      GossipConfig config,
      int packetBudget) {
    this.self = self;
    this.table = table;
    this.queue = queue;
    this.userQueue = userQueue;
    this.userShare = config.broadcastPacketShare();
    this.effects = effects;
    this.sizer = BinarySerializer.forConfig(config);
    this.headerReserve = // a packet may go out at the newest version, whose header is longer
        BinarySerializer.headerBytes(config.wireVersions().max()) - BinarySerializer.HEADER_BYTES;
    this.packetBudget = packetBudget;
    this.retransmitMult = config.retransmitMult();
    this.gossipNodes = config.gossipNodes();
    this.buddy = config.lifeguard().buddy();

    this.gossipIntervalNanos = config.gossipInterval().toNanos();
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.suspicionMult = config.suspicionMult();
    this.suspicionMaxTimeoutMult = config.suspicionMaxTimeoutMult();
    this.claimsPerSecond = staticClaimsPerSecond();
    this.lanes = config.overload(OverloadControl.PRIORITY_LANES);
    this.tellAccusers = config.overload(OverloadControl.TELL_ACCUSERS);
    this.correctionBudget = config.overload(OverloadControl.CORRECTION_BUDGET);
    this.scaledCapacity = config.overload(OverloadControl.SCALED_CAPACITY);
    this.deferWhenSaturated = config.overload(OverloadControl.DEFER_WHEN_SATURATED);
  }

  /** Sends {@code empty} to {@code to} with as many claims as fit (see {@link #pack}). */
  void send(
      GossipMessage empty, @Nullable Member peer, NodeView to, List<MemberUpdate> corrections) {
    effects.send(pack(empty, peer, to, corrections), to, Delivery.BEST_EFFORT);
  }

  /**
   * Sends {@code empty} to {@code to} with as many claims as fit in at most {@code limit} bytes
   * (see {@link #limitFor}); when even the message alone exceeds it, the message goes alone.
   */
  void send(
      GossipMessage empty,
      @Nullable Member peer,
      NodeView to,
      List<MemberUpdate> corrections,
      int limit) {
    effects.send(pack(empty, peer, to, corrections, limit), to, Delivery.BEST_EFFORT);
  }

  /**
   * The byte limit of a packet answering {@code request} toward {@code to}: a whole packet when
   * {@code peer} (may be null) is verified at {@code to}, else {@link AddressProof#REPLY_FACTOR}
   * times the request's encoded size, so that a forged source address draws no amplification.
   */
  int limitFor(@Nullable Member peer, NodeAddress to, GossipMessage request) {
    if (AddressProof.verifiedAt(peer, to)) {
      return Integer.MAX_VALUE;
    }
    return AddressProof.replyLimit(requestSize(request));
  }

  /**
   * The encoded size of a received {@code request}: at the default version, or at the first version
   * that carries it when it holds application data (a user broadcast section, a user message).
   */
  private int requestSize(GossipMessage request) {
    boolean v4 =
        !request.broadcasts().isEmpty()
            || request.type().code() >= GossipMessage.MessageType.USER.code();
    return v4
        ? sizer.encodedSize(request, BinarySerializer.USER_VERSION)
        : sizer.encodedSize(request);
  }

  /** The byte limit of a packet this node starts toward {@code peer} (a probe, a proof ping). */
  int limitFor(Member peer, GossipMessage bare) {
    return peer.verified ? Integer.MAX_VALUE : AddressProof.replyLimit(requestSize(bare));
  }

  /**
   * Sends a packet of queued claims and user broadcasts to each of a few random members, while
   * either waits.
   */
  void gossipRound(long now) {
    if (scaledCapacity) {
      queue.capacity(capacityFor(table.liveCount()));
    }
    measureRate(now);
    if (queue.isEmpty() && userQueue.isEmpty()) {
      return;
    }
    List<Member> targets =
        userQueue.isEmpty()
            ? table.randomGossipTargets(gossipNodes, now)
            : readersFirst(table.randomGossipTargets(gossipNodes * READER_DRAWS, now));
    for (Member t : targets) {
      if (queue.isEmpty() && userQueue.isEmpty()) {
        break;
      }
      GossipMessage packed =
          pack(new Gossip(self.id, self.address, List.of()), t, t.view(), List.of());
      if (!packed.updates().isEmpty() || !packed.broadcasts().isEmpty()) {
        effects.send(packed, t.view(), Delivery.BEST_EFFORT);
      }
    }
  }

  /**
   * {@code empty} with as many claims as fit in one packet: first the {@code corrections} for its
   * recipient, or else, when the recipient {@code peer} (may be null) is suspected or failed in our
   * view, that claim, so it can refute at once (the buddy system, {@link Lifeguard#buddy()}); then
   * queued claims, least sent first.
   */
  GossipMessage pack(GossipMessage empty, @Nullable Member peer, List<MemberUpdate> corrections) {
    return pack(empty, peer, peer == null ? null : peer.view(), corrections, Integer.MAX_VALUE);
  }

  /** As {@link #pack(GossipMessage, Member, List)}, within {@code limit} bytes in all. */
  GossipMessage pack(
      GossipMessage empty, @Nullable Member peer, List<MemberUpdate> corrections, int limit) {
    return pack(empty, peer, peer == null ? null : peer.view(), corrections, limit);
  }

  /** As {@link #pack(GossipMessage, Member, NodeView, List, int)}, with no byte limit. */
  GossipMessage pack(
      GossipMessage empty,
      @Nullable Member peer,
      @Nullable NodeView to,
      List<MemberUpdate> corrections) {
    return pack(empty, peer, to, corrections, Integer.MAX_VALUE);
  }

  /**
   * As {@link #pack(GossipMessage, Member, List)}, for a packet to {@code to} (may be null: no user
   * broadcasts) of at most {@code limit} bytes: when user broadcasts wait and {@code to} reads wire
   * version 4, they share the room with the claims. Each class gets at least {@link
   * GossipConfig#broadcastPacketShare()} percent (users) or the rest (claims) of what the prefix
   * leaves; what one class does not need, the other may use.
   */
  GossipMessage pack(
      GossipMessage empty,
      @Nullable Member peer,
      @Nullable NodeView to,
      List<MemberUpdate> corrections,
      int limit) {
    List<MemberUpdate> prefix = List.of();
    int budget =
        Math.min(packetBudget, limit) - sizer.encodedSize(empty) - headerReserve - COUNT_RESERVE;
    if (budget <= 0) {
      return empty;
    }
    if (!corrections.isEmpty()) {
      List<MemberUpdate> fixes = new ArrayList<>(corrections.size());
      for (MemberUpdate c : corrections) {
        int size = c.wireSize();
        if (size <= budget) {
          fixes.add(c);
          budget -= size;
        }
      }
      prefix = fixes;
    } else if (buddy && peer != null && table.holds(peer) && peer.status() != NodeStatus.ONLINE) {
      MemberUpdate claim = peer.state;
      int size = claim.wireSize();
      if (size <= budget) {
        prefix = List.of(claim);
        budget -= size;
      }
    }
    int retransmits = ProtocolMath.retransmitLimit(retransmitMult, table.liveCount());
    if (to == null
        || userQueue.isEmpty()
        || !carriesBroadcasts(empty)
        || effects.versionFor(to) < BinarySerializer.USER_VERSION) {
      List<MemberUpdate> updates = queue.take(budget, retransmits, prefix);
      if (updates.isEmpty()) {
        return empty;
      }
      claimsSent += updates.size();
      return empty.withUpdates(updates);
    }
    budget -= COUNT_RESERVE; // the user section's count
    int userWant = userQueue.pendingBytes(budget);
    int claimBudget = Math.max(budget - budget * userShare / 100, budget - userWant);
    List<MemberUpdate> updates = queue.take(claimBudget, retransmits, prefix);
    claimsSent += updates.size();
    for (int i = prefix.size(); i < updates.size(); i++) {
      budget -= updates.get(i).wireSize();
    }
    List<UserItem> items = userQueue.take(budget, retransmits, List.of());
    GossipMessage packed = updates.isEmpty() ? empty : empty.withUpdates(updates);
    if (items.isEmpty()) {
      return packed;
    }
    List<BroadcastItem> broadcasts = new ArrayList<>(items.size());
    for (UserItem u : items) {
      broadcasts.add(u.item);
    }
    return packed.withBroadcasts(broadcasts);
  }

  /**
   * The first {@link #gossipNodes} of {@code candidates}, those known to read user broadcasts
   * first: while this node has not learned the wire versions of most members yet (after a start, a
   * join or a restart), a gossip round still reaches members that can take user broadcasts.
   */
  private List<Member> readersFirst(List<Member> candidates) {
    List<Member> out = new ArrayList<>(gossipNodes);
    for (Member m : candidates) {
      if (out.size() < gossipNodes
          && effects.versionFor(m.view()) >= BinarySerializer.USER_VERSION) {
        out.add(m);
      }
    }
    for (Member m : candidates) {
      if (out.size() < gossipNodes && !out.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Whether messages like {@code m} carry a user broadcast section. */
  private static boolean carriesBroadcasts(GossipMessage m) {
    return m instanceof GossipMessage.Ping
        || m instanceof GossipMessage.Ack
        || m instanceof GossipMessage.PingReq
        || m instanceof GossipMessage.Nack
        || m instanceof Gossip;
  }

  /**
   * Queues {@code claim} for dissemination, in place of any queued claim about its member; a claim
   * about this node goes ahead of every other (see {@link BroadcastQueue#SELF}).
   */
  void spread(MemberUpdate claim) {
    queue.add(
        claim,
        0,
        lanes && claim.status() == NodeStatus.LEFT ? BroadcastQueue.SELF : BroadcastQueue.NORMAL);
  }

  // ---- overload control (decision 052)

  /**
   * The queue's bound in a cluster of {@code n} live members: the claims this node can send the
   * retransmit limit's number of times within the longest suspicion timeout, at the rate of its
   * gossip rounds alone (a claim further back would reach no one in time to matter), and never less
   * than {@link #MIN_CAPACITY} nor more than {@link GossipConfig#maxQueuedUpdates()}.
   */
  int capacityFor(int n) {
    long window =
        ProtocolMath.suspicionMaxNanos(
            suspicionMult, suspicionMaxTimeoutMult, n, probeIntervalNanos);
    double sendable = staticClaimsPerSecond() * window / 1e9;
    int limit = ProtocolMath.retransmitLimit(retransmitMult, n);
    long cap = (long) (sendable / limit);
    return (int) Math.max(MIN_CAPACITY, Math.min(Integer.MAX_VALUE, cap));
  }

  /** The smallest bound {@link #capacityFor} gives: small clusters are never cut. */
  static final int MIN_CAPACITY = 1024;

  /**
   * Whether this node has more news queued than it can send in time: the sends it still owes (each
   * queued claim up to the retransmit limit) would take longer than half the shortest suspicion
   * timeout at its measured send rate. A node whose news lags that far behind cannot spread an
   * accusation, nor hear a refutation, before suspicions expire: it should not accuse.
   */
  boolean saturated(long now) {
    if (!deferWhenSaturated) {
      return false;
    }
    measureRate(now);
    int n = table.liveCount();
    long owed = queue.backlog(ProtocolMath.retransmitLimit(retransmitMult, n));
    if (owed == 0) {
      return false;
    }
    double horizonSeconds =
        ProtocolMath.suspicionMinNanos(suspicionMult, n, probeIntervalNanos) / 2e9;
    return owed > claimsPerSecond * horizonSeconds;
  }

  /** Claims per second this node's gossip rounds alone can carry, with typical claims. */
  private double staticClaimsPerSecond() {
    double rounds = 1e9 / Math.max(1, gossipIntervalNanos);
    return rounds * gossipNodes * Math.max(1, packetBudget / TYPICAL_CLAIM_BYTES);
  }

  /** Updates the measured send rate once per probe interval (never below the gossip rounds'). */
  private void measureRate(long now) {
    if (!rateStarted) {
      rateStarted = true;
      rateWindowStart = now;
      rateWindowClaims = claimsSent;
      return;
    }
    long elapsed = now - rateWindowStart;
    if (elapsed >= probeIntervalNanos) {
      double measured = (claimsSent - rateWindowClaims) * 1e9 / elapsed;
      claimsPerSecond = Math.max(staticClaimsPerSecond(), measured);
      rateWindowStart = now;
      rateWindowClaims = claimsSent;
    }
  }

  /**
   * Takes one unsolicited packet from the budget ({@link GossipConfig#gossipNodes()} per gossip
   * interval, up to {@link #EXTRA_BURST_ROUNDS} intervals' worth saved up); false when spent.
   */
  private boolean takeExtra(long now) {
    long scale = Math.max(1, gossipIntervalNanos);
    long cap = (long) EXTRA_BURST_ROUNDS * gossipNodes * scale;
    if (!extraStarted) {
      extraStarted = true;
      extraTokensScaled = cap;
    } else if (now - extraRefilledAt > 0) {
      long add = (now - extraRefilledAt) * gossipNodes;
      extraTokensScaled = add < 0 || add > cap ? cap : Math.min(cap, extraTokensScaled + add);
    }
    extraRefilledAt = now;
    if (extraTokensScaled < scale) {
      return false;
    }
    extraTokensScaled -= scale;
    return true;
  }

  /** Whether {@code m} is a correction (or a refutation told to an accuser): never answered so. */
  static boolean isCorrection(GossipMessage m) {
    return m instanceof GossipMessage.Ack ack && ack.seq() == CORRECTION_SEQ;
  }

  /**
   * Sends {@code corrections} to {@code to} (the sender of a message that carried outdated
   * accusations), filled from the queue, within {@code limit} bytes, as a correction ack that is
   * never answered with corrections; skipped, and counted, when the unsolicited-packet budget is
   * spent.
   */
  void sendCorrections(
      @Nullable Member peer, NodeView to, List<MemberUpdate> corrections, int limit, long now) {
    if (!correctionBudget) {
      send(new Gossip(self.id, self.address, List.of()), peer, to, corrections, limit);
      return;
    }
    if (!takeExtra(now)) {
      correctionsSuppressed++;
      effects.drop(DropReason.CORRECTION_BUDGET);
      return;
    }
    send(
        new GossipMessage.Ack(self.id, self.address, CORRECTION_SEQ, List.of()),
        peer,
        to,
        corrections,
        limit);
  }

  /**
   * Tells {@code accuser} (when it is a live member) this node's refutation {@code claim} directly,
   * as a correction, within the unsolicited-packet budget.
   */
  void tellAccuser(String accuser, MemberUpdate claim, long now) {
    if (!tellAccusers) {
      return;
    }
    Member m = table.get(accuser);
    if (m == null || !m.status().isAlive()) {
      return;
    }
    if (correctionBudget && !takeExtra(now)) {
      correctionsSuppressed++;
      effects.drop(DropReason.CORRECTION_BUDGET);
      return;
    }
    accusersTold++;
    GossipMessage ack = new GossipMessage.Ack(self.id, self.address, CORRECTION_SEQ, List.of());
    send(ack, m, m.view(), List.of(claim), limitFor(m, ack));
  }

  /** Corrections and accuser notices not sent because the budget was spent. */
  long correctionsSuppressed() {
    return correctionsSuppressed;
  }

  /** Refutations told to their accusers directly. */
  long accusersTold() {
    return accusersTold;
  }

  /** Whether a claim about {@code id} is still waiting to be sent. */
  boolean isSpreading(String id) {
    return queue.contains(id);
  }

  int queued() {
    return queue.size();
  }

  /** Claims dropped because the queue was full. */
  long dropped() {
    return queue.dropped();
  }

  void clear() {
    queue.clear();
    userQueue.clear();
  }

  /** User broadcasts waiting to be sent. */
  int queuedBroadcasts() {
    return userQueue.size();
  }
}
