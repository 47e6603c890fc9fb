package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * An immutable assignment of keys to members: {@link HashRing} or {@link RendezvousHash}. The same
 * members (by id) give the same answers on every node and every JVM; when one member joins or
 * leaves, only about {@code 1/N} of the keys change owner, and only to or from that member.
 */
public sealed interface ConsistentHash permits HashRing, RendezvousHash {
  /** The members keys are assigned to, sorted by id. */
  List<NodeView> members();

  /** The member that owns {@code keyHash} (a {@link Hash64} of the key); empty with no member. */
  Optional<NodeView> ownerOfHash(long keyHash);

  /**
   * The first {@code n} distinct members for {@code keyHash} in order of preference, the owner
   * first: replicas of the key. Fewer when there are fewer members.
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  List<NodeView> ownersOfHash(long keyHash, int n);

  /** The member that owns {@code key} (its UTF-8 bytes); empty with no member. */
  default Optional<NodeView> owner(String key) {
    return ownerOfHash(Hash64.hash(key.getBytes(StandardCharsets.UTF_8), 0));
  }

  /** The member that owns {@code key}; empty with no member. */
  default Optional<NodeView> owner(byte[] key) {
    return ownerOfHash(Hash64.hash(key, 0));
  }

  /** The first {@code n} distinct members for {@code key}, the owner first (see above). */
  default List<NodeView> owners(String key, int n) {
    return ownersOfHash(Hash64.hash(key.getBytes(StandardCharsets.UTF_8), 0), n);
  }

  /** The first {@code n} distinct members for {@code key}, the owner first (see above). */
  default List<NodeView> owners(byte[] key, int n) {
    return ownersOfHash(Hash64.hash(key, 0), n);
  }
}
