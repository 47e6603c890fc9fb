package io.libgossip.cluster;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A standard five-field cron expression: {@code minute hour day-of-month month day-of-week}.
 *
 * <ul>
 *   <li>Each field is {@code *}, a value, a range {@code a-b}, any of these followed by a step
 *       {@code /n}, or a comma-separated list of them. Minutes 0-59, hours 0-23, days 1-31, months
 *       1-12 or {@code JAN}-{@code DEC}, days of the week 0-7 (0 and 7 are Sunday) or {@code
 *       SUN}-{@code SAT}.
 *   <li>As in Vixie cron, when both the day of the month and the day of the week are restricted
 *       (neither starts with {@code *}), a day matches if either matches.
 *   <li>The macros {@code @yearly} ({@code @annually}), {@code @monthly}, {@code @weekly}, {@code
 *       @daily} ({@code @midnight}) and {@code @hourly}.
 * </ul>
 *
 * <p>Times are matched on the local date and time of the zone; a local time skipped by a daylight
 * saving change fires at the first instant after the gap, a repeated one fires once. Immutable.
 */
public final class CronExpression implements JobSchedule {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  /** How far ahead a match is looked for: 8 years covers every 29 February. */
  private static final int SEARCH_YEARS = 8;

  private final String expression;
  private final ZoneId zone;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(String expression, ZoneId zone, String[] f) {
    this.expression = expression;
    this.zone = zone;
    this.minutes = field(f[0], "minute", 0, 59, null);
    this.hours = field(f[1], "hour", 0, 23, null);
    this.daysOfMonth = field(f[2], "day-of-month", 1, 31, null);
    this.months = field(f[3], "month", 1, 12, MONTHS);
    BitSet dow = field(f[4], "day-of-week", 0, 7, DAYS);
    if (dow.get(7)) {
      dow.set(0); // 7 is Sunday too
      dow.clear(7);
    }
    this.daysOfWeek = dow;
    this.domRestricted = !f[2].startsWith("*");
    this.dowRestricted = !f[4].startsWith("*");
  }

  /**
   * Parses {@code expression}, evaluated in {@code zone}.
   *
   * @throws IllegalArgumentException naming the field and the bad token when the expression is
   *     malformed, and when it never matches (say {@code 0 0 30 2 *})
   */
  public static CronExpression parse(String expression, ZoneId zone) {
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(zone, "zone");
    String trimmed = expression.trim();
    String spec = MACROS.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
    if (spec.startsWith("@")) {
      throw new IllegalArgumentException(
          "cron: unknown macro '" + trimmed + "'; expected one of " + MACROS.keySet());
    }
    String[] f = spec.isEmpty() ? new String[0] : spec.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "cron: expected 5 fields (minute hour day-of-month month day-of-week), got "
              + f.length
              + " in '"
              + expression
              + "'");
    }
    CronExpression c = new CronExpression(trimmed, zone, f);
    // 2000-01-01T00:00Z: any expression that can match does within the search window
    if (c.nextAfter(946_684_800_000L) == Long.MAX_VALUE) {
      throw new IllegalArgumentException("cron: '" + expression + "' never matches a date");
    }
    return c;
  }

  /** The expression as given (a macro stays a macro). */
  public String expression() {
    return expression;
  }

  /** The zone the expression is evaluated in. */
  public ZoneId zone() {
    return zone;
  }

  @Override
  public long nextAfter(long epochMillis) {
    ZonedDateTime after = Instant.ofEpochMilli(epochMillis).atZone(zone);
    LocalDateTime t = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
        continue;
      }
      if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
        continue;
      }
      long at = ZonedDateTime.of(t, zone).toInstant().toEpochMilli();
      if (at > epochMillis) {
        return at;
      }
      t = t.plusMinutes(1); // a repeated local time already passed
    }
    return Long.MAX_VALUE;
  }

  private boolean dayMatches(LocalDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  private static BitSet field(
      String text, String name, int min, int max, String @Nullable [] names) {
    BitSet bits = new BitSet(max + 1);
    for (String item : text.split(",", -1)) {
      if (item.isEmpty()) {
        throw bad(name, text, "an empty list item");
      }
      String range = item;
      int step = 1;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        range = item.substring(0, slash);
        step = number(item.substring(slash + 1), name, item, 1, max - min + 1, null, 0);
      }
      int lo;
      int hi;
      if (range.equals("*")) {
        lo = min;
        hi = max;
      } else {
        int dash = range.indexOf('-');
        if (dash >= 0) {
          lo = number(range.substring(0, dash), name, item, min, max, names, min);
          hi = number(range.substring(dash + 1), name, item, min, max, names, min);
          if (hi < lo) {
            throw bad(name, item, "a range that ends before it starts");
          }
        } else {
          lo = number(range, name, item, min, max, names, min);
          hi = slash >= 0 ? max : lo; // "5/15": from 5 to the end, every 15
        }
      }
      for (int v = lo; v <= hi; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(
      String s,
      String name,
      String item,
      int min,
      int max,
      String @Nullable [] names,
      int namesBase) {
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(s)) {
          return namesBase + i;
        }
      }
    }
    int v;
    try {
      v = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw bad(name, item, "'" + s + "', not a number" + (names == null ? "" : " or a name"));
    }
    if (v < min || v > max) {
      throw bad(name, item, v + ", outside " + min + "-" + max);
    }
    return v;
  }

  private static IllegalArgumentException bad(String field, String item, String what) {
    return new IllegalArgumentException("cron: bad " + field + " field '" + item + "': " + what);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CronExpression c && c.expression.equals(expression) && c.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return expression.hashCode() * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return "cron '" + expression + "' " + zone;
  }
}
