package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConsistentHashTest {
  private static final int KEYS = 100_000;

  /** The two kinds, as factories over a member list. */
  enum Kind {
    RING(m -> HashRing.of(m, 128)),
    RENDEZVOUS(RendezvousHash::of);

    final Function<List<NodeView>, ConsistentHash> build;

    Kind(Function<List<NodeView>, ConsistentHash> build) {
      this.build = build;
    }
  }

  private static String[] keys() {
    String[] k = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      k[i] = "key-" + i;
    }
    return k;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void sameMembersInAnyOrderGiveTheSameOwners(Kind kind) {
    List<NodeView> members = Views.online(25);
    List<NodeView> shuffled = new ArrayList<>(members);
    Collections.shuffle(shuffled, new java.util.Random(42));
    ConsistentHash a = kind.build.apply(members);
    ConsistentHash b = kind.build.apply(shuffled);
    for (String k : keys()) {
      assertThat(b.owner(k)).isEqualTo(a.owner(k));
    }
    assertThat(b.owners("x", 3)).isEqualTo(a.owners("x", 3));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void ownersAreDistinctWithTheOwnerFirst(Kind kind) {
    ConsistentHash h = kind.build.apply(Views.online(10));
    for (int i = 0; i < 1000; i++) {
      String k = "k" + i;
      List<NodeView> replicas = h.owners(k, 3);
      assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
      assertThat(replicas.get(0)).isEqualTo(h.owner(k).orElseThrow());
    }
    assertThat(h.owners("k", 50)).hasSize(10).doesNotHaveDuplicates();
    assertThat(h.owners("k", 0)).isEmpty();
    assertThatThrownBy(() -> h.owners("k", -1)).hasMessageContaining("-1");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void noMembersMeansNoOwner(Kind kind) {
    ConsistentHash h = kind.build.apply(List.of());
    assertThat(h.owner("k")).isEmpty();
    assertThat(h.owners("k", 3)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aJoinMovesAboutOneNthOfTheKeysAllToTheNewMember(Kind kind) {
    List<NodeView> members = Views.online(20);
    ConsistentHash before = kind.build.apply(members);
    List<NodeView> more = new ArrayList<>(members);
    NodeView joiner = Views.online("node-new");
    more.add(joiner);
    ConsistentHash after = kind.build.apply(more);
    int moved = 0;
    for (String k : keys()) {
      NodeView was = before.owner(k).orElseThrow();
      NodeView now = after.owner(k).orElseThrow();
      if (!was.equals(now)) {
        moved++;
        assertThat(now).isEqualTo(joiner);
      }
    }
    double ideal = (double) KEYS / more.size();
    assertThat(moved).isPositive().isLessThanOrEqualTo((int) (1.5 * ideal));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aLeaveMovesOnlyTheLeaversKeysEachToItsNextReplica(Kind kind) {
    List<NodeView> members = Views.online(20);
    ConsistentHash before = kind.build.apply(members);
    NodeView leaver = members.get(7);
    List<NodeView> fewer = new ArrayList<>(members);
    fewer.remove(leaver);
    ConsistentHash after = kind.build.apply(fewer);
    int moved = 0;
    for (String k : keys()) {
      List<NodeView> was = before.owners(k, 2);
      NodeView now = after.owner(k).orElseThrow();
      if (!was.get(0).equals(now)) {
        moved++;
        assertThat(was.get(0)).isEqualTo(leaver);
        assertThat(now).isEqualTo(was.get(1));
      }
    }
    double ideal = (double) KEYS / members.size();
    assertThat(moved).isPositive().isLessThanOrEqualTo((int) (1.5 * ideal));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void keysAreSpreadEvenly(Kind kind) {
    List<NodeView> members = Views.online(50);
    ConsistentHash h = kind == Kind.RING ? HashRing.of(members, 200) : kind.build.apply(members);
    Map<String, Integer> load = new HashMap<>();
    for (String k : keys()) {
      load.merge(h.owner(k).orElseThrow().id(), 1, Integer::sum);
    }
    assertThat(load).hasSize(50);
    double mean = (double) KEYS / 50;
    int max = Collections.max(load.values());
    // HRW is as even as independent choices (max/mean ~1.07 here); 200 vnodes ~1.2
    assertThat(max / mean).isLessThan(kind == Kind.RING ? 1.35 : 1.15);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void randomMemberSetsAgreeWhateverTheirOrder(Kind kind) {
    // a seeded property loop: any member set, built from any order, gives one assignment
    SplittableRandom r = new SplittableRandom(7);
    for (int round = 0; round < 30; round++) {
      int n = 1 + r.nextInt(40);
      List<NodeView> m = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        m.add(Views.online("m" + r.nextInt(1_000_000)));
      }
      List<NodeView> rev = new ArrayList<>(m);
      Collections.reverse(rev);
      ConsistentHash a = kind.build.apply(m);
      ConsistentHash b = kind.build.apply(rev);
      for (int i = 0; i < 200; i++) {
        String k = "key" + r.nextLong();
        Optional<NodeView> o = a.owner(k);
        assertThat(b.owner(k)).as("round %d key %s", round, k).isEqualTo(o);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void ringOwnerIsTheFirstPointClockwiseAsABruteForceSearchFindsIt() {
    List<NodeView> members = Views.online(300);
    int vnodes = 16;
    HashRing ring = HashRing.of(members, vnodes);
    SplittableRandom r = new SplittableRandom(99);
    for (int t = 0; t < 2_000; t++) {
      long key = r.nextLong();
      String best = null;
      long bestDistance = 0;
      for (NodeView m : members) {
        for (int v = 0; v < vnodes; v++) {
          long d = Hash64.hash(m.id(), v) - key; // clockwise distance, unsigned
          if (best == null
              || Long.compareUnsigned(d, bestDistance) < 0
              || (d == bestDistance && m.id().compareTo(best) < 0)) {
            best = m.id();
            bestDistance = d;
          }
        }
      }
      assertThat(ring.ownerOfHash(key).orElseThrow().id()).as("key %d", key).isEqualTo(best);
    }
  }

  @org.junit.jupiter.api.Test
  void rendezvousOwnerIsTheHighestScorer() {
    List<NodeView> members = Views.online(50);
    RendezvousHash h = RendezvousHash.of(members);
    for (int t = 0; t < 1_000; t++) {
      long key = Hash64.hash("k" + t);
      NodeView best =
          members.stream()
              .max(
                  (a, b) ->
                      Long.compareUnsigned(
                          Hash64.mix(Hash64.hash(a.id()), key),
                          Hash64.mix(Hash64.hash(b.id()), key)))
              .orElseThrow();
      assertThat(h.ownerOfHash(key)).contains(best);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void fewerReplicasAreAPrefixOfMore(Kind kind) {
    ConsistentHash h = kind.build.apply(Views.online(30));
    for (int i = 0; i < 500; i++) {
      String k = "k" + i;
      List<NodeView> all = h.owners(k, 30);
      assertThat(all).hasSize(30).doesNotHaveDuplicates();
      for (int n : new int[] {1, 2, 3, 8, 9, 20}) {
        assertThat(h.owners(k, n)).isEqualTo(all.subList(0, n));
      }
    }
  }

  @org.junit.jupiter.api.Test
  void rendezvousReplicasAreTheMembersByDescendingScore() {
    List<NodeView> members = Views.online(40);
    RendezvousHash h = RendezvousHash.of(members);
    for (int t = 0; t < 300; t++) {
      long key = Hash64.hash("k" + t);
      List<NodeView> expected = new ArrayList<>(members);
      expected.sort(
          (a, b) ->
              Long.compareUnsigned(
                  Hash64.mix(Hash64.hash(b.id()), key), Hash64.mix(Hash64.hash(a.id()), key)));
      assertThat(h.ownersOfHash(key, 5)).isEqualTo(expected.subList(0, 5));
    }
  }

  @org.junit.jupiter.api.Test
  void ringRejectsABadVirtualNodeCount() {
    assertThatThrownBy(() -> HashRing.of(List.of(), 0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> HashRing.of(List.of(), 70_000)).hasMessageContaining("70000");
    assertThat(HashRing.of(Views.online(3), 1).owner("k")).isPresent();
  }
}
