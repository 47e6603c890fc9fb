package io.libgossip.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The members this node knows (not itself): lookups by id, counts per status, the shuffled order in
 * which they are probed, tombstones of failed and left members, and random picks among them.
 *
 * <p>Left members are removed {@code tombstoneTimeout} after they left, failed ones {@code
 * reconnectTimeout} after they failed, or, once more failed members are older than {@code
 * tombstoneTimeout} than the most live members seen (at least {@link #MIN_FAILED_KEPT}), from the
 * oldest such: so failed members take at most as much room as the largest cluster this node has
 * seen.
 *
 * <p>Every random draw of the core that concerns the table is made here, in a fixed order, so the
 * same seed gives the same picks.
 */
final class MemberTable {
  /** Failed members older than the tombstone timeout kept at least, whatever the live count. */
  static final int MIN_FAILED_KEPT = 64;

  private final RandomGenerator random;
  private final SelfState self;
  private final SuspicionTimers suspicions;
  private final long gossipToTheDeadNanos;
  private final long tombstoneNanos;
  private final long reconnectNanos;

  private final IdMap<Member> members = new IdMap<>();
  private final ArrayList<Member> memberList = new ArrayList<>();
  private final int[] statusCounts = new int[NodeStatus.values().length];

  /** Left members, oldest first. */
  private final ArrayDeque<Tombstone> leftTombstones = new ArrayDeque<>();

  /** Failed members, oldest first. */
  private final ArrayDeque<Tombstone> failedTombstones = new ArrayDeque<>();

  /** The most members seen live at once, this node included, less those that left since. */
  private int peakLive = 1;

  private long revivals;
  private @Nullable Member lastRevived;

  private final ClaimCache currentClaims = new ClaimCache();
  private final ProbeOrder probeOrder;

  /** A member to probe before the probe order's next one (see {@link #probeNext}), or null. */
  private @Nullable Member probeFirst;

  /** When a member turned gone; stale once the member has moved on. */
  private record Tombstone(long since, Member member, NodeStatus status) {
    boolean current(IdMap<Member> members) {
      return members.get(member.id()) == member
          && member.status() == status
          && member.stateChangedAt == since;
    }
  }

  /** Which members a random pick may return. */
  private enum Eligible {
    ALIVE,
    ONLINE,
    ALIVE_OR_RECENTLY_GONE,
    /** Alive and verified at its address (see {@code AddressProof}). */
    ALIVE_VERIFIED,
    /** {@code ONLINE} and verified at its address. */
    ONLINE_VERIFIED
  }

  MemberTable(
      RandomGenerator random,
      SelfState self,
      SuspicionTimers suspicions,
      long gossipToTheDeadNanos,
      long tombstoneNanos,
      long reconnectNanos) {
    this.random = random;
    this.probeOrder = new ProbeOrder(random);
    this.self = self;
    this.suspicions = suspicions;
    this.gossipToTheDeadNanos = gossipToTheDeadNanos;
    this.tombstoneNanos = tombstoneNanos;
    this.reconnectNanos = reconnectNanos;
  }

  // ---- lookups and counts

  /** The member with {@code id}, or null. */
  @Nullable Member get(String id) {
    return members.get(id);
  }

  /** Whether {@code m} is still the table's entry for its id (not removed or replaced). */
  boolean holds(Member m) {
    return members.get(m.id()) == m;
  }

  /** Whether {@code u} is exactly some member's current state (a fast, exact skip). */
  boolean isCurrentClaim(MemberUpdate u) {
    return currentClaims.contains(u);
  }

  /** Every member, in table order (not sorted); do not modify. */
  List<Member> all() {
    return memberList;
  }

  int size() {
    return memberList.size();
  }

  int count(NodeStatus status) {
    return statusCounts[status.ordinal()];
  }

  /** Number of members {@code ONLINE} or {@code SUSPECT}, this node included unless leaving. */
  int liveCount() {
    return count(NodeStatus.ONLINE) + count(NodeStatus.SUSPECT) + (self.leaving() ? 0 : 1);
  }

  /**
   * The most members seen live at once, this node included, less those that left since (see {@link
   * #rebasePeak}).
   */
  int peakLive() {
    return peakLive;
  }

  /** Takes the live count now as the peak: the view is as large as it can be made. */
  void rebasePeak() {
    peakLive = liveCount();
  }

  // ---- changes

  void add(Member m) {
    members.put(m);
    currentClaims.remember(m.state);
    m.index = memberList.size();
    memberList.add(m);
    statusCounts[m.status().ordinal()]++;
    probeOrder.insert(m);
    peakLive = Math.max(peakLive, liveCount());
  }

  /**
   * Makes {@code next} the state of {@code m}: keeps the counts, tombstones, suspicion timer and
   * probe order in step with a change of status.
   */
  void setState(Member m, MemberUpdate next, long now) {
    NodeStatus before = m.status();
    currentClaims.forget(m.state);
    m.state = next;
    currentClaims.remember(next);
    if (before != next.status()) {
      statusCounts[before.ordinal()]--;
      statusCounts[next.status().ordinal()]++;
      m.stateChangedAt = now;
      if (next.status().isGone()) {
        m.wireVersions = null; // its next life may speak other versions
        m.hellos = 0;
      }
      if (next.status() == NodeStatus.LEFT) {
        leftTombstones.addLast(new Tombstone(now, m, NodeStatus.LEFT));
        if (before.isAlive()) {
          peakLive = Math.max(liveCount(), peakLive - 1); // it left on purpose
        }
      } else if (next.status() == NodeStatus.FAILED) {
        failedTombstones.addLast(new Tombstone(now, m, NodeStatus.FAILED));
      }
      if (!next.status().isAlive() || next.status() == NodeStatus.ONLINE) {
        suspicions.end(m);
      }
      if (before.isGone() && next.status().isAlive()) {
        probeOrder.insert(m);
        peakLive = Math.max(peakLive, liveCount());
        if (before == NodeStatus.FAILED) {
          revivals++;
          lastRevived = m;
        }
      }
    } else if (next.status() == NodeStatus.ONLINE) {
      suspicions.end(m);
    }
  }

  /** How many members came back from {@code FAILED} so far: a sign that a partition healed. */
  long revivals() {
    return revivals;
  }

  /** The member that came back from {@code FAILED} last, or null. */
  @Nullable Member lastRevived() {
    return lastRevived;
  }

  /**
   * Removes the members whose tombstone expired by {@code now}, passing each to {@code removed}.
   *
   * @return how many were removed
   */
  int expireTombstones(long now, Consumer<Member> removed) {
    return expire(leftTombstones, now, removed) + expire(failedTombstones, now, removed);
  }

  private int expire(ArrayDeque<Tombstone> queue, long now, Consumer<Member> removed) {
    int count = 0;
    while (!queue.isEmpty()) {
      Tombstone t = queue.peekFirst();
      boolean current = t.current(members);
      if (current && !Schedule.due(deadline(t), now)) {
        break;
      }
      queue.pollFirst();
      if (current) {
        remove(t.member());
        removed.accept(t.member());
        count++;
      }
    }
    return count;
  }

  /**
   * When {@code t} expires: a left member after the tombstone timeout; a failed one after the
   * reconnect timeout, or after the tombstone timeout while failed members exceed the cap.
   */
  private long deadline(Tombstone t) {
    if (t.status() == NodeStatus.LEFT
        || count(NodeStatus.FAILED) > Math.max(MIN_FAILED_KEPT, peakLive)) {
      return t.since() + tombstoneNanos;
    }
    return t.since() + reconnectNanos;
  }

  /** The earlier of {@code d} and the next tombstone expiry. */
  long earliestTombstone(long d) {
    Tombstone t = leftTombstones.peekFirst();
    if (t != null) {
      d = Schedule.earlier(d, deadline(t));
    }
    t = failedTombstones.peekFirst();
    return t == null ? d : Schedule.earlier(d, deadline(t));
  }

  /** Forgets every member; the probe round counter keeps counting. */
  void clear() {
    members.clear();
    memberList.clear();
    currentClaims.clear();
    Arrays.fill(statusCounts, 0);
    leftTombstones.clear();
    failedTombstones.clear();
    probeOrder.clear();
    probeFirst = null;
  }

  private void remove(Member m) {
    members.remove(m.id());
    currentClaims.forget(m.state);
    int i = m.index;
    Member last = memberList.remove(memberList.size() - 1);
    if (last != m) {
      memberList.set(i, last);
      last.index = i;
    }
    m.index = -1;
    statusCounts[m.status().ordinal()]--;
    suspicions.end(m);
  }

  // ---- probe order

  /**
   * The next member to probe: the one asked for with {@link #probeNext} if it is still alive here,
   * else the next in the {@link ProbeOrder}; null when no member is alive.
   */
  @Nullable Member nextProbeTarget() {
    Member first = probeFirst;
    if (first != null) {
      probeFirst = null;
      if (holds(first) && first.status().isAlive()) {
        return first;
      }
    }
    return probeOrder.next(this);
  }

  /**
   * Makes {@code m} the next member probed, out of turn (one at a time: a later call replaces an
   * earlier one not yet probed). Used to check a member held at one address when a newer claim puts
   * it at another.
   */
  void probeNext(Member m) {
    probeFirst = m;
  }

  // ---- random picks

  /** A random live member (for a push-pull exchange), or null when there is none. */
  @Nullable Member randomAlive() {
    List<Member> one = pick(1, null, Eligible.ALIVE, 0);
    return one.isEmpty() ? null : one.get(0);
  }

  /**
   * A random live member verified at its address (for a push-pull exchange, which only goes to
   * members that answered there), or null when there is none.
   */
  @Nullable Member randomVerifiedAlive() {
    List<Member> one = pick(1, null, Eligible.ALIVE_VERIFIED, 0);
    return one.isEmpty() ? null : one.get(0);
  }

  /** A random {@code FAILED} member verified at its address, or null when there is none. */
  @Nullable Member randomVerifiedFailed() {
    for (int i = 0; i < 16; i++) {
      Member m = memberList.get(random.nextInt(memberList.size()));
      if (m.status() == NodeStatus.FAILED && m.verified) {
        return m;
      }
    }
    List<Member> all = new ArrayList<>();
    for (Member m : memberList) {
      if (m.status() == NodeStatus.FAILED && m.verified) {
        all.add(m);
      }
    }
    return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
  }

  /**
   * Up to {@code k} distinct random {@code ONLINE} members verified at their address, other than
   * {@code target} (indirect-probe helpers: a member that never answered us helps no one).
   */
  List<Member> randomVerifiedOnlineExcept(int k, Member target) {
    return pick(k, target, Eligible.ONLINE_VERIFIED, 0);
  }

  /** Up to {@code k} distinct random {@code ONLINE} members other than {@code target}. */
  List<Member> randomOnlineExcept(int k, Member target) {
    return pick(k, target, Eligible.ONLINE, 0);
  }

  /**
   * Up to {@code k} distinct random members to gossip to: the live ones and those gone within the
   * gossip-to-the-dead time, verified at their address.
   */
  List<Member> randomGossipTargets(int k, long now) {
    return pick(k, null, Eligible.ALIVE_OR_RECENTLY_GONE, now);
  }

  /** A random {@code FAILED} member; there must be one. */
  Member randomFailed() {
    for (int i = 0; i < 16; i++) {
      Member m = memberList.get(random.nextInt(memberList.size()));
      if (m.status() == NodeStatus.FAILED) {
        return m;
      }
    }
    List<Member> all = new ArrayList<>();
    for (Member m : memberList) {
      if (m.status() == NodeStatus.FAILED) {
        all.add(m);
      }
    }
    return all.get(random.nextInt(all.size()));
  }

  /**
   * Up to {@code k} distinct random members that may be alive although this node cannot reach them:
   * the {@code FAILED} ones, and those {@code SUSPECT} for at least {@code suspectAgeNanos}; only
   * members verified at their address (see {@code AddressProof}).
   */
  List<Member> randomUnreachable(int k, long now, long suspectAgeNanos) {
    if (k <= 0 || count(NodeStatus.FAILED) + count(NodeStatus.SUSPECT) == 0) {
      return List.of();
    }
    List<Member> all = new ArrayList<>();
    for (Member m : memberList) {
      NodeStatus s = m.status();
      if (m.verified
          && (s == NodeStatus.FAILED
              || (s == NodeStatus.SUSPECT && now - m.stateChangedAt >= suspectAgeNanos))) {
        all.add(m);
      }
    }
    List<Member> out = new ArrayList<>(Math.min(k, all.size()));
    while (out.size() < k && !all.isEmpty()) {
      int i = random.nextInt(all.size());
      out.add(all.get(i));
      all.set(i, all.get(all.size() - 1));
      all.remove(all.size() - 1);
    }
    return out;
  }

  /** Up to {@code k} distinct random live members not in {@code exclude}. */
  List<Member> randomAliveExcept(int k, Set<Member> exclude) {
    List<Member> all = new ArrayList<>();
    for (Member m : memberList) {
      if (m.status().isAlive() && !exclude.contains(m)) {
        all.add(m);
      }
    }
    List<Member> out = new ArrayList<>(Math.max(0, Math.min(k, all.size())));
    while (out.size() < k && !all.isEmpty()) {
      int i = random.nextInt(all.size());
      out.add(all.get(i));
      all.set(i, all.get(all.size() - 1));
      all.remove(all.size() - 1);
    }
    return out;
  }

  /** Whether some live member has {@code address}. */
  boolean hasLiveAt(NodeAddress address) {
    for (Member m : memberList) {
      if (m.status().isAlive() && m.state.address().equals(address)) {
        return true;
      }
    }
    return false;
  }

  private List<Member> pick(int k, @Nullable Member exclude, Eligible which, long now) {
    int n = memberList.size();
    List<Member> out = new ArrayList<>(k);
    if (k <= 0 || n == 0) {
      return out;
    }
    int attempts = 0;
    int maxAttempts = 4 * k + 8;
    while (out.size() < k && attempts++ < maxAttempts) {
      Member m = memberList.get(random.nextInt(n));
      if (eligible(m, exclude, which, now) && !out.contains(m)) {
        out.add(m);
      }
    }
    if (out.size() < k && attempts >= maxAttempts) {
      // Sparse eligibility (many tombstones): fall back to a scan.
      List<Member> all = new ArrayList<>();
      for (Member m : memberList) {
        if (eligible(m, exclude, which, now) && !out.contains(m)) {
          all.add(m);
        }
      }
      while (out.size() < k && !all.isEmpty()) {
        int i = random.nextInt(all.size());
        out.add(all.get(i));
        all.set(i, all.get(all.size() - 1));
        all.remove(all.size() - 1);
      }
    }
    return out;
  }

  private boolean eligible(Member m, @Nullable Member exclude, Eligible which, long now) {
    if (m == exclude) {
      return false;
    }
    NodeStatus s = m.status();
    switch (which) {
      case ONLINE:
        return s == NodeStatus.ONLINE;
      case ALIVE:
        return s.isAlive();
      case ALIVE_VERIFIED:
        return s.isAlive() && m.verified;
      case ONLINE_VERIFIED:
        return s == NodeStatus.ONLINE && m.verified;
      default:
        // Gossip targets: only members verified at their address (see AddressProof).
        return m.verified
            && (s.isAlive() || (s.isGone() && now - m.stateChangedAt < gossipToTheDeadNanos));
    }
  }
}
