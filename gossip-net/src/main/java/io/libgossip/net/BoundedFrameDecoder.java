package io.libgossip.net;

import io.libgossip.core.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a TCP byte stream into frames (see {@link TcpTransport} for the format) within hard
 * bounds, and closes connections that hold resources without using them:
 *
 * <ul>
 *   <li>a length over {@link TransportOptions#maxMessageSize()} closes the connection ({@code
 *       TOO_LARGE}) before any of the payload is buffered;
 *   <li>a frame's buffer is never allocated at the announced length: it starts small and grows as
 *       bytes arrive, and every byte of capacity is first reserved in the transport's {@link
 *       InboundBudget}; a frame the budget cannot hold closes the connection ({@code
 *       MEMORY_BUDGET});
 *   <li>a frame must arrive whole within {@link TransportOptions#slowReadTimeout()} of its first
 *       byte, or the connection is closed ({@code SLOW_READ}): a slow sender cannot hold a buffer;
 *   <li>a connection that has neither delivered a valid frame nor carried an outbound one for
 *       {@link TransportOptions#idleTimeout()} is closed between frames (a frame under way is
 *       bounded by the slow-read timeout instead); empty frames are counted ({@code TRUNCATED}) and
 *       do not count as traffic.
 * </ul>
 *
 * Complete frames go on down the pipeline; the handler that decodes them reports a valid one with
 * {@link #delivered()}. The times and the "has delivered" flag are what {@link InboundSlots}
 * chooses an eviction victim by. One instance per channel; its timers run on the channel's loop.
 */
final class BoundedFrameDecoder extends ChannelDuplexHandler implements InboundSlots.Slot {
  private static final Logger log = LoggerFactory.getLogger(BoundedFrameDecoder.class);
  private static final int MIN_CAPACITY = 4096;

  private final TransportContext context;
  private final InboundBudget budget;
  private final int maxFrame;
  private final long idleNanos;
  private final long slowReadNanos;

  // Decoder state, event loop only.
  private int headerBytes;
  private int header;
  private int length;
  private @Nullable ByteBuf body;
  private long reserved;
  private boolean stopped;
  private boolean expiring;
  private @Nullable ChannelHandlerContext ctx;
  private @Nullable ScheduledFuture<?> timer;
  private @Nullable EventExecutor clock;

  // Read by InboundSlots from other loops.
  private volatile long openedNanos;
  private volatile long lastActiveNanos;
  private volatile boolean proven;
  private volatile boolean frameInProgress;
  private volatile long frameStartNanos;

  BoundedFrameDecoder(TransportContext context) {
    this.context = context;
    this.budget = context.inboundBudget;
    this.maxFrame = context.options.maxMessageSize();
    this.idleNanos = context.options.idleTimeout().toNanos();
    this.slowReadNanos = context.options.slowReadTimeout().toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    clock = ctx.executor(); // under EmbeddedChannel, the mock time tests advance
    long now = LoopClock.nanoTime(clock);
    openedNanos = now;
    lastActiveNanos = now;
    if (ctx.channel().isActive()) {
      schedule(Math.min(idleNanos, slowReadNanos));
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long now = LoopClock.nanoTime(clock);
    openedNanos = now;
    lastActiveNanos = now;
    if (timer == null) {
      schedule(Math.min(idleNanos, slowReadNanos));
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  /** The clock of this channel's loop, in nanoseconds. */
  long now() {
    return LoopClock.nanoTime(clock);
  }

  /** Called for each frame that decoded into a message: the connection is in use and proven. */
  void delivered() {
    lastActiveNanos = LoopClock.nanoTime(clock);
    proven = true;
  }

  @Override
  public long openedNanos() {
    return openedNanos;
  }

  @Override
  public long lastActiveNanos() {
    return lastActiveNanos;
  }

  @Override
  public boolean proven() {
    return proven;
  }

  @Override
  public @Nullable InetAddress peer() {
    ChannelHandlerContext c = ctx;
    SocketAddress a = c == null ? null : c.channel().remoteAddress();
    return a instanceof InetSocketAddress i ? i.getAddress() : null;
  }

  /** Bytes the buffer of the unfinished frame holds now (its capacity), 0 between frames. */
  long bufferedBytes() {
    return reserved;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b && b.isReadable()) {
      lastActiveNanos = LoopClock.nanoTime(clock);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      decode(ctx, in);
    } finally {
      in.release();
    }
  }

  private void decode(ChannelHandlerContext ctx, ByteBuf in) {
    while (in.isReadable() && !stopped) {
      ByteBuf b = body;
      if (b == null) {
        if (headerBytes == 0) {
          frameStartNanos = LoopClock.nanoTime(clock);
          frameInProgress = true;
        }
        while (headerBytes < TcpTransport.LENGTH_BYTES && in.isReadable()) {
          header = (header << 8) | in.readUnsignedByte();
          headerBytes++;
        }
        if (headerBytes < TcpTransport.LENGTH_BYTES) {
          return;
        }
        long announced = header & 0xFFFF_FFFFL;
        if (announced > maxFrame) {
          cut(
              ctx,
              DropReason.TOO_LARGE,
              null,
              "frame of " + announced + " bytes, more than the " + maxFrame + "-byte limit");
          return;
        }
        if (announced == 0) {
          context.drop(DropReason.TRUNCATED, remote(ctx), "empty frame");
          endFrame();
          continue;
        }
        length = (int) announced;
        int initial = Math.min(length, Math.max(MIN_CAPACITY, in.readableBytes()));
        if (!budget.tryReserve(initial)) {
          overBudget(ctx, initial);
          return;
        }
        reserved = initial;
        b = Unpooled.buffer(initial, length);
        body = b;
      }
      int n = Math.min(in.readableBytes(), length - b.writerIndex());
      int needed = b.writerIndex() + n;
      if (needed > b.capacity()) {
        int grown = (int) Math.min(length, Math.max(needed, 2L * b.capacity()));
        if (!budget.tryReserve(grown - b.capacity())) {
          overBudget(ctx, grown - b.capacity());
          return;
        }
        reserved += grown - b.capacity();
        b.capacity(grown);
      }
      b.writeBytes(in, n);
      if (b.writerIndex() == length) {
        long held = reserved;
        body = null;
        reserved = 0;
        endFrame();
        try {
          ctx.fireChannelRead(b); // the next handler releases it
        } finally {
          budget.release(held);
        }
      }
    }
  }

  private void endFrame() {
    headerBytes = 0;
    header = 0;
    length = 0;
    frameInProgress = false;
  }

  private void overBudget(ChannelHandlerContext ctx, int more) {
    cut(
        ctx,
        null,
        TransportDropReason.MEMORY_BUDGET,
        "frame of "
            + length
            + " bytes needs "
            + more
            + " more buffer bytes; inbound buffers hold "
            + budget.used()
            + " of "
            + budget.limit());
  }

  /** Counts one drop (of either kind), frees the frame and closes the connection. */
  private void cut(
      ChannelHandlerContext ctx,
      @Nullable DropReason reason,
      @Nullable TransportDropReason own,
      String detail) {
    if (reason != null) {
      context.drop(reason, remote(ctx), detail);
    } else if (own != null) {
      context.drop(own, remote(ctx), detail);
    }
    stop();
    ctx.close();
  }

  /** Frees the unfinished frame and its budget, cancels the timer; idempotent. */
  private void stop() {
    stopped = true;
    ByteBuf b = body;
    body = null;
    if (b != null) {
      b.release();
    }
    if (reserved != 0) {
      budget.release(reserved);
      reserved = 0;
    }
    ScheduledFuture<?> t = timer;
    timer = null;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void schedule(long delayNanos) {
    ChannelHandlerContext c = ctx;
    if (c == null || stopped) {
      return;
    }
    timer = c.executor().schedule(this::check, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** The timer: cuts a frame that is too slow, closes an idle connection, or checks again later. */
  private void check() {
    timer = null;
    ChannelHandlerContext c = ctx;
    if (c == null || stopped || !c.channel().isOpen()) {
      return;
    }
    long now = LoopClock.nanoTime(clock);
    long idleLeft = lastActiveNanos + idleNanos - now;
    boolean slow = frameInProgress && now - frameStartNanos >= slowReadNanos;
    boolean idle = !frameInProgress && idleLeft <= 0; // a frame under way is the slow-read rule's
    if ((slow || idle) && !expiring) {
      // Look again just after the loop's next I/O: when the loop was stalled past the deadline,
      // bytes that arrived in time are still waiting to be read, and they may finish the frame.
      expiring = true;
      schedule(TimeUnit.MILLISECONDS.toNanos(1));
      return;
    }
    expiring = false;
    if (slow) {
      cut(
          c,
          null,
          TransportDropReason.SLOW_READ,
          "frame unfinished "
              + TimeUnit.NANOSECONDS.toMillis(now - frameStartNanos)
              + " ms after its first byte ("
              + (body == null ? headerBytes : body.writerIndex())
              + " of "
              + (body == null ? "?" : String.valueOf(length))
              + " bytes)");
      return;
    }
    if (idle) {
      log.atDebug()
          .setMessage("closing idle TCP connection")
          .addKeyValue("remote", c.channel().remoteAddress())
          .log();
      stop();
      c.close();
      return;
    }
    long next = frameInProgress ? frameStartNanos + slowReadNanos - now : idleLeft;
    schedule(Math.min(next, slowReadNanos));
  }

  private static @Nullable InetSocketAddress remote(ChannelHandlerContext ctx) {
    SocketAddress a = ctx.channel().remoteAddress();
    return a instanceof InetSocketAddress i ? i : null;
  }
}
