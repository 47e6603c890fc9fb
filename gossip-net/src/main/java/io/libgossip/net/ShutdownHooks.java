package io.libgossip.net;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JVM shutdown hook behind {@link GossipNode#leaveOnShutdown(Duration)}. */
final class ShutdownHooks {
  private static final Logger log = LoggerFactory.getLogger(GossipNode.class);

  /** How much longer than the leave timeout the hook waits for the close. */
  static final Duration GRACE = Duration.ofSeconds(1);

  private ShutdownHooks() {}

  /** Registers and returns a hook that leaves {@code node} gracefully, then closes it. */
  static Thread leaveOnShutdown(GossipNode node, String id, Duration timeout) {
    Thread hook =
        new Thread(() -> leave(node, id, timeout), "gossip-leave-on-shutdown-" + LogSafe.text(id));
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  private static void leave(GossipNode node, String id, Duration timeout) {
    if (!node.isRunning()) {
      return;
    }
    log.atInfo()
        .setMessage("shutting down: leaving the cluster")
        .addKeyValue("id", id)
        .addKeyValue("timeout", GossipNode.format(timeout))
        .log();
    try {
      node.leave(timeout).get(timeout.plus(GRACE).toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.atWarn()
          .setMessage("shutting down: leave did not finish, closing")
          .addKeyValue("id", id)
          .addKeyValue("error", e.toString())
          .log();
    } finally {
      node.close();
    }
  }

  /** Removes {@code hook} if it is registered; quietly does nothing while the JVM shuts down. */
  static void remove(@Nullable Thread hook) {
    if (hook == null || hook == Thread.currentThread()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: hooks can no longer be removed, and it does not matter
    }
  }
}
