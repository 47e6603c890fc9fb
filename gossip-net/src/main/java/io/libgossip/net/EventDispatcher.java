package io.libgossip.net;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import io.libgossip.core.TokenBucket;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Hands a node's events from its loop to its listeners, on one thread of its own, through a queue
 * of at most {@code capacity} events.
 *
 * <p><b>Overflow.</b> When a listener falls behind and the queue is full, the event and every one
 * after it are dropped (counted) until the listeners have taken every queued event; then, on the
 * loop, a {@link ClusterEvent.Resync} with the loop's current member list and the number dropped is
 * queued, and events flow again. Listeners so see: the events up to the overflow, the resync (whose
 * member list reflects every dropped event), then every later event. One WARN line marks the start
 * of an overflow and one the resync, at most every {@value #WARN_SECONDS} s each (with the number
 * of episodes not logged).
 *
 * <p><b>Late listeners.</b> {@link #addListenerWithSnapshot} registers a listener on the loop, at
 * one point of the event stream: its first event is a {@link ClusterEvent.Resync} of the view at
 * that point ({@code droppedEvents} 0), then it gets every event after that point and none before.
 *
 * <p><b>Failures.</b> A listener that throws (anything but a {@link VirtualMachineError}) is
 * counted once per invocation and logged at WARN with its stack trace, at most three lines in a
 * burst and one every {@value #WARN_SECONDS} s after that; the others go to DEBUG, stack trace
 * included, and the next WARN line says how many were not logged.
 *
 * <p>{@link #publish} and the snapshot function run on the node's loop only; the rest is
 * thread-safe. Everything is logged to the logger {@value #LOGGER}.
 */
final class EventDispatcher {
  /** The logger name operators configure. */
  static final String LOGGER = "io.libgossip.net.events";

  /** The default for {@code GossipNode.Builder.eventQueueCapacity}. */
  static final int DEFAULT_CAPACITY = 65_536;

  static final int WARN_SECONDS = 10;
  private static final long WARN_NANOS = TimeUnit.SECONDS.toNanos(WARN_SECONDS);

  /** One registered listener; it gets events numbered {@code from} and later. */
  private record Sub(GossipListener listener, long from) {}

  /** A queued event: for every listener whose {@code from} is at most {@code seq}, or one. */
  private record Item(ClusterEvent event, long seq, @Nullable Sub only, boolean counted) {}

  private final Logger log;
  private final String node;
  private final int capacity;
  private final Executor loop;
  private final LongFunction<ClusterEvent.Resync> snapshot;
  private final LongSupplier clock;
  private final List<Sub> subs = new CopyOnWriteArrayList<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean resyncRequested = new AtomicBoolean();
  private final LongAdder failures = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder resyncs = new LongAdder();
  private volatile @Nullable ThreadPoolExecutor thread;
  private volatile boolean closed;

  /** Set on the loop when an overflow starts, cleared there by the resync. */
  private volatile boolean overflowing;

  // ---- confined to the loop
  private long nextSeq;
  private long droppedSinceResync;

  // ---- guarded by this
  private final TokenBucket failureLines;
  private long failuresNotLogged;
  private final TokenBucket overflowLines;
  private long overflowsNotLogged;

  /**
   * @param loop runs tasks on the node's loop
   * @param snapshot on the loop: a resync of the current view with the given dropped count
   */
  EventDispatcher(
      Logger log,
      String node,
      int capacity,
      Executor loop,
      LongFunction<ClusterEvent.Resync> snapshot,
      LongSupplier clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.log = log;
    this.node = LogSafe.text(node);
    this.capacity = capacity;
    this.loop = loop;
    this.snapshot = snapshot;
    this.clock = clock;
    long now = clock.getAsLong();
    this.failureLines = new TokenBucket(3, WARN_NANOS, now);
    this.overflowLines = new TokenBucket(2, WARN_NANOS, now);
  }

  // ======================================================================== listeners

  /** Adds a listener that gets every event delivered from now on. */
  void addListener(GossipListener listener) {
    start();
    subs.add(new Sub(listener, Long.MIN_VALUE));
  }

  /**
   * Adds a listener at the current point of the event stream, on the loop: its first event is a
   * resync of the view at that point. Returns false when the node's loop no longer runs tasks.
   */
  boolean addListenerWithSnapshot(GossipListener listener) {
    start();
    try {
      loop.execute(
          () -> {
            if (closed) {
              return;
            }
            Sub s = new Sub(listener, nextSeq);
            subs.add(s);
            enqueue(new Item(snapshot.apply(0), nextSeq++, s, false));
          });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Removes the first registration of {@code listener}; returns whether there was one. */
  boolean removeListener(GossipListener listener) {
    // the list is copy-on-write: the loop reads a snapshot, removing from the live list is safe
    Sub found = null;
    for (Sub s : subs) {
      if (s.listener.equals(listener)) {
        found = s;
        break;
      }
    }
    return found != null && subs.remove(found);
  }

  private void start() {
    if (thread == null) {
      synchronized (this) {
        if (thread == null && !closed) {
          thread =
              new ThreadPoolExecutor(
                  1,
                  1,
                  0,
                  TimeUnit.MILLISECONDS,
                  new LinkedBlockingQueue<>(), // bounded by capacity: see publish
                  new DefaultThreadFactory("gossip-events-" + node, true));
        }
      }
    }
  }

  // ======================================================================== on the loop

  /** Queues {@code event} for the listeners (on the loop), or drops it during an overflow. */
  void publish(ClusterEvent event) {
    if (subs.isEmpty() || thread == null) {
      return; // nobody listens: nothing is lost
    }
    if (overflowing) {
      drop();
      return;
    }
    if (queued.get() >= capacity) {
      overflowing = true;
      drop();
      logOverflow();
      if (queued.get() == 0) {
        requestResync(); // the listeners caught up between the two reads
      }
      return;
    }
    queued.incrementAndGet();
    enqueue(new Item(event, nextSeq++, null, true));
  }

  private void drop() {
    droppedSinceResync++;
    dropped.increment();
  }

  private void resyncOnLoop() {
    long n = droppedSinceResync;
    ClusterEvent.Resync r = snapshot.apply(n);
    droppedSinceResync = 0;
    overflowing = false;
    resyncRequested.set(false);
    resyncs.increment();
    if (takeLine(true)) {
      log.atWarn()
          .setMessage("listeners caught up: resync delivered in place of dropped events")
          .addKeyValue("node", node)
          .addKeyValue("droppedEvents", n)
          .addKeyValue("members", r.members().size())
          .addKeyValue("resyncs", resyncs.sum())
          .log();
    }
    enqueue(new Item(r, nextSeq++, null, false));
  }

  private void logOverflow() {
    if (takeLine(false)) {
      long notLogged;
      synchronized (this) {
        notLogged = overflowsNotLogged;
        overflowsNotLogged = 0;
      }
      log.atWarn()
          .setMessage("event queue full: dropping events until listeners catch up, then a resync")
          .addKeyValue("node", node)
          .addKeyValue("capacity", capacity)
          .addKeyValue("droppedTotal", dropped.sum())
          .addKeyValue("overflowsNotLogged", notLogged)
          .log();
    }
  }

  /** Takes a token for an overflow (false) or resync (true) WARN line. */
  private synchronized boolean takeLine(boolean resync) {
    boolean ok = overflowLines.tryTake(clock.getAsLong());
    if (!ok && !resync) {
      overflowsNotLogged++;
    }
    return ok;
  }

  private void enqueue(Item item) {
    ThreadPoolExecutor t = thread;
    try {
      if (t == null) {
        throw new RejectedExecutionException("no event thread");
      }
      t.execute(() -> deliver(item));
    } catch (RejectedExecutionException e) {
      if (item.counted) {
        queued.decrementAndGet();
        dropped.increment(); // closed
      }
    }
  }

  private void requestResync() {
    if (!resyncRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.execute(this::resyncOnLoop);
    } catch (RejectedExecutionException e) {
      // the node is closing: no one will read a resync
    }
  }

  // ======================================================================== on the event thread

  private void deliver(Item item) {
    try {
      Sub only = item.only;
      if (only != null) {
        if (subs.contains(only)) {
          call(only, item.event);
        }
      } else {
        for (Sub s : subs) {
          if (s.from <= item.seq) {
            call(s, item.event);
          }
        }
      }
    } finally {
      if (item.counted && queued.decrementAndGet() == 0 && overflowing) {
        requestResync();
      }
    }
  }

  private void call(Sub s, ClusterEvent event) {
    try {
      s.listener.onEvent(event);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      failures.increment();
      logFailure(s, event, e);
    }
  }

  private void logFailure(Sub s, ClusterEvent event, Throwable e) {
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
        .setMessage("listener threw")
        .addKeyValue("node", node)
        .addKeyValue("listener", s.listener.getClass().getName())
        .addKeyValue("event", event.kind())
        .addKeyValue("member", LogSafe.text(event.node().id()))
        .addKeyValue("listenerFailures", failures.sum())
        .addKeyValue("notLoggedSinceLast", Math.max(0, notLogged))
        .setCause(e)
        .log();
  }

  // ======================================================================== counters, close

  /** Listener invocations that threw. */
  long failures() {
    return failures.sum();
  }

  /** Events not delivered: dropped during an overflow, or published after close. */
  long dropped() {
    return dropped.sum();
  }

  /** Resyncs delivered after an overflow (snapshots for late listeners not included). */
  long resyncs() {
    return resyncs.sum();
  }

  /** Stops taking events; the ones already queued are still delivered. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    ThreadPoolExecutor t = thread;
    if (t != null) {
      t.shutdown();
    }
  }
}
