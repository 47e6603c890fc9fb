package io.libgossip.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.NodeView;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The agent's JSON: one shared mapper and the shapes of the API's objects. */
final class Json {
  /** Reads request bodies and writes responses. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Writes counters (records) with snake_case names. */
  static final ObjectMapper STATS =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  static ArrayNode sortedStrings(Collection<String> values) {
    ArrayNode a = array();
    for (String s : new TreeSet<>(values)) {
      a.add(s);
    }
    return a;
  }

  static ObjectNode stringMap(Map<String, String> map) {
    ObjectNode o = object();
    new TreeMap<>(map).forEach(o::put);
    return o;
  }

  /** The member object of the API. */
  static ObjectNode member(NodeView n, String selfId) {
    ObjectNode o = object();
    o.put("id", n.id());
    o.put("ip", n.address().host());
    o.put("port", n.address().port());
    o.put("address", n.address().toString());
    o.put("status", n.status().name());
    o.put("incarnation", n.incarnation());
    o.set("metadata", stringMap(n.metadata()));
    o.put("metadata_version", n.metadataVersion());
    o.put("self", n.id().equals(selfId));
    return o;
  }

  /**
   * Puts {@code payload} (the text when it is valid UTF-8, else null) and {@code payload_base64}.
   */
  static ObjectNode payload(ObjectNode o, byte[] bytes) {
    String text = utf8(bytes);
    if (text == null) {
      o.putNull("payload");
    } else {
      o.put("payload", text);
    }
    o.put("payload_base64", Base64.getEncoder().encodeToString(bytes));
    return o;
  }

  /** The text of {@code bytes} when they are valid UTF-8, else null. */
  static @Nullable String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static String text(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static ObjectNode error(String code, String message) {
    ObjectNode o = object();
    o.put("code", code);
    o.put("message", message);
    return o;
  }
}
