package io.libgossip.core;

import static io.libgossip.core.CoreFixture.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.Schedule.Deadline;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Named deadlines, their random phases, and time compared across a wrap. */
class ScheduleTest {
  private static Schedule started(long seed, long now) {
    Schedule s = new Schedule(GossipConfig.lan(), new SplittableRandom(seed));
    s.start(now);
    return s;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234})
  void startPutsEachDeadlineWithinItsFirstInterval(long seed) {
    long now = 50 * SEC;
    Schedule s = started(seed, now);
    GossipConfig c = GossipConfig.lan();

    assertThat(s.started()).isTrue();
    assertThat(s.isDue(Deadline.PROBE, now + c.probeInterval().toNanos()))
        .as("seed " + seed)
        .isTrue();
    assertThat(s.isDue(Deadline.GOSSIP, now + c.gossipInterval().toNanos())).isTrue();
    long pushPull = c.pushPullInterval().toNanos();
    assertThat(s.isDue(Deadline.PUSH_PULL, now + pushPull / 2 - 1)).isFalse();
    assertThat(s.isDue(Deadline.PUSH_PULL, now + pushPull / 2 + pushPull)).isTrue();
    long reconnect = c.reconnectInterval().toNanos();
    assertThat(s.isDue(Deadline.RECONNECT, now + reconnect - 1)).isFalse();
    assertThat(s.isDue(Deadline.RECONNECT, now + 2 * reconnect)).isTrue();
  }

  @Test
  void sameSeedSamePhases() {
    assertThat(started(7, 0).next(false)).isEqualTo(started(7, 0).next(false));
  }

  @Test
  void whileLeavingOnlyGossipIsScheduled() {
    Schedule s = started(1, 0);
    s.set(Deadline.GOSSIP, 9 * SEC);
    s.set(Deadline.PROBE, 2 * SEC);

    assertThat(s.next(false)).isEqualTo(2 * SEC);
    assertThat(s.next(true)).isEqualTo(9 * SEC);
  }

  @Test
  void bringForwardNeverDelays() {
    Schedule s = started(1, 0);
    s.set(Deadline.RECONNECT, 10 * SEC);

    s.bringForward(Deadline.RECONNECT, 20 * SEC);
    assertThat(s.isDue(Deadline.RECONNECT, 10 * SEC)).isTrue();
    s.bringForward(Deadline.RECONNECT, 5 * SEC);
    assertThat(s.isDue(Deadline.RECONNECT, 5 * SEC)).isTrue();
  }

  @Test
  void aTickLongAfterTheLastIsAStall() {
    Schedule s = started(1, 0);
    GossipConfig c = GossipConfig.lan();
    long gap = c.probeInterval().toNanos() + c.gossipInterval().toNanos();

    assertThat(s.tickedAfterStall(gap)).isFalse();
    assertThat(s.tickedAfterStall(2 * gap + 1)).isTrue();
    s.stop();
    assertThat(s.started()).isFalse();
  }

  @Test
  void timesCompareAcrossTheWrap() {
    long before = Long.MAX_VALUE - 5;
    long after = Long.MIN_VALUE + 5; // 11 ns later

    assertThat(Schedule.due(before, after)).isTrue();
    assertThat(Schedule.due(after, before)).isFalse();
    assertThat(Schedule.earlier(before, after)).isEqualTo(before);
    assertThat(Schedule.later(before, after)).isEqualTo(after);
  }
}
