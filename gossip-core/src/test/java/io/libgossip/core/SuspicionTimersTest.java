package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SuspicionTimersTest {
  private static Suspicion suspicion(String id, long deadline) {
    return new Suspicion(new Member(online(id, 0), 0), 0, "a", deadline - SEC, SEC, SEC, 0);
  }

  /** Drains the heap, checking each suspicion's index on the way. */
  private static List<Suspicion> drain(SuspicionTimers t) {
    List<Suspicion> out = new ArrayList<>();
    Suspicion s;
    while ((s = t.peek()) != null) {
      assertThat(t.remove(s)).isTrue();
      assertThat(s.heapIndex).isEqualTo(-1);
      out.add(s);
    }
    return out;
  }

  @Test
  void expiresEarliestFirstAndTiesInTheOrderQueued() {
    SuspicionTimers t = new SuspicionTimers();
    Suspicion late = suspicion("late", 30);
    Suspicion tieFirst = suspicion("tie1", 20);
    Suspicion early = suspicion("early", 10);
    Suspicion tieSecond = suspicion("tie2", 20);
    t.add(late);
    t.add(tieFirst);
    t.add(early);
    t.add(tieSecond);

    assertThat(drain(t)).containsExactly(early, tieFirst, tieSecond, late);
    assertThat(t.isEmpty()).isTrue();
  }

  @Test
  void removedSuspicionLeavesAtOnceAndOnlyOnce() {
    SuspicionTimers t = new SuspicionTimers();
    Suspicion a = suspicion("a", 10);
    Suspicion b = suspicion("b", 20);
    t.add(a);
    t.add(b);

    assertThat(t.remove(a)).isTrue();
    assertThat(t.remove(a)).as("already gone").isFalse();
    assertThat(t.size()).isEqualTo(1);
    assertThat(t.peek()).isSameAs(b);
    assertThatThrownBy(() -> t.add(b)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void confirmationMovesASuspicionForwardInPlace() {
    SuspicionTimers t = new SuspicionTimers();
    Suspicion other = suspicion("other", 100 + 10 * SEC);
    Suspicion s = new Suspicion(new Member(online("x", 0), 0), 0, "a", 100, SEC, 24 * SEC, 2);
    t.add(other);
    t.add(s);
    assertThat(t.peek()).isSameAs(other);

    assertThat(s.confirm("b")).isTrue();
    assertThat(s.confirm("c")).isTrue();
    t.deadlineChanged(s);

    assertThat(s.deadline()).isEqualTo(100 + SEC);
    assertThat(t.peek()).isSameAs(s);
    assertThat(t.size()).isEqualTo(2);
  }

  @Test
  void randomAddsRemovesAndConfirmationsKeepTheHeapOrder() {
    SplittableRandom rnd = new SplittableRandom(7);
    SuspicionTimers t = new SuspicionTimers();
    List<Suspicion> queued = new ArrayList<>();
    for (int step = 0; step < 20_000; step++) {
      int op = rnd.nextInt(10);
      if (op < 5 || queued.isEmpty()) {
        Suspicion s =
            new Suspicion(
                new Member(online("m" + step, 0), 0),
                0,
                "a",
                rnd.nextLong(1_000),
                SEC,
                1 + rnd.nextLong(8 * SEC),
                3);
        t.add(s);
        queued.add(s);
      } else if (op < 8) {
        Suspicion s = queued.remove(rnd.nextInt(queued.size()));
        assertThat(t.remove(s)).isTrue();
      } else {
        Suspicion s = queued.get(rnd.nextInt(queued.size()));
        s.confirm("c" + rnd.nextInt(4));
        t.deadlineChanged(s);
      }
      assertThat(t.size()).isEqualTo(queued.size());
    }
    queued.sort(Comparator.comparingLong(Suspicion::deadline).thenComparingLong(s -> s.seq));
    assertThat(drain(t)).containsExactlyElementsOf(queued);
  }

  @Test
  void refutedSuspicionHoldsNoTimer() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x");
    f.gossip("a", suspect("x", 0, "a"));
    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.core.suspicionTimerCount()).isEqualTo(1);

    f.gossip("x", online("x", 1));

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.suspicionTimerCount()).as("the refuted timer is gone at once").isZero();
  }

  @Test
  void suspicionOfANewerIncarnationReplacesTheTimer() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x");
    f.gossip("a", suspect("x", 0, "a"));
    f.gossip("b", suspect("x", 1, "b"));

    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    assertThat(f.view("x").incarnation()).isEqualTo(1);
    assertThat(f.core.suspicionTimerCount()).isEqualTo(1);
  }

  @Test
  void manyRefutedSuspicionsLeaveNoTimersBehind() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "x");
    for (int inc = 0; inc < 1_000; inc += 2) {
      f.gossip("a", suspect("x", inc, "a"));
      f.gossip("x", online("x", inc + 1));
    }
    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.suspicionTimerCount()).isZero();
  }
}
