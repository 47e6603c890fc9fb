package io.libgossip.core;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.Schedule.Deadline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Anti-entropy: full-state push-pull exchanges (the join, the periodic exchange with a random
 * member, catch-up exchanges after a join) and reconnection to failed members, which heals
 * partitions.
 *
 * <p>Healing a partition takes three steps: contact with the other side (reconnect notices and
 * exchanges with failed members, or with the seeds given to {@code join} when the view shrank and
 * the failed members are forgotten); refutations, as each side learns the other held it dead; and
 * repair of the few stale entries some nodes keep. Once a failed member comes back, this node
 * notices a few unreachable members every probe interval for a reconnect interval, so that the last
 * stale entries go in seconds rather than in reconnect intervals.
 */
final class AntiEntropy {
  /** At most this many exchanges this node started are remembered until answered. */
  static final int MAX_PENDING_EXCHANGES = 64;

  /** At most this many seeds are remembered from {@code join}. */
  static final int MAX_SEEDS = 64;

  /** Unreachable members told per round while a heal is under way. */
  static final int HEAL_NOTICES = 3;

  /**
   * Unreachable members told per round while a heal is under way once few are left (at most twice
   * this many): the tail of a heal, a few stale entries an observer missed the refutations of.
   */
  static final int TAIL_NOTICES = 16;

  private final SelfState self;
  private final MemberTable table;
  private final ClaimRules claims;
  private final Disseminator disseminator;
  private final Schedule schedule;
  private final Effects effects;
  private final RandomGenerator random;
  private final long probeIntervalNanos;
  private final long pushPullBaseNanos;
  private final long reconnectIntervalNanos;

  /** The seeds of the last {@code join} that named any, this node's own address left out. */
  private List<NodeAddress> seeds = List.of();

  /** Until when rounds come every probe interval: a failed member came back (a heal). */
  private long healUntil;

  private boolean healing;
  private long revivalsSeen;

  /** When the next state exchange of a reconnect round is due. */
  private long nextExchangeAt;

  private boolean joined;

  /**
   * Addresses this node sent a state exchange request to and has not heard a reply from, oldest
   * first: a reply from one verifies its sender there (see {@link AddressProof}).
   */
  private final ArrayDeque<NodeAddress> pendingExchanges = new ArrayDeque<>();

  /** Where the last periodic exchange went and when, until its reply came (for the observer). */
  private @Nullable NodeAddress roundPeer;

  private long roundStartedAt;

  /** The gap before the next catch-up exchange after a join; 0 once they are over. */
  private long syncBackoff;

  AntiEntropy(
      SelfState self,
      MemberTable table,
      ClaimRules claims,
      Disseminator disseminator,
      Schedule schedule,
      Effects effects,
      RandomGenerator random,
      GossipConfig config) {
    this.self = self;
    this.table = table;
    this.claims = claims;
    this.disseminator = disseminator;
    this.schedule = schedule;
    this.effects = effects;
    this.random = random;
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.pushPullBaseNanos = config.pushPullInterval().toNanos();
    this.reconnectIntervalNanos = config.reconnectInterval().toNanos();
  }

  /** The core (re)started at {@code now}. */
  void start(long now) {
    nextExchangeAt = now;
  }

  /** Whether a push-pull answer has arrived (or the node bootstrapped a cluster of its own). */
  boolean hasJoined() {
    return joined;
  }

  /** Forgets the join (after a reset); the seeds are kept. */
  void reset() {
    joined = false;
    healing = false;
  }

  /** Remembers the seeds of a join that names any (at most {@link #MAX_SEEDS}). */
  void rememberSeeds(Collection<NodeAddress> given) {
    List<NodeAddress> kept = new ArrayList<>();
    for (NodeAddress a : given) {
      if (!a.equals(self.address) && !kept.contains(a) && kept.size() < MAX_SEEDS) {
        kept.add(a);
      }
    }
    if (!kept.isEmpty()) {
      seeds = List.copyOf(kept);
    }
  }

  /**
   * After a message: when a member came back from {@code FAILED} (a partition is healing), rounds
   * come every probe interval for the next reconnect interval.
   */
  void noticeRevivals(long now) {
    long r = table.revivals();
    if (r != revivalsSeen) {
      revivalsSeen = r;
      Member revived = table.lastRevived();
      if (!healing
          && !self.leaving()
          && revived != null
          && table.holds(revived)
          && revived.verified
          && partitioned()) {
        // The start of a heal: one state exchange with the member that came back, so that every
        // claim the other side changed meanwhile (refutations, metadata) arrives at once instead of
        // waiting for gossip that may have run out of retransmissions, or for a regular exchange.
        requestExchange(revived.view());
      }
      healing = true;
      healUntil = now + reconnectIntervalNanos;
      if (!self.leaving()) {
        schedule.bringForward(Deadline.RECONNECT, now + probeIntervalNanos);
      }
    }
  }

