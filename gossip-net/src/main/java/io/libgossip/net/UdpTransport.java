package io.libgossip.net;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A UDP transport on one Netty datagram channel: one message per datagram, at most {@link
 * TransportOptions#maxDatagramSize()} bytes each way (transforms included). Larger outbound
 * messages are refused with an {@code OVERSIZED} drop; {@link Delivery#RELIABLE} is not honoured
 * (use {@link HybridTransport}).
 */
final class UdpTransport extends ChannelTransport {
  private final int maxDatagramSize;
  private volatile @Nullable Channel channel;

  /** A UDP transport with its own context; see {@link TransportFactory}. */
  UdpTransport(TransportOptions options) {
    this(new TransportContext(options), true);
  }

  UdpTransport(TransportContext context, boolean ownsContext) {
    super(context, ownsContext);
    this.maxDatagramSize = context.options.maxDatagramSize();
  }

  @Override
  public TransportType type() {
    return TransportType.UDP;
  }

  @Override
  @SuppressWarnings(
      "deprecation") // ChannelOption.RCVBUF_ALLOCATOR (Netty 4.2) sizes datagram reads
  NodeAddress doStart(String host, int port) {
    NodeAddress wanted = new NodeAddress(host, port);
    InetSocketAddress local;
    try {
      local = Addresses.toSocketAddress(wanted);
    } catch (UnknownHostException e) {
      throw new TransportException("could not bind UDP to " + wanted + ": " + e.getMessage(), e);
    }
    EventLoopGroup group = context.group();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(EventLoops.datagramChannel(group))
            .option(ChannelOption.SO_RCVBUF, context.options.receiveBufferSize())
            // One byte more than the limit, so that an oversized (truncated) datagram shows.
            .option(
                ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxDatagramSize + 1))
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .handler(new DatagramHandler(context));
    ChannelFuture f = b.bind(local);
    if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS) || !f.isSuccess()) {
      Throwable cause = f.cause();
      f.channel().close();
      throw new TransportException(
          "could not bind UDP to "
              + wanted
              + ": "
              + (cause != null ? cause.getMessage() : "timed out after 10 s"),
          cause);
    }
    channel = f.channel();
    return Addresses.fromSocketAddress((InetSocketAddress) channel.localAddress());
  }

  @Override
  void doStop() {
    Channel ch = channel;
    if (ch != null) {
      ChannelFuture closed = ch.close();
      if (!TransportContext.inside(ch.eventLoop().parent())) { // never block an event loop
        closed.awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  @Nullable Channel boundChannel() {
    return channel;
  }

  @Override
  void doSend(
      GossipMessage message,
      int version,
      NodeAddress target,
      Delivery delivery,
      @Nullable CompletableFuture<Void> future) {
    byte[] payload = encode(message, version, 0, target, future);
    if (payload == null) {
      return;
    }
    if (payload.length > maxDatagramSize) {
      oversized(message, payload.length, "datagram", maxDatagramSize, target, future);
      return;
    }
    sendPayload(message, payload, 0, target, future);
  }

  /** Sends an already encoded datagram: the bytes of {@code payload} from {@code offset} on. */
  void sendPayload(
      GossipMessage message,
      byte[] payload,
      int offset,
      NodeAddress target,
      @Nullable CompletableFuture<Void> future) {
    InetSocketAddress remote = resolve(target, future);
    if (remote == null) {
      return;
    }
    Channel ch = channel;
    if (ch == null || !ch.isActive()) {
      fail(
          future,
          TransportDropReason.OVERLOAD,
          target,
          "cannot send to " + target + ": UDP channel closed",
          null);
      return;
    }
    if (!ch.isWritable()) {
      fail(
          future,
          TransportDropReason.OVERLOAD,
          target,
          "cannot send to " + target + ": UDP send buffer full",
          null);
      return;
    }
    int length = payload.length - offset;
    ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload, offset, length), remote))
        .addListener(writeListener("UDP", message, target, length, future));
  }
}
