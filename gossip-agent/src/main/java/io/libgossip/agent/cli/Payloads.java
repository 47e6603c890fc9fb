package io.libgossip.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** User payloads as the API sends them: {@code payload} (UTF-8 text or null) and base64. */
final class Payloads {
  private Payloads() {}

  /** The payload of {@code event} as text safe to print, or {@code base64:...} if not UTF-8. */
  static String display(JsonNode event) {
    JsonNode text = event.path("payload");
    if (text.isTextual()) {
      return Text.safe(text.asText());
    }
    JsonNode b64 = event.path("payload_base64");
    return b64.isTextual() ? "base64:" + Text.safe(b64.asText()) : "";
  }
}
