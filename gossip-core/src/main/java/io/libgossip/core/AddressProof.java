package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>One unverified live member per address: a claim that introduces a member at an address where
 * another live member is held but not yet verified is dropped ({@link DropReason#SHARED_ADDRESS}),
 * so members invented at one (victim's) address cost one proof and one probe in all, not each.
 */
final class AddressProof {
  /**
   * A packet toward an address not verified is at most this many times the request that caused it
   * (or a bare ping, for a packet this node starts).
   */
  static final int REPLY_FACTOR = 2;

  /** The most proof pings sent to one address of a member (the first and its retries). */
  static final int MAX_TRIES = 3;

  /**
   * The most proof pings (first pings and retries) sent per probe interval: whatever a flood of
   * invented members at distinct addresses asks, a node sends at most this many small pings a probe
   * interval on its behalf; the others wait (a mass join of more members than this is proven over a
   * few intervals, and probes verify members too).
   */
  static final int MAX_PROOFS_PER_INTERVAL = 256;

  /** Sequence numbers are drawn from [1, 2^48): unguessable, and 7 bytes as a varint. */
  static final long SEQ_BOUND = 1L << 48;

  private final SelfState self;
  private final MemberTable table;
  private final Effects effects;
  private final RandomGenerator random;
  private final long probeIntervalNanos;
  private final long probeTimeoutNanos;
  private final LossEstimate loss;

  /** The most first proof pings {@link #firstTries} remembers; beyond, the oldest is forgotten. */
  static final int MAX_WATCHED = 4 * MAX_PROOFS_PER_INTERVAL;

  /** A first proof ping whose answer is awaited, for the loss estimate. */
  private record FirstTry(Member member, long seq, long sentAt) {}

  /** First proof pings in the order sent, until answered or a probe timeout old. */
  private final ArrayDeque<FirstTry> firstTries = new ArrayDeque<>();

  private long proofsSent;
  private long movesProven;
  private long proofsDeferred;

  /** Proof pings sent since the last probe tick (see {@link #MAX_PROOFS_PER_INTERVAL}). */
  private int proofsThisInterval;

  /**
   * Members that may have a proof ping to send again: every member whose proof sequence was set
   * since it was last found without one, in no particular order. {@link #retry} visits these rather
   * than the whole table, and drops the ones that are done.
   */
  private final ArrayList<Member> outstanding = new ArrayList<>();

  /** The unverified member introduced at each address (stale entries pruned every retry tick). */
  private Map<NodeAddress, Member> unprovenAt = new HashMap<>();

  /** The most entries {@link #unprovenAt} held since it was last rebuilt. */
  private int unprovenPeak;

  AddressProof(
      SelfState self,
      MemberTable table,
      Effects effects,
      RandomGenerator random,
      long probeIntervalNanos,
      long probeTimeoutNanos,
      LossEstimate loss) {
    this.self = self;
    this.table = table;
    this.effects = effects;
    this.random = random;
    this.probeIntervalNanos = probeIntervalNanos;
    this.probeTimeoutNanos = probeTimeoutNanos;
    this.loss = loss;
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

  /** Proof pings put off to a later probe interval by {@link #MAX_PROOFS_PER_INTERVAL} so far. */
  long proofsDeferred() {
    return proofsDeferred;
  }

  /** Address moves applied after their proof so far. */
  long movesProven() {
    return movesProven;
  }

  /**
   * Whether a claim introducing the unknown member {@code id} at {@code address} must be dropped:
   * another live member, not yet verified, is held at that address.
   */
  boolean addressTaken(String id, NodeAddress address) {
    Member holder = unprovenAt.get(address);
    if (holder == null) {
      return false;
    }
    if (!unprovenAt(holder, address)) {
      unprovenAt.remove(address);
      return false;
    }
    return !holder.id().equals(id);
  }

  private boolean unprovenAt(Member m, NodeAddress address) {
    return !m.verified
        && m.status().isAlive()
        && m.state.address().equals(address)
        && table.holds(m);
  }

  /**
   * Whether a proof ping may go to {@code m} at the address it holds: none sent there yet. One per
   * address per member life, so a member that never answers (a fake one) costs one ping here; its
   * probes, in turn, keep trying.
   */
  boolean mayProve(Member m) {
    Proof p = m.proof;
    return p == null || !m.state.address().equals(p.address);
  }

  /**
   * Sends a bare ping to {@code m} (just learned) at its address, whose ack verifies it there; at
   * most once per address (see {@link #mayProve}).
   */
  void prove(Member m, long now) {
    if (!mayProve(m)) {
      return;
    }
    if (!m.verified) {
      unprovenAt.putIfAbsent(m.state.address(), m);
      unprovenPeak = Math.max(unprovenPeak, unprovenAt.size());
    }
    long seq = nextSeq();
    Proof p = new Proof(seq, m.state.address());
    m.proof = p;
    list(m);
    if (proofsThisInterval >= MAX_PROOFS_PER_INTERVAL) {
      // Over budget: due at the next probe tick (see retry), as if a first ping had gone
      // unanswered.
      p.sentAt = now - probeIntervalNanos;
      p.tries = 0;
      proofsDeferred++;
      return;
    }
    p.sentAt = now;
    p.tries = 1;
    proofsThisInterval++;
    proofsSent++;
    watch(m, now);
    effects.send(
        new Ping(self.id, self.address, seq, m.id(), List.of()), m.view(), Delivery.BEST_EFFORT);
  }

  private void watch(Member m, long now) {
    if (firstTries.size() >= MAX_WATCHED) {
      firstTries.pollFirst();
    }
    firstTries.addLast(new FirstTry(m, seqOf(m), now));
  }

  /**
   * Tells the loss estimate how the first proof pings went, in the order they were sent (decision
   * 058): answered (in time, or at least before this check), or still unanswered a probe timeout
   * after they went. In a join, these show loss a probe interval before any probe can fail. Taking
   * them in sending order keeps the share of late ones honest: the late ones are known only later.
   */
  void checkOverdue(long now) {
    FirstTry f;
    while ((f = firstTries.peekFirst()) != null) {
      long seq = seqOf(f.member);
      if (seq == 0) {
        firstTries.pollFirst();
        loss.sample(false, now); // answered
      } else if (seq != f.seq) {
        firstTries.pollFirst(); // superseded by a proof of another address
      } else if (now - f.sentAt >= probeTimeoutNanos) {
        firstTries.pollFirst();
        loss.sample(true, now);
      } else {
        return;
      }
    }
  }

  /**
   * Holds {@code claim}, which puts {@code m} at another address with a higher incarnation, until
   * the member acks a ping there. At most one proof is outstanding per member: a newer claim for
   * the address being proved replaces the held one; a claim for yet another address waits until the
   * outstanding proof is a probe interval old.
   */
  void requestMove(Member m, MemberUpdate claim, long now) {
    Proof p = m.proof;
    MemberUpdate held = p == null ? null : p.move;
    if (p != null && held != null && now - p.sentAt < probeIntervalNanos) {
      if (claim.address().equals(p.address)) {
        if (claim.incarnation() > held.incarnation()) {
          p.move = claim;
        }
      }
      return; // else the rate bound: one move proof per member per probe interval
    }
    long seq = nextSeq();
    p = new Proof(seq, claim.address());
    p.sentAt = now;
    p.tries = 1;
    p.move = claim;
    m.proof = p;
    list(m);
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
   * Called at every probe tick; it opens a new budget of {@link #MAX_PROOFS_PER_INTERVAL} pings,
   * and sends the first pings that budget put off.
   */
  void retry(long now) {
    proofsThisInterval = 0;
    pruneUnproven();
    List<Member> retries = new ArrayList<>();
    for (Member m : outstandingInTableOrder()) {
      Proof p = m.proof;
      if (p == null || p.tries >= MAX_TRIES || now - p.sentAt < probeIntervalNanos) {
        continue;
      }
      if (p.tries > 0) {
        retries.add(m);
      } else if (proofsThisInterval < MAX_PROOFS_PER_INTERVAL) {
        resend(m, p, now); // first pings put off by the budget go before retries
      }
    }
    for (Member m : retries) {
      Proof p = m.proof;
      if (proofsThisInterval >= MAX_PROOFS_PER_INTERVAL) {
        return; // the rest wait for the next probe tick
      }
      if (p != null) {
        resend(m, p, now);
      }
    }
  }

  /**
   * Drops the stale entries of {@link #unprovenAt}. A hash map keeps the capacity of its largest
   * size, and going through it costs that capacity: once the entries of a join wave are gone, the
   * map is copied into one of its present size.
   */
  private void pruneUnproven() {
    if (unprovenAt.isEmpty() && unprovenPeak == 0) {
      return;
    }
    unprovenAt.entrySet().removeIf(e -> !unprovenAt(e.getValue(), e.getKey()));
    int size = unprovenAt.size();
    if (size < unprovenPeak / 4) {
      unprovenAt = new HashMap<>(unprovenAt);
      unprovenPeak = size;
    }
  }

  /** The sequence number of {@code m}'s outstanding proof ping, or 0 for none. */
  private static long seqOf(Member m) {
    Proof p = m.proof;
    return p == null ? 0 : p.seq;
  }

  /**
   * An outstanding proof of a member's address: the ping's sequence number and where it went, how
   * many times and when last, and the claim moving the member there, held until the ack. A member
   * keeps one after its tries are spent, so that the address is not proved again.
   */
  static final class Proof {
    final long seq;
    final NodeAddress address;
    long sentAt;
    int tries;
    @Nullable MemberUpdate move;

    Proof(long seq, NodeAddress address) {
      this.seq = seq;
      this.address = address;
    }
  }

  private void list(Member m) {
    if (!m.proofListed) {
      m.proofListed = true;
      outstanding.add(m);
    }
  }

  /**
   * The outstanding members that may still be sent a proof ping (see {@link #retry}), in the order
   * of {@link MemberTable#all()}; forgets the others. A member leaves the list only for good: its
   * sequence is cleared, its tries are spent, or it left the table (a member that comes back is a
   * new entry), and it returns only through a new proof.
   */
  private List<Member> outstandingInTableOrder() {
    int kept = 0;
    for (int i = 0, n = outstanding.size(); i < n; i++) {
      Member m = outstanding.get(i);
      Proof p = m.proof;
      if (p != null && p.tries < MAX_TRIES && table.holds(m)) {
        outstanding.set(kept++, m);
      } else {
        m.proofListed = false;
      }
    }
    outstanding.subList(kept, outstanding.size()).clear();
    outstanding.sort(BY_TABLE_INDEX);
    return outstanding;
  }

  private static final Comparator<Member> BY_TABLE_INDEX = Comparator.comparingInt(m -> m.index);

  private void resend(Member m, Proof p, long now) {
    MemberUpdate move = p.move;
    NodeView there;
    if (move != null) {
      there = new NodeView(m.id(), p.address, NodeStatus.UNKNOWN, 0, move.metadata(), 0, 0, 0, 0);
    } else if (p.address.equals(m.state.address())) {
      there = m.view();
    } else {
      return; // the member moved since: that proof is moot
    }
    p.tries++;
    p.sentAt = now;
    proofsThisInterval++;
    proofsSent++;
    if (p.tries == 1) {
      watch(m, now); // a first ping the budget had put off
    }
    effects.send(
        new Ping(self.id, self.address, p.seq, m.id(), List.of()), there, Delivery.BEST_EFFORT);
  }

  /**
   * Whether {@code ack} answers a proof ping: then its member is verified at that address and a
   * held move is applied through {@code claims}.
   */
  boolean onAck(Ack ack, long now, ClaimRules claims) {
    Member m = table.get(ack.from());
    Proof p = m == null ? null : m.proof;
    if (m == null || p == null || p.seq != ack.seq()) {
      return false;
    }
    m.proof = null;
    MemberUpdate move = p.move;
    NodeAddress proved = p.address;
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
