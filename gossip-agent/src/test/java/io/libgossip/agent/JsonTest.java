package io.libgossip.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tree writer writes what Jackson's mapper writes, without creating one. */
class JsonTest {
  private final ObjectMapper mapper = new ObjectMapper();

  private ObjectNode sample() {
    ObjectNode o = Json.object();
    o.put("text", "h\u00e9llo \"q\" \\ \n\t\u0001 \u2028 \ud83d\ude00");
    o.put("int", -7);
    o.put("long", Long.MIN_VALUE);
    o.put("short", (short) 12);
    o.put("double", 0.1 + 0.2);
    o.put("float", 1.5f);
    o.put("nan", Double.NaN);
    o.put("big", new BigInteger("123456789012345678901234567890"));
    o.put("dec", new BigDecimal("1.50E+3"));
    o.put("yes", true);
    o.putNull("none");
    o.put("bytes", new byte[] {1, 2, 3});
    o.putPOJO("pojo", java.util.List.of("a", "b"));
    ArrayNode a = o.putArray("list");
    a.add(1).add("x").addNull().addObject().put("k", "v");
    a.addArray();
    o.putObject("empty");
    return o;
  }

  @Test
  void writesWhatTheMapperWrites() throws Exception {
    ObjectNode o = sample();
    String expected = mapper.writeValueAsString(o);
    assertThat(Json.text(o)).isEqualTo(expected);
    assertThat(new String(Json.bytes(o), StandardCharsets.UTF_8))
        .isEqualTo(new String(mapper.writeValueAsBytes(o), StandardCharsets.UTF_8));
    assertThat(mapper.readTree(Json.bytes(o))).isEqualTo(mapper.readTree(expected));
  }

  @Test
  void writesScalarsAtTheTop() throws Exception {
    assertThat(Json.text(Json.array())).isEqualTo("[]");
    assertThat(Json.text(Json.error("bad_request", "no \"x\"")))
        .isEqualTo("{\"code\":\"bad_request\",\"message\":\"no \\\"x\\\"\"}");
    assertThat(Json.text(mapper.getNodeFactory().textNode("a"))).isEqualTo("\"a\"");
    assertThat(Json.text(mapper.getNodeFactory().numberNode(3))).isEqualTo("3");
  }
}
