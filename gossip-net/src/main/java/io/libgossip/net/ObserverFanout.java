package io.libgossip.net;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.ProtocolObserver;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link ProtocolObserver} a {@link GossipNode} gives its core: it passes each call to the
 * observers attached now. Attaching and detaching may happen on any thread; calls come on the
 * node's event loop and read one volatile array, so with nothing attached a call costs that read.
 * An observer that throws is logged (WARN, at most once per 10 s) and counted, and the others are
 * still called.
 */
final class ObserverFanout implements ProtocolObserver {
  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.LOGGER);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final ProtocolObserver[] NONE = new ProtocolObserver[0];

  private volatile ProtocolObserver[] observers = NONE;
  private final LongAdder failures = new LongAdder();
  private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());

  synchronized void add(ProtocolObserver observer) {
    Objects.requireNonNull(observer, "observer");
    ProtocolObserver[] now = observers;
    ProtocolObserver[] next = Arrays.copyOf(now, now.length + 1);
    next[now.length] = observer;
    observers = next;
  }

  synchronized boolean remove(ProtocolObserver observer) {
    ProtocolObserver[] now = observers;
    for (int i = 0; i < now.length; i++) {
      if (now[i] == observer) {
        ProtocolObserver[] next = new ProtocolObserver[now.length - 1];
        System.arraycopy(now, 0, next, 0, i);
        System.arraycopy(now, i + 1, next, i, now.length - i - 1);
        observers = next;
        return true;
      }
    }
    return false;
  }

  /** Observer calls that threw. */
  long failures() {
    return failures.sum();
  }

  @Override
  public void probeAcked(long rttNanos) {
    for (ProtocolObserver o : observers) {
      try {
        o.probeAcked(rttNanos);
      } catch (RuntimeException e) {
        failed(o, e);
      }
    }
  }

  @Override
  public void suspicionEnded(long nanos, NodeStatus outcome) {
    for (ProtocolObserver o : observers) {
      try {
        o.suspicionEnded(nanos, outcome);
      } catch (RuntimeException e) {
        failed(o, e);
      }
    }
  }

  @Override
  public void pushPullCompleted(long nanos) {
    for (ProtocolObserver o : observers) {
      try {
        o.pushPullCompleted(nanos);
      } catch (RuntimeException e) {
        failed(o, e);
      }
    }
  }

  private void failed(ProtocolObserver o, RuntimeException e) {
    failures.increment();
    long now = System.nanoTime();
    long next = nextWarnNanos.get();
    if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
      log.atWarn()
          .setMessage("protocol observer threw")
          .addKeyValue("observer", o.getClass().getName())
          .addKeyValue("observerFailures", failures.sum())
          .setCause(e)
          .log();
    }
  }
}
