package io.libgossip.core;

import java.util.Objects;
import java.util.Set;

/**
 * How a query ended.
 *
 * @param queryId the id {@link GossipCore#query} returned
 * @param targeted the live members the query was sent to (matching its filters when it was asked)
 * @param acked the members that acknowledged it (when acknowledgements were requested)
 * @param responded the members that answered
 * @param departed targeted members that failed or left before answering (no longer waited for)
 * @param timedOut whether the timeout ended it; false when every targeted member still alive
 *     answered first
 */
public record QueryResult(
    long queryId,
    Set<String> targeted,
    Set<String> acked,
    Set<String> responded,
    Set<String> departed,
    boolean timedOut) {
  /** Copies the sets. */
  public QueryResult {
    targeted = Set.copyOf(Objects.requireNonNull(targeted, "targeted"));
    acked = Set.copyOf(Objects.requireNonNull(acked, "acked"));
    responded = Set.copyOf(Objects.requireNonNull(responded, "responded"));
    departed = Set.copyOf(Objects.requireNonNull(departed, "departed"));
  }
}
