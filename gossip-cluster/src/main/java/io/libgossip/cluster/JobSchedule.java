package io.libgossip.cluster;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * When a job runs: a fixed interval aligned on the epoch ({@link #every}), so that every node
 * computes the same times, or a standard five-field cron expression ({@link #cron}).
 */
public interface JobSchedule {
  /**
   * The first time strictly after {@code epochMillis} at which the job is due, in milliseconds
   * since the epoch; {@link Long#MAX_VALUE} when there is none.
   */
  long nextAfter(long epochMillis);

  /**
   * Every {@code interval}, at the multiples of it since the epoch (every 10 s: at :00, :10, ...).
   *
   * @throws IllegalArgumentException when the interval is shorter than one millisecond
   */
  static JobSchedule every(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    long ms = interval.toMillis();
    if (ms < 1) {
      throw new IllegalArgumentException("interval must be at least 1 ms, got " + interval);
    }
    return new JobSchedule() {
      @Override
      public long nextAfter(long epochMillis) {
        return Math.floorDiv(epochMillis, ms) * ms + ms;
      }

      @Override
      public String toString() {
        return "every " + interval;
      }
    };
  }

  /**
   * A five-field cron expression ({@link CronExpression}) evaluated in UTC.
   *
   * @throws IllegalArgumentException when the expression is malformed or never matches
   */
  static JobSchedule cron(String expression) {
    return CronExpression.parse(expression, ZoneOffset.UTC);
  }

  /**
   * A five-field cron expression ({@link CronExpression}) evaluated in {@code zone}.
   *
   * @throws IllegalArgumentException when the expression is malformed or never matches
   */
  static JobSchedule cron(String expression, ZoneId zone) {
    return CronExpression.parse(expression, zone);
  }
}
