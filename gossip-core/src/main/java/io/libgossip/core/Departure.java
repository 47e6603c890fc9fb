package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A graceful leave that reaches every live member. Gossip alone can miss one: in a small cluster an
 * update is sent only a few times, and some copies go to members that are dead or lost. So the
 * {@code LEFT} claim also goes over the reliable delivery, in a ping that each receiver acks: to
 * every live member when there are at most {@link #ASK_ALL_UP_TO} of them, otherwise to {@link
 * #ACKS_WANTED} random ones, each of which gossips it on as news. Members that have not answered
 * are asked again every probe timeout (acks are best-effort); one that fails or leaves meanwhile
 * needs no answer, and none is asked that this node holds dead.
 *
 * <p>The leave is {@linkplain #done() acknowledged} once every member asked has answered (small
 * clusters) or {@link #ACKS_WANTED} have (large ones), or no live member is left to ask. The
 * runtime bounds the wait with its own timeout.
 */
final class Departure {
  /** Up to this many other live members, every one of them must acknowledge the leave. */
  static final int ASK_ALL_UP_TO = 32;

  /** In a larger cluster, this many random live members must. */
  static final int ACKS_WANTED = 16;

  private final SelfState self;
  private final MemberTable table;
  private final Disseminator disseminator;
  private final Effects effects;
  private final long retryNanos;

  private boolean active;
  private boolean everyone;
  private long seq;
  private long nextRound;
  private final List<Member> asked = new ArrayList<>();
  private final Set<String> acked = new HashSet<>();

  Departure(
      SelfState self,
      MemberTable table,
      Disseminator disseminator,
      Effects effects,
      GossipConfig config) {
    this.self = self;
    this.table = table;
    this.disseminator = disseminator;
    this.effects = effects;
    this.retryNanos = config.probeTimeout().toNanos();
  }

  /** Starts asking, with acks matched by {@code seq} (a sequence number no probe uses). */
  void start(long seq, long now) {
    this.active = true;
    this.seq = seq;
    int others = table.liveCount(); // this node no longer counts itself
    everyone = others <= ASK_ALL_UP_TO;
    if (everyone) {
      for (Member m : table.all()) {
        if (m.status().isAlive()) {
          asked.add(m);
        }
      }
    }
    round(now);
  }

  /** Whether enough live members acknowledged the {@code LEFT} claim (true before any leave). */
  boolean done() {
    if (!active) {
      return true;
    }
    int waiting = 0;
    for (Member m : asked) {
      if (!acked.contains(m.id()) && stillAlive(m)) {
        waiting++;
      }
    }
    if (everyone) {
      return waiting == 0;
    }
    return acked.size() >= ACKS_WANTED || (waiting == 0 && !moreToAsk());
  }

  /** Counts an ack of a leave ping; returns false when {@code ack} is not one. */
  boolean onAck(Ack ack) {
    if (!active || ack.seq() != seq) {
      return false;
    }
    acked.add(ack.from());
    return true;
  }

  /** Asks again, every probe timeout, the members that have not answered. */
  void tick(long now) {
    if (active && Schedule.due(nextRound, now) && !done()) {
      round(now);
    }
  }

  /** The earlier of {@code d} and the next round, while the leave waits for answers. */
  long earliestDeadline(long d) {
    return active && !done() ? Schedule.earlier(d, nextRound) : d;
  }

  private void round(long now) {
    nextRound = now + retryNanos;
    if (!everyone) {
      topUp();
    }
    for (Member m : asked) {
      if (!acked.contains(m.id()) && stillAlive(m)) {
        Ping ping = new Ping(self.id, self.address, seq, m.id(), List.of());
        if (m.verified) {
          effects.send(
              disseminator.pack(ping, m, List.of(self.claim())), m.view(), Delivery.RELIABLE);
        } else {
          // Not proven to receive there: a datagram with the leave alone, never a connection.
          effects.send(ping.withUpdates(List.of(self.claim())), m.view(), Delivery.BEST_EFFORT);
        }
      }
    }
  }

  /** Asks more random live members until enough could answer. */
  private void topUp() {
    int pending = acked.size();
    for (Member m : asked) {
      if (!acked.contains(m.id()) && stillAlive(m)) {
        pending++;
      }
    }
    if (pending >= ACKS_WANTED) {
      return;
    }
    Set<Member> known = new HashSet<>(asked);
    for (Member m : table.randomAliveExcept(ACKS_WANTED - pending, known)) {
      asked.add(m);
    }
  }

  private boolean moreToAsk() {
    int alive = table.liveCount();
    int askedAlive = 0;
    for (Member m : asked) {
      if (stillAlive(m)) {
        askedAlive++;
      }
    }
    return askedAlive < alive;
  }

  private boolean stillAlive(Member m) {
    return table.holds(m) && m.status().isAlive();
  }
}
