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
    EventQueue q = new EventQueue(4);
    q.push(30, 0, 3, 0, 0, 0, null);
    q.push(10, 0, 1, 0, 0, 0, null);
    q.push(20, 0, 2, 0, 0, 0, null);
    List<Integer> nodes = new ArrayList<>();
    while (!q.isEmpty()) {
      q.poll();
      nodes.add(q.curNode);
    }
    assertThat(nodes).containsExactly(1, 2, 3);
  }

  @Test
  void eventsAtTheSameTimeRunInSchedulingOrder() {
    EventQueue q = new EventQueue(4);
    for (int i = 0; i < 100; i++) {
      q.push(5, 0, i, 0, 0, 0, null);
    }
    for (int i = 0; i < 100; i++) {
      q.poll();
      assertThat(q.curNode).isEqualTo(i);
      assertThat(q.curTime).isEqualTo(5);
    }
  }

  @Test
  void carriesEveryFieldAndMatchesASortedReferenceUnderRandomUse() {
    record Ev(long time, long seq, int node, int a, int b, int c, Object obj) {}
    SplittableRandom r = new SplittableRandom(42);
    EventQueue q = new EventQueue(1);
    List<Ev> ref = new ArrayList<>();
    long seq = 0;
    for (int round = 0; round < 20_000; round++) {
      if (ref.isEmpty() || r.nextInt(3) != 0) {
        long t = r.nextLong(1000);
        Ev e = new Ev(t, seq++, r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), "o" + round);
        ref.add(e);
        q.push(e.time(), 7, e.node(), e.a(), e.b(), e.c(), e.obj());
      } else {
        ref.sort(Comparator.comparingLong(Ev::time).thenComparingLong(Ev::seq));
        Ev want = ref.remove(0);
        q.poll();
        assertThat(q.curTime).isEqualTo(want.time());
        assertThat(q.curKind).isEqualTo(7);
        assertThat(q.curNode).isEqualTo(want.node());
        assertThat(q.curA).isEqualTo(want.a());
        assertThat(q.curB).isEqualTo(want.b());
        assertThat(q.curC).isEqualTo(want.c());
        assertThat(q.curObj).isEqualTo(want.obj());
      }
      assertThat(q.size()).isEqualTo(ref.size());
    }
  }

  @Test
  void peekTimeIsTheEarliest() {
    EventQueue q = new EventQueue(2);
    q.push(9, 0, 0, 0, 0, 0, null);
    q.push(4, 0, 0, 0, 0, 0, null);
    q.push(6, 0, 0, 0, 0, 0, null);
    assertThat(q.peekTime()).isEqualTo(4);
  }
}
