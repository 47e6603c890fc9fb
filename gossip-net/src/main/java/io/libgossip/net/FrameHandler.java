package io.libgossip.net;

import io.libgossip.core.DropReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound TCP, after the {@link BoundedFrameDecoder}: one frame payload is one message. A frame
 * over its source's token bucket is dropped ({@code RATE_LIMITED}); one that decodes tells the
 * decoder that the connection is in use. A frame over the limit or a corrupt length closes the
 * connection (the peer is broken or hostile); an idle connection is closed too.
 */
final class FrameHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

  private final TransportContext context;
  private final @Nullable BoundedFrameDecoder decoder;

  FrameHandler(TransportContext context) {
    this(context, null);
  }

  FrameHandler(TransportContext context, @Nullable BoundedFrameDecoder decoder) {
    this.context = context;
    this.decoder = decoder;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (!frame.isReadable()) {
        context.drop(DropReason.TRUNCATED, remote(ctx), "empty frame");
        return;
      }
      InetSocketAddress remote = remote(ctx);
      if (context.admit(remote)) {
        TransportContext.Delivered d =
            context.deliver(frame, remote, TlsPeer.peerId(ctx.channel()));
        if (d == TransportContext.Delivered.IMPOSTOR) {
          ctx.close(); // a mutual-TLS peer spoke for another node
        } else if (d == TransportContext.Delivered.MESSAGE && decoder != null) {
          decoder.delivered();
        }
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      log.atDebug()
          .setMessage("closing idle TCP connection")
          .addKeyValue("remote", ctx.channel().remoteAddress())
          .log();
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof TooLongFrameException) {
      context.drop(DropReason.TOO_LARGE, remote(ctx), c.getMessage());
    } else if (c instanceof CorruptedFrameException) {
      context.drop(DropReason.MALFORMED, remote(ctx), c.getMessage());
    } else {
      log.atDebug()
          .setMessage("TCP connection error")
          .addKeyValue("remote", ctx.channel().remoteAddress())
          .addKeyValue("error", c.toString())
          .log();
    }
    ctx.close();
  }

  private static @Nullable InetSocketAddress remote(ChannelHandlerContext ctx) {
    SocketAddress a = ctx.channel().remoteAddress();
    return a instanceof InetSocketAddress i ? i : null;
  }
}
