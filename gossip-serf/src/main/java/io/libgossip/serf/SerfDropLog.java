package io.libgossip.serf;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Logs dropped input at WARN at most once per 10 s (with how many were suppressed since) and every
 * drop at DEBUG, so hostile or misdirected traffic cannot flood the log.
 */
final class SerfDropLog {
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Logger log;
  private final LongSupplier clock;
  private final AtomicLong nextWarnNanos;
  private final AtomicLong suppressed = new AtomicLong();

  SerfDropLog(Logger log, LongSupplier clock) {
    this.log = log;
    this.clock = clock;
    this.nextWarnNanos = new AtomicLong(clock.getAsLong());
  }

  void drop(String reason, @Nullable SocketAddress sender, @Nullable String detail) {
    long now = clock.getAsLong();
    long next = nextWarnNanos.get();
    if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + INTERVAL_NANOS)) {
      log.atWarn()
          .setMessage("serf layer dropped input")
          .addKeyValue("reason", reason)
          .addKeyValue("sender", sender)
          .addKeyValue("detail", detail == null ? null : clip(detail))
          .addKeyValue("suppressedSinceLast", suppressed.getAndSet(0))
          .log();
    } else {
      suppressed.incrementAndGet();
      log.atDebug()
          .setMessage("serf layer dropped input")
          .addKeyValue("reason", reason)
          .addKeyValue("sender", sender)
          .addKeyValue("detail", detail == null ? null : clip(detail))
          .log();
    }
  }

  /** Printable and at most 200 characters: the detail may quote hostile bytes. */
  static String clip(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
