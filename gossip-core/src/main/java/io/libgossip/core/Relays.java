package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The indirect probes this node runs for others (SWIM's ping-req): it pings the target under a
 * sequence number of its own, relays the target's ack to the requester under the requester's, and
 * nacks (Lifeguard) when the target stays silent, a little before the requester's deadline.
 */
final class Relays {
  private final SelfState self;
  private final MemberTable table;
  private final Disseminator disseminator;
  private final long nackAfterNanos;
  private final boolean nacks;
  private final ArrayDeque<Relay> pending = new ArrayDeque<>();
  private final Map<Long, Relay> bySeq = new HashMap<>();

  /** One indirect probe run on behalf of a requester. */
  private static final class Relay {
    final long localSeq;
    final long requesterSeq;
    final String requester;
    final NodeAddress requesterAddress;
    final long nackAt;

    /** The byte limit of what goes back to the requester (see {@code Disseminator#limitFor}). */
    final int replyLimit;

    boolean done;

    Relay(
        long localSeq,
        long requesterSeq,
        String requester,
        NodeAddress requesterAddress,
        long nackAt,
        int replyLimit) {
      this.localSeq = localSeq;
      this.requesterSeq = requesterSeq;
      this.requester = requester;
      this.requesterAddress = requesterAddress;
      this.nackAt = nackAt;
      this.replyLimit = replyLimit;
    }
  }

  Relays(
      SelfState self,
      MemberTable table,
      Disseminator disseminator,
      long probeTimeoutNanos,
      boolean nacks) {
    this.self = self;
    this.nacks = nacks;
    this.table = table;
    this.disseminator = disseminator;
    // Nack a little before the requester's own deadline, so the nack can still count.
    this.nackAfterNanos = probeTimeoutNanos * 4 / 5;
  }

  /** Pings the target of {@code req} under {@code localSeq}, on its requester's behalf. */
  void start(PingReq req, long localSeq, long now, List<MemberUpdate> corrections) {
    int replyLimit = disseminator.limitFor(table.get(req.from()), req.fromAddress(), req);
    Relay r =
        new Relay(
            localSeq, req.seq(), req.from(), req.fromAddress(), now + nackAfterNanos, replyLimit);
    pending.addLast(r);
    bySeq.put(localSeq, r);
    Member target = table.get(req.target());
    NodeView to =
        target != null && target.state.address().equals(req.targetAddress())
            ? target.view()
            : new NodeView(
                req.target(), req.targetAddress(), NodeStatus.UNKNOWN, 0, Map.of(), 0, 0, 0, 0);
    Ping ping = new Ping(self.id, self.address, localSeq, req.target(), List.of());
    // The target's address comes from the request: unless verified there, as small as a reply.
    disseminator.send(
        ping, target, to, corrections, disseminator.limitFor(target, req.targetAddress(), req));
  }

  /** Relays {@code ack} to the requester if it answers a running relay; returns whether it did. */
  boolean onAck(Ack ack, List<MemberUpdate> corrections) {
    Relay r = bySeq.remove(ack.seq());
    if (r == null || r.done) {
      return false;
    }
    r.done = true;
    Member requester = table.get(r.requester);
    Ack relayed = new Ack(self.id, self.address, r.requesterSeq, List.of());
    disseminator.send(relayed, requester, to(r, requester), corrections, r.replyLimit);
    return true;
  }

  /** Nacks to their requesters the relays whose target did not answer by {@code now}. */
  void expire(long now) {
    while (!pending.isEmpty() && Schedule.due(pending.peekFirst().nackAt, now)) {
      Relay r = pending.pollFirst();
      bySeq.remove(r.localSeq);
      if (!r.done && nacks) {
        r.done = true;
        Member requester = table.get(r.requester);
        disseminator.send(
            new Nack(self.id, self.address, r.requesterSeq, List.of()),
            requester,
            to(r, requester),
            List.of(),
            r.replyLimit);
      }
    }
  }

  /** The earlier of {@code d} and the next nack deadline. */
  long earliestDeadline(long d) {
    Relay r = pending.peekFirst();
    return r == null ? d : Schedule.earlier(d, r.nackAt);
  }

  void clear() {
    pending.clear();
    bySeq.clear();
  }

  private static NodeView to(Relay r, @Nullable Member requester) {
    return Member.replyTo(requester, r.requesterAddress);
  }
}
