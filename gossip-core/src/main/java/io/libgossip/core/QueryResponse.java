package io.libgossip.core;

import java.util.Objects;

/**
 * One member's acknowledgement of or answer to a query this node asked.
 *
 * @param queryId the id {@link GossipCore#query} returned
 * @param from the answering member's id
 * @param ack true for an acknowledgement (empty payload), false for an answer
 * @param payload the answer's bytes; not copied, do not modify
 */
@SuppressWarnings(
    "ArrayRecordComponent") // payloads are handed over, not copied: equals compares them by
// identity
public record QueryResponse(long queryId, String from, boolean ack, byte[] payload) {
  /** Checks that no field is null. */
  public QueryResponse {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(payload, "payload");
  }
}
