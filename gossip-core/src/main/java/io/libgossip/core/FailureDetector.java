package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * SWIM's failure detector with Lifeguard: one probe per probe interval (a direct ping, then
 * indirect pings through a few relays after the probe timeout), nacks from relays that could not
 * reach the target, the {@link Relays} this node runs for others, and suspicion timeouts. A failed
 * probe suspects its target; an expired suspicion declares it failed.
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

  private final AddressProof proofs;
  private @Nullable Probe probe;
  private final Relays relays;

  /** No suspicion expires before this time (see {@link #stalled}). */
  private long graceUntil;

  private long probes;
  private long suspicionsRaised;
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

    Probe(Member target, long seq, long sentAt, long timeoutAt, long periodEnd) {
      this.target = target;
      this.address = target.state.address();
      this.seq = seq;
      this.sentAt = sentAt;
      this.timeoutAt = timeoutAt;
      this.periodEnd = periodEnd;
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
      AddressProof proofs) {
    this.self = self;
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
    this.relays = new Relays(self, table, disseminator, probeTimeoutNanos);
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
  }

  /** Gives up the probe in flight, if any (the node leaves). */
  void cancelProbe() {
    probe = null;
  }

  /** Forgets the probe in flight and every relay. */
  void clear() {
    probe = null;
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

  /** Failed probes that raised no suspicion because this node's queue was saturated (052). */
  long suspicionsDeferred() {
    return suspicionsDeferred;
  }

  /** The earlier of {@code d} and the next deadline of a probe, suspicion or relay. */
  long earliestDeadline(long d) {
    if (probe != null) {
      d = Schedule.earlier(d, probe.indirectSent ? probe.periodEnd : probe.timeoutAt);
    }
    Suspicion s = suspicions.peek();
    if (s != null) {
      d = Schedule.earlier(d, Schedule.later(s.deadline(), graceUntil));
    }
    return relays.earliestDeadline(d);
  }

  // ---- probing

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
    Ping ping = new Ping(self.id, self.address, s, target.id(), List.of());
    disseminator.send(ping, target, target.view(), List.of(), disseminator.limitFor(target, ping));
  }

  /**
   * Moves the probe in flight on: indirect pings once the probe timeout passed, suspicion of the
   * target once the probe period ended unanswered.
   */
  void advanceProbe(long now) {
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
      List<Member> helpers = table.randomVerifiedOnlineExcept(indirectChecks, p.target);
      for (Member h : helpers) {
        PingReq req =
            new PingReq(self.id, self.address, p.seq, p.target.id(), p.address, List.of());
        disseminator.send(req, h, h.view(), List.of());
      }
      p.expectedNacks = helpers.size();
      // Indirect probes need their share of the period even when this tick came late.
      p.periodEnd =
          Schedule.later(
              p.periodEnd, now + awareness.scale(probeIntervalNanos - probeTimeoutNanos));
    }
    if (p.indirectSent && Schedule.due(p.periodEnd, now)) {
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
    if (!t.state.address().equals(p.address)) {
      return; // the member moved meanwhile (restarted elsewhere): the silent address is not it
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
          && m.state.incarnation() == s.incarnation) {
        claims.applyGossip(m.state.withStatus(NodeStatus.FAILED, s.incarnation, self.id), now);
      }
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
        awareness.apply(-1);
        p.target.lastSeen = now;
        if (p.target.state.address().equals(p.address)) {
          p.target.verified = true; // it answered a random sequence number sent there
        }
      }
      return true;
    }
    if (relays.onAck(ack, corrections)) {
      return true;
    }
    effects.drop(DropReason.STALE);
    return false;
  }

  /** Counts a relay's nack for the probe in flight; returns false (a stale drop) otherwise. */
  boolean onNack(Nack nack) {
    Probe p = probe;
    if (p != null && p.seq == nack.seq() && p.indirectSent) {
      p.nacks++;
      return true;
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