  /**
   * Whether the view looks like one side of a partition: at least a quarter as many members failed
   * as are live (and at least 2). A single false positive that recovers does not qualify, so its
   * revival, seen by every node at once, does not send every node's state to it.
   */
  private boolean partitioned() {
    int failed = table.count(NodeStatus.FAILED);
    return failed >= 2 && 4 * failed >= table.liveCount();
  }

  /** Sends a join request carrying this node's full state. */
  void requestJoin(NodeView to) {
    sendState(to, true, false);
  }

  /**
   * Sends a join request at wire {@code version} whatever this node knows of the peer's versions:
   * the join exchange again, at a version that carries application state (see {@code AppStates}).
   */
  void requestJoinAt(NodeView to, int version) {
    claims.admission().started(to);
    effects.sendPushPullAt(
        new PushPull(self.id, self.address, true, false, fullState()), to, version);
  }

  /** Sends a state exchange request carrying this node's full state. */
  void requestExchange(NodeView to) {
    sendState(to, false, false);
  }

  /**
   * The periodic exchange with a random live member: after a join, catch-up exchanges at doubling
   * intervals; then at the regular interval, which grows with the cluster.
   */
  void pushPullRound(long now) {
    long regular = ProtocolMath.pushPullIntervalNanos(pushPullBaseNanos, table.liveCount());
    if (syncBackoff > 0 && syncBackoff < regular && syncBackoff <= 16 * probeIntervalNanos) {
      // Catch-up exchanges after a join, at doubling intervals: members whose news spread
      // while this node was still unknown to most of the cluster (a mass join) are learned
      // here rather than at the next regular exchange, minutes away in a large cluster.
      schedule.set(
          Deadline.PUSH_PULL, now + syncBackoff + (long) (random.nextDouble() * syncBackoff / 2));
      syncBackoff *= 2;
    } else {
      syncBackoff = 0;
      schedule.set(Deadline.PUSH_PULL, now + regular);
    }
    Member peer = table.randomVerifiedAlive(); // a large transfer: to a proven address only
    if (peer != null) {
      roundPeer = peer.state.address();
      roundStartedAt = now;
      requestExchange(peer.view());
    }
  }

  /**
   * Merges a push-pull state and answers a request with this node's state.
   *
   * @return how many of its claims changed the table
   */
  int onPushPull(PushPull pp, long now) {
    if (pp.reply()) {
      claims.admission().answer(pp.from(), pp.fromAddress());
    }
    Member before = table.get(pp.from());
    boolean fromTheDead = before != null && before.status() == NodeStatus.FAILED;
    // Merge first so that the reply already carries any refutation of claims about us.
    int changed = 0;
    for (MemberUpdate u : pp.updates()) {
      if (claims.applyState(u, now, pp.from()).changed()) {
        changed++;
      }
    }
    Member sender = table.get(pp.from());
    if (sender != null) {
      sender.lastSeen = now;
    }
    if (pp.reply() && roundPeer != null && roundPeer.equals(pp.fromAddress())) {
      roundPeer = null;
      effects.pushPullCompleted(now - roundStartedAt);
    }
    if (pp.reply()
        && pendingExchanges.remove(pp.fromAddress())
        && sender != null
        && sender.state.address().equals(pp.fromAddress())) {
      sender.verified = true; // it answered an exchange this node started at that address
    }
    if (pp.reply()) {
      markJoined(now);
      if (fromTheDead && !self.leaving()) {
        // A member we had declared dead answered: a partition has healed. Exchange state with
        // the other side again soon rather than a whole reconnect interval later, so that
        // refutations made over there since the last exchange cross over quickly.
        // Bounded to a quarter interval, so an overloaded cluster that keeps declaring live
        // members dead cannot turn this into a storm of state exchanges.
        schedule.bringForward(Deadline.RECONNECT, now + reconnectIntervalNanos / 4);
        nextExchangeAt = Schedule.earlier(nextExchangeAt, now + reconnectIntervalNanos / 4);
      }
    } else {
      // To the address the request came from, not the table's: a member that restarted at a new
      // address must hear the answer to its join, or it can never rejoin.
      sendState(Member.replyTo(sender, pp.fromAddress()), false, true);
    }
    return changed;
  }

