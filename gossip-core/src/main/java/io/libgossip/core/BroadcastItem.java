package io.libgossip.core;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A user broadcast as it rides on a packet (see {@link GossipMessage#broadcasts()}): either the
 * whole broadcast, or, for a payload too large to piggyback, its announcement, whose body a
 * receiver pulls with a {@link GossipMessage.BroadcastPull} over {@link Delivery#RELIABLE}.
 *
 * @param origin the id of the member that broadcast it
 * @param life the origin's life: its starting incarnation (its generation when it was given a wall
 *     clock at start) or a random number; a restarted origin numbers its broadcasts from 1 again in
 *     a new life
 * @param seq its number among the origin's broadcasts in that life, from 1
 * @param topic what it is about (printable, 1 to 64 bytes of UTF-8)
 * @param key when not null, supersedes the origin's older broadcasts with the same topic and key
 *     (printable, 1 to 64 bytes of UTF-8)
 * @param size the payload's size in bytes
 * @param payload the payload ({@code size} bytes), or empty for an announcement ({@code size > 0});
 *     not copied
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare payloads by content
public record BroadcastItem(
    String origin,
    long life,
    long seq,
    String topic,
    @Nullable String key,
    int size,
    byte[] payload) {

  /** The most bytes of UTF-8 in a topic or a key. */
  public static final int MAX_TOPIC_BYTES = 64;

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException naming the first field out of its bounds
   */
  public BroadcastItem {
    MemberUpdate.checkId(origin, "origin");
    checkTopic(topic, "topic");
    if (key != null) {
      checkTopic(key, "key");
    }
    if (life < 0) {
      throw new IllegalArgumentException("life must be at least 0, got " + life);
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be at least 1, got " + seq);
    }
    Objects.requireNonNull(payload, "payload");
    if (size < 0 || (payload.length != size && payload.length != 0)) {
      throw new IllegalArgumentException(
          "size must be the payload's length, or above 0 with an empty payload (an"
              + " announcement), got size "
              + size
              + " with "
              + payload.length
              + " payload bytes");
    }
  }

  /** Checks a topic or key: printable, 1 to {@link #MAX_TOPIC_BYTES} bytes of UTF-8. */
  static void checkTopic(String s, String what) {
    Objects.requireNonNull(s, what);
    String problem = WireLimits.textProblem(s, what, MAX_TOPIC_BYTES);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Whether this is only the announcement of a broadcast, without its payload. */
  public boolean announced() {
    return payload.length != size;
  }

  /** This item as an announcement, without its payload. */
  BroadcastItem announcement() {
    return announced() ? this : new BroadcastItem(origin, life, seq, topic, key, size, EMPTY);
  }

  /** This announcement with its {@code body}, whose length must be {@link #size()}. */
  BroadcastItem withBody(byte[] body) {
    return new BroadcastItem(origin, life, seq, topic, key, size, body);
  }

  /** As the application sees it. */
  UserBroadcast toUserBroadcast() {
    return new UserBroadcast(origin, seq, topic, key, payload);
  }

  static final byte[] EMPTY = new byte[0];

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof BroadcastItem b
        && life == b.life
        && seq == b.seq
        && size == b.size
        && origin.equals(b.origin)
        && topic.equals(b.topic)
        && Objects.equals(key, b.key)
        && Arrays.equals(payload, b.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, life, seq, topic, key, size) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "BroadcastItem{origin="
        + origin
        + ", life="
        + life
        + ", seq="
        + seq
        + ", topic="
        + topic
        + (key == null ? "" : ", key=" + key)
        + ", size="
        + size
        + (announced() ? ", announced" : "")
        + "}";
  }
}
