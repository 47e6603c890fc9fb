package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A leader per named group, derived from the membership with no votes: among the members of the
 * group that pass the filter ({@code ONLINE} members with the group's role, by default), the leader
 * is the rendezvous-hash winner for the group's name ({@link Strategy#RENDEZVOUS}: a join takes
 * leadership over only with probability 1/N) or the member with the smallest id ({@link
 * Strategy#LOWEST_ID}). {@link #term()} counts the changes of leader in the local view; listeners
 * hear each change, with whether the local node gained or lost leadership.
 *
 * <p><b>Guarantee.</b> Nodes whose views hold the same group members agree on the leader. There is
 * no split-brain protection: while views differ (a member joining, failing or suspected, a
 * partition), two nodes may each consider a different member the leader, and during a partition
 * each side elects its own leader, which may be the local node on both sides. After the views agree
 * again (the partition healed) there is one leader, the same as before the partition when the
 * members are the same. Terms are local counters: they are not comparable between nodes and do not
 * fence anything. An application that needs at most one leader at a time needs a quorum or a lease,
 * which this class does not provide.
 */
public final class LeaderElection implements AutoCloseable {
  /** How the leader is chosen among the group's members. */
  public enum Strategy {
    /** The rendezvous-hash winner for the group's name: stable when members join. */
    RENDEZVOUS,
    /** The member with the smallest id (in {@link String#compareTo} order). */
    LOWEST_ID
  }

  private final String group;
  private final String localId;
  private final Strategy strategy;
  private final long groupHash;
  private final CopyOnWriteArrayList<Consumer<LeaderChange>> listeners =
      new CopyOnWriteArrayList<>();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final Follower follower;
  private final MemberSource source;
  private final Runnable onChange = this::update;
  private volatile @Nullable NodeView leader;
  private volatile long term;

  /** Follows the source and recomputes the leader on every change of the group's members. */
  private static final class Follower extends LiveMembers<List<NodeView>> {
    Follower(MemberSource source, MemberFilter filter) {
      super(source, filter, (m, previous) -> m);
    }
  }

  private LeaderElection(
      MemberSource source, String localId, String group, MemberFilter filter, Strategy strategy) {
    this.group = Objects.requireNonNull(group, "group");
    this.localId = Objects.requireNonNull(localId, "localId");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.groupHash = Hash64.hash(group.getBytes(StandardCharsets.UTF_8), 0);
    this.source = source;
    this.follower = new Follower(source, filter);
    source.addChangeListener(onChange);
    update();
  }

  /**
   * An election among the {@code ONLINE} members whose role ({@link NodeView#ROLE}) is {@code
   * group}, by rendezvous hashing.
   *
   * @param localId the id of the local node, to tell whether it leads
   */
  public static LeaderElection ofRole(MemberSource source, String localId, String group) {
    return new LeaderElection(
        source, localId, group, MemberFilter.online().withRole(group), Strategy.RENDEZVOUS);
  }

  /**
   * An election named {@code group} among the members of {@code source} that pass {@code filter}.
   */
  public static LeaderElection of(
      MemberSource source, String localId, String group, MemberFilter filter, Strategy strategy) {
    return new LeaderElection(source, localId, group, filter, strategy);
  }

  /** The group's name. */
  public String group() {
    return group;
  }

  /** The leader in the local view; empty when no member of the group qualifies. */
  public Optional<NodeView> leader() {
    return Optional.ofNullable(leader);
  }

  /** Whether the local node is the leader in its own view. */
  public boolean isLeader() {
    NodeView l = leader;
    return l != null && l.id().equals(localId);
  }

  /** How many times the leader changed in the local view (0 before the first leader). */
  public long term() {
    return term;
  }

  /**
   * Calls {@code listener} after each change of leader, on the thread that delivered the membership
   * change. A listener that throws is counted ({@link #listenerFailures()}).
   */
  public void addListener(Consumer<LeaderChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops calling {@code listener}; returns whether it was registered. */
  public boolean removeListener(Consumer<LeaderChange> listener) {
    return listeners.remove(listener);
  }

  /** How many times a listener threw, since creation. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /** Stops following the membership; the last leader stays readable. */
  @Override
  public void close() {
    source.removeChangeListener(onChange);
    follower.close();
  }

  private void update() {
    follower.refresh();
    LeaderChange change;
    synchronized (this) {
      NodeView next = choose(follower.members());
      NodeView before = leader;
      String nextId = next == null ? null : next.id();
      String beforeId = before == null ? null : before.id();
      leader = next; // a new view of the same leader (say new metadata) is no change
      if (Objects.equals(nextId, beforeId)) {
        return;
      }
      term++;
      change =
          new LeaderChange(
              group, term, next, before, localId.equals(nextId), localId.equals(beforeId));
    }
    for (Consumer<LeaderChange> l : listeners) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
      }
    }
  }

  private @Nullable NodeView choose(List<NodeView> members) {
    if (members.isEmpty()) {
      return null;
    }
    if (strategy == Strategy.LOWEST_ID) {
      return members.get(0); // sorted by id
    }
    return RendezvousHash.of(members).ownerOfHash(groupHash).orElse(null);
  }
}