  /** Completes the join once: this node turns {@code ONLINE} and catch-up exchanges begin. */
  void markJoined(long now) {
    if (!joined) {
      joined = true;
      // The first catch-up exchange (see pushPullRound) comes half a probe interval after the join
      // (plus up to a quarter), the next ones at gaps doubling from half a probe interval up to 16
      // (decisions 056 and 066): joins that spread while this node was not yet a gossip target of
      // the others, or that it missed by chance, are learned within a few probe intervals rather
      // than at the regular exchange, minutes away in a large cluster.
      syncBackoff = probeIntervalNanos / 2;
      schedule.set(Deadline.PUSH_PULL, now + firstCatchUpDelay(probeIntervalNanos, random));
      self.joined(now);
      effects.emit(new ClusterEvent.SelfJoined(self.view()));
    }
  }

  /**
   * The delay from a join until the first catch-up exchange: half a probe interval, plus up to a
   * quarter of one at random so that the nodes of a mass join do not exchange in step.
   */
  static long firstCatchUpDelay(long probeIntervalNanos, RandomGenerator random) {
    return probeIntervalNanos / 2 + (long) (random.nextDouble() * probeIntervalNanos / 4);
  }

  /**
   * Partition healing. Every interval, tell one random unreachable member (failed, or suspected for
   * a probe interval) what we hold about it, in one small packet: if it is alive after all it
   * answers with its refutation (a correction), and we recover it. This is what repairs the last
   * stale entries after a heal; while one is under way, rounds come every probe interval and tell
   * several members each (see {@link #noticesPerRound}). Once per interval, a full state exchange
   * with a random failed member follows with probability failed/alive, so the cluster as a whole
   * exchanges state with each failed member about once per interval; and when the view has shrunk
   * to half the largest seen or less (or to this node alone), one with a seed that is not a live
   * member.
   */
  void reconnectRound(long now) {
    if (healing && Schedule.due(healUntil, now)) {
      healing = false;
    }
    schedule.set(Deadline.RECONNECT, now + (healing ? probeIntervalNanos : reconnectIntervalNanos));
    for (Member m : table.randomUnreachable(noticesPerRound(), now, probeIntervalNanos)) {
      disseminator.send(new Gossip(self.id, self.address, List.of()), m, m.view(), List.of());
    }
    if (!Schedule.due(nextExchangeAt, now)) {
      return;
    }
    nextExchangeAt = now + reconnectIntervalNanos;
    seedRound();
    int failed = table.count(NodeStatus.FAILED);
    if (failed == 0) {
      return;
    }
    int alive = Math.max(1, table.liveCount());
    if (failed < alive && random.nextDouble() * alive >= failed) {
      return;
    }
    Member pick = table.randomVerifiedFailed();
    if (pick != null) {
      requestExchange(pick.view());
    }
  }

  /**
   * Notices per reconnect round: one normally; while a heal is under way, {@link #HEAL_NOTICES}
   * while many members are unreachable (refutations and state exchanges do the bulk of the work
   * then) and up to {@link #TAIL_NOTICES} once at most twice that many are left, so that the last
   * stale entries go within a round or two.
   */
  private int noticesPerRound() {
    if (!healing) {
      return 1;
    }
    int unreachable = table.count(NodeStatus.FAILED) + table.count(NodeStatus.SUSPECT);
    return unreachable <= 2 * TAIL_NOTICES ? TAIL_NOTICES : HEAL_NOTICES;
  }

  /**
   * When the view has shrunk to at most half the most live members seen, or to this node alone,
   * exchanges state with a random seed that is not a live member: after a partition that outlasted
   * the reconnect timeout, the seeds are the only way back to the other side. When every seed is a
   * live member, the view is as large as it can be made and becomes the new peak.
   */
  private void seedRound() {
    int live = table.liveCount();
    if (seeds.isEmpty() || self.leaving() || (live > 1 && 2 * live > table.peakLive())) {
      return;
    }
    List<NodeAddress> away = new ArrayList<>(seeds.size());
    for (NodeAddress a : seeds) {
      if (!table.hasLiveAt(a)) {
        away.add(a);
      }
    }
    if (away.isEmpty()) {
      table.rebasePeak();
      return;
    }
    requestExchange(NodeView.ofAddress(away.get(random.nextInt(away.size()))));
  }

  private void sendState(NodeView to, boolean join, boolean reply) {
    if (!reply) {
      claims.admission().started(to);
    }
    if (!reply && !pendingExchanges.contains(to.address())) {
      if (pendingExchanges.size() >= MAX_PENDING_EXCHANGES) {
        pendingExchanges.pollFirst();
      }
      pendingExchanges.addLast(to.address());
    }
    effects.send(
        new PushPull(self.id, self.address, join, reply, fullState()), to, Delivery.RELIABLE);
  }

  private List<MemberUpdate> fullState() {
    List<MemberUpdate> state = new ArrayList<>(table.size() + 1);
    state.add(self.claim());
    for (Member m : table.all()) {
      state.add(m.state);
    }
    return state;
  }
}
