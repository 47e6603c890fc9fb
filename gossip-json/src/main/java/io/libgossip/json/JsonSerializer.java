package io.libgossip.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.libgossip.core.BroadcastItem;
import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.MessageType;
import io.libgossip.core.GossipMessage.Nack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.GossipMessage.PushPull;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.MetadataLimits;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A readable JSON wire format (Jackson), for debugging and interop. Slower and larger than {@link
 * io.libgossip.core.BinarySerializer}; every node of a cluster must use the same serializer.
 *
 * <p>Each message is one JSON object, a versioned envelope:
 *
 * <pre>{@code
 * {"format":"libgossip","version":1,"cluster":"prod","type":"ping",
 *  "from":"node-1","fromAddress":"10.0.0.1:7946",
 *  "seq":42,"target":"node-2",                          // type-specific fields
 *  "updates":[{"id":"node-3","address":"10.0.0.3:7946","status":"ONLINE","incarnation":1,
 *              "metadata":{"role":"web"},"metadataVersion":2,"configEpoch":0,"from":"node-3"}]}
 * }</pre>
 *
 * Type-specific fields: {@code ping} {seq, target}; {@code ack} and {@code nack} {seq}; {@code
 * ping_req} {seq, target, targetAddress}; {@code gossip} none; {@code push_pull} {join, reply}.
 * Addresses are {@code host:port} ({@code [v6]:port}). Unknown fields are ignored.
 *
 * <p>Decoding treats input as hostile: at most {@code maxMessageSize} bytes, bounded nesting,
 * string and number lengths, no duplicate keys, no trailing content. A wrong {@code format} is
 * {@code BAD_MAGIC}, another {@code version} {@code UNSUPPORTED_VERSION}, another {@code cluster}
 * {@code WRONG_CLUSTER}, an unknown {@code type} {@code UNKNOWN_TYPE}, an incomplete document
 * {@code TRUNCATED}, and anything else invalid {@code MALFORMED}, including metadata that {@link
 * MetadataLimits} rejects (as the binary format does); nothing but {@link DecodeException} escapes.
 * Thread-safe.
 */
public final class JsonSerializer implements MessageSerializer {

  /** The value of the {@code format} field. */
  public static final String FORMAT = "libgossip";

  /** The envelope version this class reads and writes. */
  public static final int VERSION = 1;

  private static final int MAX_NESTING = 8;

  private final String clusterName;
  private final int maxMessageSize;
  private final JsonFactory factory;
  private final ObjectMapper mapper;

  /** One-entry cache so that {@code encodedSize} then {@code encode} encodes only once. */
  @SuppressWarnings("ThreadLocalUsage") // per instance on purpose: each serializer its own cache
  private final ThreadLocal<Encoded> last = new ThreadLocal<>();

  @SuppressWarnings("ArrayRecordComponent") // a private cache entry, never compared
  private record Encoded(GossipMessage message, byte[] bytes) {}

