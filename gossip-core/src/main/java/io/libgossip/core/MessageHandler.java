package io.libgossip.core;

/**
 * Where {@link GossipCore} delivers application data: broadcasts, direct messages and requests,
 * queries, and the outcomes of what this node sent. Every method has an empty default.
 *
 * <p>Called on the core's thread, synchronously from the core call that received or decided it; it
 * must not call back into the core (answer later with {@link GossipCore#respond} or {@link
 * GossipCore#respondToQuery}). The outcome of a send, request or query is never delivered from
 * within the call that started it, so a caller can register the returned id first. A throwing
 * handler is counted and cannot corrupt the core. {@code GossipNode} adapts this to futures and
 * delivers on its listener executor.
 */
public interface MessageHandler {
  /** A user broadcast, delivered at most once per node (see {@link UserBroadcast}). */
  default void onBroadcast(UserBroadcast broadcast) {}

  /** A direct message or request from another member. */
  default void onMessage(DirectMessage message) {}

  /** A query this node is targeted by. */
  default void onQuery(QueryRequest query) {}

  /** The answer to a request this node made with {@link GossipCore#request}. */
  default void onResponse(long requestId, String from, byte[] payload) {}

  /** A reliable send or request this node made (by the id the core returned) has failed. */
  default void onSendFailed(long id, MessageFailure failure) {}

  /** A reliable send (by id) reached the target's node. */
  default void onDelivered(long id) {}

  /** An acknowledgement of or answer to a query this node asked. */
  default void onQueryResponse(QueryResponse response) {}

  /** A query this node asked has ended. */
  default void onQueryDone(QueryResult result) {}
}
