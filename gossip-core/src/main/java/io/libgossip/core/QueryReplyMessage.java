package io.libgossip.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A target's acknowledgement of or answer to a query (wire type 9, {@link
 * GossipMessage.MessageType#QUERY_REPLY}, only at wire version 4 and later), sent to the query's
 * origin: best effort when it fits a packet, reliable otherwise.
 *
 * @param from the answering member's id
 * @param fromAddress its address
 * @param queryId the query's id at its origin (not 0)
 * @param ack true for an acknowledgement (then the payload is empty), false for an answer
 * @param payload the answer's bytes; not copied, do not modify
 * @param updates piggybacked membership updates
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the payload by content
public record QueryReplyMessage(
    String from,
    NodeAddress fromAddress,
    long queryId,
    boolean ack,
    byte[] payload,
    List<MemberUpdate> updates)
    implements GossipMessage {

  /** Checks the fields and copies the updates. */
  public QueryReplyMessage {
    MemberUpdate.checkId(from, "from");
    Objects.requireNonNull(fromAddress, "fromAddress");
    Objects.requireNonNull(payload, "payload");
    if (queryId == 0) {
      throw new IllegalArgumentException("a query reply needs a query id other than 0");
    }
    if (ack && payload.length != 0) {
      throw new IllegalArgumentException("a query acknowledgement carries no payload");
    }
    updates = List.copyOf(updates);
  }

  @Override
  public MessageType type() {
    return MessageType.QUERY_REPLY;
  }

  @Override
  public QueryReplyMessage withUpdates(List<MemberUpdate> updates) {
    return new QueryReplyMessage(from, fromAddress, queryId, ack, payload, updates);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof QueryReplyMessage m
        && from.equals(m.from)
        && fromAddress.equals(m.fromAddress)
        && queryId == m.queryId
        && ack == m.ack
        && Arrays.equals(payload, m.payload)
        && updates.equals(m.updates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, fromAddress, queryId, ack, updates) + 31 * Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "QueryReplyMessage[from="
        + from
        + ", queryId="
        + queryId
        + ", ack="
        + ack
        + ", payload="
        + payload.length
        + " bytes, updates="
        + updates.size()
        + "]";
  }
}
