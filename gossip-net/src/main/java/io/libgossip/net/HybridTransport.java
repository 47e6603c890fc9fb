package io.libgossip.net;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.netty.channel.EventLoop;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP and TCP on the same port number: {@link Delivery#BEST_EFFORT} messages that fit one datagram
 * go over UDP, {@link Delivery#RELIABLE} ones and anything larger over TCP (see {@link
 * TcpTransport} for the framing and connection pool). Each message is encoded once. The default
 * transport.
 *
 * <p>When the configured port is 0, TCP picks a free port and UDP binds the same number; if that
 * number is taken for UDP, both are retried on another port a few times.
 */
final class HybridTransport extends AbstractTransport {
  private static final Logger log = LoggerFactory.getLogger(HybridTransport.class);
  private static final int BIND_ATTEMPTS = 8;

  private final int maxDatagramSize;
  private volatile @Nullable UdpTransport udp;
  private volatile @Nullable TcpTransport tcp;

  /** A hybrid transport with its own context; see {@link TransportFactory}. */
  HybridTransport(TransportOptions options) {
    this(new TransportContext(options));
  }

  private HybridTransport(TransportContext context) {
    super(context, true);
    this.maxDatagramSize = context.options.maxDatagramSize();
  }

  @Override
  public TransportType type() {
    return TransportType.HYBRID;
  }

  @Override
  NodeAddress doStart(String host, int port) {
    int attempts = port == 0 ? BIND_ATTEMPTS : 1;
    TransportException last = null;
    for (int i = 0; i < attempts; i++) {
      TcpTransport t = new TcpTransport(context, false);
      tcp = t;
      NodeAddress bound = t.start(host, port);
      UdpTransport u = new UdpTransport(context, false);
      udp = u;
      try {
        u.start(host, bound.port());
        return bound;
      } catch (TransportException e) {
        last = e;
        t.stop();
        log.atDebug()
            .setMessage("UDP port taken, retrying on another port")
            .addKeyValue("port", bound.port())
            .log();
      }
    }
    throw last;
  }

  @Override
  void doStop() {
    TcpTransport t = tcp;
    if (t != null) {
      t.stop();
    }
    UdpTransport u = udp;
    if (u != null) {
      u.stop();
    }
  }

  @Override
  public NodeAddress localAddress() {
    return started().localAddress();
  }

  @Override
  public EventLoop eventLoop() {
    return started().eventLoop();
  }

  private UdpTransport started() {
    UdpTransport u = udp;
    if (u == null || !u.isRunning()) {
      throw new IllegalStateException("hybrid transport not started");
    }
    return u;
  }

  /** The TCP part (for tests). */
  @Nullable TcpTransport tcp() {
    return tcp;
  }

  @Override
  void doSend(
      GossipMessage message,
      int version,
      NodeAddress target,
      Delivery delivery,
      @Nullable CompletableFuture<Void> future) {
    // Encoded once, with room for the TCP length prefix in front.
    byte[] frame = encode(message, version, TcpTransport.LENGTH_BYTES, target, future);
    if (frame == null) {
      return;
    }
    int size = frame.length - TcpTransport.LENGTH_BYTES;
    if (delivery == Delivery.BEST_EFFORT && size <= maxDatagramSize) {
      Objects.requireNonNull(udp, "hybrid transport not started")
          .sendPayload(message, frame, TcpTransport.LENGTH_BYTES, target, future);
    } else {
      Objects.requireNonNull(tcp, "hybrid transport not started")
          .sendFrame(message, frame, target, future);
    }
  }
}
