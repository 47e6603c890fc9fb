package io.libgossip.sim;

import io.libgossip.core.GossipCore;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's calls into a core's application-messaging commands, in one place: user
 * broadcasts, queries and query answers.
 *
 * <p>Queries ({@code GossipCore#query}, {@code GossipCore#respondToQuery}) are looked up by
 * reflection, so that this module builds against a core with or without them (they are developed on
 * another branch); without them, a query is an {@link UnsupportedOperationException}. Once both are
 * on one branch, call them directly.
 */
final class CoreMessaging {
  private static final @Nullable Method QUERY =
      find("query", String.class, byte[].class, QueryOptions.class, long.class);
  private static final @Nullable Method RESPOND =
      find("respondToQuery", QueryRequest.class, byte[].class, long.class);

  private CoreMessaging() {}

  private static @Nullable Method find(String name, Class<?>... types) {
    try {
      return GossipCore.class.getMethod(name, types);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  /** {@code GossipCore#broadcast}: returns the broadcast's sequence number at its origin. */
  static long broadcast(
      GossipCore core, String topic, byte[] payload, @Nullable String key, long now) {
    return core.broadcast(topic, payload, key, now);
  }

  /** {@code GossipCore#query}: returns the query's id at its origin. */
  static long query(GossipCore core, String name, byte[] payload, QueryOptions options, long now) {
    Object id = invoke(QUERY, core, name, payload, options, now);
    return id instanceof Long l ? l : 0;
  }

  /** {@code GossipCore#respondToQuery}. */
  static void respondToQuery(GossipCore core, QueryRequest query, byte[] payload, long now) {
    invoke(RESPOND, core, query, payload, now);
  }

  private static @Nullable Object invoke(@Nullable Method m, GossipCore core, Object... args) {
    if (m == null) {
      throw new UnsupportedOperationException("this core has no queries");
    }
    try {
      return m.invoke(core, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
