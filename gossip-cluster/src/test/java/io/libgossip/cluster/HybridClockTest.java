package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The hybrid logical clock: monotonic, past every observed stamp, immune to a clock going back. */
class HybridClockTest {
  private final AtomicLong physical = new AtomicLong(1_000);
  private final HybridClock clock = new HybridClock(physical::get, "a");

  @Test
  void followsThePhysicalClockAndCountsWithinAMillisecond() {
    ConfigStamp s1 = clock.now();
    ConfigStamp s2 = clock.now();
    physical.set(1_005);
    ConfigStamp s3 = clock.now();
    assertThat(s1).isEqualTo(new ConfigStamp(1_000, 0, "a"));
    assertThat(s2).isEqualTo(new ConfigStamp(1_000, 1, "a"));
    assertThat(s3).isEqualTo(new ConfigStamp(1_005, 0, "a"));
  }

  @Test
  void aPhysicalClockGoingBackwardsNeverMakesAStampGoBack() {
    ConfigStamp before = clock.now();
    physical.set(10); // the wall clock jumped back
    ConfigStamp after = clock.now();
    assertThat(after.isAfter(before)).isTrue();
    assertThat(after.wallMillis()).isEqualTo(1_000);
    assertThat(after.counter()).isEqualTo(1);
    ConfigStamp last = before;
    for (int i = 0; i < 1_000; i++) {
      physical.set(i % 2 == 0 ? 5 : 1_000);
      ConfigStamp s = clock.now();
      assertThat(s.isAfter(last)).as("step %d", i).isTrue();
      last = s;
    }
  }

  @Test
  void aStampAfterObservingARemoteOneOrdersAfterIt() {
    ConfigStamp remote = new ConfigStamp(50_000, 7, "b"); // a clock far ahead
    clock.observe(remote);
    ConfigStamp s = clock.now();
    assertThat(s.isAfter(remote)).isTrue();
    assertThat(s.wallMillis()).isEqualTo(50_000);
    assertThat(s.counter()).isEqualTo(9);
    // an older remote stamp changes only the counter
    clock.observe(new ConfigStamp(20, 0, "c"));
    assertThat(clock.now().isAfter(s)).isTrue();
    // once the physical clock passes, the counter starts again at 0
    physical.set(60_000);
    assertThat(clock.now()).isEqualTo(new ConfigStamp(60_000, 0, "a"));
  }

  @Test
  void observingTheSameTimeTakesTheLargerCounter() {
    clock.now(); // 1000.0
    clock.observe(new ConfigStamp(1_000, 40, "b"));
    assertThat(clock.last()).isEqualTo(new ConfigStamp(1_000, 41, "a"));
    clock.observe(new ConfigStamp(1_000, 3, "b"));
    assertThat(clock.last()).isEqualTo(new ConfigStamp(1_000, 42, "a"));
  }

  @Test
  void aCounterAtItsMaximumMovesTheTimeOn() {
    clock.observe(new ConfigStamp(1_000, Integer.MAX_VALUE, "b"));
    ConfigStamp s = clock.now();
    assertThat(s.wallMillis()).isEqualTo(1_001);
    assertThat(s.isAfter(new ConfigStamp(1_000, Integer.MAX_VALUE, "b"))).isTrue();
  }

  @Test
  void stampsOrderByTimeThenCounterThenWriter() {
    assertThat(new ConfigStamp(2, 0, "a").isAfter(new ConfigStamp(1, 9, "z"))).isTrue();
    assertThat(new ConfigStamp(1, 1, "a").isAfter(new ConfigStamp(1, 0, "z"))).isTrue();
    assertThat(new ConfigStamp(1, 1, "b").isAfter(new ConfigStamp(1, 1, "a"))).isTrue();
    assertThat(new ConfigStamp(1, 1, "b").compareTo(new ConfigStamp(1, 1, "b"))).isZero();
  }
}
