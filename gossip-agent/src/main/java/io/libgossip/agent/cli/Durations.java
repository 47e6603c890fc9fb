package io.libgossip.agent.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line: a whole number and a unit, {@code 500ms}, {@code 5s}, {@code 2m}
 * or {@code 1h}.
 */
final class Durations {
  private static final long MAX_MILLIS = Duration.ofHours(1).toMillis();

  private Durations() {}

  /**
   * Parses {@code text}; throws {@link IllegalArgumentException} naming the text when it is not a
   * positive duration of at most one hour.
   */
  static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    String digits = s.substring(0, i);
    long unitMillis =
        switch (s.substring(i)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> -1;
        };
    if (digits.isEmpty() || digits.length() > 9 || unitMillis < 0) {
      throw new IllegalArgumentException(
          "expected a duration such as 500ms, 5s or 2m, got '" + text + "'");
    }
    long millis = Long.parseLong(digits) * unitMillis;
    if (millis <= 0 || millis > MAX_MILLIS) {
      throw new IllegalArgumentException(
          "a duration must be more than 0 and at most 1h, got '" + text + "'");
    }
    return Duration.ofMillis(millis);
  }

  /** The picocli converter for options of type {@link Duration}. */
  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(String.valueOf(e.getMessage()));
      }
    }
  }
}
