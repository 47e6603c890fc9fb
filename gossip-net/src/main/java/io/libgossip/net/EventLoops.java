package io.libgossip.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;

/**
 * Event-loop groups and channel classes for transports: epoll when the native library loads, NIO
 * otherwise. The public entry point is {@link TransportFactory#newEventLoopGroup(int, String)}.
 */
final class EventLoops {
  private EventLoops() {}

  /** Whether native epoll is available on this machine. */
  static boolean epollAvailable() {
    return Epoll.isAvailable();
  }

  /**
   * A new group of {@code threads} event loops (epoll when available, NIO otherwise), with daemon
   * threads named {@code namePrefix-N}. The caller owns it and must shut it down.
   */
  static EventLoopGroup newGroup(int threads, String namePrefix) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    Objects.requireNonNull(namePrefix, "namePrefix");
    DefaultThreadFactory factory = new DefaultThreadFactory(namePrefix, true);
    return new MultiThreadIoEventLoopGroup(
        threads,
        factory,
        Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** Whether channels on {@code group} must be the epoll kind. */
  static boolean isEpoll(EventLoopGroup group) {
    return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
  }

  static Class<? extends DatagramChannel> datagramChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  static Class<? extends ServerChannel> serverChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
