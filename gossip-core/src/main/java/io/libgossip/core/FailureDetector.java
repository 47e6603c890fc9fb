package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * SWIM's failure detector with Lifeguard: one probe per probe interval (a direct ping, then
 * indirect pings through a few relays after the probe timeout), nacks from relays that could not
 * reach the target, the {@link Relays} this node runs for others, and suspicion timeouts. A failed
 * probe suspects its target; an expired suspicion declares it failed.
 *
 * <p>Confirmation (decisions 051 and 058): when this node has seen signs of packet loss lately (a
 * live member answered a probe only after its probe timeout), a probe whose direct ping went
 * unanswered is widened: the target gets a second direct ping, and the indirect pings go through
 * {@link GossipConfig#confirmationChecks()} more relays than usual, in the same period, so moderate
 * loss costs no detection time. Under heavy loss (at least one in five recently answered probes
 * needed its indirect phase) a failed probe still does not accuse: the target is probed once more
 * at once, directly and through as many fresh relays, for one probe timeout, and only a second
 * failure raises the suspicion. Likewise a suspicion that times out is not declared {@code FAILED}
 * at once while loss is seen: the suspect gets one last probe (its ping carries the suspicion, so
 * it can refute in the ack), and only if that fails is it declared failed; an answer restarts the
 * suspicion timer instead. Without loss a failed probe suspects at once and an expired suspicion
 * fails at once, as in SWIM.
 */
final class FailureDetector {
  private final SelfState self;
  private final MemberTable table;
  private final ClaimRules claims;
  private final SuspicionTimers suspicions;
  private final Awareness awareness;
  private final Disseminator disseminator;
  private final Effects effects;
  private final int indirectChecks;
  private final long probeIntervalNanos;
  private final long probeTimeoutNanos;
  private final boolean nacks;
  private final int confirmationChecks;

  private long probesWidened;

  private final AddressProof proofs;
  private @Nullable Probe probe;

  /** No earlier probe to a check (see {@link #sendCheck}). */
  private static final long NO_SEQ = 0;

  /** At most this many confirmations and last checks run at once; beyond, none is started. */
  static final int MAX_CHECKS = 16;

  /**
   * Confirmation re-probes and last checks of expired suspicions in flight, oldest first; they run
   * beside the regular probe.
   */
  private final List<Probe> checks = new ArrayList<>();

  /** What this node has seen of packet loss (shared with {@link AddressProof}). */
  private final LossEstimate loss;

  private final Relays relays;

  /** No suspicion expires before this time (see {@link #stalled}). */
  private long graceUntil;

  private long probes;
  private long suspicionsRaised;
  private long confirmationsStarted;
  private long suspicionsAverted;
  private long failuresAverted;

  private long suspicionsDeferred;

  /** A probe in flight. */
  private static final class Probe {
    final Member target;

    /** Where the target was pinged: a failed probe says nothing about another address. */
    final NodeAddress address;

    final long seq;
    final long sentAt;
    final long timeoutAt;
    long periodEnd;
    boolean indirectSent;
    int expectedNacks;
    int nacks;
    boolean acked;

    /** The relays asked (none until the indirect pings go out). */
    List<Member> helpers = List.of();

    /** Whether this is a confirmation re-probe or a last check (decision 051). */
    final boolean confirming;

    /** Whether this is the last check of a suspicion that timed out (at {@link #incarnation}). */
    boolean lastCheck;

    long incarnation;

    /** A confirmation's failed probe, whose late ack still counts; its own seq otherwise. */
    final long firstSeq;

    Probe(Member target, long seq, long sentAt, long timeoutAt, long periodEnd) {
      this(target, seq, sentAt, timeoutAt, periodEnd, false, seq);
    }

    Probe(
        Member target,
        long seq,
        long sentAt,
        long timeoutAt,
        long periodEnd,
        boolean confirming,
        long firstSeq) {
      this.target = target;
      this.address = target.state.address();
      this.seq = seq;
      this.sentAt = sentAt;
      this.timeoutAt = timeoutAt;
      this.periodEnd = periodEnd;
      this.confirming = confirming;
      this.firstSeq = firstSeq;
    }

    boolean answers(long ackSeq) {
      return seq == ackSeq || firstSeq == ackSeq;
    }
  }

  FailureDetector(
      SelfState self,
      MemberTable table,
      ClaimRules claims,
      SuspicionTimers suspicions,
      Awareness awareness,
      Disseminator disseminator,
      Effects effects,
      GossipConfig config,
      AddressProof proofs,
      LossEstimate loss) {
    this.self = self;
    this.loss = loss;
    this.proofs = proofs;
    this.table = table;
    this.claims = claims;
    this.suspicions = suspicions;
    this.awareness = awareness;
    this.disseminator = disseminator;
    this.effects = effects;
    this.indirectChecks = config.indirectChecks();
    this.probeIntervalNanos = config.probeInterval().toNanos();
    this.probeTimeoutNanos = config.probeTimeout().toNanos();
    this.nacks = config.lifeguard().nacks();
    this.confirmationChecks = config.confirmationChecks();
    this.relays = new Relays(self, table, disseminator, probeTimeoutNanos, nacks);
  }

  // ---- lifecycle

  /** The core (re)started at {@code now}. */
  void start(long now) {
    graceUntil = now;
  }

  /**
   * The node was not scheduled for a while (a long GC pause, CPU starvation): what it thinks of
   * others is stale, and the answers it missed are still waiting to be read. It listens for one
   * probe interval before accusing anyone, and gives up the probe that overran.
   */
  void stalled(long now) {
    graceUntil = now + probeIntervalNanos;
    probe = null;
    checks.clear();
  }

  /** Gives up the probe in flight, if any (the node leaves). */
  void cancelProbe() {
    probe = null;
    checks.clear();
  }

  /** Forgets the probe in flight and every relay. */
  void clear() {
    probe = null;
    checks.clear();
    loss.clear();
    relays.clear();
  }

  /** A fresh random sequence number (see {@link AddressProof#nextSeq()}). */
  long nextSeq() {
    return proofs.nextSeq();
  }

  long probes() {
    return probes;
  }

  long suspicionsRaised() {
    return suspicionsRaised;
  }

  /** Confirmation re-probes started so far (each after a failed probe). */
  long confirmationsStarted() {
    return confirmationsStarted;
  }

  /** Confirmation re-probes answered: suspicions this node did not raise. */
  long suspicionsAverted() {
    return suspicionsAverted;
  }

  /** Last checks answered: suspicions that timed out without this node declaring a failure. */
  long failuresAverted() {
    return failuresAverted;
  }

  /**
   * Whether a failed probe would now be confirmed before accusing: a sign of loss is recent, or too
   * few answers came yet to tell (see {@link LossEstimate#confirming}).
   */
  boolean confirming(long now) {
    return confirmationChecks > 0 && loss.confirming(now);
  }

  /** Failed probes that raised no suspicion because this node's queue was saturated (052). */
  long suspicionsDeferred() {
    return suspicionsDeferred;
  }

  /** The earlier of {@code d} and the next deadline of a probe, suspicion or relay. */
  long earliestDeadline(long d) {
    if (probe != null) {
      d = Schedule.earlier(d, probe.indirectSent ? probe.periodEnd : probe.timeoutAt);
    }
    for (Probe c : checks) {
      d = Schedule.earlier(d, c.periodEnd);
    }
    Suspicion s = suspicions.peek();
    if (s != null) {
      d = Schedule.earlier(d, Schedule.later(s.deadline(), graceUntil));
    }
    return relays.earliestDeadline(d);
  }

  // ---- probing

  /** Clock offsets and coordinates (decision 061); null until given, then possibly off. */
  private @Nullable ClockOffsets clockOffsets;

  /** Gives the probe timestamping, once, right after construction. */
  void clockOffsets(ClockOffsets c) {
    clockOffsets = c;
  }

  private Ping stamp(Ping ping, Member target) {
    return clockOffsets == null ? ping : clockOffsets.stamp(ping, target);
  }

  /** Starts a probe of the next member in the probe order, ending an overrun one first. */
  void startProbe(long now) {
    if (probe != null) {
      // The previous probe's period overran (its period end moved with the health score).
      finishFailedProbe(probe, now);
    }
    Member target = table.nextProbeTarget();
    if (target == null) {
      return;
    }
    probes++;
    long s = proofs.nextSeq();
    probe =
        new Probe(
            target,
            s,
            now,
            now + awareness.scale(probeTimeoutNanos),
            now + awareness.scale(probeIntervalNanos));
    Ping ping = stamp(new Ping(self.id, self.address, s, target.id(), List.of()), target);
    disseminator.send(ping, target, target.view(), List.of(), disseminator.limitFor(target, ping));
  }

  /**
   * Moves the probe in flight on: indirect pings once the probe timeout passed, suspicion of the
   * target once the probe period ended unanswered.
   */
  void advanceProbe(long now) {
    proofs.checkOverdue(now); // unanswered proofs are signs of loss before any probe failed
    advanceConfirmation(now);
    Probe p = probe;
    if (p == null) {
      return;
    }
    if (p.acked) {
      probe = null;
      return;
    }
    if (!table.holds(p.target) || !p.target.status().isAlive()) {
      probe = null; // target gone meanwhile
      return;
    }
    if (!p.indirectSent && Schedule.due(p.timeoutAt, now)) {
      p.indirectSent = true;
      boolean widen = confirming(now);
      List<Member> helpers =
          table.randomVerifiedOnlineExcept(
              indirectChecks + (widen ? confirmationChecks : 0), p.target);
      if (widen) {
        // Decision 058: loss is seen, so the direct ping or its ack may just have been lost: ask
        // again directly and through more relays now, rather than a whole round later.
        probesWidened++;
        Ping again =
            stamp(new Ping(self.id, self.address, p.seq, p.target.id(), List.of()), p.target);
        disseminator.send(
            again, p.target, p.target.view(), List.of(), disseminator.limitFor(p.target, again));
      }
      for (Member h : helpers) {
        PingReq req =
            new PingReq(self.id, self.address, p.seq, p.target.id(), p.address, List.of());
        disseminator.send(req, h, h.view(), List.of());
      }
      p.expectedNacks = nacks ? helpers.size() : 0; // no nacks: a failure costs 1 (below)
      p.helpers = helpers;
      // Indirect probes need their share of the period even when this tick came late.
      p.periodEnd =
          Schedule.later(
              p.periodEnd, now + awareness.scale(probeIntervalNanos - probeTimeoutNanos));
    }
    if (p.indirectSent && Schedule.due(p.periodEnd, now)) {
      finishFailedProbe(p, now);
    }
  }

  /** Ends the checks in flight whose probe timeout passed unanswered. */
  private void advanceConfirmation(long now) {
    for (int i = 0; i < checks.size(); ) {
      Probe c = checks.get(i);
      if (c.acked || !table.holds(c.target) || !c.target.status().isAlive()) {
        checks.remove(i); // answered, or the target gone meanwhile
      } else if (Schedule.due(c.periodEnd, now)) {
        checks.remove(i);
        if (c.lastCheck) {
          lastCheckFailed(c, now);
        } else {
          finishFailedProbe(c, now);
        }
      } else {
        i++;
      }
    }
  }

  private void finishFailedProbe(Probe p, long now) {
    if (probe == p) {
      probe = null;
    }
    if (p.acked) {
      return;
    }
    // Lifeguard: missing nacks mean our own links are suspect; with no helpers, penalise once.
    awareness.apply(missedNackPenalty(p));
    Member t = p.target;
    if (!t.state.address().equals(p.address)) {
      return; // the member moved meanwhile (restarted elsewhere): the silent address is not it
    }
    if (!p.confirming
        && table.holds(t)
        && t.status().isAlive()
        && confirming(now)
        && loss.heavy()
        && checks.size() < MAX_CHECKS) {
      startConfirmation(p, now);
      return;
    }
    if (table.holds(t) && t.status() == NodeStatus.ONLINE && disseminator.saturated(now)) {
      // Decision 052 (B2's hook): a node that cannot spread news in time does not accuse; it
      // probes the member again next period instead.
      suspicionsDeferred++;
      table.probeNext(t);
    } else if (table.holds(t) && t.status() == NodeStatus.ONLINE) {
      suspicionsRaised++;
      claims.applyGossip(
          t.state.withStatus(NodeStatus.SUSPECT, t.state.incarnation(), self.id), now);
    } else if (table.holds(t) && t.status() == NodeStatus.SUSPECT) {
      // Our own failed probe of an already suspected member is an independent confirmation.
      claims.applyGossip(
          t.state.withStatus(NodeStatus.SUSPECT, t.state.incarnation(), self.id), now);
    }
  }

  /**
   * Probes the target of the failed probe {@code failed} again at once: a direct ping and indirect
   * pings through relays other than the failed probe's, all under one new sequence number, for one
   * (scaled) probe timeout.
   */
  private void startConfirmation(Probe failed, long now) {
    confirmationsStarted++;
    checks.add(sendCheck(failed.target, failed.seq, failed.helpers, now));
  }

  /**
   * Sends a check of {@code t}: a direct ping (carrying, by the buddy system, any suspicion of it
   * we hold) and indirect pings through relays not among {@code used}, all under one new sequence
   * number, for one (scaled) probe timeout; a late ack of {@code firstSeq} counts too, unless it is
   * {@link #NO_SEQ}.
   */
  private Probe sendCheck(Member t, long firstSeq, List<Member> used, long now) {
    long s = proofs.nextSeq();
    long end = now + awareness.scale(probeTimeoutNanos);
    Probe c = new Probe(t, s, now, end, end, true, firstSeq == NO_SEQ ? s : firstSeq);
    c.indirectSent = true;
    Ping ping = new Ping(self.id, self.address, s, t.id(), List.of());
    disseminator.send(ping, t, t.view(), List.of(), disseminator.limitFor(t, ping));
    List<Member> helpers = freshHelpers(t, used);
    for (Member h : helpers) {
      PingReq req = new PingReq(self.id, self.address, s, t.id(), c.address, List.of());
      disseminator.send(req, h, h.view(), List.of());
    }
    c.expectedNacks = nacks ? helpers.size() : 0;
    c.helpers = helpers;
    return c;
  }

  /** The last check of {@code c.target} went unanswered: the suspicion stands, it failed. */
  private void lastCheckFailed(Probe c, long now) {
    awareness.apply(missedNackPenalty(c));
    declareFailed(c.target, c.incarnation, now);
  }

  private void declareFailed(Member m, long incarnation, long now) {
    if (table.holds(m)
        && m.status() == NodeStatus.SUSPECT
        && m.state.incarnation() == incarnation) {
      claims.applyGossip(m.state.withStatus(NodeStatus.FAILED, incarnation, self.id), now);
    }
  }

  /**
   * Up to {@link #indirectChecks} + {@link #confirmationChecks} random relays for {@code target},
   * none of {@code used}.
   */
  private List<Member> freshHelpers(Member target, List<Member> used) {
    int want = indirectChecks + confirmationChecks;
    List<Member> picked = table.randomVerifiedOnlineExcept(want + used.size(), target);
    List<Member> out = new ArrayList<>(want);
    for (Member m : picked) {
      if (out.size() < want && !used.contains(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Lifeguard's penalty for a failed probe: one per missing nack, or 1 when no relay was asked (or
   * nacks are off). A probe that asked more relays than {@link #indirectChecks} (decision 058) is
   * penalised in proportion, as if it had asked the usual number, so that the health score means
   * the same whatever the loss.
   */
  private int missedNackPenalty(Probe p) {
    if (p.expectedNacks <= 0) {
      return 1;
    }
    int missing = Math.max(0, p.expectedNacks - p.nacks);
    if (p.expectedNacks <= indirectChecks) {
      return missing;
    }
    return (missing * indirectChecks + p.expectedNacks - 1) / p.expectedNacks;
  }

  /** Probes widened by a second direct ping and more relays because loss was seen (058). */
  long probesWidened() {
    return probesWidened;
  }

  /** Declares failed each suspect whose suspicion timed out (not during a grace period). */
  void expireSuspicions(long now) {
    if (!Schedule.due(graceUntil, now)) {
      return;
    }
    Suspicion s;
    while ((s = suspicions.peek()) != null && Schedule.due(s.deadline(), now)) {
      suspicions.remove(s);
      Member m = s.member;
      m.suspicion = null;
      if (table.holds(m)
          && m.status() == NodeStatus.SUSPECT
          && m.state.incarnation() == s.incarnation
          && confirming(now)
          && checks.size() < MAX_CHECKS) {
        // Loss is seen: the suspect may never have heard of the suspicion, or its refutation
        // may have missed us. One last probe before declaring it failed.
        Probe c = sendCheck(m, NO_SEQ, List.of(), now);
        c.lastCheck = true;
        c.incarnation = s.incarnation;
        checks.add(c);
        continue;
      }
      declareFailed(m, s.incarnation, now);
    }
  }

  // ---- messages

  /**
   * Answers a ping for this node with an ack that carries {@code corrections}; returns false (a
   * drop) when the ping was meant for another node.
   */
  boolean onPing(Ping ping, List<MemberUpdate> corrections) {
    if (!ping.target().equals(self.id)) {
      effects.drop(DropReason.WRONG_TARGET);
      return false;
    }
    Member sender = table.get(ping.from());
    Ack ack = new Ack(self.id, self.address, ping.seq(), List.of());
    if (clockOffsets != null && AddressProof.verifiedAt(sender, ping.fromAddress())) {
      // Only to a proven address: the timed ack is larger than the ping (no amplification).
      ack = clockOffsets.answer(ping, ack);
    }
    NodeView to = Member.replyTo(sender, ping.fromAddress());
    if (ping.seq() == WireNegotiation.HELLO_SEQ && corrections.isEmpty()) {
      effects.send(ack, to, Delivery.BEST_EFFORT); // a version hello's answer: its header suffices
      return true;
    }
    disseminator.send(
        ack, sender, to, corrections, disseminator.limitFor(sender, ping.fromAddress(), ping));
    return true;
  }

  /**
   * Matches an ack to the probe in flight or to a relay (whose requester then gets the ack);
   * returns false (a stale drop) when it matches neither.
   */
  boolean onAck(Ack ack, long now, List<MemberUpdate> corrections) {
    Probe p = probe;
    if (p != null && p.seq == ack.seq()) {
      if (!p.acked) {
        p.acked = true;
        effects.probeAcked(now - p.sentAt);
        loss.sample(p.indirectSent, now); // late: alive, yet silent for a whole probe timeout
        answered(p, now);
      }
      return true;
    }
    for (Probe c : checks) {
      if (c.answers(ack.seq())) {
        if (!c.acked) {
          c.acked = true;
          answered(c, now);
          if (c.lastCheck) {
            failuresAverted++;
            if (c.target.status() == NodeStatus.SUSPECT
                && c.target.state.incarnation() == c.incarnation
                && c.target.suspicion == null) {
              // Alive, but its refutation has not reached us yet: time the suspicion afresh.
              claims.restartSuspicion(c.target, now);
            }
          } else {
            suspicionsAverted++;
            loss.sample(true, now); // alive, yet its probe failed
          }
        }
        return true;
      }
    }
    if (relays.onAck(ack, corrections)) {
      return true;
    }
    effects.drop(DropReason.STALE);
    return false;
  }

  private void answered(Probe p, long now) {
    awareness.apply(-1);
    p.target.lastSeen = now;
    if (p.target.state.address().equals(p.address)) {
      p.target.verified = true; // it answered a random sequence number sent there
    }
  }

  /** Counts a relay's nack for the probe in flight; returns false (a stale drop) otherwise. */
  boolean onNack(Nack nack) {
    Probe p = probe;
    if (p != null && p.seq == nack.seq() && p.indirectSent) {
      p.nacks++;
      return true;
    }
    for (Probe c : checks) {
      if (c.seq == nack.seq()) {
        c.nacks++;
        if (c.nacks >= c.expectedNacks) {
          // Every relay is reachable and none reached the target: no need to wait any longer.
          c.periodEnd = c.sentAt; // due at once
        }
        return true;
      }
    }
    effects.drop(DropReason.STALE);
    return false;
  }

  /** Pings the requested target on the requester's behalf (or acks, when this node is it). */
  void onPingReq(PingReq req, long now, List<MemberUpdate> corrections) {
    if (req.target().equals(self.id)) {
      // Asked to probe ourselves: answer the requester directly.
      Member requester = table.get(req.from());
      disseminator.send(
          new Ack(self.id, self.address, req.seq(), List.of()),
          requester,
          Member.replyTo(requester, req.fromAddress()),
          corrections,
          disseminator.limitFor(requester, req.fromAddress(), req));
      return;
    }
    relays.start(req, proofs.nextSeq(), now, corrections);
  }

  /** Nacks to their requesters the relays whose target did not answer in time. */
  void expireRelays(long now) {
    relays.expire(now);
  }
}
