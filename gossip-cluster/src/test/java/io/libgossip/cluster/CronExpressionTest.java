package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronExpressionTest {
  private static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  private static String next(String expr, String after) {
    return Instant.ofEpochMilli(JobSchedule.cron(expr).nextAfter(at(after))).toString();
  }

  @ParameterizedTest
  @CsvSource({
    "'* * * * *',        2026-03-01T10:15:30Z, 2026-03-01T10:16:00Z",
    "'* * * * *',        2026-03-01T10:15:00Z, 2026-03-01T10:16:00Z",
    "'*/15 * * * *',     2026-03-01T10:15:00Z, 2026-03-01T10:30:00Z",
    "'5/20 * * * *',     2026-03-01T10:26:00Z, 2026-03-01T10:45:00Z",
    "'0 9-17/4 * * *',   2026-03-01T14:00:00Z, 2026-03-01T17:00:00Z",
    "'30 2 * * *',       2026-03-01T02:30:00Z, 2026-03-02T02:30:00Z",
    "'0 0 1 * *',        2026-03-15T00:00:00Z, 2026-04-01T00:00:00Z",
    "'0 0 * * MON',      2026-03-04T12:00:00Z, 2026-03-09T00:00:00Z",
    "'0 0 * * 7',        2026-03-04T12:00:00Z, 2026-03-08T00:00:00Z",
    "'0 0 * * sun',      2026-03-04T12:00:00Z, 2026-03-08T00:00:00Z",
    "'0 0 29 FEB *',     2026-03-01T00:00:00Z, 2028-02-29T00:00:00Z",
    "'0 12 1,15 JAN-MAR *', 2026-01-15T12:00:00Z, 2026-02-01T12:00:00Z",
    "'@hourly',          2026-03-01T10:15:00Z, 2026-03-01T11:00:00Z",
    "'@weekly',          2026-03-04T12:00:00Z, 2026-03-08T00:00:00Z",
    "'@yearly',          2026-03-04T12:00:00Z, 2027-01-01T00:00:00Z",
    "'59 23 31 12 *',    2026-12-31T23:59:00Z, 2027-12-31T23:59:00Z"
  })
  void nextDueTime(String expr, String after, String expected) {
    assertThat(next(expr, after)).isEqualTo(expected);
  }

  @Test
  void dayOfMonthAndDayOfWeekBothRestrictedMatchEither() {
    // the 13th, or any Friday: 2026-03-06 is a Friday, before the 13th
    assertThat(next("0 0 13 * FRI", "2026-03-01T00:00:00Z")).isEqualTo("2026-03-06T00:00:00Z");
    // day-of-week unrestricted: only the 13th
    assertThat(next("0 0 13 * *", "2026-03-01T00:00:00Z")).isEqualTo("2026-03-13T00:00:00Z");
  }

  @Test
  void aLocalTimeSkippedByDaylightSavingFiresAfterTheGap() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    // 2026-03-29: 02:00 local jumps to 03:00 (01:00Z)
    long t = JobSchedule.cron("30 2 * * *", paris).nextAfter(at("2026-03-28T12:00:00Z"));
    assertThat(Instant.ofEpochMilli(t)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "5-1 * * * *",
        "a * * * *",
        "1,,2 * * * *",
        "* * * FOO *",
        "@sometimes",
        "0 0 30 2 *",
        "0 0 31 4,6,9,11 *"
      })
  void badExpressionsAreRejectedWithAMessage(String expr) {
    assertThatThrownBy(() -> JobSchedule.cron(expr))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cron:");
  }

  @Test
  void anIntervalIsAlignedOnTheEpochSoEveryNodeComputesTheSameDueTimes() {
    JobSchedule s = JobSchedule.every(Duration.ofSeconds(10));
    assertThat(s.nextAfter(0)).isEqualTo(10_000);
    assertThat(s.nextAfter(9_999)).isEqualTo(10_000);
    assertThat(s.nextAfter(10_000)).isEqualTo(20_000);
    assertThat(s.nextAfter(-1)).isEqualTo(0);
    assertThatThrownBy(() -> JobSchedule.every(Duration.ofNanos(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 ms");
  }

  @Test
  void zoneAndExpressionAreKept() {
    CronExpression c = CronExpression.parse(" @daily ", ZoneOffset.UTC);
    assertThat(c.expression()).isEqualTo("@daily");
    assertThat(c.zone()).isEqualTo(ZoneOffset.UTC);
    assertThat(c).isEqualTo(CronExpression.parse("@daily", ZoneOffset.UTC));
  }
}
