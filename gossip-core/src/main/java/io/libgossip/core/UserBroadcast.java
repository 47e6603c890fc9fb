package io.libgossip.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An application broadcast as delivered to a node's {@link MessageHandler}: sent once by {@code
 * origin} with {@link GossipCore#broadcast}, spread epidemically, delivered at most once per node
 * and life of the origin.
 *
 * @param origin the id of the member that broadcast it
 * @param seq its number among the origin's broadcasts in this life of the origin (increasing)
 * @param topic what it is about, chosen by the application (printable, 1 to 64 bytes)
 * @param key when not null, a newer broadcast from the same origin with the same topic and key
 *     supersedes this one: a node that has not delivered this one yet never will
 * @param payload the application bytes; not copied, do not modify
 */
@SuppressWarnings(
    "ArrayRecordComponent") // payloads are handed over, not copied: equals compares them by
// identity
public record UserBroadcast(
    String origin, long seq, String topic, @Nullable String key, byte[] payload) {
  /** Checks that no field is null. */
  public UserBroadcast {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
  }
}
