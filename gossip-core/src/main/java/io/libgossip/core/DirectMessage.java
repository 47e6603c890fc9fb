package io.libgossip.core;

import java.util.Objects;

/**
 * An application message one member sent to this node with {@link GossipCore#send} or {@link
 * GossipCore#request}.
 *
 * @param from the sender's id
 * @param topic what it is about, chosen by the sender (printable, 1 to 64 bytes)
 * @param payload the application bytes; not copied, do not modify
 * @param delivery the path it came by: {@link Delivery#BEST_EFFORT} (a datagram) or {@link
 *     Delivery#RELIABLE} (a stream)
 * @param requestId zero for a one-way message; otherwise the sender waits for an answer, given with
 *     {@link GossipCore#respond(String, long, byte[], long)}
 */
@SuppressWarnings(
    "ArrayRecordComponent") // payloads are handed over, not copied: equals compares them by
// identity
public record DirectMessage(
    String from, String topic, byte[] payload, Delivery delivery, long requestId) {
  /** Checks that no field is null. */
  public DirectMessage {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(delivery, "delivery");
  }

  /** Whether the sender waits for an answer. */
  public boolean isRequest() {
    return requestId != 0;
  }
}
