package io.libgossip.net;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Life cycle, send bookkeeping and counters common to every transport. */
abstract class AbstractTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(AbstractTransport.class);

  enum State {
    NEW,
    STARTING,
    RUNNING,
    CLOSED
  }

  final TransportContext context;
  final TransportCounters counters;
  final MessageSerializer serializer;
  final PacketPipeline pipeline;
  private final boolean ownsContext;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  AbstractTransport(TransportContext context, boolean ownsContext) {
    this.context = Objects.requireNonNull(context, "context");
    this.counters = context.counters;
    this.serializer = context.serializer;
    this.pipeline = context.pipeline;
    this.ownsContext = ownsContext;
  }

  /** Binds to {@code host:port}; returns the bound address. Throws {@link TransportException}. */
  abstract NodeAddress doStart(String host, int port);

  /** Closes channels; must tolerate a partial start. Idempotent. */
  abstract void doStop();

  /**
   * Sends at wire {@code version} (0: the serializer's default); {@code future} may be null (fire
   * and forget). Never throws.
   */
  abstract void doSend(
      GossipMessage message,
      int version,
      NodeAddress target,
      Delivery delivery,
      @Nullable CompletableFuture<Void> future);

  @Override
  public final NodeAddress start() {
    return start(context.options.bindHost(), context.options.bindPort());
  }

  /** Starts bound to {@code host:port} instead of the configured address. */
  final NodeAddress start(String host, int port) {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      throw new IllegalStateException(type() + " transport already started or closed");
    }
    NodeAddress bound;
    try {
      bound = doStart(host, port);
    } catch (RuntimeException e) {
      state.set(State.CLOSED);
      doStop();
      if (ownsContext) {
        context.releaseGroup();
      }
      throw e;
    }
    if (!state.compareAndSet(State.STARTING, State.RUNNING)) {
      doStop();
      throw new IllegalStateException(type() + " transport closed while starting");
    }
    log.atDebug()
        .setMessage("transport started")
        .addKeyValue("type", type())
        .addKeyValue("address", bound)
        .addKeyValue("serializer", serializer.name())
        .addKeyValue("packetOverhead", pipeline.overhead())
        .log();
    return bound;
  }

  @Override
  public final void stop() {
    State prev = state.getAndSet(State.CLOSED);
    if (prev == State.CLOSED) {
      return;
    }
    doStop();
    if (ownsContext) {
      context.releaseGroup();
    }
    log.atDebug().setMessage("transport stopped").addKeyValue("type", type()).log();
  }

  @Override
  public final boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  @Override
  public final void onMessage(InboundHandler handler) {
    context.handler(handler);
  }

  @Override
  public final MessageSerializer serializer() {
    return serializer;
  }

  @Override
  public final int packetOverhead() {
    return pipeline.overhead();
  }

  @Override
  public final TransportStats stats() {
    return counters.snapshot();
  }

  @Override
  public final void send(GossipMessage message, NodeAddress target, Delivery delivery) {
    send(message, target, delivery, 0);
  }

  @Override
  public final void send(
      GossipMessage message, NodeAddress target, Delivery delivery, int version) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(delivery, "delivery");
    if (!isRunning()) {
      notRunning(target, null);
      return;
    }
    doSend(message, version, target, delivery, null);
  }

  @Override
  public final CompletableFuture<Void> sendAsync(
      GossipMessage message, NodeAddress target, Delivery delivery) {
    return sendAsync(message, target, delivery, 0);
  }

  @Override
  public final CompletableFuture<Void> sendAsync(
      GossipMessage message, NodeAddress target, Delivery delivery, int version) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(delivery, "delivery");
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (!isRunning()) {
      notRunning(target, future);
      return future;
    }
    doSend(message, version, target, delivery, future);
    return future;
  }

  private void notRunning(NodeAddress target, @Nullable CompletableFuture<Void> future) {
    fail(
        future,
        TransportDropReason.OVERLOAD,
        target,
        "cannot send to " + target + ": " + type() + " transport is not running",
        null);
  }

  /**
   * The socket address of {@code target}, whose host must be an IP literal: sends never look up a
   * name (that would block the event loop; seeds are resolved before they reach the core). Else
   * fails the send ({@code SEND_FAILED}) and returns null.
   */
  final @Nullable InetSocketAddress resolve(
      NodeAddress target, @Nullable CompletableFuture<Void> future) {
    InetSocketAddress literal = Addresses.literal(target);
    if (literal == null) {
      fail(
          future,
          TransportDropReason.SEND_FAILED,
          target,
          "cannot send to "
              + target
              + ": not an IP address (host names are resolved only when seeds are looked up)",
          null);
    }
    return literal;
  }

  /**
   * Runs {@code message} through the pipeline into a new array with {@code headroom} free bytes in
   * front (the packet is the rest); null after failing the send ({@code UNENCODABLE}).
   */
  final byte @Nullable [] encode(
      GossipMessage message,
      int version,
      int headroom,
      NodeAddress target,
      @Nullable CompletableFuture<Void> future) {
    try {
      return pipeline.encode(message, version, headroom);
    } catch (RuntimeException e) {
      fail(
          future,
          TransportDropReason.UNENCODABLE,
          target,
          "cannot encode " + message.type() + " for " + target + ": " + e.getMessage(),
          e);
      return null;
    }
  }

  /** Fails the send ({@code OVERSIZED}) of a {@code size}-byte packet over a {@code limit}. */
  final void oversized(
      GossipMessage message,
      int size,
      String limit,
      int max,
      NodeAddress target,
      @Nullable CompletableFuture<Void> future) {
    fail(
        future,
        TransportDropReason.OVERSIZED,
        target,
        message.type()
            + " to "
            + target
            + " is "
            + size
            + " bytes, more than the "
            + max
            + "-byte "
            + limit
            + " limit",
        null);
  }

  /** Counts a drop and fails the future (if any) with a {@link SendFailedException}. */
  final void fail(
      @Nullable CompletableFuture<Void> future,
      TransportDropReason reason,
      NodeAddress target,
      String message,
      @Nullable Throwable cause) {
    counters.drop(reason);
    log.atDebug()
        .setMessage("send failed")
        .addKeyValue("reason", reason)
        .addKeyValue("target", target)
        .addKeyValue("detail", message)
        .log();
    if (future != null) {
      future.completeExceptionally(new SendFailedException(reason, target, message, cause));
    }
  }

  /** A listener for a write of {@code bytes} payload bytes that completes {@code future}. */
  final ChannelFutureListener writeListener(
      String kind,
      GossipMessage message,
      NodeAddress target,
      int bytes,
      @Nullable CompletableFuture<Void> future) {
    return (ChannelFuture f) -> {
      if (f.isSuccess()) {
        counters.sent(bytes);
        if (future != null) {
          future.complete(null);
        }
      } else {
        Throwable cause = f.cause();
        fail(
            future,
            TransportDropReason.SEND_FAILED,
            target,
            "could not send "
                + message.type()
                + " to "
                + target
                + " over "
                + kind
                + ": "
                + (cause != null ? cause.toString() : "cancelled"),
            cause);
      }
    };
  }
}
