package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Round trips that prove a member receives at its address, against an off-path attacker who can
 * forge source addresses but cannot read other nodes' traffic.
 *
 * <p>A member is <em>verified</em> once it answered at the address the table holds: an ack to a
 * ping sent there (a probe or a proof ping of this class), or a push-pull reply to an exchange this
 * node started there. Sequence numbers are random (48 bits from the core's generator), so a blind
 * attacker cannot forge the ack. Only verified members get large or repeated traffic (push-pull
 * exchanges, reconnect notices, full gossip packets); everything sent to an address not verified is
 * at most {@link #REPLY_FACTOR} times the request that caused it, or that many times a bare ping.
 *
 * <p>A claim that moves a member to another address is held, not applied, until the member acks a
 * proof ping at the new address ({@link #requestMove}); then it goes through the ordinary claim
 * rules. This adds one round trip to a restart at a new address.
 */
final class AddressProof {
  /**
   * A packet toward an address not verified is at most this many times the request that caused it
   * (or a bare ping, for a packet this node starts).
   */
  static final int REPLY_FACTOR = 2;

  /** The most proof pings sent to one address of a member (the first and its retries). */
  static final int MAX_TRIES = 3;

  /** Sequence numbers are drawn from [1, 2^48): unguessable, and 7 bytes as a varint. */
  static final long SEQ_BOUND = 1L << 48;

  private final SelfState self;
  private final MemberTable table;
  private final Effects effects;
  private final RandomGenerator random;
  private final long probeIntervalNanos;
  private long proofsSent;
  private long movesProven;

  AddressProof(
      SelfState self,
      MemberTable table,
      Effects effects,
      RandomGenerator random,
      long probeIntervalNanos) {
    this.self = self;
    this.table = table;
    this.effects = effects;
    this.random = random;
    this.probeIntervalNanos = probeIntervalNanos;
  }

  /** A random sequence number in [1, {@link #SEQ_BOUND}): never the version hello's 0. */
  long nextSeq() {
    return 1 + random.nextLong(SEQ_BOUND - 1);
  }

  /** Whether {@code m} (may be null) answered at {@code address}, the one the table holds. */
  static boolean verifiedAt(@Nullable Member m, NodeAddress address) {
    return m != null && m.verified && m.state.address().equals(address);
  }

  /** The most bytes a packet answering {@code requestBytes} may take toward an unverified peer. */
  static int replyLimit(int requestBytes) {
    return REPLY_FACTOR * requestBytes;
  }

  /** Proof pings sent so far. */
  long proofsSent() {
    return proofsSent;
  }

  /** Address moves applied after their proof so far. */
  long movesProven() {
    return movesProven;
  }

  /**
   * Whether a proof ping may go to {@code m} at the address it holds: none sent there yet. One per
   * address per member life, so a member that never answers (a fake one) costs one ping here; its
   * probes, in turn, keep trying.
   */
  boolean mayProve(Member m) {
    return m.proofSeq == 0 || !Objects.equals(m.state.address(), m.proofAddress);
  }

  /**
   * Sends a bare ping to {@code m} (just learned) at its address, whose ack verifies it there; at
   * most once per address (see {@link #mayProve}).
   */
  void prove(Member m, long now) {
    if (!mayProve(m)) {
      return;
    }
    long seq = nextSeq();
    m.proofSeq = seq;
    m.proofAddress = m.state.address();
    m.proofSentAt = now;
    m.proofTries = 1;
    m.proofMove = null;
    proofsSent++;
    effects.send(
        new Ping(self.id, self.address, seq, m.id(), List.of()), m.view(), Delivery.BEST_EFFORT);
  }

  /**
   * Holds {@code claim}, which puts {@code m} at another address with a higher incarnation, until
   * the member acks a ping there. At most one proof is outstanding per member: a newer claim for
   * the address being proved replaces the held one; a claim for yet another address waits until the
   * outstanding proof is a probe interval old.
   */
  void requestMove(Member m, MemberUpdate claim, long now) {
    MemberUpdate held = m.proofMove;
    if (held != null
        && Objects.equals(claim.address(), m.proofAddress)
        && now - m.proofSentAt < probeIntervalNanos) {
      if (claim.incarnation() > held.incarnation()) {
        m.proofMove = claim;
      }
      return;
    }
    if (held != null && now - m.proofSentAt < probeIntervalNanos) {
      return; // rate bound: one move proof per member per probe interval
    }
    long seq = nextSeq();
    m.proofSeq = seq;
    m.proofAddress = claim.address();
    m.proofSentAt = now;
    m.proofTries = 1;
    m.proofMove = claim;
    proofsSent++;
    NodeView there =
        new NodeView(m.id(), claim.address(), NodeStatus.UNKNOWN, 0, claim.metadata(), 0, 0, 0, 0);
    effects.send(
        new Ping(self.id, self.address, seq, m.id(), List.of()), there, Delivery.BEST_EFFORT);
  }

  /**
   * Sends again every outstanding proof ping unanswered for a probe interval, up to {@link
   * #MAX_TRIES} pings per address, with the same sequence number so a late ack still counts: one
   * lost packet then delays a join by a probe interval rather than until the member's next probe.
   */
  void retry(long now) {
    for (Member m : table.all()) {
      NodeAddress to = m.proofAddress;
      if (m.proofSeq == 0
          || to == null
          || m.proofTries >= MAX_TRIES
          || now - m.proofSentAt < probeIntervalNanos) {
        continue;
      }
      MemberUpdate move = m.proofMove;
      NodeView there;
      if (move != null) {
        there = new NodeView(m.id(), to, NodeStatus.UNKNOWN, 0, move.metadata(), 0, 0, 0, 0);
      } else if (to.equals(m.state.address())) {
        there = m.view();
      } else {
        continue; // the member moved since: that proof is moot
      }
      m.proofTries++;
      m.proofSentAt = now;
      proofsSent++;
      effects.send(
          new Ping(self.id, self.address, m.proofSeq, m.id(), List.of()),
          there,
          Delivery.BEST_EFFORT);
    }
  }

  /**
   * Whether {@code ack} answers a proof ping: then its member is verified at that address and a
   * held move is applied through {@code claims}.
   */
  boolean onAck(Ack ack, long now, ClaimRules claims) {
    Member m = table.get(ack.from());
    if (m == null || m.proofSeq == 0 || m.proofSeq != ack.seq()) {
      return false;
    }
    m.proofSeq = 0;
    MemberUpdate move = m.proofMove;
    m.proofMove = null;
    NodeAddress proved = m.proofAddress;
    if (move != null) {
      claims.applyProven(move, now);
      if (table.holds(m) && m.state.address().equals(move.address())) {
        movesProven++;
      }
    }
    if (table.holds(m) && Objects.equals(m.state.address(), proved)) {
      m.verified = true;
      m.lastSeen = now;
    }
    return true;
  }
}
