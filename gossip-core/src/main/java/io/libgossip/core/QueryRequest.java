package io.libgossip.core;

import java.util.Objects;

/**
 * A query this node is asked to answer (Serf's queries): delivered to the {@link MessageHandler} of
 * every member the query targets; answer with {@link GossipCore#respondToQuery}.
 *
 * @param origin the id of the member that asked
 * @param id the query's id at its origin
 * @param name what is asked, chosen by the application (printable, 1 to 64 bytes)
 * @param payload the application bytes; not copied, do not modify
 * @param ackRequested whether the origin asked for an acknowledgement on delivery (sent by the core
 *     itself, before the application answers)
 */
@SuppressWarnings(
    "ArrayRecordComponent") // payloads are handed over, not copied: equals compares them by
// identity
public record QueryRequest(
    String origin, long id, String name, byte[] payload, boolean ackRequested) {
  /** Checks that no field is null. */
  public QueryRequest {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
  }
}
