package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventQueueTest {

  @Test
  void pollsInTimeOrder() {
    EventQueue<String> q = new EventQueue<>(4);
    q.push(30, "c");
    q.push(10, "a");
    q.push(20, "b");
    List<String> events = new ArrayList<>();
    while (!q.isEmpty()) {
      events.add(q.poll());
    }
    assertThat(events).containsExactly("a", "b", "c");
  }

  @Test
  void eventsAtTheSameTimeRunInSchedulingOrder() {
    EventQueue<Integer> q = new EventQueue<>(4);
    for (int i = 0; i < 100; i++) {
      q.push(5, i);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(q.peekTime()).isEqualTo(5);
      assertThat(q.poll()).isEqualTo(i);
    }
  }

  @Test
  void carriesEveryEventAndMatchesASortedReferenceUnderRandomUse() {
    record Ev(long time, long seq, int payload) {}
    SplittableRandom r = new SplittableRandom(42);
    EventQueue<Ev> q = new EventQueue<>(1);
    List<Ev> ref = new ArrayList<>();
    long seq = 0;
    for (int round = 0; round < 20_000; round++) {
      if (ref.isEmpty() || r.nextInt(3) != 0) {
        long t = r.nextLong(1000);
        Ev e = new Ev(t, seq++, r.nextInt());
        ref.add(e);
        q.push(e.time(), e);
      } else {
        ref.sort(Comparator.comparingLong(Ev::time).thenComparingLong(Ev::seq));
        Ev want = ref.remove(0);
        assertThat(q.peekTime()).isEqualTo(want.time());
        assertThat(q.poll()).isSameAs(want);
      }
      assertThat(q.size()).isEqualTo(ref.size());
    }
  }

  @Test
  void peekTimeIsTheEarliest() {
    EventQueue<String> q = new EventQueue<>(2);
    q.push(9, "x");
    q.push(4, "y");
    q.push(6, "z");
    assertThat(q.peekTime()).isEqualTo(4);
  }
}
