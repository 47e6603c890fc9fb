package io.libgossip.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.NodeView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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

/**
 * The agent's JSON: trees written with Jackson's streaming generator, one shared mapper for what
 * needs data binding, and the shapes of the API's objects.
 *
 * <p>Writing a tree needs no {@link ObjectMapper}: the mapper and its serializers are about 400
 * classes (some 3 MB of an idle agent's memory, decision 054), loaded only when a request body is
 * read or a value is converted.
 */
final class Json {
  /** Writes trees; a factory is a few classes of jackson-core. */
  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  /** The shared mapper, created on first use. */
  static ObjectMapper mapper() {
    return Mapper.INSTANCE;
  }

  /** Holds the mapper so that it is created only when first asked for. */
  private static final class Mapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();
  }

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

  /** {@code node} as compact UTF-8 JSON, as {@code mapper().writeValueAsBytes} writes it. */
  static byte[] bytes(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, node);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return out.toByteArray();
  }

  /** {@code node} as compact JSON text, as {@code mapper().writeValueAsString} writes it. */
  static String text(JsonNode node) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, node);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, JsonNode n) throws IOException {
    if (n.isObject()) {
      g.writeStartObject();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (n.isArray()) {
      g.writeStartArray();
      for (JsonNode x : n) {
        write(g, x);
      }
      g.writeEndArray();
    } else if (n.isTextual()) {
      g.writeString(n.textValue());
    } else if (n.isBoolean()) {
      g.writeBoolean(n.booleanValue());
    } else if (n.isNull() || n.isMissingNode()) {
      g.writeNull();
    } else if (n.isInt() || n.isShort()) {
      g.writeNumber(n.intValue());
    } else if (n.isLong()) {
      g.writeNumber(n.longValue());
    } else if (n.isDouble()) {
      g.writeNumber(n.doubleValue());
    } else if (n.isFloat()) {
      g.writeNumber(n.floatValue());
    } else if (n.isBigInteger()) {
      g.writeNumber(n.bigIntegerValue());
    } else if (n.isBigDecimal()) {
      g.writeNumber(n.decimalValue());
    } else {
      // binary or POJO nodes: what the mapper would write
      g.setCodec(mapper());
      g.writeTree(n);
    }
  }

  static ObjectNode error(String code, String message) {
    ObjectNode o = object();
    o.put("code", code);
    o.put("message", message);
    return o;
  }
}
