package io.libgossip.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Queries (Serf's, sent directly): the origin sends the query straight to every live member that
 * matches its filters, and again every {@link GossipConfig#queryRetryInterval()} (up to {@link
 * GossipConfig#queryRetries()} times) to the targets that have neither acknowledged nor answered
 * it. It ends as soon as every targeted member still alive has answered (a target that fails or
 * leaves moves to {@code departed}), or at its timeout.
 *
 * <p>A target checks the metadata filters again against its own metadata, delivers a query once and
 * remembers it (and its answer, when that went best effort) until the query's timeout, so a
 * repeated copy gets the answer again instead of a second delivery.
 */
final class Queries {
  /** How many queries a target remembers at most (the oldest are forgotten first). */
  static final int REMEMBERED = 4096;

  /** The steps a filter pattern may take on one metadata value before it counts as no match. */
  static final int MATCH_STEPS = 100_000;

  /** One query this node asked, waiting for answers. */
  static final class State {
    final long id;
    final QueryMessage message;
    final Delivery delivery;
    final long timeoutAt;
    final Set<String> targeted = new HashSet<>();
    final Set<String> acked = new HashSet<>();
    final Set<String> responded = new HashSet<>();
    final Set<String> departed = new HashSet<>();

    /** Targets that have not answered and have not departed. */
    final Set<String> waiting = new HashSet<>();

    long nextRetryAt;
    int retriesLeft;
    boolean selfPending;

    State(long id, QueryMessage message, Delivery delivery, long timeoutAt) {
      this.id = id;
      this.message = message;
      this.delivery = delivery;
      this.timeoutAt = timeoutAt;
    }
  }

  /** A query delivered here: until when it is remembered, and the answer sent best effort. */
  private static final class Remembered {
    final long expiresAt;
    final boolean ackRequested;
    @Nullable QueryReplyMessage answer;
    boolean answered;

    Remembered(long expiresAt, boolean ackRequested) {
      this.expiresAt = expiresAt;
      this.ackRequested = ackRequested;
    }
  }

  private final SelfState self;
  private final MemberTable table;
  private final Messaging messaging;
  private final Effects effects;
  private final GossipConfig config;
  private final PendingTable pending;
  private final long retryNanos;

  /** Queries delivered here, by origin and id, oldest first. */
  private final LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>();

  private long skippedTooOld;

  Queries(
      SelfState self,
      MemberTable table,
      Messaging messaging,
      Effects effects,
      GossipConfig config,
      PendingTable pending) {
    this.self = self;
    this.table = table;
    this.messaging = messaging;
    this.effects = effects;
    this.config = config;
    this.pending = pending;
    this.retryNanos = config.queryRetryInterval().toNanos();
  }

  long skippedTooOld() {
    return skippedTooOld;
  }

  long query(String name, byte[] payload, QueryOptions options, long now) {
    UserMessage.checkTopic(name, "query name");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    messaging.checkOpen();
    if (options.metadata().size() > QueryMessage.MAX_FILTERS) {
      throw new IllegalArgumentException(
          "at most "
              + QueryMessage.MAX_FILTERS
              + " metadata filters, got "
              + options.metadata().size());
    }
    SortedMap<String, String> filters = new TreeMap<>();
    for (Map.Entry<String, Pattern> f : options.metadata().entrySet()) {
      filters.put(f.getKey(), f.getValue().pattern());
    }
    Duration timeout = options.timeout();
    if (timeout == null) {
      timeout = config.queryTimeout();
    }
    long timeoutMillis = Math.max(1, Math.min(QueryMessage.MAX_TIMEOUT_MILLIS, timeout.toMillis()));
    PendingTable.Entry e = pending.add(PendingTable.Kind.QUERY, self.id, now);
    QueryMessage m;
    try {
      m =
          new QueryMessage(
              self.id,
              self.address,
              e.id,
              name,
              options.requestAck(),
              timeoutMillis,
              filters,
              payload,
              java.util.List.of());
    } catch (IllegalArgumentException ex) {
      pending.remove(e);
      throw ex;
    }
    Delivery delivery = Delivery.BEST_EFFORT;
    if (!messaging.fitsPacket(m)) {
      delivery = Delivery.RELIABLE;
      if (!messaging.fitsReliable(m, payload.length)) {
        pending.remove(e);
        throw new IllegalArgumentException(
            "a query payload of "
                + payload.length
                + " bytes exceeds GossipConfig.maxUserPayloadBytes "
                + config.maxUserPayloadBytes()
                + " or maxMessageSize "
                + config.maxMessageSize());
      }
    }
    State q = new State(e.id, m, delivery, now + timeout.toNanos());
    e.query = q;
    q.retriesLeft = config.queryRetries();
    q.nextRetryAt = now + retryNanos;
    for (Member member : table.all()) {
      if (member.status().isAlive() && options.matches(member.id(), member.state.metadata())) {
        NodeView view = member.view();
        Messaging.Target t = messaging.resolve(member.id());
        NodeView to = t.view();
        if (to == null) {
          skippedTooOld++;
          continue;
        }
        q.targeted.add(member.id());
        q.waiting.add(member.id());
        effects.sendAt(m, view, delivery, t.version());
      }
    }
    if (options.matches(self.id, self.claim().metadata())) {
      q.targeted.add(self.id);
      q.waiting.add(self.id);
      q.selfPending = true; // delivered from the next core call, after the caller has the id
    }
    // due at once: the local delivery, or the end of a query that targets no one
    pending.reschedule(e, q.selfPending || q.waiting.isEmpty() ? now : nextDue(q));
    return e.id;
  }

  private static long nextDue(State q) {
    return q.retriesLeft > 0 ? Schedule.earlier(q.nextRetryAt, q.timeoutAt) : q.timeoutAt;
  }

  /** A due query entry: local delivery, retries, departures, the timeout. */
  void due(PendingTable.Entry e, long now) {
    State q = Objects.requireNonNull(e.query);
    if (q.selfPending) {
      q.selfPending = false;
      QueryMessage m = q.message;
      QueryRequest request =
          new QueryRequest(self.id, q.id, m.name(), m.payload(), m.ackRequested());
      if (m.ackRequested()) {
        q.acked.add(self.id);
        effects.deliver(
            h -> h.onQueryResponse(new QueryResponse(q.id, self.id, true, new byte[0])));
      }
      effects.deliver(h -> h.onQuery(request));
    }
    noticeDepartures(q);
    if (finishIfDone(e, q, now)) {
      return;
    }
    if (q.retriesLeft > 0 && Schedule.due(q.nextRetryAt, now)) {
      q.retriesLeft--;
      q.nextRetryAt = now + retryNanos;
      for (String id : q.waiting) {
        if (!id.equals(self.id) && !q.acked.contains(id)) {
          Messaging.Target t = messaging.resolve(id);
          NodeView to = t.view();
          if (to != null) {
            effects.sendAt(q.message, to, q.delivery, t.version());
          }
        }
      }
    }
    pending.reschedule(e, nextDue(q));
  }

  /** Every tick: targets that failed or left are no longer waited for. */
  void tick(long now) {
    for (PendingTable.Entry e :
        pending.isEmpty() ? java.util.List.<PendingTable.Entry>of() : pending.all()) {
      if (e.kind == PendingTable.Kind.QUERY) {
        State q = Objects.requireNonNull(e.query);
        if (!q.selfPending && noticeDepartures(q)) {
          finishIfDone(e, q, now);
        }
      }
    }
    if (remembered.isEmpty()) {
      return;
    }
    // forget remembered queries past their timeout (roughly oldest first)
    Iterator<Remembered> it = remembered.values().iterator();
    while (it.hasNext()) {
      Remembered r = it.next();
      if (!Schedule.due(r.expiresAt, now)) {
        break;
      }
      it.remove();
    }
  }

  /** Moves waiting targets that are no longer alive to departed; whether any moved. */
  private boolean noticeDepartures(State q) {
    boolean moved = false;
    for (Iterator<String> it = q.waiting.iterator(); it.hasNext(); ) {
      String id = it.next();
      if (id.equals(self.id)) {
        continue;
      }
      Member m = table.get(id);
      if (m == null || !m.status().isAlive()) {
        it.remove();
        q.departed.add(id);
        moved = true;
      }
    }
    return moved;
  }

  /** Ends the query when no one is waited for any more, or at its timeout. */
  private boolean finishIfDone(PendingTable.Entry e, State q, long now) {
    boolean timedOut = Schedule.due(q.timeoutAt, now) && !q.waiting.isEmpty();
    if (!q.waiting.isEmpty() && !timedOut) {
      return false;
    }
    pending.remove(e);
    QueryResult result =
        new QueryResult(q.id, q.targeted, q.acked, q.responded, q.departed, timedOut);
    effects.deliver(h -> h.onQueryDone(result));
    return true;
  }

  /** An answer or acknowledgement for a query this node asked. */
  Received onReply(QueryReplyMessage m, long now) {
    PendingTable.Entry e = pending.get(m.queryId());
    State q = e == null ? null : e.query;
    if (e == null || q == null || !q.targeted.contains(m.from())) {
      effects.drop(DropReason.UNEXPECTED_REPLY);
      return new Received.Dropped(DropReason.UNEXPECTED_REPLY);
    }
    record(e, q, m.from(), m.ack(), m.payload(), now);
    return Received.Applied.of(0);
  }

  private void record(
      PendingTable.Entry e, State q, String from, boolean ack, byte[] payload, long now) {
    if (ack) {
      if (q.acked.add(from)) {
        effects.deliver(h -> h.onQueryResponse(new QueryResponse(q.id, from, true, payload)));
      }
      return;
    }
    if (!q.responded.add(from)) {
      return; // a repeated answer
    }
    q.waiting.remove(from);
    q.departed.remove(from);
    effects.deliver(h -> h.onQueryResponse(new QueryResponse(q.id, from, false, payload)));
    finishIfDone(e, q, now);
  }

  /** A query from another member (or a repeated copy of one). */
  Received onQuery(QueryMessage m, @Nullable Member sender, long now) {
    String key = m.from() + '\n' + m.id();
    Remembered r = remembered.get(key);
    NodeView origin = Member.replyTo(sender, m.fromAddress());
    if (r != null) {
      effects.drop(DropReason.DUPLICATE_QUERY);
      QueryReplyMessage answer = r.answer;
      if (answer != null) {
        sendReply(origin, answer, Delivery.BEST_EFFORT);
      } else if (r.ackRequested && !r.answered) {
        sendReply(origin, ack(m.id()), Delivery.BEST_EFFORT);
      }
      return new Received.Dropped(DropReason.DUPLICATE_QUERY);
    }
    if (!matches(m.filters(), self.claim().metadata())) {
      effects.drop(DropReason.QUERY_NOT_TARGETED);
      return new Received.Dropped(DropReason.QUERY_NOT_TARGETED);
    }
    if (remembered.size() >= REMEMBERED) {
      Iterator<String> oldest = remembered.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    remembered.put(key, new Remembered(now + m.timeoutMillis() * 1_000_000L, m.ackRequested()));
    if (m.ackRequested()) {
      sendReply(origin, ack(m.id()), Delivery.BEST_EFFORT);
    }
    QueryRequest request =
        new QueryRequest(m.from(), m.id(), m.name(), m.payload(), m.ackRequested());
    effects.deliver(h -> h.onQuery(request));
    return Received.Applied.of(0);
  }

  private QueryReplyMessage ack(long queryId) {
    return new QueryReplyMessage(
        self.id, self.address, queryId, true, new byte[0], java.util.List.of());
  }

  private void sendReply(NodeView to, QueryReplyMessage reply, Delivery delivery) {
    Messaging.Target t = messaging.resolve(to.hasId() ? to.id() : "");
    NodeView view = t.view();
    if (view == null) {
      effects.drop(DropReason.UNDELIVERABLE_REPLY);
      return;
    }
    effects.sendAt(reply, view, delivery, t.version());
  }

  void respondToQuery(QueryRequest q, byte[] payload, long now) {
    Objects.requireNonNull(q, "query");
    Objects.requireNonNull(payload, "payload");
    if (q.origin().equals(self.id)) {
      PendingTable.Entry e = pending.get(q.id());
      State state = e == null ? null : e.query;
      if (e != null && state != null && state.targeted.contains(self.id)) {
        record(e, state, self.id, false, payload, now);
      }
      return;
    }
    QueryReplyMessage reply =
        new QueryReplyMessage(self.id, self.address, q.id(), false, payload, java.util.List.of());
    Delivery delivery = Delivery.BEST_EFFORT;
    if (!messaging.fitsPacket(reply)) {
      delivery = Delivery.RELIABLE;
      if (!messaging.fitsReliable(reply, payload.length)) {
        throw new IllegalArgumentException(
            "a query answer of "
                + payload.length
                + " bytes exceeds GossipConfig.maxUserPayloadBytes "
                + config.maxUserPayloadBytes()
                + " or maxMessageSize "
                + config.maxMessageSize());
      }
    }
    Remembered r = remembered.get(q.origin() + '\n' + q.id());
    if (r != null) {
      if (r.answered) {
        return; // one answer per query
      }
      r.answered = true;
      if (delivery == Delivery.BEST_EFFORT) {
        r.answer = reply; // sent again if the query comes again (the answer was lost)
      }
    }
    Messaging.Target t = messaging.resolve(q.origin());
    NodeView view = t.view();
    if (view == null) {
      effects.drop(DropReason.UNDELIVERABLE_REPLY);
      return;
    }
    effects.sendAt(reply, view, delivery, t.version());
  }

  /** Whether {@code meta} passes the metadata filters, each pattern within its step budget. */
  static boolean matches(Map<String, String> filters, Map<String, String> meta) {
    for (Map.Entry<String, String> f : filters.entrySet()) {
      String v = meta.get(f.getKey());
      if (v == null) {
        return false;
      }
      try {
        if (!Pattern.compile(f.getValue()).matcher(new Bounded(v, MATCH_STEPS)).matches()) {
          return false;
        }
      } catch (Bounded.Exhausted | IllegalArgumentException e) {
        return false;
      }
    }
    return true;
  }

  /** A string whose characters may be read a bounded number of times (stops runaway patterns). */
  private static final class Bounded implements CharSequence {
    /** Thrown when the budget is spent. */
    static final class Exhausted extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Exhausted() {
        super("pattern matching took too many steps", null, false, false);
      }
    }

    private final String s;
    private final int[] budget;

    Bounded(String s, int steps) {
      this(s, new int[] {steps});
    }

    private Bounded(String s, int[] budget) {
      this.s = s;
      this.budget = budget;
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      if (--budget[0] < 0) {
        throw new Exhausted();
      }
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Bounded(s.substring(start, end), budget);
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
