package io.libgossip.net;

/**
 * Counters of the application messages a {@link GossipNode} handed to its {@link
 * UserMessageHandler} and of what it is waiting for.
 *
 * @param delivered broadcasts, messages, requests and queries handed to the handler
 * @param dropped those dropped because the handler's queue was full (or the node was closing)
 * @param handlerFailures handler calls that threw (or whose future failed other than by a {@link
 *     MessageException})
 * @param pending reliable sends, requests and queries this node still waits for
 */
public record MessageStats(long delivered, long dropped, long handlerFailures, int pending) {}
