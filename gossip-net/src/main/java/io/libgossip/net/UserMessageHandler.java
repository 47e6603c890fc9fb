package io.libgossip.net;

import io.libgossip.core.DirectMessage;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.UserBroadcast;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Receives the application data other members send to a {@link GossipNode}: broadcasts, direct
 * messages, requests and queries. Set it with {@link GossipNode.Builder#messageHandler}; every
 * method has a default.
 *
 * <p><b>Threading.</b> Calls come one at a time, in the order the node received them, on a thread
 * of the node reserved for them (never its event loop), so messages from one sender arrive in the
 * order the node got them; nothing orders messages of different senders. A handler that throws is
 * logged and counted ({@link MessageStats#handlerFailures()}); it keeps receiving. A slow handler
 * delays the ones after it: when more than {@link GossipNode.Builder#messageQueueCapacity} messages
 * (or their bytes) wait, new ones are dropped and counted ({@link MessageStats#dropped()}); a
 * dropped request is answered {@link MessageFailure#REJECTED}. Answer requests and queries through
 * the returned futures rather than by blocking.
 *
 * <p>Payload arrays are handed over without a copy: do not modify them.
 */
public interface UserMessageHandler {
  /**
   * A broadcast another member made with {@link GossipNode#broadcast}; each reaches a node at most
   * once, and never its own origin.
   */
  default void onBroadcast(UserBroadcast broadcast) {}

  /**
   * A one-way message another member sent with {@link GossipNode#send} or {@link
   * GossipNode#sendReliable}.
   */
  default void onMessage(DirectMessage message) {}

  /**
   * A request another member made with {@link GossipNode#requestResponse}: the returned future's
   * value is sent back as the answer. A future that fails, completes with null, or a null future,
   * answers {@link MessageFailure#REJECTED}. The default rejects every request.
   */
  default @Nullable CompletableFuture<byte[]> onRequest(DirectMessage request) {
    return CompletableFuture.failedFuture(
        new MessageException(MessageFailure.REJECTED, "no request handler"));
  }

  /**
   * A query this node is targeted by ({@link GossipNode#query}): the returned future's value is
   * sent back as this node's answer. Null, a future that completes with null, or one that fails
   * sends no answer (an acknowledgement, when the asker wanted one, is sent anyway). The default
   * answers nothing.
   */
  default @Nullable CompletableFuture<byte[]> onQuery(QueryRequest query) {
    return null;
  }
}
