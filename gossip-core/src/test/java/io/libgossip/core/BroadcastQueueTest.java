package io.libgossip.core;

import static io.libgossip.core.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The piggyback queue: order, replacement, retirement, packing and capacity. */
class BroadcastQueueTest {
  private static final int BIG = 1 << 20;

  private static MemberUpdate withMeta(String id, int metaBytes) {
    return online(id, 0, metaBytes == 0 ? Map.of() : Map.of("k", "v".repeat(metaBytes)), 1);
  }

  private static int size(List<MemberUpdate> updates) {
    int sum = 0;
    for (MemberUpdate u : updates) {
      sum += WireSizes.updateSize(u);
    }
    return sum;
  }

  @Test
  void newestFirstAmongEquallySent() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("a", 0));
    q.add(online("b", 0));
    q.add(online("c", 0));

    assertThat(q.take(BIG, 10, List.of()))
        .containsExactly(online("c", 0), online("b", 0), online("a", 0));
  }

  @Test
  void leastSentFirst() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("a", 0));
    q.add(online("b", 0));
    q.take(BIG, 10, List.of()); // a and b sent once
    q.add(online("c", 0));
    int one = WireSizes.updateSize(online("c", 0));

    assertThat(q.take(one, 10, List.of())).containsExactly(online("c", 0));
    q.add(online("d", 0));
    assertThat(q.take(BIG, 10, List.of()))
        .containsExactly(online("d", 0), online("c", 0), online("b", 0), online("a", 0));
  }

  @Test
  void newerClaimAboutAMemberReplacesTheQueuedOne() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("a", 0));
    q.take(BIG, 10, List.of());
    q.add(CoreFixture.suspect("a", 0, "b"));

    assertThat(q.size()).isEqualTo(1);
    assertThat(q.take(BIG, 10, List.of())).containsExactly(CoreFixture.suspect("a", 0, "b"));
  }

  @Test
  void updateRetiresAfterTheLimit() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    q.add(online("a", 0));

    for (int i = 0; i < 3; i++) {
      assertThat(q.contains("a")).isTrue();
      assertThat(q.take(BIG, 3, List.of())).containsExactly(online("a", 0));
    }

    assertThat(q.contains("a")).isFalse();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.take(BIG, 3, List.of())).isEmpty();
  }

  @Test
  void prefixComesFirstAndIsReturnedEvenFromAnEmptyQueue() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    List<MemberUpdate> prefix = List.of(CoreFixture.suspect("x", 0, "y"));
    assertThat(q.take(BIG, 10, prefix)).isEqualTo(prefix);

    q.add(online("a", 0));
    assertThat(q.take(BIG, 10, prefix)).containsExactly(prefix.get(0), online("a", 0));
  }

  @Test
  void packingSkipsWhatDoesNotFitAndTakesWhatDoes() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    MemberUpdate small = withMeta("small", 0);
    MemberUpdate big = withMeta("big", 400);
    q.add(small);
    q.add(big); // newest, so first in line, but too big

    List<MemberUpdate> out = q.take(WireSizes.updateSize(small) + 10, 10, List.of());

    assertThat(out).containsExactly(small);
    assertThat(q.contains("big")).isTrue();
  }

  @Test
  void packingRespectsTheBudgetAndNeverReturnsEmptyWhenSomethingFits() {
    long seed = 31337L;
    SplittableRandom r = new SplittableRandom(seed);
    for (int round = 0; round < 500; round++) {
      BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(1_000);
      int n = 1 + r.nextInt(30);
      List<MemberUpdate> queued = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        MemberUpdate u = withMeta("m" + i, r.nextInt(3) == 0 ? r.nextInt(600) : r.nextInt(20));
        queued.add(u);
        q.add(u);
      }
      for (int pass = 0; pass < 4; pass++) {
        int budget = r.nextInt(1_400);
        int smallest = Integer.MAX_VALUE;
        for (MemberUpdate u : queued) {
          if (q.contains(u.id())) {
            smallest = Math.min(smallest, WireSizes.updateSize(u));
          }
        }
        List<MemberUpdate> out = q.take(budget, 3, List.of());
        String ctx = "seed " + seed + " round " + round + " pass " + pass + " budget " + budget;
        assertThat(size(out)).as(ctx).isLessThanOrEqualTo(budget);
        assertThat(out).as(ctx).doesNotHaveDuplicates();
        if (smallest <= budget) {
          assertThat(out).as(ctx + " smallest " + smallest).isNotEmpty();
        }
      }
    }
  }

  @Test
  void packingScanIsBoundedWhenLittleFits() {
    // By design: a packet stops looking after MAX_SKIPPED updates that do not fit, so packing
    // costs O(MAX_SKIPPED) even with a huge queue. The small update goes out in a later packet.
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(100);
    MemberUpdate small = withMeta("small", 0);
    q.add(small);
    for (int i = 0; i < 40; i++) {
      q.add(withMeta("big" + i, 400));
    }

    assertThat(q.take(WireSizes.updateSize(small), 10, List.of())).isEmpty();
    assertThat(q.take(100_000, 10, List.of())).contains(small);
  }

  @Test
  void fullQueueDropsTheMostSentUpdate() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(3);
    q.add(online("a", 0));
    q.take(BIG, 10, List.of());
    q.take(BIG, 10, List.of()); // a: 2
    q.add(online("b", 0));
    q.take(BIG, 10, List.of()); // a: 3, b: 1
    q.add(online("c", 0));

    q.add(online("d", 0));

    assertThat(q.size()).isEqualTo(3);
    assertThat(q.contains("a")).isFalse();
    assertThat(q.contains("b")).isTrue();
    assertThat(q.contains("c")).isTrue();
    assertThat(q.contains("d")).isTrue();
    assertThat(q.dropped()).isEqualTo(1);
  }

  @Test
  void replacingAnUpdateInAFullQueueDropsNothing() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(2);
    q.add(online("a", 0));
    q.add(online("b", 0));

    q.add(online("a", 1));

    assertThat(q.size()).isEqualTo(2);
    assertThat(q.dropped()).isZero();
  }

  @Test
  void clearEmptiesTheQueue() {
    BroadcastQueue<MemberUpdate> q = new BroadcastQueue<>(10);
    q.add(online("a", 0));

    q.clear();

    assertThat(q.isEmpty()).isTrue();
    assertThat(q.contains("a")).isFalse();
  }

  /** A non-member item: a named, versioned note of a fixed size, newer versions replace older. */
  private record Note(String key, int version, int wireSize) implements Broadcast {
    @Override
    public boolean invalidates(Broadcast queued) {
      return !(queued instanceof Note n) || version > n.version;
    }
  }

  @Test
  void nonMemberItemsShareTheLeastSentFirstPacker() {
    BroadcastQueue<Note> q = new BroadcastQueue<>(10);
    q.add(new Note("x", 1, 100));
    q.add(new Note("y", 1, 100));
    q.take(BIG, 10, List.of()); // x and y sent once
    q.add(new Note("z", 1, 100));

    assertThat(q.take(250, 10, List.of()))
        .as("z never sent, then the newest of the once-sent; the budget holds two")
        .containsExactly(new Note("z", 1, 100), new Note("y", 1, 100));
    assertThat(q.take(BIG, 2, List.of()))
        .as("once sent (the newest re-filed first), then twice sent")
        .containsExactly(new Note("z", 1, 100), new Note("x", 1, 100), new Note("y", 1, 100));
    assertThat(q.isEmpty()).as("every note reached the limit of 2").isTrue();
  }

  @Test
  void itemThatDoesNotInvalidateTheQueuedOneIsDiscarded() {
    BroadcastQueue<Note> q = new BroadcastQueue<>(10);
    assertThat(q.add(new Note("x", 2, 10))).isTrue();

    assertThat(q.add(new Note("x", 1, 10))).isFalse();
    assertThat(q.add(new Note("x", 3, 10))).isTrue();

    assertThat(q.size()).isEqualTo(1);
    assertThat(q.take(BIG, 10, List.of())).containsExactly(new Note("x", 3, 10));
  }
}
