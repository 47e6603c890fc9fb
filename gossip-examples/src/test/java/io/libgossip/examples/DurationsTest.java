package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"500ms,500", "5s,5000", "2m,120000", "1h,3600000", " 10S ,10000", "24h,86400000"})
  void parsesAWholeNumberAndAUnit(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "s", "1.5s", "-1s", "5 s", "5sec", "PT5S", "1d", "9999999999s"})
  void rejectsAnythingElseNamingTheText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("500ms, 5s, 2m or 1h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "0ms", "25h", "1441m"})
  void rejectsZeroAndMoreThanADay(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 0 and at most 24h, got '" + text + "'");
  }

  @Test
  void converterTurnsABadValueIntoAPicocliConversionError() {
    Durations.Converter c = new Durations.Converter();
    assertThat(c.convert("3s")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> c.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'soon'");
  }
}
