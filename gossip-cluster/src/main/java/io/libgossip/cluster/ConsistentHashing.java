package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing over the live members of a {@link MemberSource}: a {@link HashRing} or {@link
 * RendezvousHash} of the members that pass a {@link MemberFilter} ({@code ONLINE} ones by default),
 * rebuilt whenever they change. Lookups read an immutable snapshot without a lock; {@link
 * #snapshot()} returns it, for several lookups over one consistent member set.
 *
 * <p><b>Guarantee.</b> The assignment is a pure function of the member set: nodes whose views hold
 * the same members (by id) pick the same owners. Gossip membership is eventually consistent, so
 * during a join, a failure or a partition two nodes may pick differently for a while; once their
 * views agree, so do their answers. During a partition each side assigns the keys of the members it
 * cannot see to members on its side, so a key may have one owner per side. Nothing here is a lock:
 * an application that needs one owner at a time must add a lease or a fencing token.
 */
public final class ConsistentHashing extends LiveMembers<ConsistentHash> {

  private ConsistentHashing(
      MemberSource source, MemberFilter filter, Function<List<NodeView>, ConsistentHash> build) {
    super(source, filter, (members, previous) -> rebuild(members, previous, build));
  }

  /**
   * The assignment of {@code members}: when only their views changed (the same ids, say new
   * metadata), the previous positions with the new views; otherwise a new build.
   */
  private static ConsistentHash rebuild(
      List<NodeView> members,
      @Nullable Snapshot<ConsistentHash> previous,
      Function<List<NodeView>, ConsistentHash> build) {
    if (previous != null && sameIds(previous.members(), members)) {
      ConsistentHash h = previous.value();
      return h instanceof HashRing ring ? ring.withViews(members) : RendezvousHash.of(members);
    }
    return build.apply(members);
  }

  private static boolean sameIds(List<NodeView> a, List<NodeView> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).id().equals(b.get(i).id())) {
        return false;
      }
    }
    return true;
  }

  /**
   * A hash ring with {@code virtualNodes} points per member over the members of {@code source} that
   * pass {@code filter}.
   *
   * @throws IllegalArgumentException when {@code virtualNodes} is not in [1, 65536]
   */
  public static ConsistentHashing ring(MemberSource source, MemberFilter filter, int virtualNodes) {
    HashRing.of(List.of(), virtualNodes); // validates the count before registering
    return new ConsistentHashing(source, filter, m -> HashRing.of(m, virtualNodes));
  }

  /** A hash ring with {@link HashRing#DEFAULT_VIRTUAL_NODES} points over the ONLINE members. */
  public static ConsistentHashing ring(MemberSource source) {
    return ring(source, MemberFilter.online(), HashRing.DEFAULT_VIRTUAL_NODES);
  }

  /** Rendezvous hashing over the members of {@code source} that pass {@code filter}. */
  public static ConsistentHashing rendezvous(MemberSource source, MemberFilter filter) {
    return new ConsistentHashing(source, filter, RendezvousHash::of);
  }

  /** Rendezvous hashing over the ONLINE members of {@code source}. */
  public static ConsistentHashing rendezvous(MemberSource source) {
    return rendezvous(source, MemberFilter.online());
  }

  /** The assignment now: immutable, for several lookups over one member set. */
  public ConsistentHash snapshot() {
    return current().value();
  }

  /** The member that owns {@code key} now; empty when no member passes the filter. */
  public Optional<NodeView> owner(String key) {
    return current().value().owner(key);
  }

  /** The member that owns {@code key} now; empty when no member passes the filter. */
  public Optional<NodeView> owner(byte[] key) {
    return current().value().owner(key);
  }

  /** The first {@code n} distinct members for {@code key} now, the owner first. */
  public List<NodeView> owners(String key, int n) {
    return current().value().owners(key, n);
  }

  /** The first {@code n} distinct members for {@code key} now, the owner first. */
  public List<NodeView> owners(byte[] key, int n) {
    return current().value().owners(key, n);
  }
}
