package io.libgossip.serf;

import io.libgossip.core.MessageFailure;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.SerfCodec;
import io.libgossip.memberlist.SerfMessage;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.MessageException;
import io.libgossip.net.UserMessageHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serf's layer for a node in a HashiCorp Serf pool: the {@link MemberlistDelegate} a memberlist
 * transport calls, with Serf's semantics (Serf 0.9, protocol 5):
 *
 * <ul>
 *   <li><b>Lamport clocks</b>: a member clock (join and leave intents), an event clock (user
 *       events) and a query clock, each witnessed from every inbound message and push-pull.
 *   <li><b>Intents</b>: {@link #endJoin} broadcasts this node's join intent, {@link #leave} its
 *       leave intent; other members' intents are recorded with their Lamport times, so when
 *       memberlist reports a member gone ({@link #memberGone}) it is {@link SerfMemberStatus#LEFT}
 *       after a leave intent and {@link SerfMemberStatus#FAILED} otherwise. A stale leave intent
 *       about this node is refuted with a new join intent.
 *   <li><b>User events</b> ({@link #userEvent}): broadcast at the event clock; inbound ones are
 *       deduplicated by Lamport time and content in a buffer of {@link Builder#eventBuffer} times,
 *       older ones ignored, new ones handed to the handler and rebroadcast.
 *   <li><b>Queries</b> ({@link #query}); inbound queries are checked against their filters, acked
 *       when asked, handed to the handler, and its answer is sent straight to the asker; Serf's
 *       internal queries ({@code _serf_ping}, {@code _serf_conflict}, the key queries of {@code
 *       serf keys}) are answered here.
 *   <li><b>Push-pull</b>: {@link #localState} and {@link #mergeRemoteState} carry the clocks,
 *       member status times, left members and recent events.
 * </ul>
 *
 * <p>Broadcasts (intents, then queries, then events) go out through {@link #broadcasts}, each until
 * it was handed out {@code retransmitMult × ceil(log10(n + 1))} times for {@code n} members.
 *
 * <p><b>Threading.</b> Thread-safe. The delegate methods return quickly and never throw; the
 * handler is called one message at a time on the executor of {@link Builder#executor} (a thread of
 * the layer's own by default), behind a bounded queue. Time-outs advance in {@link #tick()}, which
 * the layer calls itself every {@link Builder#tickInterval} unless that is zero.
 */
public final class SerfLayer implements MemberlistDelegate, AutoCloseable {
  /** The name prefix of Serf's internal queries, which never reach the handler. */
  public static final String INTERNAL_QUERY_PREFIX = "_serf_";

  private static final Logger LOG = LoggerFactory.getLogger(SerfLayer.class);
  private static final long FLAG_ACK = 1;
  private static final long FLAG_NO_BROADCAST = 2;
  private static final int MAX_EVENTS_PER_TIME = 64;
  private static final long MAX_QUERY_TIMEOUT_NANOS = TimeUnit.HOURS.toNanos(1);

  private static final class MemberState {
    SerfMemberStatus status = SerfMemberStatus.ALIVE;
    long statusLTime;
  }

  private record Intent(boolean leave, long ltime, long wallNanos) {}

  private static final class EventSlot {
    final long ltime;
    final List<Map.Entry<String, WireBytes>> events = new ArrayList<>();

    EventSlot(long ltime) {
      this.ltime = ltime;
    }
  }

  private static final class QuerySlot {
    final long ltime;
    final List<Long> ids = new ArrayList<>();

    QuerySlot(long ltime) {
      this.ltime = ltime;
    }
  }

  private static final class Pending {
    final long id;
    final long deadline;
    final boolean wantAcks;
    final Set<String> targeted;
    final Set<String> acked = new LinkedHashSet<>();
    final Set<String> responded = new LinkedHashSet<>();
    final Consumer<QueryResponse> onResponse;
    final CompletableFuture<QueryResult> result = new CompletableFuture<>();

    Pending(
        long id,
        long deadline,
        boolean wantAcks,
        Set<String> targeted,
        Consumer<QueryResponse> onResponse) {
      this.id = id;
      this.deadline = deadline;
      this.wantAcks = wantAcks;
      this.targeted = targeted;
      this.onResponse = onResponse;
    }
  }

  private final String name;
  private final LongSupplier clock;
  private final RandomGenerator random;
  private final IntSupplier memberCount;
  private final SerfSender sender;
  private final Supplier<InetSocketAddress> advertise;
  private final @Nullable SerfKeyringAccess keyring;
  private final Supplier<Map<String, String>> tags;
  private final @Nullable Function<String, @Nullable SerfMemberInfo> memberLookup;
  private final UserMessageHandler handler;
  private final int retransmitMult;
  private final long gossipIntervalNanos;
  private final int queryTimeoutMult;
  private final int userEventSizeLimit;
  private final int querySizeLimit;
  private final int queryResponseSizeLimit;
  private final int maxPendingQueries;
  private final int maxMembers;
  private final int maxResponders;
  private final long leaveTimeoutNanos;
  private final long recentIntentTimeoutNanos;

  private final SerfDispatcher dispatcher;
  private final @Nullable ExecutorService ownExecutor;
  private final @Nullable ScheduledExecutorService ticker;
  private final SerfDropLog dropLog;

  private final Object lock = new Object();
  private final SerfLamportClock memberClock = new SerfLamportClock();
  private final SerfLamportClock eventClock = new SerfLamportClock();
  private final SerfLamportClock queryClock = new SerfLamportClock();
  private final Map<String, MemberState> members = new HashMap<>();
  private final Map<String, Intent> recentIntents = new LinkedHashMap<>();
  private final @Nullable EventSlot[] eventBuffer;
  private final @Nullable QuerySlot[] queryBuffer;
  private final SerfBroadcastQueue intentQueue;
  private final SerfBroadcastQueue queryQueue;
  private final SerfBroadcastQueue eventQueue;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long eventMinTime;
  private boolean eventJoinIgnore;
  private boolean leaving;
  private boolean closed;
  private @Nullable CompletableFuture<Void> leaveDone;
  private long leaveDeadline;

  private final LongAdder malformed = new LongAdder();
  private final LongAdder stale = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder deliveriesDropped = new LongAdder();
  private final LongAdder handlerFailures = new LongAdder();
  private final LongAdder broadcastsPruned = new LongAdder();
  private final LongAdder responsesDropped = new LongAdder();
  private final LongAdder unknownResponses = new LongAdder();
  private final LongAdder capacityDrops = new LongAdder();
  private final LongAdder relayed = new LongAdder();
  private final LongAdder keyOperations = new LongAdder();

  private SerfLayer(Builder b) {
    this.name = b.name;
    this.clock = b.clock;
    this.random = b.random == null ? new SplittableRandom() : b.random;
    this.memberCount = Objects.requireNonNull(b.memberCount, "memberCount is required");
    this.sender = Objects.requireNonNull(b.sender, "sender is required");
    this.advertise = Objects.requireNonNull(b.advertise, "advertise is required");
    this.keyring = b.keyring;
    this.tags = b.tags;
    this.memberLookup = b.memberLookup;
    this.handler = b.handler;
    this.retransmitMult = b.retransmitMult;
    this.gossipIntervalNanos = b.gossipInterval.toNanos();
    this.queryTimeoutMult = b.queryTimeoutMult;
    this.userEventSizeLimit = b.userEventSizeLimit;
    this.querySizeLimit = b.querySizeLimit;
    this.queryResponseSizeLimit = b.queryResponseSizeLimit;
    this.maxPendingQueries = b.maxPendingQueries;
    this.maxMembers = b.maxMembers;
    this.maxResponders = b.maxResponders;
    this.leaveTimeoutNanos = b.leaveTimeout.toNanos();
    this.recentIntentTimeoutNanos = b.recentIntentTimeout.toNanos();
    this.eventBuffer = new EventSlot[b.eventBuffer];
    this.queryBuffer = new QuerySlot[b.queryBuffer];
    this.intentQueue = new SerfBroadcastQueue(b.maxQueueDepth);
    this.queryQueue = new SerfBroadcastQueue(b.maxQueueDepth);
    this.eventQueue = new SerfBroadcastQueue(b.maxQueueDepth);
    this.dropLog = new SerfDropLog(LOG, clock);
    Executor exec = b.executor;
    if (exec == null) {
      ExecutorService own =
          Executors.newSingleThreadExecutor(daemon("serf-layer-" + name + "-handler"));
      this.ownExecutor = own;
      exec = own;
    } else {
      this.ownExecutor = null;
    }
    this.dispatcher = new SerfDispatcher(exec, b.queueCapacity, this::callbackFailed);
    // Serf starts every clock at 1.
    memberClock.increment();
    eventClock.increment();
    queryClock.increment();
    members.put(name, new MemberState());
    if (b.tickInterval.isZero()) {
      this.ticker = null;
    } else {
      ScheduledExecutorService t =
          Executors.newSingleThreadScheduledExecutor(daemon("serf-layer-" + name + "-tick"));
      long every = b.tickInterval.toNanos();
      t.scheduleWithFixedDelay(this::tickGuarded, every, every, TimeUnit.NANOSECONDS);
      this.ticker = t;
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String threadName) {
    return r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * A builder for the layer of node {@code nodeName}.
   *
   * @param nodeName this node's Serf (memberlist) name
   * @return the builder
   */
  public static Builder builder(String nodeName) {
    return new Builder(nodeName);
  }

  // ---------------------------------------------------------------- lifecycle and members

  /**
   * Call before the transport's join push-pulls: with {@code ignoreOldEvents}, user events older
   * than the event clock the joined members report are not delivered (Serf's {@code -replay=false},
   * the agent's default), until {@link #endJoin}.
   *
   * @param ignoreOldEvents whether to skip the events that happened before this join
   */
  public void beginJoin(boolean ignoreOldEvents) {
    synchronized (lock) {
      eventJoinIgnore = ignoreOldEvents;
    }
  }

  /**
   * Call after the transport's join: when it reached at least one member, broadcasts this node's
   * join intent at the member clock (as Serf's {@code Join} does).
   *
   * @param contactedAny whether the join reached any member
   */
  public void endJoin(boolean contactedAny) {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      eventJoinIgnore = false;
      if (contactedAny && !closed) {
        broadcastJoin(memberClock.time(), after);
      }
    }
    runAll(after);
  }

  /**
   * Broadcasts this node's leave intent (Serf's {@code Leave}): its status becomes {@link
   * SerfMemberStatus#LEAVING} and it no longer refutes leave intents. Call it before the
   * transport's own leave (memberlist's dead-self message). Repeated calls return the same future.
   *
   * @return completes once the intent was handed out as often as a broadcast is (at once when this
   *     node knows no other member); fails with a {@link TimeoutException} after {@link
   *     Builder#leaveTimeout}
   */
  public CompletableFuture<Void> leave() {
    List<Runnable> after = new ArrayList<>();
    CompletableFuture<Void> f;
    synchronized (lock) {
      if (leaveDone != null) {
        return leaveDone;
      }
      leaving = true;
      long ltime = memberClock.time();
      memberClock.increment();
      SerfMessage.Leave msg = new SerfMessage.Leave(ltime, name, false);
      handleLeaveIntent(msg, after);
      f = new CompletableFuture<>();
      leaveDone = f;
      if (memberCount.getAsInt() <= 1) {
        f.complete(null);
      } else {
        leaveDeadline = clock.getAsLong() + leaveTimeoutNanos;
        enqueue(intentQueue, SerfCodec.encode(msg).toByteArray(), f, after);
      }
    }
    runAll(after);
    return f;
  }

  /**
   * memberlist reports {@code member} up (a join, or back after a failure): Serf's member state
   * becomes {@link SerfMemberStatus#ALIVE}, or {@link SerfMemberStatus#LEAVING} when a leave intent
   * for it arrived before memberlist's news.
   *
   * @param member the node name
   * @return its status now
   */
  public SerfMemberStatus memberAlive(String member) {
    synchronized (lock) {
      MemberState m = members.get(member);
      if (m == null) {
        if (members.size() >= maxMembers) {
          capacityDrops.increment();
          return SerfMemberStatus.ALIVE;
        }
        m = new MemberState();
        Intent intent = recentIntents.remove(member);
        if (intent != null) {
          m.statusLTime = intent.ltime();
          if (intent.leave()) {
            m.status = SerfMemberStatus.LEAVING;
          }
        }
        members.put(member, m);
      } else {
        m.status = SerfMemberStatus.ALIVE;
      }
      return m.status;
    }
  }

  /**
   * memberlist reports {@code member} gone (dead, or left): {@link SerfMemberStatus#LEFT} when it
   * announced its leave, {@link SerfMemberStatus#FAILED} otherwise.
   *
   * @param member the node name
   * @return its status now, or null when the layer does not know it
   */
  public @Nullable SerfMemberStatus memberGone(String member) {
    synchronized (lock) {
      MemberState m = members.get(member);
      if (m == null) {
        return null;
      }
      if (m.status == SerfMemberStatus.LEAVING) {
        m.status = SerfMemberStatus.LEFT;
      } else if (m.status == SerfMemberStatus.ALIVE) {
        m.status = SerfMemberStatus.FAILED;
      }
      return m.status;
    }
  }

  /**
   * Forgets a member the node no longer tracks (Serf reaps left and failed members after its
   * tombstone and reconnect timeouts).
   *
   * @param member the node name
   */
  public void forgetMember(String member) {
    synchronized (lock) {
      if (!member.equals(name)) {
        members.remove(member);
      }
    }
  }

  /**
   * The status of a member as Serf's layer sees it.
   *
   * @param member the node name
   * @return its status, or null when unknown
   */
  public @Nullable SerfMemberStatus memberStatus(String member) {
    synchronized (lock) {
      MemberState m = members.get(member);
      return m == null ? null : m.status;
    }
  }

  /**
   * The member clock time of a member's last join or leave intent (Serf's status LTime).
   *
   * @param member the node name
   * @return the time, or -1 when the member is unknown
   */
  public long statusLTime(String member) {
    synchronized (lock) {
      MemberState m = members.get(member);
      return m == null ? -1 : m.statusLTime;
    }
  }

  /**
   * Every member the layer knows, with its status.
   *
   * @return name to status, sorted by name
   */
  public Map<String, SerfMemberStatus> members() {
    synchronized (lock) {
      Map<String, SerfMemberStatus> out = new TreeMap<>();
      members.forEach((k, v) -> out.put(k, v.status));
      return out;
    }
  }

  /**
   * The member clock.
   *
   * @return its time
   */
  public long memberTime() {
    return memberClock.time();
  }

  /**
   * The user event clock.
   *
   * @return its time
   */
  public long eventTime() {
    return eventClock.time();
  }

  /**
   * The query clock.
   *
   * @return its time
   */
  public long queryTime() {
    return queryClock.time();
  }

  /**
   * The counters.
   *
   * @return a snapshot
   */
  public SerfLayerStats stats() {
    return new SerfLayerStats(
        malformed.sum(),
        stale.sum(),
        duplicates.sum(),
        deliveriesDropped.sum(),
        handlerFailures.sum(),
        broadcastsPruned.sum(),
        responsesDropped.sum(),
        unknownResponses.sum(),
        capacityDrops.sum(),
        relayed.sum(),
        keyOperations.sum());
  }

  // ---------------------------------------------------------------- user events and queries

  /**
   * Broadcasts a Serf user event ({@code serf event}) at the event clock. It is not delivered to
   * this node's own handler.
   *
   * @param eventName the event name
   * @param payload the payload (copied)
   * @param coalesce whether Serf agents may coalesce events of this name (their handlers then see
   *     only the latest within a coalescing period)
   * @throws IllegalArgumentException when name and payload exceed {@link
   *     Builder#userEventSizeLimit} bytes, before or after encoding
   * @throws IllegalStateException after {@link #close()}
   */
  public void userEvent(String eventName, byte[] payload, boolean coalesce) {
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(payload, "payload");
    byte[] nameBytes = eventName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (nameBytes.length + payload.length > userEventSizeLimit) {
      throw new IllegalArgumentException(
          "user event exceeds the limit of " + userEventSizeLimit + " bytes before encoding");
    }
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the Serf layer is closed");
      }
      SerfMessage.UserEvent msg =
          new SerfMessage.UserEvent(eventClock.time(), eventName, WireBytes.of(payload), coalesce);
      byte[] raw = SerfCodec.encode(msg).toByteArray();
      if (raw.length > userEventSizeLimit) {
        throw new IllegalArgumentException(
            "encoded user event is "
                + raw.length
                + " bytes, over the limit of "
                + userEventSizeLimit);
      }
      eventClock.increment();
      handleUserEvent(msg, false, after);
      enqueue(eventQueue, raw, null, after);
    }
    runAll(after);
  }

  /**
   * Asks a Serf query ({@code serf query}) with this node's advertised address as the reply
   * address; this node answers it too when it matches. Answers and acknowledgements go to {@code
   * onResponse} as they come, one at a time on the handler's executor.
   *
   * <p>Filters: {@link QueryOptions#members()} become Serf's node filter, each {@link
   * QueryOptions#metadata()} entry a tag filter anchored as {@code ^(?:regex)$} (our options match
   * in full, Serf's filters anywhere). The default timeout is Serf's: gossip interval × query
   * timeout multiplier × ceil(log10(n + 1)).
   *
   * @param queryName the query name
   * @param payload the payload (copied)
   * @param options filters, acknowledgements, timeout
   * @param onResponse gets each acknowledgement and answer; one that throws is logged and counted
   * @return the outcome at the timeout ({@link QueryResult#timedOut()} true), or earlier (false)
   *     when the query named its members and each answered (and acknowledged, when asked). Serf
   *     does not say who is targeted: {@link QueryResult#targeted()} is {@link
   *     QueryOptions#members()}, {@link QueryResult#departed()} is empty. Fails with a {@link
   *     MessageException} ({@link MessageFailure#REJECTED}) when {@link Builder#maxPendingQueries}
   *     queries are running, ({@link MessageFailure#SHUTDOWN}) when the layer closes first.
   * @throws IllegalArgumentException when the encoded query exceeds {@link Builder#querySizeLimit}
   */
  public CompletableFuture<QueryResult> query(
      String queryName, byte[] payload, QueryOptions options, Consumer<QueryResponse> onResponse) {
    Objects.requireNonNull(queryName, "queryName");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(onResponse, "onResponse");
    List<WireBytes> filters = new ArrayList<>();
    if (!options.members().isEmpty()) {
      filters.add(
          SerfCodec.encodeFilter(
              new SerfMessage.NodeFilter(List.copyOf(new java.util.TreeSet<>(options.members())))));
    }
    options
        .metadata()
        .forEach(
            (k, p) ->
                filters.add(
                    SerfCodec.encodeFilter(
                        new SerfMessage.TagFilter(k, "^(?:" + p.pattern() + ")$"))));
    InetSocketAddress self = advertise.get();
    InetAddress selfIp = self.getAddress();
    if (selfIp == null) {
      throw new IllegalStateException("the advertised address is unresolved: " + self);
    }
    Duration timeout = options.timeout();
    List<Runnable> after = new ArrayList<>();
    Pending p;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new MessageException(MessageFailure.SHUTDOWN, "the Serf layer is closed"));
      }
      if (pending.size() >= maxPendingQueries) {
        return CompletableFuture.failedFuture(
            new MessageException(
                MessageFailure.REJECTED, maxPendingQueries + " queries are already running"));
      }
      long timeoutNanos = timeout == null ? defaultQueryTimeoutNanos() : timeout.toNanos();
      long flags = options.requestAck() ? FLAG_ACK : 0;
      SerfMessage.Query q =
          new SerfMessage.Query(
              queryClock.time(),
              random.nextInt() & 0x7fffffffL,
              WireBytes.of(selfIp.getAddress()),
              self.getPort(),
              name,
              filters,
              flags,
              0,
              timeoutNanos,
              queryName,
              WireBytes.of(payload));
      byte[] raw = SerfCodec.encode(q).toByteArray();
      if (raw.length > querySizeLimit) {
        throw new IllegalArgumentException(
            "encoded query is " + raw.length + " bytes, over the limit of " + querySizeLimit);
      }
      p =
          new Pending(
              q.id(),
              clock.getAsLong() + timeoutNanos,
              options.requestAck(),
              options.members(),
              onResponse);
      pending.put(q.ltime(), p);
      handleQuery(q, null, after);
      enqueue(queryQueue, raw, null, after);
    }
    runAll(after);
    return p.result;
  }

  /**
   * Serf's default query timeout for the current member count: gossip interval × query timeout
   * multiplier × ceil(log10(n + 1)).
   *
   * @return the timeout
   */
  public Duration defaultQueryTimeout() {
    return Duration.ofNanos(defaultQueryTimeoutNanos());
  }

  private long defaultQueryTimeoutNanos() {
    return gossipIntervalNanos * queryTimeoutMult * scale(memberCount.getAsInt());
  }

  private static int scale(int n) {
    return Math.max(1, (int) Math.ceil(Math.log10(Math.max(1, n) + 1.0)));
  }

  /**
   * Advances time-outs to the injected clock's now: ends queries past their timeout, fails a leave
   * that waited past {@link Builder#leaveTimeout}, forgets intents about unknown members older than
   * {@link Builder#recentIntentTimeout}. Called by the layer's own ticker (see {@link
   * Builder#tickInterval}); callers with their own loop may call it instead.
   */
  public void tick() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      long now = clock.getAsLong();
      Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator();
      while (it.hasNext()) {
        Pending p = it.next().getValue();
        if (now - p.deadline >= 0) {
          it.remove();
          finish(p, true);
        }
      }
      CompletableFuture<Void> l = leaveDone;
      if (l != null && !l.isDone() && now - leaveDeadline >= 0) {
        after.add(
            () ->
                l.completeExceptionally(
                    new TimeoutException("timeout while waiting for the leave intent to go out")));
      }
      recentIntents.values().removeIf(i -> now - i.wallNanos() > recentIntentTimeoutNanos);
    }
    runAll(after);
  }

  private void tickGuarded() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.atError().setMessage("serf layer tick failed").setCause(e).log();
    }
  }

  /**
   * Stops the layer: running queries fail with {@link MessageFailure#SHUTDOWN}, queued broadcasts
   * are dropped, the layer's own threads end. Idempotent.
   */
  @Override
  public void close() {
    List<Runnable> after = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Pending p : pending.values()) {
        after.add(
            () ->
                p.result.completeExceptionally(
                    new MessageException(MessageFailure.SHUTDOWN, "the Serf layer closed")));
      }
      pending.clear();
      List<CompletableFuture<Void>> finished = new ArrayList<>();
      intentQueue.clear(finished);
      queryQueue.clear(finished);
      eventQueue.clear(finished);
      completeAll(finished, after);
    }
    runAll(after);
    if (ticker != null) {
      ticker.shutdownNow();
    }
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
  }

  // ---------------------------------------------------------------- MemberlistDelegate

  @Override
  public void notifyMessage(byte[] message, InetSocketAddress sender) {
    if (message.length == 0) {
      return;
    }
    List<Runnable> after = new ArrayList<>();
    try {
      SerfMessage m = SerfCodec.decode(WireBytes.of(message));
      synchronized (lock) {
        if (closed) {
          return;
        }
        handle(m, message, sender, after);
      }
    } catch (MemberlistDecodeException e) {
      malformed.increment();
      dropLog.drop("malformed", sender, e.getMessage());
      return;
    } catch (RuntimeException e) {
      malformed.increment();
      LOG.atError()
          .setMessage("serf layer failed on an inbound message")
          .addKeyValue("sender", sender)
          .setCause(e)
          .log();
      return;
    }
    runAll(after);
  }

  private void handle(SerfMessage m, byte[] raw, InetSocketAddress from, List<Runnable> after) {
    if (m instanceof SerfMessage.Leave l) {
      if (handleLeaveIntent(l, after)) {
        enqueue(intentQueue, raw.clone(), null, after);
      }
    } else if (m instanceof SerfMessage.Join j) {
      if (handleJoinIntent(j)) {
        enqueue(intentQueue, raw.clone(), null, after);
      }
    } else if (m instanceof SerfMessage.UserEvent e) {
      if (handleUserEvent(e, true, after)) {
        enqueue(eventQueue, raw.clone(), null, after);
      }
    } else if (m instanceof SerfMessage.Query q) {
      if (handleQuery(q, from, after)) {
        enqueue(queryQueue, raw.clone(), null, after);
      }
    } else if (m instanceof SerfMessage.QueryResponse r) {
      handleQueryResponse(r);
    } else if (m instanceof SerfMessage.Relay r) {
      NodeAddress dest = address(r.destAddr(), r.destPort());
      if (!(r.inner() instanceof SerfMessage.QueryResponse) || dest == null) {
        malformed.increment();
        dropLog.drop("bad relay", from, String.valueOf(r.inner().type()));
        return;
      }
      byte[] inner = SerfCodec.encode(r.inner()).toByteArray();
      if (inner.length > queryResponseSizeLimit) {
        responsesDropped.increment();
        return;
      }
      relayed.increment();
      after.add(() -> send(dest, inner));
    } else {
      malformed.increment();
      dropLog.drop("unexpected message type", from, String.valueOf(m.type()));
    }
  }

  @Override
  public List<byte[]> broadcasts(int overhead, int limit) {
    List<CompletableFuture<Void>> finished = new ArrayList<>();
    List<byte[]> out = new ArrayList<>();
    synchronized (lock) {
      int transmitLimit = retransmitMult * scale(memberCount.getAsInt());
      int used = 0;
      for (SerfBroadcastQueue q : List.of(intentQueue, queryQueue, eventQueue)) {
        for (byte[] msg : q.take(overhead, limit - used, transmitLimit, finished)) {
          used += overhead + msg.length;
          out.add(msg);
        }
      }
    }
    for (CompletableFuture<Void> f : finished) {
      f.complete(null);
    }
    return out;
  }

  @Override
  public byte[] localState(boolean join) {
    synchronized (lock) {
      Map<String, Long> status = new HashMap<>();
      List<String> left = new ArrayList<>();
      members.forEach(
          (k, v) -> {
            status.put(k, v.statusLTime);
            if (v.status == SerfMemberStatus.LEFT) {
              left.add(k);
            }
          });
      List<SerfMessage.UserEvents> events = new ArrayList<>();
      for (EventSlot s : eventBuffer) {
        if (s != null) {
          events.add(new SerfMessage.UserEvents(s.ltime, s.events));
        }
      }
      return SerfCodec.encode(
              new SerfMessage.PushPull(
                  memberClock.time(), status, left, eventClock.time(), events, queryClock.time()))
          .toByteArray();
    }
  }

  @Override
  public void mergeRemoteState(byte[] state, boolean join) {
    if (state.length == 0) {
      return;
    }
    List<Runnable> after = new ArrayList<>();
    try {
      if (!(SerfCodec.decode(WireBytes.of(state)) instanceof SerfMessage.PushPull pp)) {
        malformed.increment();
        dropLog.drop("push-pull state of another type", null, String.valueOf(state[0] & 0xff));
        return;
      }
      synchronized (lock) {
        if (closed) {
          return;
        }
        mergeLocked(pp, join, after);
      }
    } catch (MemberlistDecodeException e) {
      malformed.increment();
      dropLog.drop("malformed push-pull state", null, e.getMessage());
      return;
    } catch (RuntimeException e) {
      malformed.increment();
      LOG.atError().setMessage("serf layer failed on a push-pull state").setCause(e).log();
      return;
    }
    runAll(after);
  }

  private void mergeLocked(SerfMessage.PushPull pp, boolean join, List<Runnable> after) {
    // Witness one less: no message with the sender's current time was sent yet.
    if (pp.ltime() > 0) {
      memberClock.witness(pp.ltime() - 1);
    }
    if (pp.eventLTime() > 0) {
      eventClock.witness(pp.eventLTime() - 1);
    }
    if (pp.queryLTime() > 0) {
      queryClock.witness(pp.queryLTime() - 1);
    }
    Set<String> left = new java.util.HashSet<>(pp.leftMembers());
    for (String node : pp.leftMembers()) {
      long t = pp.statusLTimes().getOrDefault(node, 0L);
      handleLeaveIntent(new SerfMessage.Leave(t == Long.MAX_VALUE ? t : t + 1, node, false), after);
    }
    for (Map.Entry<String, Long> e : pp.statusLTimes().entrySet()) {
      if (!left.contains(e.getKey())) {
        handleJoinIntent(new SerfMessage.Join(e.getValue(), e.getKey()));
      }
    }
    if (join && eventJoinIgnore && pp.eventLTime() > eventMinTime) {
      eventMinTime = pp.eventLTime();
    }
    for (SerfMessage.UserEvents evs : pp.events()) {
      for (Map.Entry<String, WireBytes> e : evs.events()) {
        handleUserEvent(
            new SerfMessage.UserEvent(evs.ltime(), e.getKey(), e.getValue(), false), true, after);
      }
    }
  }

  // ---------------------------------------------------------------- Serf's handlers (lock held)

  private void broadcastJoin(long ltime, List<Runnable> after) {
    SerfMessage.Join msg = new SerfMessage.Join(ltime, name);
    memberClock.witness(ltime);
    handleJoinIntent(msg);
    enqueue(intentQueue, SerfCodec.encode(msg).toByteArray(), null, after);
  }

  private boolean handleLeaveIntent(SerfMessage.Leave msg, List<Runnable> after) {
    memberClock.witness(msg.ltime());
    MemberState m = members.get(msg.node());
    if (m == null) {
      return upsertIntent(msg.node(), true, msg.ltime());
    }
    if (msg.ltime() <= m.statusLTime) {
      duplicates.increment();
      return false;
    }
    if (msg.node().equals(name) && !leaving) {
      LOG.atDebug().setMessage("refuting an older leave intent").log();
      broadcastJoin(memberClock.time(), after);
      return false;
    }
    m.statusLTime = msg.ltime();
    switch (m.status) {
      case ALIVE -> m.status = SerfMemberStatus.LEAVING;
      case FAILED -> m.status = SerfMemberStatus.LEFT;
      default -> {}
    }
    if (msg.prune() && m.status == SerfMemberStatus.LEFT && !msg.node().equals(name)) {
      members.remove(msg.node());
    }
    return true;
  }

  private boolean handleJoinIntent(SerfMessage.Join msg) {
    memberClock.witness(msg.ltime());
    MemberState m = members.get(msg.node());
    if (m == null) {
      return upsertIntent(msg.node(), false, msg.ltime());
    }
    if (msg.ltime() <= m.statusLTime) {
      duplicates.increment();
      return false;
    }
    m.statusLTime = msg.ltime();
    if (m.status == SerfMemberStatus.LEAVING) {
      m.status = SerfMemberStatus.ALIVE;
    }
    return true;
  }

  private boolean upsertIntent(String node, boolean leave, long ltime) {
    Intent old = recentIntents.get(node);
    if (old != null && ltime <= old.ltime()) {
      duplicates.increment();
      return false;
    }
    if (old == null && recentIntents.size() >= maxMembers) {
      capacityDrops.increment();
      return false;
    }
    recentIntents.put(node, new Intent(leave, ltime, clock.getAsLong()));
    return true;
  }

  private boolean handleUserEvent(SerfMessage.UserEvent e, boolean deliver, List<Runnable> after) {
    eventClock.witness(e.ltime());
    if (e.ltime() < eventMinTime) {
      stale.increment();
      return false;
    }
    long cur = eventClock.time();
    int n = eventBuffer.length;
    if (cur > n && e.ltime() < cur - n) {
      stale.increment();
      dropLog.drop("old event", null, e.name() + " at " + e.ltime() + ", clock " + cur);
      return false;
    }
    int idx = (int) Long.remainderUnsigned(e.ltime(), n);
    EventSlot slot = eventBuffer[idx];
    Map.Entry<String, WireBytes> entry = Map.entry(e.name(), e.payload());
    if (slot != null && slot.ltime == e.ltime()) {
      if (slot.events.contains(entry)) {
        duplicates.increment();
        return false;
      }
      if (slot.events.size() >= MAX_EVENTS_PER_TIME) {
        capacityDrops.increment();
        return false;
      }
    } else {
      slot = new EventSlot(e.ltime());
      eventBuffer[idx] = slot;
    }
    slot.events.add(entry);
    if (deliver) {
      UserBroadcast b =
          new UserBroadcast(
              "", e.ltime(), e.name(), e.coalesce() ? e.name() : null, e.payload().toByteArray());
      after.add(() -> deliver(() -> handler.onBroadcast(b)));
    }
    return true;
  }

  /** {@code from} is null for this node's own query. Returns whether to rebroadcast. */
  private boolean handleQuery(
      SerfMessage.Query q, @Nullable InetSocketAddress from, List<Runnable> after) {
    queryClock.witness(q.ltime());
    long cur = queryClock.time();
    int n = queryBuffer.length;
    if (cur > n && q.ltime() < cur - n) {
      stale.increment();
      dropLog.drop("old query", from, q.name() + " at " + q.ltime() + ", clock " + cur);
      return false;
    }
    int idx = (int) Long.remainderUnsigned(q.ltime(), n);
    QuerySlot slot = queryBuffer[idx];
    if (slot != null && slot.ltime == q.ltime()) {
      if (slot.ids.contains(q.id())) {
        duplicates.increment();
        return false;
      }
      if (slot.ids.size() >= MAX_EVENTS_PER_TIME) {
        capacityDrops.increment();
        return false;
      }
    } else {
      slot = new QuerySlot(q.ltime());
      queryBuffer[idx] = slot;
    }
    slot.ids.add(q.id());
    boolean rebroadcast = (q.flags() & FLAG_NO_BROADCAST) == 0;
    SerfQueryFilters.Outcome filter = SerfQueryFilters.check(q.filters(), name, tags.get());
    if (!filter.passes()) {
      if (!filter.reason().isEmpty()) {
        malformed.increment();
        dropLog.drop("query filter", from, filter.reason());
      }
      return rebroadcast;
    }
    boolean local = from == null;
    NodeAddress reply = local ? null : address(q.addr(), q.port());
    if (!local && reply == null) {
      malformed.increment();
      dropLog.drop("bad query reply address", from, q.addr() + ":" + q.port());
      return rebroadcast;
    }
    long timeout = Math.min(q.timeoutNanos(), MAX_QUERY_TIMEOUT_NANOS);
    long deadline = clock.getAsLong() + timeout;
    if ((q.flags() & FLAG_ACK) != 0) {
      SerfMessage.QueryResponse ack =
          new SerfMessage.QueryResponse(q.ltime(), q.id(), name, FLAG_ACK, WireBytes.EMPTY);
      if (reply == null) {
        handleQueryResponse(ack);
      } else {
        byte[] raw = SerfCodec.encode(ack).toByteArray();
        after.add(() -> send(reply, raw));
      }
    }
    if (q.name().startsWith(INTERNAL_QUERY_PREFIX)) {
      after.add(() -> internalQuery(q, reply, deadline));
    } else {
      QueryRequest req =
          new QueryRequest(
              q.sourceNode(),
              q.id(),
              q.name(),
              q.payload().toByteArray(),
              (q.flags() & FLAG_ACK) != 0);
      after.add(() -> deliver(() -> answer(req, q, reply, deadline)));
    }
    return rebroadcast;
  }

  private void handleQueryResponse(SerfMessage.QueryResponse r) {
    Pending p = pending.get(r.ltime());
    if (p == null || p.id != r.id()) {
      unknownResponses.increment();
      return;
    }
    boolean ack = (r.flags() & FLAG_ACK) != 0;
    Set<String> seen = ack ? p.acked : p.responded;
    if (seen.contains(r.from())) {
      duplicates.increment();
      return;
    }
    if (seen.size() >= maxResponders) {
      capacityDrops.increment();
      return;
    }
    seen.add(r.from());
    QueryResponse resp =
        new QueryResponse(p.id, r.from(), ack, ack ? new byte[0] : r.payload().toByteArray());
    dispatcher.submit(() -> p.onResponse.accept(resp), false);
    if (!p.targeted.isEmpty()
        && p.responded.containsAll(p.targeted)
        && (!p.wantAcks || p.acked.containsAll(p.targeted))) {
      pending.remove(r.ltime());
      finish(p, false);
    }
  }

  private void finish(Pending p, boolean timedOut) {
    QueryResult result =
        new QueryResult(p.id, p.targeted, p.acked, p.responded, Set.of(), timedOut);
    dispatcher.submit(() -> p.result.complete(result), false);
  }

  private void enqueue(
      SerfBroadcastQueue q,
      byte[] raw,
      @Nullable CompletableFuture<Void> done,
      List<Runnable> after) {
    List<CompletableFuture<Void>> finished = new ArrayList<>();
    int dropped = q.add(raw, done, finished);
    if (dropped > 0) {
      broadcastsPruned.add(dropped);
      dropLog.drop("broadcast queue over its depth", null, dropped + " dropped");
    }
    completeAll(finished, after);
  }

  private static void completeAll(List<CompletableFuture<Void>> fs, List<Runnable> after) {
    for (CompletableFuture<Void> f : fs) {
      after.add(() -> f.complete(null));
    }
  }

  // ---------------------------------------------------------------- off the lock

  private void deliver(Runnable call) {
    if (!dispatcher.submit(call, true)) {
      deliveriesDropped.increment();
      dropLog.drop("handler queue full", null, null);
    }
  }

  private void answer(
      QueryRequest req, SerfMessage.Query q, @Nullable NodeAddress reply, long deadline) {
    CompletableFuture<byte[]> f = handler.onQuery(req);
    if (f == null) {
      return;
    }
    f.whenComplete(
        (bytes, err) -> {
          if (err != null) {
            handlerFailures.increment();
            LOG.atDebug()
                .setMessage("query handler failed")
                .addKeyValue("query", q.name())
                .setCause(err)
                .log();
          } else if (bytes != null) {
            respond(q, reply, deadline, bytes);
          }
        });
  }

  private void respond(
      SerfMessage.Query q, @Nullable NodeAddress reply, long deadline, byte[] payload) {
    SerfMessage.QueryResponse resp =
        new SerfMessage.QueryResponse(q.ltime(), q.id(), name, 0, WireBytes.of(payload));
    byte[] raw = SerfCodec.encode(resp).toByteArray();
    sendResponse(resp, raw, reply, deadline);
  }

  private void sendResponse(
      SerfMessage.QueryResponse resp, byte[] raw, @Nullable NodeAddress reply, long deadline) {
    if (raw.length > queryResponseSizeLimit) {
      responsesDropped.increment();
      dropLog.drop("query response too large", null, raw.length + " bytes");
      return;
    }
    if (clock.getAsLong() - deadline > 0) {
      responsesDropped.increment();
      dropLog.drop("query response past the deadline", null, null);
      return;
    }
    if (reply == null) {
      synchronized (lock) {
        handleQueryResponse(resp);
      }
    } else {
      send(reply, raw);
    }
  }

  private void internalQuery(SerfMessage.Query q, @Nullable NodeAddress reply, long deadline) {
    String kind = q.name();
    if (kind.equals(INTERNAL_QUERY_PREFIX + "ping")) {
      return; // the ack, when asked, is the answer
    }
    if (kind.equals(INTERNAL_QUERY_PREFIX + "conflict")) {
      String node = q.payload().asUtf8();
      Function<String, @Nullable SerfMemberInfo> lookup = memberLookup;
      if (node.equals(name) || lookup == null) {
        return;
      }
      SerfMemberInfo info = lookup.apply(node);
      WireBytes body =
          info == null
              ? SerfCodec.encodeUnknownConflictMember()
              : SerfCodec.encode(
                  new SerfMessage.ConflictResponse(
                      info.name(),
                      WireBytes.of(
                          Objects.requireNonNull(info.address().getAddress()).getAddress()),
                      info.address().getPort(),
                      info.tags()));
      respond(q, reply, deadline, body.toByteArray());
      return;
    }
    if (SerfKeyQueries.isKeyQuery(kind)) {
      keyOperations.increment();
      SerfMessage.KeyResponse kr = SerfKeyQueries.apply(kind, q.payload(), keyring);
      LOG.atInfo()
          .setMessage("serf key query applied")
          .addKeyValue("query", kind)
          .addKeyValue("from", q.sourceNode())
          .addKeyValue("result", kr.result())
          .addKeyValue("message", kr.message())
          .log();
      SerfMessage.QueryResponse resp =
          SerfKeyQueries.response(kr, q.ltime(), q.id(), name, queryResponseSizeLimit);
      if (resp == null) {
        responsesDropped.increment();
        return;
      }
      byte[] raw = SerfCodec.encode(resp).toByteArray();
      sendResponse(resp, raw, reply, deadline);
      return;
    }
    LOG.atDebug().setMessage("unhandled internal query").addKeyValue("query", kind).log();
  }

  private void send(NodeAddress to, byte[] raw) {
    try {
      sender.sendUserMessage(to, raw);
    } catch (RuntimeException e) {
      LOG.atDebug().setMessage("serf layer send failed").addKeyValue("to", to).setCause(e).log();
    }
  }

  private void callbackFailed(RuntimeException e) {
    handlerFailures.increment();
    LOG.atWarn().setMessage("serf layer callback threw").setCause(e).log();
  }

  private static void runAll(List<Runnable> after) {
    for (Runnable r : after) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.atError().setMessage("serf layer action failed").setCause(e).log();
      }
    }
  }

  private static @Nullable NodeAddress address(WireBytes ip, int port) {
    byte[] b = ip.toByteArray();
    if ((b.length != 4 && b.length != 16) || port == 0) {
      return null;
    }
    try {
      return new NodeAddress(InetAddress.getByAddress(b).getHostAddress(), port);
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "SerfLayer["
        + name
        + ", clocks "
        + Arrays.toString(new long[] {memberClock.time(), eventClock.time(), queryClock.time()})
        + "]";
  }

  /** Builds a {@link SerfLayer}; every limit defaults to Serf's own default. */
  public static final class Builder {
    private final String name;
    private LongSupplier clock = System::nanoTime;
    private @Nullable RandomGenerator random;
    private @Nullable IntSupplier memberCount;
    private @Nullable SerfSender sender;
    private @Nullable Supplier<InetSocketAddress> advertise;
    private @Nullable SerfKeyringAccess keyring;
    private Supplier<Map<String, String>> tags = Map::of;
    private @Nullable Function<String, @Nullable SerfMemberInfo> memberLookup;
    private UserMessageHandler handler = new UserMessageHandler() {};
    private @Nullable Executor executor;
    private int queueCapacity = 1024;
    private int eventBuffer = 512;
    private int queryBuffer = 512;
    private int retransmitMult = 4;
    private Duration gossipInterval = Duration.ofMillis(200);
    private int queryTimeoutMult = 16;
    private int userEventSizeLimit = 512;
    private int querySizeLimit = 1024;
    private int queryResponseSizeLimit = 1024;
    private int maxPendingQueries = 64;
    private int maxQueueDepth = 4096;
    private int maxMembers = 65_536;
    private int maxResponders = 65_536;
    private Duration leaveTimeout = Duration.ofSeconds(5);
    private Duration recentIntentTimeout = Duration.ofMinutes(5);
    private Duration tickInterval = Duration.ofMillis(100);

    private Builder(String name) {
      Objects.requireNonNull(name, "nodeName");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("nodeName must not be empty");
      }
      this.name = name;
    }

    /**
     * The clock for deadlines, in nanoseconds (default {@link System#nanoTime}).
     *
     * @param v the clock
     * @return this builder
     */
    public Builder clock(LongSupplier v) {
      this.clock = Objects.requireNonNull(v, "clock");
      return this;
    }

    /**
     * The random source for query ids (default a new {@link SplittableRandom}).
     *
     * @param v the generator
     * @return this builder
     */
    public Builder random(RandomGenerator v) {
      this.random = Objects.requireNonNull(v, "random");
      return this;
    }

    /**
     * The number of members memberlist counts now, this node included (required): it scales
     * retransmissions and the default query timeout.
     *
     * @param v the count
     * @return this builder
     */
    public Builder memberCount(IntSupplier v) {
      this.memberCount = Objects.requireNonNull(v, "memberCount");
      return this;
    }

    /**
     * Sends query acks, responses and relays straight to an address (required; the transport).
     *
     * @param v the sender
     * @return this builder
     */
    public Builder sender(SerfSender v) {
      this.sender = Objects.requireNonNull(v, "sender");
      return this;
    }

    /**
     * The address and port this node advertises in memberlist (required): queries it asks carry it
     * as their reply address. Read at each query.
     *
     * @param v the address, resolved
     * @return this builder
     */
    public Builder advertise(Supplier<InetSocketAddress> v) {
      this.advertise = Objects.requireNonNull(v, "advertise");
      return this;
    }

    /**
     * The transport's keyring, for {@code serf keys} (default none: key queries are answered as by
     * a Serf node without encryption).
     *
     * @param v the keyring access
     * @return this builder
     */
    public Builder keyring(SerfKeyringAccess v) {
      this.keyring = Objects.requireNonNull(v, "keyring");
      return this;
    }

    /**
     * This node's Serf tags, read when a query's tag filters are checked (default none).
     *
     * @param v the tags
     * @return this builder
     */
    public Builder tags(Supplier<Map<String, String>> v) {
      this.tags = Objects.requireNonNull(v, "tags");
      return this;
    }

    /**
     * Looks up another member by name to answer Serf's name-conflict query (default none: the query
     * is not answered, so this node casts no vote).
     *
     * @param v name to what this node knows of the member, or null when it knows none
     * @return this builder
     */
    public Builder memberLookup(Function<String, @Nullable SerfMemberInfo> v) {
      this.memberLookup = Objects.requireNonNull(v, "memberLookup");
      return this;
    }

    /**
     * Gets user events (as {@link UserBroadcast}s) and queries (default: ignores them).
     *
     * @param v the handler
     * @return this builder
     */
    public Builder handler(UserMessageHandler v) {
      this.handler = Objects.requireNonNull(v, "handler");
      return this;
    }

    /**
     * Runs the handler's calls, one at a time (default: a daemon thread of the layer's own). An
     * executor that runs tasks on the calling thread (fine in tests) runs query callbacks while the
     * layer holds its lock, and the application's calls on the transport's loop: give a real thread
     * in production.
     *
     * @param v the executor
     * @return this builder
     */
    public Builder executor(Executor v) {
      this.executor = Objects.requireNonNull(v, "executor");
      return this;
    }

    /**
     * How many handler calls may wait; more are dropped and counted (default 1024).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder queueCapacity(int v) {
      this.queueCapacity = positive(v, "queueCapacity");
      return this;
    }

    /**
     * Serf's EventBuffer: how many event clock times are remembered for deduplication; older events
     * are ignored (default 512; must equal the pool's for identical behaviour).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder eventBuffer(int v) {
      this.eventBuffer = positive(v, "eventBuffer");
      return this;
    }

    /**
     * Serf's QueryBuffer, as {@link #eventBuffer} for queries (default 512).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder queryBuffer(int v) {
      this.queryBuffer = positive(v, "queryBuffer");
      return this;
    }

    /**
     * memberlist's RetransmitMult: each broadcast goes out {@code v × ceil(log10(n + 1))} times
     * (default 4, LAN).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder retransmitMult(int v) {
      this.retransmitMult = positive(v, "retransmitMult");
      return this;
    }

    /**
     * memberlist's GossipInterval, for the default query timeout (default 200 ms, LAN).
     *
     * @param v positive
     * @return this builder
     */
    public Builder gossipInterval(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("gossipInterval must be positive, got " + v);
      }
      this.gossipInterval = v;
      return this;
    }

    /**
     * Serf's QueryTimeoutMult (default 16).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder queryTimeoutMult(int v) {
      this.queryTimeoutMult = positive(v, "queryTimeoutMult");
      return this;
    }

    /**
     * Serf's UserEventSizeLimit: name plus payload, and the encoded event (default 512; Serf
     * refuses more than 9 KiB).
     *
     * @param v in [1, 9216]
     * @return this builder
     */
    public Builder userEventSizeLimit(int v) {
      this.userEventSizeLimit = range(v, 1, 9216, "userEventSizeLimit");
      return this;
    }

    /**
     * Serf's QuerySizeLimit: the encoded query (default 1024).
     *
     * @param v in [1, 65535]
     * @return this builder
     */
    public Builder querySizeLimit(int v) {
      this.querySizeLimit = range(v, 1, 65_535, "querySizeLimit");
      return this;
    }

    /**
     * Serf's QueryResponseSizeLimit: the encoded response this node sends (default 1024).
     *
     * @param v in [1, 65535]
     * @return this builder
     */
    public Builder queryResponseSizeLimit(int v) {
      this.queryResponseSizeLimit = range(v, 1, 65_535, "queryResponseSizeLimit");
      return this;
    }

    /**
     * How many of this node's queries may run at once (default 64).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder maxPendingQueries(int v) {
      this.maxPendingQueries = positive(v, "maxPendingQueries");
      return this;
    }

    /**
     * Serf's MaxQueueDepth: past it a broadcast queue drops its oldest messages (default 4096).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder maxQueueDepth(int v) {
      this.maxQueueDepth = positive(v, "maxQueueDepth");
      return this;
    }

    /**
     * How many members, and separately how many intents about unknown members, the layer tracks
     * (default 65,536); more are refused and counted.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder maxMembers(int v) {
      this.maxMembers = positive(v, "maxMembers");
      return this;
    }

    /**
     * How many acks and, separately, answers one query of this node collects (default 65,536).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder maxResponders(int v) {
      this.maxResponders = positive(v, "maxResponders");
      return this;
    }

    /**
     * Serf's BroadcastTimeout for the leave intent (default 5 s).
     *
     * @param v positive
     * @return this builder
     */
    public Builder leaveTimeout(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("leaveTimeout must be positive, got " + v);
      }
      this.leaveTimeout = v;
      return this;
    }

    /**
     * Serf's RecentIntentTimeout: how long an intent about a member memberlist has not reported yet
     * is kept (default 5 min).
     *
     * @param v positive
     * @return this builder
     */
    public Builder recentIntentTimeout(Duration v) {
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("recentIntentTimeout must be positive, got " + v);
      }
      this.recentIntentTimeout = v;
      return this;
    }

    /**
     * How often the layer runs {@link SerfLayer#tick()} on a thread of its own; zero for never (the
     * caller ticks). Default 100 ms.
     *
     * @param v zero or positive
     * @return this builder
     */
    public Builder tickInterval(Duration v) {
      if (v.isNegative()) {
        throw new IllegalArgumentException("tickInterval must not be negative, got " + v);
      }
      this.tickInterval = v;
      return this;
    }

    /**
     * The layer.
     *
     * @return a new layer; its clocks start at 1
     * @throws NullPointerException when memberCount, sender or advertise is missing
     */
    public SerfLayer build() {
      return new SerfLayer(this);
    }

    private static int positive(int v, String what) {
      if (v < 1) {
        throw new IllegalArgumentException(what + " must be at least 1, got " + v);
      }
      return v;
    }

    private static int range(int v, int min, int max, String what) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            what + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }
  }
}
