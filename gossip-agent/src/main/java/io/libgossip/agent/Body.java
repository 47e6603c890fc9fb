package io.libgossip.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A request's JSON object, read strictly: unknown fields and wrong types are a {@code bad_request}
 * that names the field.
 */
final class Body {
  private final ObjectNode json;

  private Body(ObjectNode json) {
    this.json = json;
  }

  /**
   * Parses {@code bytes} as a JSON object whose fields are all in {@code allowed}; an empty body is
   * an empty object.
   */
  static Body parse(byte[] bytes, Set<String> allowed) {
    ObjectNode o;
    if (bytes.length == 0) {
      o = Json.object();
    } else {
      JsonNode n;
      try {
        n = Json.mapper().readTree(bytes);
      } catch (JsonProcessingException e) {
        throw ApiException.badRequest(
            "the body is not valid JSON: " + e.getOriginalMessage() + " (at " + where(e) + ")");
      } catch (IOException e) {
        throw ApiException.badRequest("the body cannot be read: " + e.getMessage());
      }
      if (n == null || n.isMissingNode()) {
        o = Json.object();
      } else if (!(n instanceof ObjectNode)) {
        throw ApiException.badRequest("the body must be a JSON object, got " + kind(n));
      } else {
        o = (ObjectNode) n;
      }
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw ApiException.badRequest(
            "unknown field '"
                + f
                + "'"
                + (allowed.isEmpty()
                    ? " (this request takes no fields)"
                    : " (expected: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
      }
    }
    return new Body(o);
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null
        ? "?"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  static String kind(JsonNode n) {
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return "null";
  }

  boolean has(String field) {
    JsonNode n = json.get(field);
    return n != null && !n.isNull();
  }

  @Nullable String optString(String field) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest("field '" + field + "' must be a string, got " + kind(n));
    }
    return n.asText();
  }

  String string(String field) {
    String s = optString(field);
    if (s == null) {
      throw ApiException.badRequest("field '" + field + "' is required");
    }
    return s;
  }

  boolean bool(String field, boolean otherwise) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.isBoolean()) {
      throw ApiException.badRequest("field '" + field + "' must be true or false, got " + kind(n));
    }
    return n.asBoolean();
  }

  long longValue(String field, long otherwise, long min, long max) {
    JsonNode n = json.get(field);
    if (n == null || n.isNull()) {
      return otherwise;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw ApiException.badRequest(
          "field '" + field + "' must be a whole number, got " + kind(n) + " " + n);
    }
    long v = n.asLong();
    if (v < min || v > max) {
      throw ApiException.badRequest(
          "field '" + field + "' must be from " + min + " to " + max + ", got " + v);
    }
    return v;
  }

  List<String> stringList(String field) {
    JsonNode n = json.get(field);
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isArray()) {
      throw ApiException.badRequest(
          "field '" + field + "' must be an array of strings, got " + kind(n));
    }
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw ApiException.badRequest(
            "field '" + field + "' must be an array of strings, got an element that is " + kind(e));
      }
      out.add(e.asText());
    }
    return out;
  }

  Map<String, String> stringMap(String field) {
    JsonNode n = json.get(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      throw ApiException.badRequest(
          "field '" + field + "' must be an object of strings, got " + kind(n));
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getValue().isTextual()) {
        throw ApiException.badRequest(
            "field '"
                + field
                + "': the value of '"
                + e.getKey()
                + "' must be a string, got "
                + kind(e.getValue()));
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /**
   * The user data of {@code payload} (UTF-8 text) or {@code payload_base64}; empty when neither is
   * given; an error when both are.
   */
  byte[] payload() {
    String text = optString("payload");
    String b64 = optString("payload_base64");
    if (text != null && b64 != null) {
      throw ApiException.badRequest("give either 'payload' or 'payload_base64', not both");
    }
    if (b64 != null) {
      try {
        return Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(
            "field 'payload_base64' is not valid base64: " + e.getMessage());
      }
    }
    return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
  }
}
