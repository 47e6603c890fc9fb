package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's calls into a core's application-messaging commands, in one place: user
 * broadcasts, queries and query answers.
 */
@SuppressWarnings("DoNotCallSuggester") // until the core has these commands
final class CoreMessaging {
  private CoreMessaging() {}

  /** {@code GossipCore#broadcast}: returns the broadcast's sequence number at its origin. */
  static long broadcast(
      GossipCore core, String topic, byte[] payload, @Nullable String key, long now) {
    return core.broadcast(topic, payload, key, now);
  }

  /** {@code GossipCore#query}: returns the query's id at its origin. */
  static long query(GossipCore core, String name, byte[] payload, QueryOptions options, long now) {
    throw new UnsupportedOperationException("this core has no queries yet");
  }

  /** {@code GossipCore#respondToQuery}. */
  static void respondToQuery(GossipCore core, QueryRequest query, byte[] payload, long now) {
    throw new UnsupportedOperationException("this core has no queries yet");
  }
}
