package io.libgossip.serf;

/**
 * Counters of a {@link SerfLayer} since it was built (each only grows).
 *
 * @param malformed inbound messages or push-pull states that did not decode, or carried something
 *     out of place (a bad reply address, a Serf message type that never travels as a user message)
 * @param stale user events and queries ignored as older than the event or query buffer, or from
 *     before a join that asked to ignore old events
 * @param duplicates intents, user events, queries and query responses already seen
 * @param deliveriesDropped events and queries not handed to the application because its queue was
 *     full
 * @param handlerFailures application callbacks that threw, or query answers that failed
 * @param broadcastsPruned queued broadcasts dropped because a queue was over its depth
 * @param responsesDropped query answers not sent: too large, or past the query's deadline
 * @param unknownResponses query responses for no query of this node (finished or never asked)
 * @param capacityDrops intents, members, event entries or query responders refused at a bound
 * @param relayed query responses forwarded for another node (Serf's relay)
 * @param keyOperations key queries applied ({@code serf keys}), successful or not
 */
public record SerfLayerStats(
    long malformed,
    long stale,
    long duplicates,
    long deliveriesDropped,
    long handlerFailures,
    long broadcastsPruned,
    long responsesDropped,
    long unknownResponses,
    long capacityDrops,
    long relayed,
    long keyOperations) {}
