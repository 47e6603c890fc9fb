package io.libgossip.net;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.WireVersions;
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

  /**
   * One decoded message whose header said which wire versions its sender speaks ({@code
   * senderVersions}, null when it said nothing). A runtime that drives a core passes them to {@link
   * io.libgossip.core.GossipCore#handleMessage(GossipMessage, WireVersions, long)}; the default
   * drops them and calls {@link #onMessage(GossipMessage, InetSocketAddress, int)}.
   */
  default void onMessage(
      GossipMessage message,
      @Nullable WireVersions senderVersions,
      @Nullable InetSocketAddress sender,
      int size) {
    onMessage(message, sender, size);
  }
}
