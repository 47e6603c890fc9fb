package io.libgossip.net;

import io.libgossip.core.DirectMessage;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.MessageHandler;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.TokenBucket;
import io.libgossip.core.UserBroadcast;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * The core's {@link MessageHandler} in a {@link GossipNode}: hands application data from the loop
 * to the {@link UserMessageHandler} on a thread of its own, turns the core's outcomes into the
 * futures the node returned, and posts the handler's answers back onto the loop.
 *
 * <p><b>Bounds.</b> Inbound data waits for the handler in a queue of at most {@code capacity} items
 * and {@code maxBytes} payload bytes; over either, it is dropped and counted (a dropped request is
 * rejected at once, so its sender does not wait for its timeout), with one WARN line at most every
 * {@value #WARN_SECONDS} s saying how many were dropped. Outcomes are never dropped: the core
 * bounds how many it has pending.
 *
 * <p><b>Threads.</b> The {@link MessageHandler} methods, {@link #expect} and {@link #register} run
 * on the loop. Handler calls run on the handler thread, in the order the loop received the data.
 * Futures complete on a second thread (the completion thread), in the order of their outcomes, so a
 * handler may block on a future without deadlocking the node; a query's responses are given to its
 * consumer on that thread, before its result completes.
 */
final class MessageBridge implements MessageHandler {
  /** The logger name operators configure. */
  static final String LOGGER = "io.libgossip.net.messages";

  /** The default for {@code GossipNode.Builder.messageQueueCapacity}. */
  static final int DEFAULT_CAPACITY = 4096;

  /** The default for {@code GossipNode.Builder.messageQueueBytes}: 64 MiB. */
  static final long DEFAULT_MAX_BYTES = 64L << 20;

  static final int WARN_SECONDS = 10;
  private static final long WARN_NANOS = TimeUnit.SECONDS.toNanos(WARN_SECONDS);

  /** The loop's side of answers: each called on the loop. */
  interface Answers {
    /** Sends {@code payload} as the answer to request {@code requestId} from {@code to}. */
    void respond(String to, long requestId, byte[] payload);

    /** Answers request {@code requestId} from {@code to} with a rejection. */
    void reject(String to, long requestId);

    /** Sends {@code payload} as this node's answer to {@code query}. */
    void respondToQuery(QueryRequest query, byte[] payload);
  }

  /** What a future waits for. */
  private sealed interface Pending permits Receipt, Reply, Query {}

  private record Receipt(CompletableFuture<Void> future) implements Pending {}

  private record Reply(CompletableFuture<byte[]> future) implements Pending {}

  private record Query(CompletableFuture<QueryResult> future, Consumer<QueryResponse> responses)
      implements Pending {}

  /** An outcome that came before its id was registered (during the core call that made the id). */
  private record Early(long id, @Nullable Object value, @Nullable MessageFailure failure) {}

  private final Logger log;
  private final String node;
  private final @Nullable UserMessageHandler user;
  private final int capacity;
  private final long maxBytes;
  private final Executor loop;
  private final LongSupplier clock;
  private @Nullable Answers answers;
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor handlerThread;
  private final ThreadPoolExecutor completionThread;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile boolean closed;

  // ---- confined to the loop
  private boolean expecting;
  private final List<Early> early = new ArrayList<>();

  // ---- guarded by this
  private final TokenBucket dropLines;
  private long dropsNotLogged;
  private final TokenBucket failureLines;
  private long failuresNotLogged;

  MessageBridge(
      Logger log,
      String node,
      @Nullable UserMessageHandler user,
      int capacity,
      long maxBytes,
      Executor loop,
      LongSupplier clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
    }
    this.log = log;
    this.node = LogSafe.text(node);
    this.user = user;
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.loop = loop;
    this.clock = clock;
    long now = clock.getAsLong();
    this.dropLines = new TokenBucket(1, WARN_NANOS, now);
    this.failureLines = new TokenBucket(3, WARN_NANOS, now);
    this.handlerThread = singleThread("gossip-messages-" + this.node);
    this.completionThread = singleThread("gossip-replies-" + this.node);
  }

  private static ThreadPoolExecutor singleThread(String name) {
    ThreadPoolExecutor t =
        new ThreadPoolExecutor(
            1,
            1,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), // bounded by capacity (inbound) and the core (outcomes)
            new DefaultThreadFactory(name, true));
    t.allowCoreThreadTimeOut(true); // no idle thread for a node that sends no messages
    return t;
  }

  /** Sets where answers go; once, before the node starts. */
  void answers(Answers a) {
    this.answers = a;
  }

  // ======================================================================== futures (on the loop)

  /**
   * Called on the loop right before a core call that returns an id: outcomes the core reports
   * during that call, for an id not yet registered, are kept for {@link #register}.
   */
  void expect() {
    expecting = true;
    early.clear();
  }

  /** A receipt future for reliable send {@code id} (after {@link #expect} and the core call). */
  void registerReceipt(long id, CompletableFuture<Void> f) {
    register(id, new Receipt(f));
  }

  /** A reply future for request {@code id}. */
  void registerReply(long id, CompletableFuture<byte[]> f) {
    register(id, new Reply(f));
  }

  /** A result future for query {@code id}, its responses given to {@code responses}. */
  void registerQuery(long id, CompletableFuture<QueryResult> f, Consumer<QueryResponse> responses) {
    register(id, new Query(f, responses));
  }

  private void register(long id, Pending p) {
    expecting = false;
    if (closed) {
      fail(p, MessageFailure.SHUTDOWN);
      return;
    }
    pending.put(id, p);
    List<Early> got = List.copyOf(early);
    early.clear();
    for (Early e : got) {
      if (e.id == id) {
        if (e.failure != null) {
          failed(id, e.failure);
        } else {
          succeeded(id, e.value);
        }
      }
    }
  }

  /** Forgets what {@link #expect} kept, when the core call threw. */
  void unexpect() {
    expecting = false;
    early.clear();
  }

  /** Fails every pending future with {@link MessageFailure#SHUTDOWN}; on close. */
  private void failAll() {
    for (Long id : List.copyOf(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        fail(p, MessageFailure.SHUTDOWN);
      }
    }
  }

  private void succeeded(long id, @Nullable Object value) {
    Pending p = pending.get(id);
    if (p == null) {
      if (expecting) {
        early.add(new Early(id, value, null));
      }
      return;
    }
    if (p instanceof Query q) {
      if (value instanceof QueryResponse r) {
        onCompletionThread(() -> q.responses.accept(r)); // the query stays pending
        return;
      }
      pending.remove(id);
      QueryResult result = (QueryResult) value;
      onCompletionThread(() -> q.future.complete(result));
    } else if (p instanceof Receipt r) {
      pending.remove(id);
      onCompletionThread(() -> r.future.complete(null));
    } else if (p instanceof Reply r) {
      pending.remove(id);
      byte[] bytes = (byte[]) value;
      onCompletionThread(() -> r.future.complete(bytes));
    }
  }

  private void failed(long id, MessageFailure failure) {
    Pending p = pending.remove(id);
    if (p == null) {
      if (expecting) {
        early.add(new Early(id, null, failure));
      }
      return;
    }
    fail(p, failure);
  }

  private void fail(Pending p, MessageFailure failure) {
    MessageException e = new MessageException(failure, describe(failure));
    CompletableFuture<?> f;
    if (p instanceof Receipt r) {
      f = r.future;
    } else if (p instanceof Reply r) {
      f = r.future;
    } else {
      f = ((Query) p).future;
    }
    onCompletionThread(() -> f.completeExceptionally(e));
  }

  static String describe(MessageFailure f) {
    return switch (f) {
      case UNKNOWN_MEMBER -> "the target is not a known member";
      case MEMBER_NOT_LIVE -> "the target is not alive";
      case TOO_LARGE -> "the payload is larger than allowed for its path";
      case UNSUPPORTED_BY_PEER -> "the target runs a version without application messages";
      case TIMEOUT -> "no answer before the timeout";
      case SEND_FAILED -> "the message could not be handed to the target";
      case REJECTED -> "the target rejected it (no handler, or its handler failed)";
      case SHUTDOWN -> "this node left or was closed first";
    };
  }

  /** Runs {@code r} on the completion thread; inline once that thread is shut down. */
  void onCompletionThread(Runnable r) {
    Runnable guarded =
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            handlerFailed("future callback", e); // a consumer of query responses threw
          }
        };
    try {
      completionThread.execute(guarded);
    } catch (RejectedExecutionException e) {
      guarded.run();
    }
  }

  /** A future made after close: failed at once. */
  static <T> CompletableFuture<T> shutdown() {
    return CompletableFuture.failedFuture(
        new MessageException(MessageFailure.SHUTDOWN, describe(MessageFailure.SHUTDOWN)));
  }

  // ======================================================================== core outcomes (loop)

  @Override
  public void onResponse(long requestId, String from, byte[] payload) {
    succeeded(requestId, payload);
  }

  @Override
  public void onSendFailed(long id, MessageFailure failure) {
    failed(id, failure);
  }

  @Override
  public void onDelivered(long id) {
    succeeded(id, null);
  }

  @Override
  public void onQueryResponse(QueryResponse response) {
    succeeded(response.queryId(), response);
  }

  @Override
  public void onQueryDone(QueryResult result) {
    succeeded(result.queryId(), result);
  }

  // ======================================================================== inbound data (loop)

  @Override
  public void onBroadcast(UserBroadcast broadcast) {
    UserMessageHandler u = user;
    if (u != null) {
      offer(broadcast.payload().length, () -> u.onBroadcast(broadcast), "broadcast", null);
    }
  }

  @Override
  public void onMessage(DirectMessage message) {
    UserMessageHandler u = user;
    if (!message.isRequest()) {
      if (u != null) {
        offer(message.payload().length, () -> u.onMessage(message), "message", null);
      }
      return;
    }
    Runnable reject = () -> reject(message);
    if (u == null) {
      reject.run(); // on the loop already
      return;
    }
    offer(message.payload().length, () -> request(u, message), "request", reject);
  }

  @Override
  public void onQuery(QueryRequest query) {
    UserMessageHandler u = user;
    if (u != null) {
      offer(query.payload().length, () -> query(u, query), "query", null);
    }
  }

  /** Queues a handler call, or drops it (running {@code onDrop} on the loop) when over a bound. */
  private void offer(int bytes, Runnable call, String kind, @Nullable Runnable onDrop) {
    if (closed || queued.get() >= capacity || queuedBytes.get() + bytes > maxBytes) {
      dropped(kind, onDrop);
      return;
    }
    queued.incrementAndGet();
    queuedBytes.addAndGet(bytes);
    try {
      handlerThread.execute(
          () -> {
            try {
              delivered.increment();
              call.run();
            } catch (VirtualMachineError e) {
              throw e;
            } catch (RuntimeException | Error e) {
              handlerFailed(kind, e);
            } finally {
              queued.decrementAndGet();
              queuedBytes.addAndGet(-bytes);
            }
          });
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      queuedBytes.addAndGet(-bytes);
      dropped(kind, onDrop);
    }
  }

  private void dropped(String kind, @Nullable Runnable onDrop) {
    dropped.increment();
    if (onDrop != null) {
      onDrop.run();
    }
    long notLogged = -1;
    synchronized (this) {
      if (dropLines.tryTake(clock.getAsLong())) {
        notLogged = dropsNotLogged;
        dropsNotLogged = 0;
      } else {
        dropsNotLogged++;
      }
    }
    if (notLogged >= 0) {
      log.atWarn()
          .setMessage("message handler too slow: dropping application messages")
          .addKeyValue("node", node)
          .addKeyValue("kind", kind)
          .addKeyValue("capacity", capacity)
          .addKeyValue("maxBytes", maxBytes)
          .addKeyValue("droppedTotal", dropped.sum())
          .addKeyValue("notLoggedSinceLast", notLogged)
          .log();
    }
  }

  // ======================================================================== handler thread

  private void request(UserMessageHandler u, DirectMessage m) {
    CompletableFuture<byte[]> f;
    try {
      f = u.onRequest(m);
    } catch (RuntimeException e) {
      handlerFailed("request", e);
      f = null;
    }
    if (f == null) {
      onLoop(() -> reject(m));
      return;
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null && !(unwrap(e) instanceof MessageException)) {
            handlerFailed("request", unwrap(e));
          }
          onLoop(
              () -> {
                Answers a = answers;
                if (a == null) {
                  return;
                }
                if (e != null || v == null) {
                  a.reject(m.from(), m.requestId());
                } else {
                  a.respond(m.from(), m.requestId(), v);
                }
              });
        });
  }

  private void query(UserMessageHandler u, QueryRequest q) {
    CompletableFuture<byte[]> f;
    try {
      f = u.onQuery(q);
    } catch (RuntimeException e) {
      handlerFailed("query", e);
      return;
    }
    if (f == null) {
      return;
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            if (!(unwrap(e) instanceof MessageException)) {
              handlerFailed("query", unwrap(e));
            }
            return;
          }
          if (v != null) {
            onLoop(
                () -> {
                  Answers a = answers;
                  if (a != null) {
                    a.respondToQuery(q, v);
                  }
                });
          }
        });
  }

  /** On the loop: rejects request {@code m}. */
  private void reject(DirectMessage m) {
    Answers a = answers;
    if (a != null) {
      a.reject(m.from(), m.requestId());
    }
  }

  private void onLoop(Runnable r) {
    try {
      loop.execute(r);
    } catch (RejectedExecutionException e) {
      // closed: the asker's own timeout or shutdown ends its wait
    }
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private void handlerFailed(String kind, Throwable e) {
    failures.increment();
    long notLogged = -1;
    synchronized (this) {
      if (failureLines.tryTake(clock.getAsLong())) {
        notLogged = failuresNotLogged;
        failuresNotLogged = 0;
      } else {
        failuresNotLogged++;
      }
    }
    (notLogged >= 0 ? log.atWarn() : log.atDebug())
        .setMessage("message handler threw")
        .addKeyValue("node", node)
        .addKeyValue("kind", kind)
        .addKeyValue("handlerFailures", failures.sum())
        .addKeyValue("notLoggedSinceLast", Math.max(0, notLogged))
        .setCause(e)
        .log();
  }

  // ======================================================================== counters, close

  /** The counters. */
  MessageStats stats() {
    return new MessageStats(delivered.sum(), dropped.sum(), failures.sum(), pending.size());
  }

  /** Whether nothing waits for the handler. */
  boolean idle() {
    return queued.get() == 0;
  }

  /**
   * Fails everything pending with {@link MessageFailure#SHUTDOWN} and stops taking data; what is
   * queued for the handler is still delivered. Call on the loop if it still runs.
   */
  void close() {
    closed = true;
    failAll();
    handlerThread.shutdown();
    completionThread.shutdown();
  }
}
