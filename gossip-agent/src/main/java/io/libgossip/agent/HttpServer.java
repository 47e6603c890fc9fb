package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.NodeAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The agent's HTTP server: Netty's HTTP/1.1 codec on one event-loop thread of its own, request
 * bodies aggregated up to a bound (beyond it: 413 without reading the rest), headers bounded
 * (beyond: 431), idle connections without a request in flight closed after {@link #IDLE_SECONDS},
 * at most {@link #MAX_CONNECTIONS} connections; with an {@link SslContext}, HTTPS only.
 */
final class HttpServer implements AutoCloseable {
  /** Seconds a connection may sit without a complete request before it is closed. */
  static final int IDLE_SECONDS = 30;

  /** Seconds a client has to complete the TLS handshake. */
  static final int HANDSHAKE_SECONDS = 10;

  /** The most concurrent connections; more are closed at once. */
  static final int MAX_CONNECTIONS = 256;

  /** Set on a channel while a request is being answered (a stream included). */
  static final AttributeKey<Boolean> BUSY = AttributeKey.valueOf("libgossip.agent.busy");

  private final EventLoopGroup group;
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();

  /**
   * Listens on {@code at}.
   *
   * @param refused told the outcome name of each connection or request refused before the API
   *     handler saw it
   * @throws IllegalStateException when it cannot bind
   */
  HttpServer(
      NodeAddress at,
      int maxBody,
      @Nullable SslContext tls,
      ApiHandler api,
      Consumer<String> refused) {
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("gossip-agent-http", true), NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 << 10, 128 << 10))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                      connections.decrementAndGet();
                      refused.accept("too_many_connections");
                      ch.close();
                      return;
                    }
                    ch.closeFuture().addListener(f -> connections.decrementAndGet());
                    if (tls != null) {
                      SslHandler ssl = tls.newHandler(ch.alloc());
                      ssl.setHandshakeTimeout(HANDSHAKE_SECONDS, TimeUnit.SECONDS);
                      ssl.handshakeFuture()
                          .addListener(
                              f -> {
                                if (!f.isSuccess()) {
                                  refused.accept("tls_handshake_failed");
                                }
                              });
                      ch.pipeline().addLast("tls", ssl);
                    }
                    ch.pipeline()
                        .addLast("idle", new IdleStateHandler(IDLE_SECONDS, 0, 0))
                        .addLast("idleClose", new IdleClose())
                        .addLast("codec", new HttpServerCodec(4096, 8192, 8192))
                        .addLast("body", new BoundedAggregator(maxBody, refused))
                        .addLast("api", api);
                  }
                });
    try {
      server = b.bind(at.host(), at.port()).syncUninterruptibly().channel();
    } catch (Exception e) { // a BindException, thrown without being declared
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException("cannot listen for HTTP on " + at + ": " + e.getMessage(), e);
    }
  }

  /** The address it listens on. */
  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** The event loop of the server. */
  EventLoopGroup group() {
    return group;
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /** Closes a connection that has been idle with no request in flight. */
  private static final class IdleClose extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
        if (!Boolean.TRUE.equals(ctx.channel().attr(BUSY).get())) {
          ctx.close();
        }
        return;
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  /** Aggregates bodies up to a bound; a larger one is answered 413 in the API's format. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final int max;
    private final Consumer<String> refused;

    BoundedAggregator(int max, Consumer<String> refused) {
      super(max);
      this.max = max;
      this.refused = refused;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      refused.accept("payload_too_large");
      ObjectNode body =
          Json.error(
              "payload_too_large",
              "the request body is larger than "
                  + max
                  + " bytes (the agent's --http-max-body); send less");
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
              Unpooled.wrappedBuffer(Json.bytes(body)));
      r.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
