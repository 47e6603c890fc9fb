package io.libgossip.core;

import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.Schedule.Deadline;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Anti-entropy: full-state push-pull exchanges (the join, the periodic exchange with a random
 * member, catch-up exchanges after a join) and reconnection to failed members, which heals
 * partitions.
 */
final class AntiEntropy {
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

  private boolean joined;

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

  /** Whether a push-pull answer has arrived (or the node bootstrapped a cluster of its own). */
  boolean hasJoined() {
    return joined;
  }

  /** Forgets the join (after a reset). */
  void reset() {
    joined = false;
  }

  /** Sends a join request carrying this node's full state. */
  void requestJoin(NodeView to) {
    sendState(to, true, false);
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
    Member peer = table.randomAlive();
    if (peer != null) {
      requestExchange(peer.view());
    }
  }

  /**
   * Merges a push-pull state and answers a request with this node's state.
   *
   * @return how many of its claims changed the table
   */
  int onPushPull(PushPull pp, long now) {
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
    if (pp.reply()) {
      markJoined(now);
      if (fromTheDead && !self.leaving()) {
        // A member we had declared dead answered: a partition has healed. Exchange state with
        // the other side again soon rather than a whole reconnect interval later, so that
        // refutations made over there since the last exchange cross over quickly.
        // Bounded to a quarter interval, so an overloaded cluster that keeps declaring live
        // members dead cannot turn this into a storm of state exchanges.
        schedule.bringForward(Deadline.RECONNECT, now + reconnectIntervalNanos / 4);
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
      // The first catch-up exchange (see pushPullRound); later ones follow at doubling intervals.
      syncBackoff = 4 * probeIntervalNanos;
      schedule.set(
          Deadline.PUSH_PULL,
          now + 2 * probeIntervalNanos + (long) (random.nextDouble() * probeIntervalNanos));
      self.joined(now);
      effects.emit(new ClusterEvent.SelfJoined(self.view()));
    }
  }

  /**
   * Partition healing. Every interval, tell one random FAILED member that we hold it dead, in one
   * small packet: if it is alive after all it answers with its refutation (a correction), and we
   * recover it. This is what repairs the last stale entry one node may keep after a heal. A full
   * state exchange follows with probability failed/alive, so the cluster as a whole exchanges state
   * with each failed member about once per interval.
   */
  void reconnectRound(long now) {
    schedule.set(Deadline.RECONNECT, now + reconnectIntervalNanos);
    int failed = table.count(NodeStatus.FAILED);
    if (failed == 0) {
      return;
    }
    Member pick = table.randomFailed();
    disseminator.send(new Gossip(self.id, self.address, List.of()), pick, pick.view(), List.of());
    int alive = Math.max(1, table.liveCount());
    if (failed < alive && random.nextDouble() * alive >= failed) {
      return;
    }
    pick = table.randomFailed();
    requestExchange(pick.view());
  }

  private void sendState(NodeView to, boolean join, boolean reply) {
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
