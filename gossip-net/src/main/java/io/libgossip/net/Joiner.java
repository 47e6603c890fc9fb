package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One join of a {@link GossipNode}: attempts that each discover the seeds (off the event loop) and
 * then exchange state with them until one answers or the attempt's timeout passes, retried after a
 * backoff as the {@link RetryPolicy} allows. With {@code watchWhileAlone}, once joined it keeps
 * checking, every {@link RetryPolicy#maxDelay()}, whether the node is alone, and if so asks the
 * seeds again and contacts them (this merges nodes that each formed a cluster of one).
 *
 * <p>Confined to the node's event loop: every method but the constructor runs there, and the
 * provider's answers are handed back to it.
 */
final class Joiner {
  private static final Logger log = LoggerFactory.getLogger(GossipNode.class);

  /** The node's side, called on the loop. */
  interface Node {
    /** Sends a join request to each seed (itself left out); with no other seed, joins as one. */
    void join(List<NodeAddress> seeds);

    /** Exchanges state with each seed (itself left out), without resetting the join. */
    void meet(List<NodeAddress> seeds);

    /** Live members, itself included. */
    int liveCount();

    /** Whether the node is closed. */
    boolean closed();

    /** The node's clock, in nanoseconds. */
    long now();
  }

  private final String id;
  private final EventLoop loop;
  private final SeedProvider provider;
  private final RetryPolicy policy;
  private final Duration attemptTimeout;
  private final RandomGenerator random;
  private final Node node;
  private final CompletableFuture<Void> future;
  private final LongAdder attemptsCounter;
  private final LongAdder lookupFailures;
  private final boolean watchWhileAlone;

  private int attempts;
  private long firstAttemptAt;
  private boolean stopped;
  private boolean wasAlone;
  private List<NodeAddress> lastSeeds = List.of();
  private @Nullable ScheduledFuture<?> resend;
  private @Nullable ScheduledFuture<?> timeout;
  private @Nullable ScheduledFuture<?> next;

  Joiner(
      String id,
      EventLoop loop,
      SeedProvider provider,
      RetryPolicy policy,
      Duration attemptTimeout,
      RandomGenerator random,
      Node node,
      CompletableFuture<Void> future,
      LongAdder attemptsCounter,
      LongAdder lookupFailures,
      boolean watchWhileAlone) {
    this.id = id;
    this.loop = loop;
    this.provider = provider;
    this.policy = policy;
    this.attemptTimeout = attemptTimeout;
    this.random = random;
    this.node = node;
    this.future = future;
    this.attemptsCounter = attemptsCounter;
    this.lookupFailures = lookupFailures;
    this.watchWhileAlone = watchWhileAlone;
  }

  /** Starts the first attempt. */
  void start() {
    firstAttemptAt = node.now();
    attempt();
  }

  /** Whether this join is over and has nothing more to do (so the node can forget it). */
  boolean finished() {
    return stopped || (future.isDone() && !watchWhileAlone);
  }

  /**
   * The node has joined: completes the future and stops the attempts.
   *
   * @return whether this join was still pending
   */
  boolean joined() {
    if (future.isDone()) {
      return false;
    }
    cancelAttempt();
    cancel(next);
    next = null;
    future.complete(null);
    if (watchWhileAlone && !stopped) {
      scheduleWatch();
    }
    return true;
  }

  /** Cancels everything; fails the future if still pending. */
  void close(String why) {
    stopped = true;
    cancelAttempt();
    cancel(next);
    next = null;
    if (!future.isDone()) {
      future.completeExceptionally(new JoinException("could not join: " + why, lastSeeds, null));
    }
  }

  // ---------------------------------------------------------------- attempts

  private void attempt() {
    if (done()) {
      return;
    }
    attempts++;
    attemptsCounter.increment();
    int n = attempts;
    Seeds.ask(provider).whenComplete((seeds, error) -> onLoop(() -> discovered(n, seeds, error)));
  }

  private void discovered(int n, @Nullable List<NodeAddress> seeds, @Nullable Throwable error) {
    if (done() || n != attempts) {
      return;
    }
    if (error != null || seeds == null) {
      lookupFailures.increment();
      Throwable cause = error != null ? Seeds.unwrap(error) : new IllegalStateException("no seeds");
      String reason =
          cause instanceof SeedResolutionException
              ? cause.getMessage()
              : "seed discovery through " + provider + " failed: " + cause;
      failed(reason == null ? cause.toString() : reason, cause, Level.WARN);
      return;
    }
    lastSeeds = List.copyOf(seeds);
    if (seeds.isEmpty()) {
      failed("no seeds found through " + provider, null, Level.WARN);
      return;
    }
    node.join(seeds); // may complete the join at once (only itself among the seeds)
    if (future.isDone() || done()) {
      return;
    }
    long every = Math.max(TimeUnit.SECONDS.toNanos(1), attemptTimeout.toNanos() / 5);
    resend =
        loop.scheduleAtFixedRate(
            () -> {
              if (!done() && n == attempts) {
                node.join(seeds);
              }
            },
            every,
            every,
            TimeUnit.NANOSECONDS);
    timeout =
        loop.schedule(
            () -> {
              if (!done() && n == attempts) {
                failed(
                    "no answer from "
                        + Seeds.describe(seeds)
                        + " within "
                        + GossipNode.format(attemptTimeout),
                    null,
                    attempts < 3 ? Level.INFO : Level.WARN);
              }
            },
            attemptTimeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private void failed(String reason, @Nullable Throwable cause, Level level) {
    cancelAttempt();
    Duration delay = policy.delay(attempts, random);
    Duration elapsed = Duration.ofNanos(node.now() - firstAttemptAt);
    if (!policy.allowsAnother(attempts, elapsed, delay)) {
      String msg =
          "could not join: "
              + reason
              + (attempts > 1 ? " (gave up after " + attempts + " attempts)" : "");
      log.atWarn()
          .setMessage(msg)
          .addKeyValue("id", id)
          .addKeyValue("attempt", attempts)
          .addKeyValue("provider", provider)
          .log();
      future.completeExceptionally(new JoinException(msg, lastSeeds, cause));
      stopped = true;
      return;
    }
    log.atLevel(level)
        .setMessage("join attempt failed; retrying")
        .addKeyValue("id", id)
        .addKeyValue("attempt", attempts)
        .addKeyValue("seeds", Seeds.describe(lastSeeds))
        .addKeyValue("provider", provider)
        .addKeyValue("reason", reason)
        .addKeyValue("nextDelay", GossipNode.format(delay))
        .log();
    next = loop.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------- while alone

  private void scheduleWatch() {
    next =
        loop.schedule(this::watch, Math.max(1, policy.maxDelay().toNanos()), TimeUnit.NANOSECONDS);
  }

  private void watch() {
    next = null;
    if (stopped || node.closed()) {
      return;
    }
    if (node.liveCount() > 1) {
      wasAlone = false;
      scheduleWatch();
      return;
    }
    attemptsCounter.increment();
    Seeds.ask(provider)
        .whenComplete(
            (seeds, error) ->
                onLoop(
                    () -> {
                      if (stopped || node.closed()) {
                        return;
                      }
                      if (error != null || seeds == null) {
                        lookupFailures.increment();
                        log.atWarn()
                            .setMessage("alone, and the seeds cannot be found")
                            .addKeyValue("id", id)
                            .addKeyValue("provider", provider)
                            .addKeyValue(
                                "reason",
                                error != null ? Seeds.unwrap(error).getMessage() : "no seeds")
                            .log();
                      } else {
                        lastSeeds = List.copyOf(seeds);
                        log.atLevel(wasAlone ? Level.DEBUG : Level.INFO)
                            .setMessage("alone in the cluster; contacting the seeds again")
                            .addKeyValue("id", id)
                            .addKeyValue("seeds", Seeds.describe(seeds))
                            .addKeyValue("every", GossipNode.format(policy.maxDelay()))
                            .log();
                        wasAlone = true;
                        node.meet(seeds);
                      }
                      scheduleWatch();
                    }));
  }

  // ---------------------------------------------------------------- helpers

  private boolean done() {
    return stopped || future.isDone() || node.closed();
  }

  private void onLoop(Runnable r) {
    if (loop.inEventLoop()) {
      r.run();
      return;
    }
    try {
      loop.execute(r);
    } catch (RejectedExecutionException e) {
      // the node's loop has shut down: nothing more to do
    }
  }

  private void cancelAttempt() {
    cancel(resend);
    cancel(timeout);
    resend = null;
    timeout = null;
  }

  private static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
