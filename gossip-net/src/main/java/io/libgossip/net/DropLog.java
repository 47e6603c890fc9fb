package io.libgossip.net;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Logs dropped input at WARN at most once per interval (with how many were suppressed since), and
 * every drop at DEBUG. Hostile or misdirected traffic must not flood the log.
 */
final class DropLog {
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Logger log;
  private final String transport;
  private final String message;
  private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  DropLog(Logger log, String transport) {
    this(log, transport, "dropped undecodable input");
  }

  DropLog(Logger log, String transport, String message) {
    this.log = log;
    this.transport = transport;
    this.message = message;
  }

  /**
   * Logs one drop; {@code reason} is a {@link io.libgossip.core.DropReason} or a {@link
   * TransportDropReason}, {@code sender} may be null.
   */
  void drop(Enum<?> reason, @Nullable SocketAddress sender, @Nullable String detail) {
    long now = System.nanoTime();
    long next = nextWarnNanos.get();
    if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
      log.atWarn()
          .setMessage(message)
          .addKeyValue("source", transport)
          .addKeyValue("reason", reason)
          .addKeyValue("sender", sender)
          .addKeyValue("detail", detail == null ? null : LogSafe.text(detail))
          .addKeyValue("suppressedSinceLast", suppressed.getAndSet(0))
          .log();
    } else {
      suppressed.incrementAndGet();
      log.atDebug()
          .setMessage(message)
          .addKeyValue("source", transport)
          .addKeyValue("reason", reason)
          .addKeyValue("sender", sender)
          .addKeyValue("detail", detail == null ? null : LogSafe.text(detail))
          .log();
    }
  }
}
