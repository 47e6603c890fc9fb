package io.libgossip.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Objects;

/**
 * Event-loop groups and channel classes for transports: epoll when the native library loads, NIO
 * otherwise. The public entry point is {@link EventLoopPool}.
 *
 * <p>Works on Netty 4.1 and 4.2. It compiles against the API both share: on 4.2 it builds groups
 * with 4.2's {@code MultiThreadIoEventLoopGroup} through {@link Netty42}, on 4.1 (where that class
 * does not exist) with {@link NioEventLoopGroup} or {@link EpollEventLoopGroup}, which 4.2
 * deprecates but still has. Nothing here names a class that only one version has, so loading this
 * class never fails on either.
 */
final class EventLoops {
  private EventLoops() {}

  /** Whether native epoll is available on this machine. */
  static boolean epollAvailable() {
    return Epoll.isAvailable();
  }

  /** Whether Netty 4.2's I/O-handler groups are on the class path (4.2 or later). */
  static boolean netty42() {
    return Netty42.get() != null;
  }

  /**
   * A new group of {@code threads} event loops (epoll when available, NIO otherwise), with daemon
   * threads named {@code namePrefix-N}. The caller owns it and must shut it down.
   */
  static EventLoopGroup newGroup(int threads, String namePrefix) {
    return newGroup(threads, namePrefix, epollAvailable());
  }

  /**
   * Same as {@link #newGroup(int, String)}, with epoll only when {@code epoll} is true.
   *
   * @throws IllegalStateException when {@code epoll} is true but native epoll is not available
   */
  @SuppressWarnings("deprecation") // NioEventLoopGroup, EpollEventLoopGroup: the Netty 4.1 path
  static EventLoopGroup newGroup(int threads, String namePrefix, boolean epoll) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    Objects.requireNonNull(namePrefix, "namePrefix");
    if (epoll && !epollAvailable()) {
      throw new IllegalStateException(
          "native epoll is not available: " + Epoll.unavailabilityCause());
    }
    DefaultThreadFactory factory = new DefaultThreadFactory(namePrefix, true);
    Netty42 netty42 = Netty42.get();
    if (netty42 != null) {
      return netty42.newGroup(threads, factory, epoll);
    }
    return epoll
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  /** Whether channels on {@code group} must be the epoll kind. */
  @SuppressWarnings("deprecation") // EpollEventLoopGroup: Netty 4.1's epoll group
  static boolean isEpoll(EventLoopGroup group) {
    if (group instanceof EpollEventLoopGroup) {
      return true;
    }
    Netty42 netty42 = Netty42.get();
    return netty42 != null && netty42.isEpoll(group);
  }

  /** Whether channels on {@code group} must be the NIO kind. */
  @SuppressWarnings("deprecation") // NioEventLoopGroup: Netty 4.1's NIO group
  static boolean isNio(EventLoopGroup group) {
    if (group instanceof NioEventLoopGroup) {
      return true;
    }
    Netty42 netty42 = Netty42.get();
    return netty42 != null && netty42.isNio(group);
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
