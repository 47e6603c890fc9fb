package io.libgossip.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * A query (wire type 8, {@link GossipMessage.MessageType#QUERY}, only at wire version 4 and later),
 * sent by its origin straight to each member it targets and again to those that have not answered;
 * see {@link GossipCore#query}. Its target checks the metadata filters again against its own
 * metadata, delivers it once ({@link MessageHandler#onQuery}) and answers with {@link
 * QueryReplyMessage}s.
 *
 * @param from the origin's id
 * @param fromAddress the origin's address
 * @param id the query's id at the origin (not 0)
 * @param name what is asked: printable, 1 to {@link UserMessage#MAX_TOPIC_BYTES} bytes of UTF-8
 * @param ackRequested whether targets acknowledge it on delivery
 * @param timeoutMillis how long the origin waits, in milliseconds (1 to one hour): how long a
 *     target remembers it, to answer a repeated copy without delivering it again
 * @param filters metadata key to a regular expression its value must match in full (at most {@link
 *     #MAX_FILTERS}, keys and patterns 1 to 255 bytes of UTF-8, keys printable); kept sorted
 * @param payload the application bytes; not copied, do not modify
 * @param updates piggybacked membership updates
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare the payload by content
public record QueryMessage(
    String from,
    NodeAddress fromAddress,
    long id,
    String name,
    boolean ackRequested,
    long timeoutMillis,
    SortedMap<String, String> filters,
    byte[] payload,
    List<MemberUpdate> updates)
    implements GossipMessage {

  /** The most metadata filters a query carries. */
  public static final int MAX_FILTERS = 16;

  /** The longest filter key or pattern, in bytes of UTF-8. */
  public static final int MAX_FILTER_BYTES = 255;

  /** The longest timeout a query may carry: one hour, in milliseconds. */
  public static final long MAX_TIMEOUT_MILLIS = 3_600_000L;

  /** Checks the fields (see the parameters), copies the filters and the updates. */
  public QueryMessage {
    MemberUpdate.checkId(from, "from");
    Objects.requireNonNull(fromAddress, "fromAddress");
    UserMessage.checkTopic(name, "query name");
    if (id == 0) {
      throw new IllegalArgumentException("a query needs an id other than 0");
    }
    if (timeoutMillis < 1 || timeoutMillis > MAX_TIMEOUT_MILLIS) {
      throw new IllegalArgumentException(
          "query timeout must be in [1, " + MAX_TIMEOUT_MILLIS + "] ms, got " + timeoutMillis);
    }
    Objects.requireNonNull(filters, "filters");
    if (filters.size() > MAX_FILTERS) {
      throw new IllegalArgumentException(
          "at most " + MAX_FILTERS + " metadata filters, got " + filters.size());
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> f : filters.entrySet()) {
      String problem = WireLimits.textProblem(f.getKey(), "filter key", MAX_FILTER_BYTES);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      String regex = Objects.requireNonNull(f.getValue(), "filter pattern");
      int bytes = Utf8.length(regex);
      if (bytes < 1 || bytes > MAX_FILTER_BYTES) {
        throw new IllegalArgumentException(
            "filter pattern must be 1 to " + MAX_FILTER_BYTES + " bytes, got " + bytes);
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("invalid filter pattern: " + e.getDescription(), e);
      }
      copy.put(f.getKey(), regex);
    }
    filters = java.util.Collections.unmodifiableSortedMap(copy);
    Objects.requireNonNull(payload, "payload");
    updates = List.copyOf(updates);
  }

  @Override
  public MessageType type() {
    return MessageType.QUERY;
  }

  @Override
  public QueryMessage withUpdates(List<MemberUpdate> updates) {
    return new QueryMessage(
        from, fromAddress, id, name, ackRequested, timeoutMillis, filters, payload, updates);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof QueryMessage m
        && from.equals(m.from)
        && fromAddress.equals(m.fromAddress)
        && id == m.id
        && name.equals(m.name)
        && ackRequested == m.ackRequested
        && timeoutMillis == m.timeoutMillis
        && filters.equals(m.filters)
        && Arrays.equals(payload, m.payload)
        && updates.equals(m.updates);
  }

  @Override
  public int hashCode() {
    return Objects.hash(from, fromAddress, id, name, ackRequested, timeoutMillis, filters, updates)
        + 31 * Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "QueryMessage[from="
        + from
        + ", id="
        + id
        + ", name="
        + name
        + ", ack="
        + ackRequested
        + ", timeoutMillis="
        + timeoutMillis
        + ", filters="
        + filters
        + ", payload="
        + payload.length
        + " bytes, updates="
        + updates.size()
        + "]";
  }
}
