package io.libgossip.net;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of one transport share: options, the packet pipeline, counters, the inbound
 * handler and the event-loop group. A {@link HybridTransport} hands one context to its UDP and TCP
 * parts.
 */
final class TransportContext {
  private static final Logger log = LoggerFactory.getLogger(TransportContext.class);

  final TransportOptions options;
  final MessageSerializer serializer;
  final PacketPipeline pipeline;
  final TransportCounters counters = new TransportCounters();
  final DropLog dropLog;
  final InboundBudget inboundBudget;
  final SourceLimiter sourceLimiter;
  private volatile @Nullable InboundHandler handler;
  private final DropLog handlerErrorLog;
  private final DropLog rateLog;
  private final DropLog connectionLog;
  private @Nullable EventLoopGroup group;
  private boolean ownsGroup;

  TransportContext(TransportOptions options) {
    this.options = options;
    this.serializer = options.serializer();
    this.pipeline = new PacketPipeline(serializer, options.transforms());
    this.dropLog = new DropLog(log, "inbound");
    this.inboundBudget = new InboundBudget(options.inboundBufferBudget());
    this.sourceLimiter = SourceLimiter.of(options);
    this.handlerErrorLog = new DropLog(log, "handler", "inbound handler threw");
    this.rateLog = new DropLog(log, "inbound", "dropped input over its source's rate limit");
    this.connectionLog = new DropLog(log, "tcp", "closed a TCP connection");
  }

  void handler(InboundHandler h) {
    handler = h;
  }

  /** The group to run on: the caller's, or one created (once) and owned here. */
  synchronized EventLoopGroup group() {
    if (group == null) {
      EventLoopPool given = options.eventLoops().orElse(null);
      if (given != null) {
        group = given.group();
      } else {
        group = EventLoops.newGroup(options.ioThreads(), "gossip-io");
        ownsGroup = true;
      }
    }
    return group;
  }

  /** Shuts the group down if it was created here; waits a bounded time unless called from it. */
  synchronized void releaseGroup() {
    if (group != null && ownsGroup) {
      EventLoopGroup g = group;
      group = null;
      ownsGroup = false;
      var done = g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (!inside(g)) {
        done.awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Whether the calling thread is one of {@code g}'s event loops (waiting there would deadlock).
   */
  static boolean inside(EventLoopGroup g) {
    for (EventExecutor e : g) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether one more inbound packet from {@code sender} is within its source's token bucket; if
   * not, counts and logs a {@code RATE_LIMITED} drop.
   */
  boolean admit(@Nullable InetSocketAddress sender) {
    if (sourceLimiter.admit(sender, System.nanoTime())) {
      return true;
    }
    counters.drop(TransportDropReason.RATE_LIMITED);
    rateLog.drop(TransportDropReason.RATE_LIMITED, sender, "over the source's token bucket");
    return false;
  }

  /**
   * Runs one inbound datagram or frame payload (readable bytes of {@code payload}) through the
   * pipeline and hands the message to the handler; any failure is a counted drop. Does not release
   * {@code payload}.
   */
  Delivered deliver(ByteBuf payload, @Nullable InetSocketAddress sender) {
    return deliver(payload, sender, null);
  }

  /** What became of one inbound payload. */
  enum Delivered {
    /** Decoded and handed to the handler. */
    MESSAGE,
    /** Dropped (counted): undecodable, rejected by a transform, or no handler. */
    DROPPED,
    /** From a mutual-TLS peer speaking for another node: dropped; close the connection. */
    IMPOSTOR
  }

  /**
   * As {@link #deliver(ByteBuf, InetSocketAddress)}, for a connection whose peer is certified as
   * {@code peerId} (null: not certified): a message from anyone else is dropped ({@code
   * TLS_IDENTITY_MISMATCH}) as {@link Delivered#IMPOSTOR}, so that the caller closes the
   * connection.
   */
  Delivered deliver(ByteBuf payload, @Nullable InetSocketAddress sender, @Nullable String peerId) {
    int length = payload.readableBytes();
    PacketPipeline.Inbound in = pipeline.decode(payload);
    if (in instanceof PacketPipeline.Inbound.Undecodable u) {
      drop(u.reason(), sender, u.detail());
      return Delivered.DROPPED;
    }
    if (in instanceof PacketPipeline.Inbound.Rejected r) {
      drop(r.reason(), sender, r.transform() + ": " + r.why());
      return Delivered.DROPPED;
    }
    PacketPipeline.Inbound.Decoded decoded = (PacketPipeline.Inbound.Decoded) in;
    GossipMessage message = decoded.message();
    if (peerId != null && !peerId.equals(message.from())) {
      drop(
          TransportDropReason.TLS_IDENTITY_MISMATCH,
          sender,
          "certified as '"
              + LogSafe.text(peerId)
              + "' but sent a "
              + message.type()
              + " from '"
              + LogSafe.text(message.from())
              + "'");
      return Delivered.IMPOSTOR;
    }
    InboundHandler h = handler;
    if (h == null) {
      drop(TransportDropReason.OVERLOAD, sender, "no inbound handler");
      return Delivered.DROPPED;
    }
    counters.received(length);
    try {
      h.onMessage(message, decoded.senderVersions(), sender, length);
    } catch (RuntimeException e) {
      handlerErrorLog.drop(TransportDropReason.OVERLOAD, sender, "inbound handler threw " + e);
    }
    return Delivered.MESSAGE;
  }

  /** Counts and logs (rate-limited) an inbound drop. */
  void drop(DropReason reason, @Nullable InetSocketAddress sender, @Nullable String detail) {
    counters.drop(reason);
    dropLog.drop(reason, sender, detail);
  }

  /**
   * Counts and logs (rate-limited) an inbound drop for a reason of the transport's own; a
   * connection closed for a resource bound ({@code CONNECTION_EVICTED}, {@code SLOW_READ}, {@code
   * MEMORY_BUDGET}) has a log line of its own.
   */
  void drop(
      TransportDropReason reason, @Nullable InetSocketAddress sender, @Nullable String detail) {
    counters.drop(reason);
    switch (reason) {
      case CONNECTION_EVICTED, SLOW_READ, MEMORY_BUDGET ->
          connectionLog.drop(reason, sender, detail);
      default -> dropLog.drop(reason, sender, detail);
    }
  }
}
