package io.libgossip.core;

import io.libgossip.core.GossipMessage.BroadcastPull;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * User broadcasts: numbering this node's own, taking in those piggybacked on received packets
 * (delivering each new one once and queueing it to spread on), and moving large bodies.
 *
 * <p>A broadcast whose item fits in the user share of a packet rides whole. A larger one is
 * announced (origin, life, seq, topic, key, size); a node that hears an announcement of a broadcast
 * it has not delivered pulls the body with a {@link BroadcastPull} over {@link Delivery#RELIABLE}
 * from the member it heard it from, then from the other announcers it heard, then from the origin,
 * at most {@link #MAX_TRIES} times, one {@link #pullTimeoutNanos} apart. Once it has the body it
 * delivers it, holds it for {@link #HOLD_NANOS} (bounded by {@link
 * GossipConfig#maxHeldBroadcastBytes()}) to serve pulls, and spreads the announcement in turn.
 *
 * <p>Repair (decision 047): a whole broadcast that retires from the queue at the retransmit limit
 * is sent on {@link #REPAIR_PERCENT} percent of that limit more times as its announcement (a digest
 * of about 25 bytes: origin, life, seq, topic, key, size), after the items sent fewer times, while
 * this node holds its body. A node that missed every whole copy pulls the body from the announcer
 * as it would a large broadcast's, and delivers it through the same log: still at most once. Pulls
 * go only to members verified at their address; a body goes to a member that is not only when the
 * reply is at most {@link AddressProof#replyLimit twice} the request (else the reply says "missing"
 * and {@link DropReason#BROADCAST_PULL_REFUSED} is counted). A held body of a keyed broadcast is
 * forgotten once a newer one with its origin, topic and key is delivered or held here, so a pull
 * never brings back a superseded broadcast.
 */
final class UserBroadcasts {
  /** Pulls of one broadcast before it is given up. */
  static final int MAX_TRIES = 4;

  /** Broadcast bodies being pulled at once; beyond, announcements are dropped (counted). */
  static final int MAX_PULLS = 256;

  /** Announcers remembered per pull. */
  static final int MAX_SOURCES = 4;

  /** How long a large broadcast's body is held to serve pulls. */
  static final long HOLD_NANOS = 60_000_000_000L;

  /** How often origins gone from the member table are forgotten, and after how long. */
  static final long SWEEP_NANOS = 10_000_000_000L;

  static final long FORGET_NANOS = 60_000_000_000L;

  /** The most user items waiting in the queue; beyond, the most sent are dropped. */
  static final int MAX_QUEUED = 4096;

  /** Room kept in a packet for the rest of the message when sizing the inline limit. */
  static final int MESSAGE_RESERVE = 200;

  /**
   * Repair sends of a retired whole broadcast, as its announcement, in percent of the retransmit
   * limit (see decision 047); 0 turns repair off.
   */
  static final int REPAIR_PERCENT = 50;

  /** The most bodies held to serve pulls, besides the byte and age bounds. */
  static final int MAX_HELD = 4096;

  private final SelfState self;
  private final MemberTable table;
  private final Effects effects;
  private final RandomGenerator random;
  private final BroadcastQueue<UserItem> queue = new BroadcastQueue<>(MAX_QUEUED);
  private final DeliveryLog log;
  private final int maxBytes;
  private final long maxHeldBytes;
  private final int inlineLimit;
  private final long pullTimeoutNanos;
  private final BinarySerializer sizer;
  private final int repairPercent;

  /** The latest time this unit was told of (a tick, a message, a broadcast). */
  private long clock;

  private long repairsQueued;
  private long repaired;
  private long pullsServed;

  /** The origin life of this node's broadcasts; drawn at the first one when not given. */
  private @Nullable Long life;

  private long nextSeq;
  private long nextSweep;
  private long delivered;

  private final Map<String, Pull> pulls = new LinkedHashMap<>();
  private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();

  /** For each held keyed broadcast, its queue key (origin, topic, key) to its body id. */
  private final Map<String, String> heldKeyed = new HashMap<>();

  private long heldBytes;

  /** A body being pulled. */
  private static final class Pull {
    final BroadcastItem announcement;
    final List<String> sources = new ArrayList<>(2);
    int tries;
    long deadline;

    Pull(BroadcastItem announcement) {
      this.announcement = announcement;
    }
  }

  /** A body held to serve pulls; {@code keyedAs} is the queue key of a keyed broadcast. */
  @SuppressWarnings("ArrayRecordComponent") // never compared
  private record Held(byte[] body, long expires, long life, long seq, @Nullable String keyedAs) {}

  UserBroadcasts(
      SelfState self,
      MemberTable table,
      Effects effects,
      GossipConfig config,
      RandomGenerator random,
      @Nullable Long life,
      int packetBudget) {
    this(self, table, effects, config, random, life, packetBudget, REPAIR_PERCENT);
  }

  UserBroadcasts(
      SelfState self,
      MemberTable table,
      Effects effects,
      GossipConfig config,
      RandomGenerator random,
      @Nullable Long life,
      int packetBudget,
      int repairPercent) {
    this.self = self;
    this.table = table;
    this.effects = effects;
    this.random = random;
    this.life = life;
    this.log = new DeliveryLog(config.maxMembers());
    this.maxBytes = Math.min(config.maxBroadcastBytes(), config.maxMessageSize() - 1024);
    this.maxHeldBytes = config.maxHeldBroadcastBytes();
    this.inlineLimit =
        Math.max(0, (packetBudget - MESSAGE_RESERVE) * config.broadcastPacketShare() / 100);
    this.pullTimeoutNanos = Math.max(config.probeInterval().toNanos() * 2, 1_000_000_000L);
    this.sizer = BinarySerializer.forConfig(config);
    this.repairPercent = repairPercent;
    if (repairPercent > 0) {
      queue.onRetire(this::retired);
    }
  }

  /**
   * A whole broadcast sent {@code limit} times: queued again as its announcement for the repair
   * sends, after the items sent fewer times, while its body is held to serve the pulls.
   */
  private void retired(UserItem u, int limit) {
    BroadcastItem item = u.item;
    if (item.announced() || item.size() == 0) {
      return; // an announcement already (a large body's, or a repair), or nothing to pull
    }
    int sends = Math.max(1, (limit * repairPercent + 99) / 100);
    if (hold(item, clock)) {
      queue.add(new UserItem(item.announcement()), Math.max(0, limit - sends));
      repairsQueued++;
    }
  }

  BroadcastQueue<UserItem> queue() {
    return queue;
  }

  /** The largest payload {@link #broadcast} takes. */
  int maxBytes() {
    return maxBytes;
  }

  /** The largest item that rides whole on a packet; larger ones are announced and pulled. */
  int inlineLimit() {
    return inlineLimit;
  }

  /**
   * Numbers and queues a broadcast of this node.
   *
   * @return its sequence number
   */
  long broadcast(String topic, byte[] payload, @Nullable String key, long now) {
    clock = now;
    BroadcastItem.checkTopic(topic, "topic");
    if (key != null) {
      BroadcastItem.checkTopic(key, "key");
    }
    if (payload.length > maxBytes) {
      throw new IllegalArgumentException(
          "payload of "
              + payload.length
              + " bytes exceeds the largest broadcast, "
              + maxBytes
              + " bytes (GossipConfig.maxBroadcastBytes, at most maxMessageSize less 1 KiB)");
    }
    Long l = life;
    if (l == null) {
      l = random.nextLong() & 0x7FFF_FFFFL; // no wall clock at start: a random life
      life = l;
    }
    long seq = ++nextSeq;
    BroadcastItem item =
        new BroadcastItem(self.id, l, seq, topic, key, payload.length, payload.clone());
    UserItem whole = new UserItem(item);
    forgetSuperseded(item);
    if (whole.wireSize() <= inlineLimit) {
      queue.add(whole);
    } else if (hold(item, now)) {
      queue.add(new UserItem(item.announcement()));
    } else {
      throw new IllegalArgumentException(
          "payload of "
              + payload.length
              + " bytes does not fit in the "
              + (maxHeldBytes - heldBytes)
              + " bytes left of GossipConfig.maxHeldBroadcastBytes");
    }
    return seq;
  }

  /**
   * Takes in the broadcasts piggybacked on {@code message}, as {@code sender} (may be null). New
   * ones wait for this node's next gossip round: passing them on at once measured slower (see
   * decision 040).
   */
  void receive(GossipMessage message, @Nullable Member sender, long now) {
    clock = now;
    for (BroadcastItem item : message.broadcasts()) {
      if (item.origin().equals(self.id)) {
        continue; // this node's own (maybe of an earlier life): never delivered to itself
      }
      DeliveryLog.Verdict verdict = log.check(item);
      switch (verdict) {
        case DUPLICATE -> {}
        case OUTSIDE_WINDOW -> effects.drop(DropReason.BROADCAST_OUTSIDE_WINDOW);
        case SUPERSEDED -> effects.drop(DropReason.BROADCAST_SUPERSEDED);
        case NEW -> {
          if (!item.announced()) {
            deliver(item, now);
            queue.add(new UserItem(item));
          } else {
            heard(item, message.from(), trusted(sender, message) ? sender : null, now);
          }
        }
      }
    }
  }

  /** Whether {@code sender} is a member verified at the address {@code message} came from. */
  private static boolean trusted(@Nullable Member sender, GossipMessage message) {
    return sender != null
        && sender.verified
        && sender.state.address().equals(message.fromAddress());
  }

  private void deliver(BroadcastItem item, long now) {
    log.record(item, now);
    forgetSuperseded(item);
    delivered++;
    UserBroadcast b = item.toUserBroadcast();
    effects.deliver(h -> h.onBroadcast(b));
  }

  /** An announcement of a broadcast not delivered yet: pull its body, or note one more source. */
  private void heard(BroadcastItem item, String from, @Nullable Member fromMember, long now) {
    if (item.size() > maxBytes) {
      effects.drop(DropReason.BROADCAST_TOO_LARGE);
      return;
    }
    String id = bodyId(item.origin(), item.life(), item.seq());
    Pull p = pulls.get(id);
    if (p != null) {
      if (p.sources.size() < MAX_SOURCES && !p.sources.contains(from)) {
        p.sources.add(from);
      }
      return;
    }
    if (pulls.size() >= MAX_PULLS) {
      effects.drop(DropReason.BROADCAST_TOO_LARGE);
      return;
    }
    p = new Pull(item);
    p.sources.add(from);
    pulls.put(id, p);
    ask(p, fromMember == null ? null : fromMember.view(), now);
  }

  /** Asks the next source of {@code p} (or {@code view}, when given) for the body. */
  private void ask(Pull p, @Nullable NodeView view, long now) {
    p.deadline = now + pullTimeoutNanos;
    BroadcastItem a = p.announcement;
    NodeView to = view;
    // sources in the order heard, then the origin
    for (int i = 0; to == null && i <= p.sources.size(); i++) {
      int pick = (p.tries + i) % (p.sources.size() + 1);
      String who = pick < p.sources.size() ? p.sources.get(pick) : a.origin();
      Member m = table.get(who);
      if (m != null
          && m.status().isAlive()
          && m.verified // a pull only to a member proven at its address (decision 034)
          && effects.versionFor(m.view()) >= BinarySerializer.USER_VERSION) {
        to = m.view();
      }
    }
    p.tries++;
    if (to == null) {
      return; // no one to ask now: the timeout tries again
    }
    effects.send(
        new BroadcastPull(
            self.id,
            self.address,
            false,
            false,
            a.origin(),
            a.life(),
            a.seq(),
            BroadcastItem.EMPTY,
            List.of()),
        to,
        Delivery.RELIABLE);
  }

  /** A pull request or reply. */
  Received onPull(BroadcastPull m, long now) {
    clock = now;
    String id = bodyId(m.origin(), m.life(), m.seq());
    if (!m.reply()) {
      Held h = held.get(id);
      Member asker = table.get(m.from());
      NodeView to = Member.replyTo(asker, m.fromAddress());
      BroadcastPull reply =
          new BroadcastPull(
              self.id,
              self.address,
              true,
              h == null,
              m.origin(),
              m.life(),
              m.seq(),
              h == null ? BroadcastItem.EMPTY : h.body(),
              List.of());
      if (h != null
          && !trusted(asker, m)
          && sizer.encodedSize(reply, BinarySerializer.USER_VERSION)
              > AddressProof.replyLimit(sizer.encodedSize(m, BinarySerializer.USER_VERSION))) {
        // An unverified asker gets at most twice what it sent (decision 034): "missing".
        effects.drop(DropReason.BROADCAST_PULL_REFUSED);
        reply =
            new BroadcastPull(
                self.id,
                self.address,
                true,
                true,
                m.origin(),
                m.life(),
                m.seq(),
                BroadcastItem.EMPTY,
                List.of());
      } else if (h != null) {
        pullsServed++;
      }
      effects.send(reply, to, Delivery.RELIABLE);
      return Received.Applied.of(0);
    }
    Pull p = pulls.get(id);
    if (p == null || (!m.missing() && m.body().length != p.announcement.size())) {
      effects.drop(DropReason.BROADCAST_UNSOLICITED);
      return new Received.Dropped(DropReason.BROADCAST_UNSOLICITED);
    }
    if (m.missing()) {
      retry(id, p, now);
      return Received.STALE;
    }
    pulls.remove(id);
    BroadcastItem item = p.announcement.withBody(m.body());
    if (log.check(item) == DeliveryLog.Verdict.NEW) {
      deliver(item, now);
      if (p.announcement.size() <= inlineLimit) {
        repaired++; // a body small enough to ride whole: its pull was a repair
      }
      if (hold(item, now)) {
        queue.add(new UserItem(item.announcement()));
      }
    } else {
      effects.drop(DropReason.BROADCAST_SUPERSEDED);
    }
    return Received.Applied.of(0);
  }

  private void retry(String id, Pull p, long now) {
    if (p.tries >= MAX_TRIES) {
      pulls.remove(id);
      effects.drop(DropReason.BROADCAST_PULL_FAILED);
    } else {
      ask(p, null, now);
    }
  }

  /** Retries pulls that timed out and forgets expired bodies and departed origins. */
  void tick(long now) {
    clock = now;
    if (!pulls.isEmpty()) {
      List<String> due = null;
      for (Map.Entry<String, Pull> e : pulls.entrySet()) {
        if (e.getValue().deadline - now <= 0) {
          if (due == null) {
            due = new ArrayList<>();
          }
          due.add(e.getKey());
        }
      }
      if (due != null) {
        for (String id : due) {
          Pull p = pulls.get(id);
          if (p != null) {
            retry(id, p, now);
          }
        }
      }
    }
    Iterator<Held> it = held.values().iterator();
    while (it.hasNext()) {
      Held h = it.next();
      if (h.expires() - now > 0) {
        break; // held in order of expiry
      }
      it.remove();
      unheld(h);
    }
    if (now - nextSweep >= 0) {
      nextSweep = now + SWEEP_NANOS;
      log.forget(id -> table.get(id) != null, now - FORGET_NANOS);
    }
  }

  /** The earliest pull timeout, or {@code d} when sooner. */
  long earliestDeadline(long d) {
    for (Pull p : pulls.values()) {
      if (p.deadline - d < 0) {
        d = p.deadline;
      }
    }
    return d;
  }

  /** Holds {@code item}'s body to serve pulls, forgetting the oldest to make room. */
  private boolean hold(BroadcastItem item, long now) {
    int n = item.payload().length;
    if (n > maxHeldBytes) {
      return false;
    }
    forgetSuperseded(item);
    String id = bodyId(item.origin(), item.life(), item.seq());
    Held old = held.remove(id); // put again at the end: held in order of expiry
    if (old != null) {
      unheld(old);
    }
    Iterator<Held> it = held.values().iterator();
    while ((heldBytes + n > maxHeldBytes || held.size() >= MAX_HELD) && it.hasNext()) {
      Held h = it.next();
      it.remove();
      unheld(h);
    }
    String keyedAs = item.key() == null ? null : UserItem.queueKey(item);
    held.put(id, new Held(item.payload(), now + HOLD_NANOS, item.life(), item.seq(), keyedAs));
    if (keyedAs != null) {
      heldKeyed.put(keyedAs, id);
    }
    heldBytes += n;
    return true;
  }

  /** Accounts for {@code h}, just removed from the held bodies. */
  private void unheld(Held h) {
    heldBytes -= h.body().length;
    String k = h.keyedAs();
    if (k != null) {
      String id = heldKeyed.get(k);
      if (id != null && held.get(id) == null) {
        heldKeyed.remove(k);
      }
    }
  }

  /**
   * Forgets the held body of an older broadcast with {@code item}'s origin, topic and key: a pull
   * must not bring back a broadcast a newer one superseded.
   */
  private void forgetSuperseded(BroadcastItem item) {
    if (item.key() == null) {
      return;
    }
    String k = UserItem.queueKey(item);
    String id = heldKeyed.get(k);
    Held h = id == null ? null : held.get(id);
    if (id == null || h == null) {
      return;
    }
    boolean older = h.life() != item.life() ? h.life() < item.life() : h.seq() < item.seq();
    if (older) {
      held.remove(id);
      unheld(h);
    }
  }

  private static String bodyId(String origin, long life, long seq) {
    return origin + '\u0000' + life + '\u0000' + seq;
  }

  /** Forgets the queue and the pulls (not what was delivered, nor held bodies). */
  void clear() {
    queue.clear();
    pulls.clear();
  }

  long delivered() {
    return delivered;
  }

  int pulling() {
    return pulls.size();
  }

  long heldBytes() {
    return heldBytes;
  }

  /** Whether the body of broadcast {@code seq} of {@code origin}'s {@code life} is held. */
  boolean holds(String origin, long life, long seq) {
    return held.containsKey(bodyId(origin, life, seq));
  }

  /** The origin life of this node's broadcasts; null before the first without a wall clock. */
  @Nullable Long life() {
    return life;
  }

  /** Bodies held to serve pulls. */
  int heldCount() {
    return held.size();
  }

  /** Retired whole broadcasts queued again as announcements for repair. */
  long repairsQueued() {
    return repairsQueued;
  }

  /** Broadcasts small enough to ride whole that this node got by a pull (a repair). */
  long repaired() {
    return repaired;
  }

  /** Pull requests answered with a body. */
  long pullsServed() {
    return pullsServed;
  }

  DeliveryLog log() {
    return log;
  }
}