  /**
   * A serializer for cluster {@code clusterName} that accepts at most {@code maxMessageSize} bytes.
   */
  public JsonSerializer(String clusterName, int maxMessageSize) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    if (clusterName.isEmpty()) {
      throw new IllegalArgumentException("clusterName must not be empty");
    }
    if (maxMessageSize < 64) {
      throw new IllegalArgumentException(
          "maxMessageSize must be at least 64, got " + maxMessageSize);
    }
    this.maxMessageSize = maxMessageSize;
    this.factory =
        JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxNumberLength(24)
                    .maxNameLength(1024)
                    .maxStringLength(Math.max(1024, maxMessageSize))
                    .maxDocumentLength(maxMessageSize)
                    .build())
            .build();
    this.mapper =
        JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  }

  /** A serializer for the cluster name and maximum message size of {@code config}. */
  public static JsonSerializer forConfig(GossipConfig config) {
    return new JsonSerializer(config.clusterName(), config.maxMessageSize());
  }

  @Override
  public String name() {
    return "json";
  }

  /** The cluster whose messages this serializer writes and accepts. */
  public String clusterName() {
    return clusterName;
  }

  @Override
  public String toString() {
    return "JsonSerializer{cluster=" + clusterName + ", maxMessageSize=" + maxMessageSize + "}";
  }

  // ---------------------------------------------------------------- encoding

  @Override
  public byte[] encode(GossipMessage message) {
    return encoded(message).clone();
  }

  @Override
  public int encode(GossipMessage message, byte[] dst, int offset) {
    byte[] bytes = encoded(message);
    if (offset < 0 || dst.length - offset < bytes.length) {
      throw new IndexOutOfBoundsException(
          "need " + bytes.length + " bytes at offset " + offset + ", array has " + dst.length);
    }
    System.arraycopy(bytes, 0, dst, offset, bytes.length);
    return bytes.length;
  }

  @Override
  public int encodedSize(GossipMessage message) {
    return encoded(message).length;
  }

  private byte[] encoded(GossipMessage message) {
    Objects.requireNonNull(message, "message");
    Encoded e = last.get();
    if (e != null && e.message == message) {
      return e.bytes;
    }
    byte[] bytes = write(message);
    last.set(new Encoded(message, bytes));
    return bytes;
  }

  private byte[] write(GossipMessage message) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeNumberField("version", VERSION);
      g.writeStringField("cluster", clusterName);
      g.writeStringField("type", typeName(message.type()));
      g.writeStringField("from", message.from());
      g.writeStringField("fromAddress", message.fromAddress().toString());
      if (message instanceof Ping m) {
        g.writeNumberField("seq", m.seq());
        g.writeStringField("target", m.target());
      } else if (message instanceof Ack m) {
        g.writeNumberField("seq", m.seq());
      } else if (message instanceof PingReq m) {
        g.writeNumberField("seq", m.seq());
        g.writeStringField("target", m.target());
        g.writeStringField("targetAddress", m.targetAddress().toString());
      } else if (message instanceof Nack m) {
        g.writeNumberField("seq", m.seq());
      } else if (message instanceof PushPull m) {
        g.writeBooleanField("join", m.join());
        g.writeBooleanField("reply", m.reply());
      } else if (message instanceof GossipMessage.BroadcastPull m) {
        g.writeBooleanField("reply", m.reply());
        g.writeBooleanField("missing", m.missing());
        g.writeStringField("origin", m.origin());
        g.writeNumberField("life", m.life());
        g.writeNumberField("seq", m.seq());
        if (m.reply() && !m.missing()) {
          g.writeStringField("body", Base64.getEncoder().encodeToString(m.body()));
        }
      }
      g.writeArrayFieldStart("updates");
      for (MemberUpdate u : message.updates()) {
        g.writeStartObject();
        g.writeStringField("id", u.id());
        g.writeStringField("address", u.address().toString());
        g.writeStringField("status", u.status().name());
        g.writeNumberField("incarnation", u.incarnation());
        g.writeObjectFieldStart("metadata");
        for (Map.Entry<String, String> m : new TreeMap<>(u.metadata()).entrySet()) {
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("metadataVersion", u.metadataVersion());
        g.writeNumberField("configEpoch", u.configEpoch());
        g.writeStringField("from", u.from());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (!message.broadcasts().isEmpty()) {
        g.writeArrayFieldStart("broadcasts");
        for (BroadcastItem b : message.broadcasts()) {
          g.writeStartObject();
          g.writeStringField("origin", b.origin());
          g.writeNumberField("life", b.life());
          g.writeNumberField("seq", b.seq());
          g.writeStringField("topic", b.topic());
          if (b.key() != null) {
            g.writeStringField("key", b.key());
          }
          g.writeNumberField("size", b.size());
          if (!b.announced()) {
            g.writeStringField("payload", Base64.getEncoder().encodeToString(b.payload()));
          }
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON for " + message.type(), e);
    }
  }

  private static String typeName(MessageType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }

  // ---------------------------------------------------------------- decoding

  @Override
  public GossipMessage decode(byte[] bytes, int offset, int length) throws DecodeException {
    if (bytes == null || offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new DecodeException(DropReason.MALFORMED, "bad input range");
    }
    if (length == 0) {
      throw new DecodeException(DropReason.TRUNCATED, "empty input");
    }
    if (length > maxMessageSize) {
      throw new DecodeException(
          DropReason.TOO_LARGE, length + " bytes, more than the limit of " + maxMessageSize);
    }
    int first = offset;
    int end = offset + length;
    while (first < end && isJsonSpace(bytes[first])) {
      first++;
    }
    if (first == end) {
      throw new DecodeException(DropReason.TRUNCATED, "only whitespace");
    }
    if (bytes[first] != '{') {
      throw new DecodeException(DropReason.BAD_MAGIC, "not a JSON object");
    }
    JsonNode root;
    try {
      root = mapper.readTree(bytes, offset, length);
    } catch (JsonEOFException e) {
      throw new DecodeException(DropReason.TRUNCATED, "incomplete JSON: " + e.getOriginalMessage());
    } catch (StreamConstraintsException e) {
      throw new DecodeException(DropReason.TOO_LARGE, e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      String detail = String.valueOf(e.getOriginalMessage());
      boolean atEnd =
          detail.contains("end-of-input")
              || (e.getLocation() != null && e.getLocation().getByteOffset() >= length);
      throw new DecodeException(
          atEnd ? DropReason.TRUNCATED : DropReason.MALFORMED, "invalid JSON: " + detail);
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(DropReason.MALFORMED, "invalid JSON: " + e);
    } catch (StackOverflowError e) { // cannot happen with the nesting bound; belt and braces
      throw new DecodeException(DropReason.TOO_LARGE, "nesting too deep");
    }
    if (root == null || !root.isObject()) {
      throw new DecodeException(DropReason.BAD_MAGIC, "not a JSON object");
    }
    try {
      return message(root);
    } catch (IllegalArgumentException | NullPointerException e) { // record validation
      throw new DecodeException(DropReason.MALFORMED, String.valueOf(e.getMessage()));
    }
  }

  private static boolean isJsonSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private GossipMessage message(JsonNode root) throws DecodeException {
    JsonNode format = root.get("format");
    if (format == null || !format.isTextual() || !FORMAT.equals(format.textValue())) {
      throw new DecodeException(DropReason.BAD_MAGIC, "missing \"format\":\"" + FORMAT + "\"");
    }
    JsonNode version = root.get("version");
    if (version == null || !version.isIntegralNumber()) {
      throw new DecodeException(DropReason.MALFORMED, "missing or non-integer \"version\"");
    }
    if (!version.canConvertToInt() || version.intValue() != VERSION) {
      throw new DecodeException(
          DropReason.UNSUPPORTED_VERSION, "version " + version.asText() + ", expected " + VERSION);
    }
    String cluster = text(root, "cluster");
    if (!clusterName.equals(cluster)) {
      throw new DecodeException(DropReason.WRONG_CLUSTER, "cluster '" + cluster + "'");
    }
    String typeText = text(root, "type");
    MessageType type = null;
    for (MessageType t : MessageType.values()) {
      if (typeName(t).equals(typeText)) {
        type = t;
      }
    }
    if (type == null) {
      throw new DecodeException(DropReason.UNKNOWN_TYPE, "type '" + typeText + "'");
    }
    String from = text(root, "from");
    NodeAddress fromAddress = address(root, "fromAddress");
    List<MemberUpdate> updates = updates(root);
    JsonNode items = root.get("broadcasts");
    if (items != null) {
      if (type == MessageType.PUSH_PULL || type == MessageType.BROADCAST_PULL) {
        throw malformed("a " + typeName(type) + " carries no \"broadcasts\"");
      }
      return message(root, type, typeText, from, fromAddress, updates)
          .withBroadcasts(broadcasts(items));
    }
    return message(root, type, typeText, from, fromAddress, updates);
  }

  private static GossipMessage message(
      JsonNode root,
      MessageType type,
      String typeText,
      String from,
      NodeAddress fromAddress,
      List<MemberUpdate> updates)
      throws DecodeException {
    switch (type) {
      case PING:
        return new Ping(from, fromAddress, integral(root, "seq"), text(root, "target"), updates);
      case ACK:
        return new Ack(from, fromAddress, integral(root, "seq"), updates);
      case PING_REQ:
        return new PingReq(
            from,
            fromAddress,
            integral(root, "seq"),
            text(root, "target"),
            address(root, "targetAddress"),
            updates);
      case NACK:
        return new Nack(from, fromAddress, integral(root, "seq"), updates);
      case GOSSIP:
        return new Gossip(from, fromAddress, updates);
      case PUSH_PULL:
        return new PushPull(from, fromAddress, bool(root, "join"), bool(root, "reply"), updates);
      case BROADCAST_PULL:
        {
          boolean reply = bool(root, "reply");
          boolean missing = bool(root, "missing");
          byte[] body = reply && !missing ? base64(root, "body") : new byte[0];
          return new GossipMessage.BroadcastPull(
              from,
              fromAddress,
              reply,
              missing,
              text(root, "origin"),
              integral(root, "life"),
              integral(root, "seq"),
              body,
              updates);
        }
      default:
        throw new DecodeException(DropReason.UNKNOWN_TYPE, "type '" + typeText + "'");
    }
  }

  private static List<BroadcastItem> broadcasts(JsonNode array) throws DecodeException {
    if (!array.isArray() || array.isEmpty()) {
      throw malformed("\"broadcasts\" must be a non-empty array");
    }
    List<BroadcastItem> out = new ArrayList<>(array.size());
    for (JsonNode b : array) {
      if (!b.isObject()) {
        throw malformed("a broadcast must be an object");
      }
      JsonNode key = b.get("key");
      if (key != null && !key.isTextual()) {
        throw malformed("\"key\" must be a string");
      }
      long size = integral(b, "size");
      if (size < 0 || size > Integer.MAX_VALUE) {
        throw malformed("\"size\" " + size + " out of range");
      }
      byte[] payload = b.has("payload") ? base64(b, "payload") : new byte[0];
      if (!b.has("payload") && size == 0) {
        throw malformed("an announced broadcast of 0 bytes");
      }
      out.add(
          new BroadcastItem(
              text(b, "origin"),
              integral(b, "life"),
              integral(b, "seq"),
              text(b, "topic"),
              key == null ? null : key.textValue(),
              (int) size,
              payload));
    }
    return out;
  }

  private static byte[] base64(JsonNode node, String name) throws DecodeException {
    try {
      return Base64.getDecoder().decode(text(node, name));
    } catch (IllegalArgumentException e) {
      throw malformed("\"" + name + "\" is not base64: " + e.getMessage());
    }
  }

  private static List<MemberUpdate> updates(JsonNode root) throws DecodeException {
    JsonNode array = field(root, "updates");
    if (!array.isArray()) {
      throw malformed("\"updates\" must be an array");
    }
    List<MemberUpdate> out = new ArrayList<>(array.size());
    for (JsonNode u : array) {
      if (!u.isObject()) {
        throw malformed("an update must be an object");
      }
      out.add(
          new MemberUpdate(
              text(u, "id"),
              address(u, "address"),
              status(u),
              integral(u, "incarnation"),
              metadata(u),
              integral(u, "metadataVersion"),
              integral(u, "configEpoch"),
              text(u, "from")));
    }
    return out;
  }

  private static NodeStatus status(JsonNode u) throws DecodeException {
    String s = text(u, "status");
    switch (s) {
      case "ONLINE":
        return NodeStatus.ONLINE;
      case "SUSPECT":
        return NodeStatus.SUSPECT;
      case "FAILED":
        return NodeStatus.FAILED;
      case "LEFT":
        return NodeStatus.LEFT;
      default:
        throw malformed("status '" + s + "'");
    }
  }

  @SuppressWarnings("deprecation") // JsonNode.fields(), deprecated in favour of properties()
  private static Map<String, String> metadata(JsonNode u) throws DecodeException {
    JsonNode m = field(u, "metadata");
    if (!m.isObject()) {
      throw malformed("\"metadata\" must be an object");
    }
    Map<String, String> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw malformed("metadata value of '" + e.getKey() + "' must be a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    // the rule local updates and the binary format follow (an empty key is no valid metadata)
    Optional<String> problem = MetadataLimits.problem(out);
    if (problem.isPresent()) {
      throw malformed(problem.get());
    }
    return out;
  }

  private static JsonNode field(JsonNode node, String name) throws DecodeException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw malformed("missing \"" + name + "\"");
    }
    return v;
  }

  private static String text(JsonNode node, String name) throws DecodeException {
    JsonNode v = field(node, name);
    if (!v.isTextual()) {
      throw malformed("\"" + name + "\" must be a string");
    }
    return v.textValue();
  }

  private static long integral(JsonNode node, String name) throws DecodeException {
    JsonNode v = field(node, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw malformed("\"" + name + "\" must be a 64-bit integer");
    }
    return v.longValue();
  }

  private static boolean bool(JsonNode node, String name) throws DecodeException {
    JsonNode v = field(node, name);
    if (!v.isBoolean()) {
      throw malformed("\"" + name + "\" must be true or false");
    }
    return v.booleanValue();
  }

  private static NodeAddress address(JsonNode node, String name) throws DecodeException {
    String text = text(node, name);
    try {
      return NodeAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw malformed("\"" + name + "\": " + e.getMessage());
    }
  }

  private static DecodeException malformed(String message) {
    return new DecodeException(DropReason.MALFORMED, message);
  }
}
