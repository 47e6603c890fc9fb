package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The ordering rules that decide what a claim about a member does to the table (SWIM's incarnation
 * numbers with Lifeguard's suspicion): a higher incarnation wins; at equal incarnation {@code LEFT}
 * beats {@code FAILED}, which beats {@code SUSPECT}, which beats {@code ONLINE}; only a node itself
 * raises its incarnation, which is how it refutes an accusation.
 *
 * <p>Addresses: a claim can move a member to another address only when its entry is {@code
 * SUSPECT}, {@code FAILED} or {@code LEFT} (or unknown), by the ordinary rules, so that a member
 * restarted at a new address rejoins as soon as it refutes its old instance's accusation; the move
 * is held until the member acks a ping at the new address ({@link AddressProof}). A claim that puts
 * a member held {@code ONLINE} at another address, at an incarnation not below the one held, is a
 * conflict (two live instances, or a restart not yet detected): nothing changes and a rate-bounded
 * {@link ClusterEvent.MemberConflict} fires. The same holds for claims of this node alive
 * elsewhere: it does not raise its incarnation over them, which would start a race between the two
 * instances and make the address flap at every other node.
 *
 * <p>Incarnations: a claim above the {@link IncarnationCeiling} is dropped ({@link
 * DropReason#INCARNATION_AHEAD}), so any claim a node believes can be refuted by its subject.
 *
 * <p>Each applied claim returns an {@link Outcome}; the caller collects {@linkplain
 * Outcome#correctsSender() corrections} for the sender of the message being handled.
 */
final class ClaimRules {
  /** At most this many corrections go back to the sender of one message. */
  static final int MAX_CORRECTIONS = 8;

  /** What one claim did. */
  enum Outcome {
    /** Nothing changed: a claim already held, an older one, or news of an unknown non-member. */
    UNCHANGED,
    /** The table changed (a new member, a new state, a confirmed suspicion). */
    CHANGED,
    /**
     * This node refuted an accusation against itself with a new incarnation; the sender should hear
     * of it at once.
     */
    REFUTED,
    /** The claim is an accusation older than the state held; the sender should be corrected. */
    OUTDATED,
    /** Rejected as invalid (metadata too large, no incarnation left); counted as a drop. */
    REJECTED,
    /**
     * Nothing changed: the claim puts a member held {@code ONLINE} (or this node) at another
     * address, at an incarnation not below the one held (see {@link ClusterEvent.MemberConflict}).
     */
    CONFLICT;

    /** Whether the claim changed this node's view. */
    boolean changed() {
      return this == CHANGED || this == REFUTED;
    }

    /** Whether the sender holds a stale accusation and should be sent the current claim. */
    boolean correctsSender() {
      return this == REFUTED || this == OUTDATED;
    }
  }

  private final SelfState self;
  private final MemberTable table;
  private final SuspicionTimers suspicions;
  private final BroadcastQueue<MemberUpdate> broadcasts;
  private final Awareness awareness;
  private final Effects effects;
  private final GossipConfig config;
  private final AddressProof proofs;
  private final IncarnationCeiling ceiling;
  private final long probeIntervalNanos;
  private final MemberAdmission admission;
  private final boolean lanes;
  private long refutations;
  private boolean selfConflictReported;
  private long selfConflictReportedAt;

  ClaimRules(
      SelfState self,
      MemberTable table,
      SuspicionTimers suspicions,
      BroadcastQueue<MemberUpdate> broadcasts,
      Awareness awareness,
      Effects effects,
      GossipConfig config,
      IncarnationCeiling ceiling,
      AddressProof proofs) {
    this.self = self;
    this.proofs = proofs;
    this.table = table;
    this.suspicions = suspicions;
    this.broadcasts = broadcasts;
    this.awareness = awareness;
    this.effects = effects;
    this.config = config;
    this.ceiling = ceiling;
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.admission = new MemberAdmission(table, effects, config);
    this.lanes = config.overload(OverloadControl.PRIORITY_LANES);
  }

  /** The bounds on unknown members these rules take in; see {@link MemberAdmission}. */
  MemberAdmission admission() {
    return admission;
  }

  /** A claim piggybacked on a message, or made by this node itself (a failed probe). */
  Outcome applyGossip(MemberUpdate u, long now) {
    return apply(u, now, false, null, false);
  }

  /**
   * A claim that moves a member to another address, whose member has just answered there (see
   * {@link AddressProof}): the ordinary rules, without holding the move back again.
   */
  Outcome applyProven(MemberUpdate u, long now) {
    return apply(u, now, false, null, true);
  }

  /**
   * A claim from the full state {@code sender} sent in a push-pull: a remote {@code FAILED} or
   * {@code SUSPECT} is only taken as a suspicion (a partition must not declare our live members
   * dead), and members learned in bulk are not re-gossiped, except the sender itself.
   */
  Outcome applyState(MemberUpdate u, long now, String sender) {
    return apply(u, now, true, sender, false);
  }

  /** The claim this node now holds about {@code id}, which a correction sends back. */
  MemberUpdate currentClaim(String id) {
    return id.equals(self.id)
        ? self.claim()
        : Objects.requireNonNull(table.get(id), "corrected member").state;
  }

  /**
   * {@code corrections} with the current claim about {@code id} added, unless already there or
   * full. Start from {@code List.of()} and pass back what this returns: the list is allocated on
   * first use and then grown in place.
   */
  List<MemberUpdate> addCorrection(List<MemberUpdate> corrections, String id) {
    MemberUpdate claim = currentClaim(id);
    if (corrections.size() >= MAX_CORRECTIONS || corrections.contains(claim)) {
      return corrections;
    }
    List<MemberUpdate> out =
        corrections instanceof ArrayList ? corrections : new ArrayList<>(corrections);
    out.add(claim);
    return out;
  }

  /** Refutations of claims about this node so far. */
  long refutations() {
    return refutations;
  }

  @SuppressWarnings("ReferenceEquality") // identity first: the simulator shares claim objects
  private Outcome apply(
      MemberUpdate u,
      long now,
      boolean fromState,
      @Nullable String stateSender,
      boolean addressProven) {
    if (u.id().equals(self.id)) {
      if (u.incarnation() > self.claim().incarnation() && u.incarnation() > ceiling.forSelf(now)) {
        return beyondCeiling();
      }
      return applyAboutSelf(u, now);
    }
    if (table.isCurrentClaim(u)) {
      return Outcome.UNCHANGED; // a member's current state: nothing to do
    }
    Member m = table.get(u.id());
    if (m != null && m.state == u) {
      return Outcome.UNCHANGED; // the very claim we hold (the simulator shares claim objects)
    }
    if ((m == null || u.incarnation() > m.state.incarnation())
        && u.incarnation() > ceiling.forMember(m, now)) {
      return beyondCeiling();
    }
    if (m != null
        && u.status() == NodeStatus.ONLINE
        && m.status() == NodeStatus.ONLINE
        && !u.address().equals(m.state.address())) {
      // Alive at another address while we hold it alive here: two instances, or a restart not
      // yet detected. Keep the address held; a stale claim (lower incarnation) is no conflict.
      if (u.incarnation() < m.state.incarnation()) {
        return Outcome.UNCHANGED;
      }
      if (mayReport(m.conflictReported, m.conflictReportedAt, now)) {
        if (u.incarnation() > m.state.incarnation()) {
          // A newer incarnation elsewhere: the member refuted an accusation we never heard of,
          // perhaps of the instance we hold, which may be dead (restarted at the new address).
          // Probe the address held now instead of in its turn, up to a whole round away: if it
          // is dead, our suspicion ends the conflict (the newer claim then wins).
          table.probeNext(m);
        }
        m.conflictReported = true;
        m.conflictReportedAt = now;
        effects.emit(
            new ClusterEvent.MemberConflict(
                m.view(), u.address(), u.incarnation(), u.from(), false));
      }
      return Outcome.CONFLICT;
    }
    if (fromState && (u.status() == NodeStatus.FAILED || u.status() == NodeStatus.SUSPECT)) {
      if (m == null) {
        return Outcome.UNCHANGED; // we cannot suspect what we do not know; we will hear of it
      }
      u = u.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from());
    }
    if (u.status() == NodeStatus.ONLINE
        && (m == null || u.incarnation() > m.state.incarnation())
        && !u.metadata().isEmpty()
        && WireSizes.metadataSize(u.metadata()) > config.maxMetadataBytes()) {
      effects.drop(DropReason.TOO_LARGE);
      return Outcome.REJECTED;
    }
    if (m != null
        && !addressProven
        && u.status() == NodeStatus.ONLINE
        && !u.address().equals(m.state.address())) {
      // A member held SUSPECT, FAILED or LEFT alive at another address (ONLINE ones are conflicts,
      // above): anyone can claim that. Move it only once it answers there.
      if (u.incarnation() > m.state.incarnation()) {
        proofs.requestMove(m, u, now);
      }
      return Outcome.UNCHANGED;
    }
    if (m == null) {
      if (u.status() != NodeStatus.ONLINE) {
        return Outcome.UNCHANGED; // suspect/failed/left of unknown members: ignored, as memberlist
      }
      if (proofs.addressTaken(u.id(), u.address())) {
        effects.drop(DropReason.SHARED_ADDRESS); // one unverified member per address
        return Outcome.REJECTED;
      }
      if (!admission.admit()) {
        return Outcome.REJECTED; // the table is full, or the message brought too many (counted)
      }
      m = new Member(u, now);
      m.incarnationOrigin = ceiling.originOf(u.incarnation(), now);
      table.add(m);
      proofs.prove(m, now); // a small ping whose ack makes it a gossip target
      if (!fromState || u.id().equals(stateSender)) {
        // Members learned in bulk from a state exchange are not news worth re-gossiping;
        // the sender's own entry is (that is how a joiner becomes known).
        broadcasts.add(u);
      }
      effects.emit(new ClusterEvent.MemberJoined(m.view()));
      return Outcome.CHANGED;
    }
    MemberUpdate cur = m.state;
    if (!fromState && u.status() != NodeStatus.ONLINE && cur.incarnation() > u.incarnation()) {
      return Outcome.OUTDATED; // the sender holds an accusation we know to be outdated
    }
    if (!fromState
        && u.status() == NodeStatus.SUSPECT
        && cur.status() == NodeStatus.LEFT
        && cur.incarnation() >= u.incarnation()) {
      // The sender suspects a member that left: tell it before its suspicion turns into FAILED.
      return Outcome.OUTDATED;
    }
    switch (u.status()) {
      case ONLINE:
        return applyOnline(m, u, now);
      case SUSPECT:
        return applySuspect(m, u, now);
      case FAILED:
      case LEFT:
        return applyGone(m, u, now);
      default:
        effects.drop(DropReason.MALFORMED);
        return Outcome.REJECTED;
    }
  }

  private Outcome applyOnline(Member m, MemberUpdate u, long now) {
    MemberUpdate cur = m.state;
    if (u.incarnation() <= cur.incarnation()) {
      return Outcome.UNCHANGED;
    }
    NodeStatus was = cur.status();
    boolean metaChanged =
        u.metadataVersion() != cur.metadataVersion() || !u.metadata().equals(cur.metadata());
    long since = m.stateChangedAt;
    table.setState(m, u, now);
    if (was == NodeStatus.SUSPECT) {
      effects.suspicionEnded(now - since, NodeStatus.ONLINE);
    }
    // A refutation of a suspicion (or a recovery) goes ahead of new accusations (decision 052).
    boolean refuting = lanes && was != NodeStatus.ONLINE;
    broadcasts.add(u, 0, refuting ? BroadcastQueue.REFUTING : BroadcastQueue.NORMAL);
    if (was.isGone()) {
      effects.hello(m.view()); // its range was forgotten: learn it now, not at its next probe
    }
    if (was != NodeStatus.ONLINE) {
      effects.emit(new ClusterEvent.MemberRecovered(m.view(), was));
    } else if (metaChanged) {
      effects.emit(new ClusterEvent.MetadataChanged(m.view(), cur.metadata()));
    }
    return Outcome.CHANGED;
  }

  private Outcome applySuspect(Member m, MemberUpdate u, long now) {
    MemberUpdate cur = m.state;
    if (u.incarnation() < cur.incarnation()) {
      return Outcome.UNCHANGED;
    }
    if (cur.status() == NodeStatus.SUSPECT) {
      Suspicion s = m.suspicion;
      if (u.incarnation() > cur.incarnation()) {
        // A suspicion of a refutation we missed: take the newer incarnation, timed afresh.
        table.setState(m, cur.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from()), now);
        broadcasts.add(m.state);
        startSuspicion(m, u.from(), now); // ends the old one
        return Outcome.CHANGED;
      } else if (s != null && s.confirm(u.from())) {
        suspicions.deadlineChanged(s);
        broadcasts.add(u);
        return Outcome.CHANGED;
      }
      return Outcome.UNCHANGED;
    }
    if (cur.status() != NodeStatus.ONLINE) {
      return Outcome.UNCHANGED; // FAILED/LEFT stay so until refuted with a higher incarnation
    }
    table.setState(m, cur.withStatus(NodeStatus.SUSPECT, u.incarnation(), u.from()), now);
    startSuspicion(m, u.from(), now);
    broadcasts.add(m.state);
    effects.emit(new ClusterEvent.MemberSuspected(m.view(), u.from()));
    return Outcome.CHANGED;
  }

  private Outcome applyGone(Member m, MemberUpdate u, long now) {
    MemberUpdate cur = m.state;
    if (!u.supersedes(cur)) {
      return Outcome.UNCHANGED;
    }
    // At one incarnation the only move between tombstones is FAILED to LEFT (LEFT takes
    // precedence): a leave heard after a failure, or an operator's GossipCore.forceLeave.
    NodeStatus before = cur.status();
    long since = m.stateChangedAt;
    table.setState(m, cur.withStatus(u.status(), u.incarnation(), u.from()), now);
    if (before == NodeStatus.SUSPECT) {
      effects.suspicionEnded(now - since, u.status());
    }
    broadcasts.add(m.state);
    effects.emit(
        u.status() == NodeStatus.LEFT
            ? new ClusterEvent.MemberLeft(m.view(), before)
            : new ClusterEvent.MemberFailed(m.view(), before, u.from()));
    return Outcome.CHANGED;
  }

  private Outcome applyAboutSelf(MemberUpdate u, long now) {
    if (self.leaving()) {
      // We are on our way out: let LEFT stand, and tell whoever suspects us that we left.
      return u.status() == NodeStatus.SUSPECT ? Outcome.OUTDATED : Outcome.UNCHANGED;
    }
    long mine = self.claim().incarnation();
    if (u.status() == NodeStatus.ONLINE && !u.address().equals(self.address)) {
      // Us, alive at another address: another instance with our id, our previous life not yet
      // detected dead, or a forged claim. Raising our incarnation over it would start a race
      // that makes our address flap everywhere: report it instead. An accusation of that other
      // address is refuted below as usual (the incarnation ceiling leaves room for it), which is
      // how a restarted node overtakes its old instance and how a forged address is undone.
      if (u.incarnation() < mine) {
        return Outcome.UNCHANGED;
      }
      if (mayReport(selfConflictReported, selfConflictReportedAt, now)) {
        selfConflictReported = true;
        selfConflictReportedAt = now;
        effects.emit(
            new ClusterEvent.MemberConflict(
                self.view(), u.address(), u.incarnation(), u.from(), true));
      }
      return Outcome.CONFLICT;
    }
    boolean refute;
    if (u.status() == NodeStatus.ONLINE) {
      // Someone holds a newer claim of us alive than we do (we restarted): move past it.
      refute = u.incarnation() > mine;
    } else {
      refute = u.incarnation() >= mine;
    }
    if (!refute) {
      // A stale accusation: its holder missed our refutation. Tell the sender directly, or it
      // may declare us FAILED.
      return u.status() != NodeStatus.ONLINE ? Outcome.OUTDATED : Outcome.UNCHANGED;
    }
    if (mine >= MemberUpdate.MAX_INCARNATION || u.incarnation() >= MemberUpdate.MAX_INCARNATION) {
      effects.drop(DropReason.INCARNATION_AHEAD); // no incarnation left to refute with
      return Outcome.REJECTED;
    }
    refutations++;
    if (u.status() != NodeStatus.ONLINE) {
      awareness.apply(1); // being suspected hints that we are the slow one
    }
    MemberUpdate refutation = self.refute(u.incarnation());
    // Ahead of all other news (decision 052).
    broadcasts.add(refutation, 0, lanes ? BroadcastQueue.SELF : BroadcastQueue.NORMAL);
    ceiling.raised(refutation.incarnation(), now);
    effects.emit(new ClusterEvent.SelfRefuted(self.view(), u.status(), u.incarnation(), u.from()));
    return u.status() != NodeStatus.ONLINE ? Outcome.REFUTED : Outcome.CHANGED;
  }

  /** A claim above the incarnation ceiling: forged, or from a node whose clock runs ahead. */
  private Outcome beyondCeiling() {
    effects.drop(DropReason.INCARNATION_AHEAD);
    return Outcome.REJECTED;
  }

  /** Whether a conflict may be reported again: at most once per probe interval per member. */
  private boolean mayReport(boolean reported, long reportedAt, long now) {
    return !reported || now - reportedAt >= probeIntervalNanos;
  }

  /**
   * Times the suspicion of {@code m}, held {@code SUSPECT} without a timer, afresh (its last check
   * found it alive, decision 051).
   */
  void restartSuspicion(Member m, long now) {
    startSuspicion(m, m.state.from(), now);
  }

  private void startSuspicion(Member m, String accuser, long now) {
    int n = table.liveCount();
    long min = ProtocolMath.suspicionMinNanos(config.suspicionMult(), n, probeIntervalNanos);
    long max =
        ProtocolMath.suspicionMaxNanos(
            config.suspicionMult(), config.suspicionMaxTimeoutMult(), n, probeIntervalNanos);
    int k = ProtocolMath.suspicionConfirmationsNeeded(config.suspicionMult(), n);
    if (!config.lifeguard().dynamicSuspicion()) {
      // SWIM's fixed timeout: the minimum, with no confirmations to count
      suspicions.start(m, accuser, now, min, min, 0);
      return;
    }
    suspicions.start(m, accuser, now, min, max, k);
  }
}
