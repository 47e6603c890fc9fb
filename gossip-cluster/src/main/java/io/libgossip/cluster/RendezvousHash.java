package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest score
 * {@link Hash64#mix}(hash of its id, hash of the key), ties going to the smaller id. Needs no
 * tuning and balances keys as evenly as independent random choices would; when a member leaves,
 * only its keys move, each to its second-highest scorer. A lookup scores every member: {@code
 * O(N)}, cheap for tens or hundreds of members, a ring is faster for thousands. Immutable and
 * thread-safe.
 */
public final class RendezvousHash implements ConsistentHash {
  private final List<NodeView> members;
  private final long[] memberHashes;

  private RendezvousHash(List<NodeView> members, long[] memberHashes) {
    this.members = members;
    this.memberHashes = memberHashes;
  }

  /** Rendezvous hashing over {@code members} (duplicates by id are kept once). */
  public static RendezvousHash of(Collection<NodeView> members) {
    List<NodeView> sorted = Members.distinctById(members);
    long[] hashes = new long[sorted.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = Hash64.hash(Members.idBytes(sorted.get(i)), 0);
    }
    return new RendezvousHash(sorted, hashes);
  }

  @Override
  public List<NodeView> members() {
    return members;
  }

  @Override
  public Optional<NodeView> ownerOfHash(long keyHash) {
    int best = -1;
    long bestScore = 0;
    for (int i = 0; i < memberHashes.length; i++) {
      long s = Hash64.mix(memberHashes[i], keyHash);
      // strictly greater: members are sorted by id, so a tie keeps the smaller id
      if (best < 0 || Long.compareUnsigned(s, bestScore) > 0) {
        best = i;
        bestScore = s;
      }
    }
    return best < 0 ? Optional.empty() : Optional.of(members.get(best));
  }

  @Override
  public List<NodeView> ownersOfHash(long keyHash, int n) {
    int want = Members.wanted(n, members.size());
    if (want == 0) {
      return List.of();
    }
    if (want == 1) {
      return List.of(ownerOfHash(keyHash).orElseThrow());
    }
    // the top {@code want} scores, best first, by insertion: O(N × want), no sort of all members
    long[] topScores = new long[want];
    int[] top = new int[want];
    int filled = 0;
    for (int i = 0; i < memberHashes.length; i++) {
      long s = Hash64.mix(memberHashes[i], keyHash);
      // members come in id order: a tie keeps the earlier (smaller id) one ahead
      if (filled == want && Long.compareUnsigned(s, topScores[want - 1]) <= 0) {
        continue;
      }
      int j = filled == want ? want - 1 : filled++;
      while (j > 0 && Long.compareUnsigned(s, topScores[j - 1]) > 0) {
        topScores[j] = topScores[j - 1];
        top[j] = top[j - 1];
        j--;
      }
      topScores[j] = s;
      top[j] = i;
    }
    NodeView[] out = new NodeView[want];
    for (int i = 0; i < want; i++) {
      out[i] = members.get(top[i]);
    }
    return List.of(out);
  }

  @Override
  public String toString() {
    return "RendezvousHash[members=" + members.size() + "]";
  }
}
