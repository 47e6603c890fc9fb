package io.libgossip.net;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * The clock of an event loop, in nanoseconds: what its scheduler reads, which under Netty's {@code
 * EmbeddedChannel} is the mock time tests advance. Netty 4.1 and 4.2 both have the protected {@code
 * AbstractScheduledEventExecutor.getCurrentTimeNanos()} (4.2's {@code Ticker} does not exist in
 * 4.1), so it is reached through a method handle; when that fails, or for another kind of executor,
 * {@link System#nanoTime()}.
 */
final class LoopClock {
  private static final @Nullable MethodHandle CURRENT_TIME = find();

  private LoopClock() {}

  private static @Nullable MethodHandle find() {
    try {
      Method m = AbstractScheduledEventExecutor.class.getDeclaredMethod("getCurrentTimeNanos");
      m.setAccessible(true);
      return MethodHandles.lookup().unreflect(m);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Now on {@code executor}'s clock. */
  static long nanoTime(@Nullable EventExecutor executor) {
    MethodHandle h = CURRENT_TIME;
    if (h != null && executor instanceof AbstractScheduledEventExecutor s) {
      try {
        return (long) h.invoke(s);
      } catch (Throwable t) { // cannot happen: the handle takes this type and throws nothing
        return System.nanoTime();
      }
    }
    return System.nanoTime();
  }
}
