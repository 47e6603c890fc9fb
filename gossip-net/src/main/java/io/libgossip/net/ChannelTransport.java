package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A transport that is bound through one channel (the UDP socket, the TCP listener): its address and
 * event loop are that channel's.
 */
abstract class ChannelTransport extends AbstractTransport {
  ChannelTransport(TransportContext context, boolean ownsContext) {
    super(context, ownsContext);
  }

  /** The bound channel; null before the transport starts. */
  abstract @Nullable Channel boundChannel();

  @Override
  public final NodeAddress localAddress() {
    return Addresses.fromSocketAddress((InetSocketAddress) started().localAddress());
  }

  @Override
  public final EventLoop eventLoop() {
    return started().eventLoop();
  }

  private Channel started() {
    Channel ch = boundChannel();
    if (ch == null) {
      throw new IllegalStateException(type() + " transport not started");
    }
    return ch;
  }
}
