package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import java.util.BitSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserTrafficTrackerTest {
  private static BitSet nodes(int... i) {
    BitSet s = new BitSet();
    for (int n : i) {
      s.set(n);
    }
    return s;
  }

  private static UserBroadcast copy(long id, int origin, long seq, String key) {
    return new UserBroadcast("n" + origin, seq, "t", key, UserTrafficTracker.payload(id, 64));
  }

  @Test
  void samplesFirstDeliveriesAndCountsRepeatsAsDuplicates() {
    UserTrafficTracker t = new UserTrafficTracker(4);
    long id = t.nextId();
    t.broadcast(0, 1, "t", null, 1_000, nodes(1, 2, 3));
    t.delivered(1, 1, copy(id, 0, 1, null), 3_000);
    t.delivered(2, 1, copy(id, 0, 1, null), 5_000);
    t.delivered(2, 1, copy(id, 0, 1, null), 6_000); // again: a duplicate
    t.delivered(0, 1, copy(id, 0, 1, null), 6_000); // to its origin: a duplicate too

    UserMetrics m = t.report();
    assertThat(m.deliveryNanos()).containsExactly(2_000, 4_000);
    assertThat(m.duplicates()).isEqualTo(2);
    assertThat(m.missing()).isEqualTo(1); // node 3
    assertThat(m.deliveredFraction()).isEqualTo(2.0 / 3);
    assertThat(t.hasDelivered(id, 2)).isTrue();
    assertThat(t.hasDelivered(id, 3)).isFalse();
  }

  @Test
  void aStoppedNodeIsNoLongerWaitedForAndStartsAfresh() {
    UserTrafficTracker t = new UserTrafficTracker(3);
    long id = t.nextId();
    t.broadcast(0, 1, "t", null, 0, nodes(1, 2));
    t.delivered(1, 1, copy(id, 0, 1, null), 10);
    t.stopped(1);
    t.stopped(2);
    t.delivered(1, 3, copy(id, 0, 1, null), 20); // its next life: not a duplicate, not a sample

    UserMetrics m = t.report();
    assertThat(m.missing()).isZero();
    assertThat(m.duplicates()).isZero();
    assertThat(m.deliveryNanos()).containsExactly(10);
  }

  @Test
  void aNewerKeyedBroadcastSupersedesTheOlderAndALateOlderOneIsStale() {
    UserTrafficTracker t = new UserTrafficTracker(3);
    long a = t.nextId();
    t.broadcast(0, 1, "t", "k", 0, nodes(1, 2));
    long b = t.nextId();
    t.broadcast(0, 1, "t", "k", 5, nodes(1, 2));
    t.delivered(1, 1, copy(b, 0, 2, "k"), 10); // node 1 never needs a
    t.delivered(2, 1, copy(a, 0, 1, "k"), 10);
    t.delivered(2, 1, copy(b, 0, 2, "k"), 12);
    t.delivered(1, 1, copy(a, 0, 1, "k"), 20); // after b: stale

    UserMetrics m = t.report();
    assertThat(m.superseded()).isEqualTo(1);
    assertThat(m.staleDeliveries()).isEqualTo(1);
    assertThat(m.missing()).isZero();
    assertThat(m.deliveredFraction()).isEqualTo(1.0);
  }

  @Test
  void broadcastsOfOtherOriginsOrWithoutATagAreNotCounted() {
    UserTrafficTracker t = new UserTrafficTracker(2);
    t.delivered(1, 1, new UserBroadcast("x", 1, "t", null, new byte[3]), 0);
    t.delivered(1, 1, copy(7, 0, 1, null), 0);
    assertThat(t.report().untracked()).isEqualTo(2);
    assertThat(t.active()).isFalse();
  }

  @Test
  void queriesAreTimedFromAskToEndInTheSameLifeOfTheirOrigin() {
    UserTrafficTracker t = new UserTrafficTracker(3);
    t.queried(0, 1, 9, 1_000);
    t.queried(1, 1, 9, 1_000);
    Set<String> all = Set.of("n0", "n1", "n2");
    t.queryDone(0, 1, new QueryResult(9, all, Set.of(), all, Set.of(), false), 401_000);
    t.queryDone(1, 3, new QueryResult(9, all, Set.of(), all, Set.of(), false), 2_000); // other life

    UserMetrics m = t.report();
    assertThat(m.queries()).isEqualTo(2);
    assertThat(m.queryNanos()).containsExactly(400_000);
    assertThat(m.queryAnsweredFraction()).isEqualTo(1.0);
    assertThat(m.queriesUnfinished()).isEqualTo(1);
    assertThat(t.active()).isTrue();
  }
}
