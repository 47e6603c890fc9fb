package io.libgossip.memberlist;

import java.util.List;
import java.util.Map;

/**
 * One Serf message, carried as the payload of a memberlist user message (and, for {@link PushPull},
 * as the push-pull user state). The type byte comes first on the wire ({@link #type()}); Lamport
 * times are unsigned 64-bit values kept in a {@code long}.
 */
public sealed interface SerfMessage {
  /**
   * The message's type byte.
   *
   * @return the Serf type number
   */
  int type();

  /**
   * {@code node} leaves (or, with {@code prune}, is to be forgotten) at Lamport time {@code ltime}.
   *
   * @param ltime the member clock time of the intent
   * @param node node name
   * @param prune whether to remove the node entirely
   */
  record Leave(long ltime, String node, boolean prune) implements SerfMessage {
    @Override
    public int type() {
      return 0;
    }
  }

  /**
   * {@code node} joins at Lamport time {@code ltime}.
   *
   * @param ltime the member clock time of the intent
   * @param node node name
   */
  record Join(long ltime, String node) implements SerfMessage {
    @Override
    public int type() {
      return 1;
    }
  }

  /**
   * One Lamport time's user events, as exchanged in a push-pull.
   *
   * @param ltime the event clock time
   * @param events name and payload of each event
   */
  record UserEvents(long ltime, List<Map.Entry<String, WireBytes>> events) {
    /** Copies the list. */
    public UserEvents {
      events = List.copyOf(events);
    }
  }

  /**
   * Serf's state in a memberlist push-pull.
   *
   * @param ltime member clock
   * @param statusLTimes each node's last status change time
   * @param leftMembers nodes that left
   * @param eventLTime event clock
   * @param events recent events
   * @param queryLTime query clock
   */
  record PushPull(
      long ltime,
      Map<String, Long> statusLTimes,
      List<String> leftMembers,
      long eventLTime,
      List<UserEvents> events,
      long queryLTime)
      implements SerfMessage {
    /** Copies the collections. */
    public PushPull {
      statusLTimes = Map.copyOf(statusLTimes);
      leftMembers = List.copyOf(leftMembers);
      events = List.copyOf(events);
    }

    @Override
    public int type() {
      return 2;
    }
  }

  /**
   * A user event ({@code serf event}).
   *
   * @param ltime event clock time
   * @param name event name
   * @param payload event payload
   * @param coalesce whether events of the same name may be coalesced
   */
  record UserEvent(long ltime, String name, WireBytes payload, boolean coalesce)
      implements SerfMessage {
    @Override
    public int type() {
      return 3;
    }
  }

  /**
   * A query ({@code serf query}); names starting {@code _serf_} are Serf's internal queries.
   *
   * @param ltime query clock time
   * @param id query id
   * @param addr reply address
   * @param port reply port
   * @param sourceNode reply node name
   * @param filters encoded filters (type byte then msgpack)
   * @param flags bit 0: ack wanted; bit 1: do not rebroadcast
   * @param relayFactor number of relayed duplicate responses
   * @param timeoutNanos response deadline in nanoseconds
   * @param name query name
   * @param payload query payload
   */
  record Query(
      long ltime,
      long id,
      WireBytes addr,
      int port,
      String sourceNode,
      List<WireBytes> filters,
      long flags,
      int relayFactor,
      long timeoutNanos,
      String name,
      WireBytes payload)
      implements SerfMessage {
    /** Copies the list. */
    public Query {
      filters = List.copyOf(filters);
    }

    @Override
    public int type() {
      return 4;
    }
  }

  /**
   * An ack or a response to a query.
   *
   * @param ltime the query's clock time
   * @param id the query's id
   * @param from responding node
   * @param flags bit 0 set for an ack
   * @param payload response payload
   */
  record QueryResponse(long ltime, long id, String from, long flags, WireBytes payload)
      implements SerfMessage {
    @Override
    public int type() {
      return 5;
    }
  }

  /**
   * A member description answering Serf's name-conflict query.
   *
   * @param name node name
   * @param addr address
   * @param port port
   * @param tags tags
   */
  record ConflictResponse(String name, WireBytes addr, int port, Map<String, String> tags)
      implements SerfMessage {
    /** Copies the map. */
    public ConflictResponse {
      tags = Map.copyOf(tags);
    }

    @Override
    public int type() {
      return 6;
    }
  }

  /**
   * A keyring operation's key (payload of the internal key queries).
   *
   * @param key the key bytes
   */
  record KeyRequest(WireBytes key) implements SerfMessage {
    @Override
    public int type() {
      return 7;
    }
  }

  /**
   * A node's answer to a keyring query.
   *
   * @param result whether the operation succeeded
   * @param message error text
   * @param keys installed keys (list-keys), base64
   * @param primaryKey the key used to encrypt (list-keys), base64; empty otherwise
   */
  record KeyResponse(boolean result, String message, List<String> keys, String primaryKey)
      implements SerfMessage {
    /** Copies the list. */
    public KeyResponse {
      keys = List.copyOf(keys);
    }

    @Override
    public int type() {
      return 8;
    }
  }

  /**
   * A message to forward to {@code destName} at {@code destAddr:destPort} (query relays).
   *
   * @param destAddr destination IP
   * @param destPort destination port
   * @param destName destination node
   * @param inner the relayed message
   */
  record Relay(WireBytes destAddr, int destPort, String destName, SerfMessage inner)
      implements SerfMessage {
    @Override
    public int type() {
      return 9;
    }
  }

  /**
   * One of a query's filters ({@link Query#filters()}): a type byte then msgpack. A node processes
   * a query only when it passes every filter.
   */
  sealed interface Filter {}

  /**
   * Filter type 0: the query is for the named nodes only.
   *
   * @param nodes node names
   */
  record NodeFilter(List<String> nodes) implements Filter {
    /** Copies the list. */
    public NodeFilter {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * Filter type 1: the query is for nodes whose tag {@code tag} matches the regular expression
   * {@code expr} (Go's RE2 syntax, unanchored: a match anywhere in the value counts).
   *
   * @param tag tag name
   * @param expr regular expression
   */
  record TagFilter(String tag, String expr) implements Filter {}
}
