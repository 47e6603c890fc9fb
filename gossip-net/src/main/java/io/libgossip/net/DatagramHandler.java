package io.libgossip.net;

import io.libgossip.core.DropReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound UDP: one datagram is one message. Oversized datagrams (the receive buffer holds one byte
 * more than the limit, so a truncated one shows) are counted as {@code TOO_LARGE}; datagrams over
 * their source's token bucket as {@code RATE_LIMITED}.
 */
final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(DatagramHandler.class);

  private final TransportContext context;
  private final int maxDatagramSize;

  DatagramHandler(TransportContext context) {
    super(DatagramPacket.class, true);
    this.context = context;
    this.maxDatagramSize = context.options.maxDatagramSize();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    int length = packet.content().readableBytes();
    if (length > maxDatagramSize) {
      context.drop(
          DropReason.TOO_LARGE,
          packet.sender(),
          "datagram larger than " + maxDatagramSize + " bytes");
      return;
    }
    if (length == 0) {
      context.drop(DropReason.TRUNCATED, packet.sender(), "empty datagram");
      return;
    }
    if (context.admit(packet.sender())) {
      context.deliver(packet.content(), packet.sender());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // ICMP errors (port unreachable) and the like surface here; a UDP socket stays usable.
    log.atDebug().setMessage("UDP channel error").addKeyValue("error", cause.toString()).log();
  }
}
