package io.libgossip.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/**
 * The TLS end of a TCP connection: an {@link SslHandler} (JDK provider, TLS 1.3) followed by this
 * handler, which learns the peer's node id from its certificate when the handshake completes and
 * counts connections that fail it: plaintext ({@link TransportDropReason#TLS_PLAINTEXT}), no or an
 * untrusted certificate, or, with mutual TLS, a certificate without an id ({@link
 * TransportDropReason#TLS_HANDSHAKE_FAILED}). The {@link FrameHandler} then checks every message's
 * sender against {@link #peerId(Channel)}.
 */
final class TlsPeer extends ChannelInboundHandlerAdapter {
  /** The peer's certified node id, set once the handshake completed. */
  static final AttributeKey<String> PEER_ID = AttributeKey.valueOf("libgossip.tls.peerId");

  /**
   * The least time a handshake may take (a cold JVM's first handshake on a loaded machine can take
   * seconds); the connect timeout when longer. A peer stalling its handshake is closed after it.
   */
  static final long MIN_HANDSHAKE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final TransportContext context;
  private final boolean requireId;
  private boolean failed;

  private TlsPeer(TransportContext context, boolean requireId) {
    this.context = context;
    this.requireId = requireId;
  }

  /**
   * Puts TLS at the front of {@code p} (after any handler already there) when the options ask for
   * it; the accepting side when {@code server}.
   */
  static void install(ChannelPipeline p, TransportContext context, boolean server) {
    TlsOptions tls = context.options.tls().orElse(null);
    if (tls == null) {
      return;
    }
    Channel ch = p.channel();
    SSLEngine engine = (server ? tls.serverContext() : tls.clientContext()).newEngine(ch.alloc());
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm(null); // the id is the identity, not the host name
    engine.setSSLParameters(params);
    SslHandler ssl = new SslHandler(engine);
    long timeout =
        Math.max(MIN_HANDSHAKE_TIMEOUT_NANOS, context.options.connectTimeout().toNanos());
    ssl.setHandshakeTimeout(timeout, TimeUnit.NANOSECONDS);
    p.addLast("tls", ssl);
    p.addLast("tls-peer", new TlsPeer(context, tls.requireClientAuth()));
  }

  /** The certified id of the peer on {@code ch}, or null without TLS or before the handshake. */
  static @Nullable String peerId(Channel ch) {
    return ch.hasAttr(PEER_ID) ? ch.attr(PEER_ID).get() : null;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done) {
      if (!done.isSuccess()) {
        Throwable cause = done.cause();
        if (unwrap(cause) instanceof ClosedChannelException) {
          ctx.close(); // closed here (idle, evicted, shutting down) before the handshake ended
          return;
        }
        refuse(
            ctx,
            isPlaintext(cause)
                ? TransportDropReason.TLS_PLAINTEXT
                : TransportDropReason.TLS_HANDSHAKE_FAILED,
            "TLS handshake failed: " + cause);
        return;
      }
      String id = certifiedId(ctx);
      if (id != null) {
        ctx.channel().attr(PEER_ID).set(id);
      } else if (requireId) {
        refuse(
            ctx,
            TransportDropReason.TLS_HANDSHAKE_FAILED,
            "peer certificate carries no " + TlsOptions.ID_URI_PREFIX + "<id>");
        return;
      }
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failed || isPlaintext(cause) || unwrap(cause) instanceof SSLException) {
      // the handshake outcome was (or will be) counted once; nothing useful after it
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void refuse(ChannelHandlerContext ctx, TransportDropReason reason, String detail) {
    if (!failed) {
      failed = true;
      context.drop(reason, remote(ctx), detail);
    }
    ctx.close();
  }

  private static @Nullable String certifiedId(ChannelHandlerContext ctx) {
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return null;
    }
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? TlsOptions.idOf(x) : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private static boolean isPlaintext(@Nullable Throwable cause) {
    return unwrap(cause) instanceof NotSslRecordException;
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable cause) {
    return cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
  }

  private static @Nullable InetSocketAddress remote(ChannelHandlerContext ctx) {
    SocketAddress a = ctx.channel().remoteAddress();
    return a instanceof InetSocketAddress i ? i : null;
  }
}
