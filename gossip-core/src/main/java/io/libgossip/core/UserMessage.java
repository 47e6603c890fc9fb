package io.libgossip.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A direct application message between two members (wire type 7, {@link
 * GossipMessage.MessageType#USER}, only at wire version 4 and later): a one-way message, a request,
 * its response, a delivery receipt or a refusal.
 *
 * <p>{@code id} ties the parts together: a {@link Kind#MESSAGE} sent with {@link Delivery#RELIABLE}
 * carries the id {@link GossipCore#send} returned (0 for a best-effort one, which gets no receipt),
 * and the receiver's core answers it with a {@link Kind#RECEIPT} of the same id; a {@link
 * Kind#REQUEST} carries the id {@link GossipCore#request} returned and is answered by a {@link
 * Kind#RESPONSE} or {@link Kind#REJECT} of the same id. A runtime that cannot hand over a {@link
 * #originatedHere() MESSAGE or REQUEST} reports it with {@link GossipCore#cancel}.
 *
 * @param from the sender's id
 * @param fromAddress the sender's address
 * @param id the id of the message or request (0 only for a best-effort {@link Kind#MESSAGE})
 * @param kind what it is
 * @param reliable whether the sender handed it to the reliable path ({@link Delivery#RELIABLE})
 * @param topic for {@link Kind#MESSAGE} and {@link Kind#REQUEST}: the application's topic,
 *     printable, 1 to {@link #MAX_TOPIC_BYTES} bytes of UTF-8; empty for the other kinds
 * @param payload the application bytes (empty for {@link Kind#RECEIPT} and {@link Kind#REJECT});
 *     not copied, do not modify
 * @param updates piggybacked membership updates
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the payload by content
public record UserMessage(
    String from,
    NodeAddress fromAddress,
    long id,
    Kind kind,
    boolean reliable,
    String topic,
    byte[] payload,
    List<MemberUpdate> updates)
    implements GossipMessage {

  /** The longest topic (and query name), in bytes of UTF-8. */
  public static final int MAX_TOPIC_BYTES = 64;

  /** What a {@link UserMessage} is. The codes are part of the wire format and never change. */
  public enum Kind {
    /** A one-way message ({@link GossipCore#send}). */
    MESSAGE(0),
    /** A request waiting for a {@link #RESPONSE} ({@link GossipCore#request}). */
    REQUEST(1),
    /** The answer to a {@link #REQUEST} ({@link GossipCore#respond}). */
    RESPONSE(2),
    /** The receiver's core got a reliable {@link #MESSAGE}. */
    RECEIPT(3),
    /** The receiver refuses a {@link #REQUEST} ({@link GossipCore#reject}). */
    REJECT(4);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    /** The kind's wire code (bits 0..2 of the flags byte). */
    public int code() {
      return code;
    }

    /** The kind with wire code {@code code}, or null. */
    public static @Nullable Kind fromCode(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      return null;
    }
  }

  /** Checks the fields (see the parameters) and copies the updates. */
  public UserMessage {
    MemberUpdate.checkId(from, "from");
    Objects.requireNonNull(fromAddress, "fromAddress");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    boolean carriesTopic = kind == Kind.MESSAGE || kind == Kind.REQUEST;
    if (carriesTopic) {
      checkTopic(topic, "topic");
    } else if (!topic.isEmpty()) {
      throw new IllegalArgumentException("a " + kind + " carries no topic, got " + topic);
    }
    if (id == 0 && (kind != Kind.MESSAGE || reliable)) {
      throw new IllegalArgumentException("a " + kind + " needs an id other than 0");
    }
    if ((kind == Kind.RECEIPT || kind == Kind.REJECT) && payload.length != 0) {
      throw new IllegalArgumentException("a " + kind + " carries no payload");
    }
    updates = List.copyOf(updates);
  }

  /** A message without piggybacked updates. */
  public UserMessage(
      String from,
      NodeAddress fromAddress,
      long id,
      Kind kind,
      boolean reliable,
      String topic,
      byte[] payload) {
    this(from, fromAddress, id, kind, reliable, topic, payload, List.of());
  }

  /**
   * {@code topic} when it is printable and 1 to {@link #MAX_TOPIC_BYTES} bytes of UTF-8.
   *
   * @throws IllegalArgumentException naming {@code what} otherwise
   */
  static String checkTopic(String topic, String what) {
    Objects.requireNonNull(topic, what);
    String problem = WireLimits.textProblem(topic, what, MAX_TOPIC_BYTES);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return topic;
  }

  /**
   * Whether this node's runtime may report a failed hand-over of it with {@link GossipCore#cancel}:
   * a {@link Kind#MESSAGE} with an id or a {@link Kind#REQUEST}, whose id this node gave out.
   */
  public boolean originatedHere() {
    return id != 0 && (kind == Kind.MESSAGE || kind == Kind.REQUEST);
  }

  @Override
  public MessageType type() {
    return MessageType.USER;
  }

  @Override
  public UserMessage withUpdates(List<MemberUpdate> updates) {
    return new UserMessage(from, fromAddress, id, kind, reliable, topic, payload, updates);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof UserMessage m
        && from.equals(m.from)
        && fromAddress.equals(m.fromAddress)
        && id == m.id
        && kind == m.kind
        && reliable == m.reliable
        && topic.equals(m.topic)
        && Arrays.equals(payload, m.payload)
        && updates.equals(m.updates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, fromAddress, id, kind, reliable, topic, updates)
        + 31 * Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "UserMessage[from="
        + from
        + ", id="
        + id
        + ", kind="
        + kind
        + ", reliable="
        + reliable
        + ", topic="
        + topic
        + ", payload="
        + payload.length
        + " bytes, updates="
        + updates.size()
        + "]";
  }
}
