package io.libgossip.net;

import io.libgossip.core.GossipMessage;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Receives every message a {@link Transport} decodes. Called on one of the transport's I/O threads
 * (not necessarily the same one each time); it must not block. Undecodable input never reaches it:
 * the transport counts it as a drop.
 */
@FunctionalInterface
public interface InboundHandler {
  /**
   * One decoded message.
   *
   * @param message the message
   * @param sender the socket address it came from (for TCP, the peer's ephemeral client port: reply
   *     to {@link GossipMessage#fromAddress()}, not to this), or null when the transport cannot
   *     tell (a TCP connection closed meanwhile)
   * @param size the size of the packet it came in, in bytes (after every transform; without a TCP
   *     length prefix)
   */
  void onMessage(GossipMessage message, @Nullable InetSocketAddress sender, int size);
}
