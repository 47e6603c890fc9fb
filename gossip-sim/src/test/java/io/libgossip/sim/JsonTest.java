package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void writesAFlatObject() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", 1);
    m.put("b", 2.5);
    m.put("c", "x\"y\\z\n");
    m.put("d", true);
    m.put("e", null);
    m.put("f", Double.NaN);
    m.put("g", -1.0);
    assertThat(Json.object(m))
        .isEqualTo(
            "{\"a\":1,\"b\":2.5,\"c\":\"x\\\"y\\\\z\\n\",\"d\":true,\"e\":null,\"f\":null,\"g\":-1}");
  }

  @Test
  void numbersHaveAtMostThreeDecimals() {
    assertThat(Json.number(1.23456)).isEqualTo("1.235");
    assertThat(Json.number(0.1)).isEqualTo("0.1");
    assertThat(Json.number(100)).isEqualTo("100");
    assertThat(Json.number(0.0004)).isEqualTo("0");
  }
}
