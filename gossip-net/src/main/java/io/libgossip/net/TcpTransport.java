package io.libgossip.net;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP transport: a server for inbound connections and a pool of outbound ones.
 *
 * <p>Frames are a 4-byte big-endian payload length and the payload (one encoded message):
 *
 * <pre>
 * +--------+--------+--------+--------+----------------------------+
 * |        payload length (uint32)    |  payload: length bytes     |
 * +--------+--------+--------+--------+----------------------------+
 * </pre>
 *
 * The payload is one packet: the encoded message after every {@link PacketTransform}. Payloads over
 * {@link TransportOptions#maxMessageSize()} are refused outbound ({@code OVERSIZED}) and close the
 * connection inbound (the decoder never buffers more than that); see {@link BoundedFrameDecoder}
 * for the other inbound bounds (memory budget, slow-read and idle timeouts) and {@link
 * InboundSlots} for how accepted connections share their slots.
 *
 * <p>The pool keeps at most one connection per target address, opens it on the first send, closes
 * it after {@link TransportOptions#idleTimeout()} without traffic, and keeps at most {@link
 * TransportOptions#maxConnections()}, and {@link TransportOptions#maxConnectionsPerPeer()} per peer
 * address (the least recently used goes first). Sends made while a connection is being opened wait
 * for it, up to {@link TransportOptions#connectTimeout()}. Frames waiting to go out are bounded per
 * connection and in total ({@link TransportOptions#maxPendingBytesPerConnection()}, {@link
 * TransportOptions#maxPendingBytes()}); a send over either fails ({@code OVERLOAD}).
 */
final class TcpTransport extends ChannelTransport {
  private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);

  /** Bytes of the length prefix in front of every frame. */
  static final int LENGTH_BYTES = 4;

  /** Most sends that may wait for one connection to open; more are refused ({@code OVERLOAD}). */
  static final int MAX_PENDING_PER_CONNECTION = 1024;

  private final int maxMessageSize;
  private final Map<InetSocketAddress, Connection> pool = new ConcurrentHashMap<>();
  private final InboundSlots<Channel> slots;
  private final Map<Channel, Boolean> accepted = new ConcurrentHashMap<>();
  private final AtomicLong pendingBytes = new AtomicLong();
  private volatile @Nullable Channel server;
  private volatile @Nullable Bootstrap client;

  /** A TCP transport with its own context; see {@link TransportFactory}. */
  TcpTransport(TransportOptions options) {
    this(new TransportContext(options), true);
  }

  TcpTransport(TransportContext context, boolean ownsContext) {
    super(context, ownsContext);
    this.maxMessageSize = context.options.maxMessageSize();
    this.slots =
        new InboundSlots<>(
            context.options.maxInboundConnections(), context.options.maxConnectionsPerPeer());
  }

  @Override
  public TransportType type() {
    return TransportType.TCP;
  }

  /**
   * Adds the bounded frame decoder (with its idle and slow-read timers) and the message handler to
   * a connection's pipeline.
   */
  static void initPipeline(ChannelPipeline p, TransportContext context) {
    BoundedFrameDecoder frames = new BoundedFrameDecoder(context);
    p.addLast("frames", frames);
    p.addLast("messages", new FrameHandler(context, frames));
  }

  @Override
  NodeAddress doStart(String host, int port) {
    NodeAddress wanted = new NodeAddress(host, port);
    InetSocketAddress local;
    try {
      local = Addresses.toSocketAddress(wanted);
    } catch (UnknownHostException e) {
      throw new TransportException("could not bind TCP to " + wanted + ": " + e.getMessage(), e);
    }
    EventLoopGroup group = context.group();
    WriteBufferWaterMark watermark = new WriteBufferWaterMark(1 << 20, 4 << 20);
    client =
        new Bootstrap()
            .group(group)
            .channel(EventLoops.socketChannel(group))
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, context.options.connectTimeout().toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, watermark)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    TlsPeer.install(ch.pipeline(), context, false);
                    initPipeline(ch.pipeline(), context);
                  }
                });
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(group)
            .channel(EventLoops.serverChannel(group))
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 256)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermark)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("limit", new InboundLimit());
                    TlsPeer.install(ch.pipeline(), context, true);
                    initPipeline(ch.pipeline(), context);
                  }
                });
    ChannelFuture f = sb.bind(local);
    if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS) || !f.isSuccess()) {
      Throwable cause = f.cause();
      f.channel().close();
      throw new TransportException(
          "could not bind TCP to "
              + wanted
              + ": "
              + (cause != null ? cause.getMessage() : "timed out after 10 s"),
          cause);
    }
    server = f.channel();
    return Addresses.fromSocketAddress((InetSocketAddress) server.localAddress());
  }

  @Override
  void doStop() {
    List<ChannelFuture> closing = new ArrayList<>();
    Channel s = server;
    if (s != null) {
      closing.add(s.close());
    }
    for (Connection c : pool.values()) {
      closing.add(c.connect.channel().close());
    }
    pool.clear();
    for (Channel ch : accepted.keySet()) {
      closing.add(ch.close());
    }
    boolean wait =
        s == null || !TransportContext.inside(s.eventLoop().parent()); // never block a loop
    if (wait) {
      for (ChannelFuture f : closing) {
        f.awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  @Nullable Channel boundChannel() {
    return server;
  }

  /** Outbound connections in the pool now (opening or open). */
  int pooledConnections() {
    return pool.size();
  }

  /** Accepted connections open now. */
  int acceptedConnections() {
    return accepted.size();
  }

  /** Bytes of outbound frames waiting now, over all connections. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  @Override
  void doSend(
      GossipMessage message,
      int version,
      NodeAddress target,
      Delivery delivery,
      @Nullable CompletableFuture<Void> future) {
    byte[] frame = encode(message, version, LENGTH_BYTES, target, future);
    if (frame != null) {
      sendFrame(message, frame, target, future);
    }
  }

  /**
   * Sends an encoded frame whose first {@link #LENGTH_BYTES} bytes are free for the prefix,
   * refusing it ({@code OVERSIZED}) above the message limit. The hybrid transport's TCP path too.
   */
  void sendFrame(
      GossipMessage message,
      byte[] frame,
      NodeAddress target,
      @Nullable CompletableFuture<Void> future) {
    int payload = frame.length - LENGTH_BYTES;
    if (payload > maxMessageSize) {
      oversized(message, payload, "message", maxMessageSize, target, future);
      return;
    }
    frame[0] = (byte) (payload >>> 24);
    frame[1] = (byte) (payload >>> 16);
    frame[2] = (byte) (payload >>> 8);
    frame[3] = (byte) payload;
    InetSocketAddress remote = resolve(target, future);
    if (remote != null) {
      send(new Pending(message, frame, target, remote, future), false);
    }
  }

  @SuppressWarnings("ArrayRecordComponent") // a private queue entry, never compared
  private record Pending(
      GossipMessage message,
      byte[] frame,
      NodeAddress target,
      InetSocketAddress remote,
      @Nullable CompletableFuture<Void> future) {}

  private void send(Pending p, boolean retry) {
    Bootstrap b = client;
    if (b == null || !isRunning()) {
      fail(
          p.future,
          TransportDropReason.OVERLOAD,
          p.target,
          "cannot send to " + p.target + ": TCP transport is not running",
          null);
      return;
    }
    Connection c = connection(b, p.remote);
    c.lastUsedNanos = System.nanoTime();
    String over = reservePending(c, p.frame.length);
    if (over != null) {
      fail(
          p.future,
          TransportDropReason.OVERLOAD,
          p.target,
          "cannot send to " + p.target + ": " + over,
          null);
      return;
    }
    ChannelFuture connect = c.connect;
    if (connect.isDone()) {
      write(c, p, retry);
    } else if (c.pending.incrementAndGet() > MAX_PENDING_PER_CONNECTION) {
      c.pending.decrementAndGet();
      releasePending(c, p.frame.length);
      fail(
          p.future,
          TransportDropReason.OVERLOAD,
          p.target,
          "cannot send to " + p.target + ": too many sends waiting for the connection",
          null);
    } else {
      connect.addListener(
          f -> {
            c.pending.decrementAndGet();
            write(c, p, retry);
          });
    }
  }

  /**
   * Reserves {@code bytes} of pending outbound frames on {@code c} and in total; returns null, or
   * why not (nothing reserved).
   */
  private @Nullable String reservePending(Connection c, long bytes) {
    long perConnection = context.options.maxPendingBytesPerConnection();
    long total = context.options.maxPendingBytes();
    if (c.pendingBytes.addAndGet(bytes) > perConnection) {
      c.pendingBytes.addAndGet(-bytes);
      return "more than " + perConnection + " bytes waiting for this connection";
    }
    if (pendingBytes.addAndGet(bytes) > total) {
      pendingBytes.addAndGet(-bytes);
      c.pendingBytes.addAndGet(-bytes);
      return "more than " + total + " bytes waiting for all TCP connections";
    }
    return null;
  }

  private void releasePending(Connection c, long bytes) {
    c.pendingBytes.addAndGet(-bytes);
    pendingBytes.addAndGet(-bytes);
  }

  /** Writes a send whose bytes are reserved; every path releases them. */
  private void write(Connection c, Pending p, boolean retry) {
    try {
      writeReserved(c, p, retry);
    } catch (RuntimeException e) {
      releasePending(c, p.frame.length);
      throw e;
    }
  }

  private void writeReserved(Connection c, Pending p, boolean retry) {
    ChannelFuture connect = c.connect;
    if (!connect.isSuccess()) {
      releasePending(c, p.frame.length);
      Throwable cause = connect.cause();
      fail(
          p.future,
          TransportDropReason.SEND_FAILED,
          p.target,
          "could not connect to "
              + p.target
              + " over TCP: "
              + (cause != null ? cause.getMessage() : "cancelled"),
          cause);
      return;
    }
    Channel ch = connect.channel();
    if (!ch.isActive()) {
      releasePending(c, p.frame.length);
      pool.remove(c.remote, c);
      if (!retry) { // closed (idle, evicted, peer restart) just before this send: one fresh try
        send(p, true);
      } else {
        fail(
            p.future,
            TransportDropReason.SEND_FAILED,
            p.target,
            "connection to " + p.target + " closed",
            null);
      }
      return;
    }
    if (!ch.isWritable()) {
      releasePending(c, p.frame.length);
      fail(
          p.future,
          TransportDropReason.OVERLOAD,
          p.target,
          "cannot send to " + p.target + ": TCP send buffer full",
          null);
      return;
    }
    ch.writeAndFlush(Unpooled.wrappedBuffer(p.frame))
        .addListener(f -> releasePending(c, p.frame.length))
        .addListener(
            writeListener("TCP", p.message, p.target, p.frame.length - LENGTH_BYTES, p.future));
  }

  /** The pooled connection to {@code remote}, opening it (at most one per address) if needed. */
  private Connection connection(Bootstrap b, InetSocketAddress remote) {
    Connection c = pool.get(remote);
    if (c != null) {
      return c;
    }
    if (pool.size() >= context.options.maxConnections()) {
      evictLeastRecentlyUsed(null);
    }
    if (countTo(remote.getAddress()) >= context.options.maxConnectionsPerPeer()) {
      evictLeastRecentlyUsed(remote.getAddress());
    }
    Connection[] created = new Connection[1];
    c =
        pool.computeIfAbsent(
            remote,
            r -> {
              created[0] = new Connection(r, b.connect(r));
              return created[0];
            });
    if (created[0] != null) {
      Connection fresh = created[0];
      fresh.connect.addListener(
          (ChannelFuture f) -> {
            if (!f.isSuccess()) {
              pool.remove(fresh.remote, fresh);
              log.atDebug()
                  .setMessage("TCP connect failed")
                  .addKeyValue("remote", fresh.remote)
                  .addKeyValue("error", String.valueOf(f.cause()))
                  .log();
              return;
            }
            counters.connectionOpened();
            f.channel()
                .closeFuture()
                .addListener(
                    x -> {
                      counters.connectionClosed();
                      pool.remove(fresh.remote, fresh);
                    });
            if (!isRunning()) {
              f.channel().close(); // raced with stop()
            }
          });
    }
    return c;
  }

  private int countTo(InetAddress peer) {
    int n = 0;
    for (InetSocketAddress r : pool.keySet()) {
      if (peer.equals(r.getAddress())) {
        n++;
      }
    }
    return n;
  }

  /** Closes the least recently used pooled connection (to {@code peer} only, if given). */
  private void evictLeastRecentlyUsed(@Nullable InetAddress peer) {
    Connection oldest = null;
    for (Connection c : pool.values()) {
      if (peer != null && !peer.equals(c.remote.getAddress())) {
        continue;
      }
      if (oldest == null || c.lastUsedNanos - oldest.lastUsedNanos < 0) {
        oldest = c;
      }
    }
    if (oldest != null && pool.remove(oldest.remote, oldest)) {
      oldest.connect.channel().close();
    }
  }

  /** One pooled outbound connection (possibly still opening). */
  private static final class Connection {
    final InetSocketAddress remote;
    final ChannelFuture connect;
    final AtomicInteger pending = new AtomicInteger();
    final AtomicLong pendingBytes = new AtomicLong();
    volatile long lastUsedNanos = System.nanoTime();

    Connection(InetSocketAddress remote, ChannelFuture connect) {
      this.remote = remote;
      this.connect = connect;
    }
  }

  /**
   * Tracks accepted connections; one over a bound takes the slot of another ({@link InboundSlots}),
   * which is closed ({@code CONNECTION_EVICTED}).
   */
  private final class InboundLimit extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      BoundedFrameDecoder frames = ch.pipeline().get(BoundedFrameDecoder.class);
      if (!isRunning() || frames == null) {
        counters.drop(TransportDropReason.OVERLOAD);
        ch.close();
        return;
      }
      Channel victim = slots.admit(ch, frames);
      accepted.put(ch, Boolean.TRUE);
      counters.connectionOpened();
      ch.closeFuture()
          .addListener(
              f -> {
                slots.remove(ch);
                accepted.remove(ch);
                counters.connectionClosed();
              });
      if (victim != null) {
        SocketAddress gone = victim.remoteAddress();
        context.drop(
            TransportDropReason.CONNECTION_EVICTED,
            gone instanceof InetSocketAddress i ? i : null,
            "inbound connection slots full: closed to admit " + ch.remoteAddress());
        victim.close();
      }
      ctx.fireChannelActive();
    }
  }
}
