package io.libgossip.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Netty 4.2's event-loop groups ({@code MultiThreadIoEventLoopGroup} with an {@code NioIoHandler}
 * or {@code EpollIoHandler} factory), reached by reflection: the only reflective Netty code in
 * gossip-net. Netty 4.1 has none of these classes, and gossip-net compiles against the API the two
 * versions share, so that it runs on either; {@link #get()} is {@code null} on 4.1.
 */
final class Netty42 {
  private static final @Nullable Netty42 INSTANCE = load();

  /** {@code MultiThreadIoEventLoopGroup(int, ThreadFactory, IoHandlerFactory)}. */
  private final Constructor<?> groupConstructor;

  /** {@code IoEventLoopGroup}, and its {@code isIoType(Class<? extends IoHandler>)}. */
  private final Class<?> ioGroup;

  private final Method isIoType;

  /** {@code NioIoHandler}, and its static {@code newFactory()}. */
  private final Class<?> nioHandler;

  private final Method nioFactory;

  /** {@code EpollIoHandler} and its {@code newFactory()}; null when the epoll classes are 4.1's. */
  private final @Nullable Class<?> epollHandler;

  private final @Nullable Method epollFactory;

  private Netty42(
      Constructor<?> groupConstructor,
      Class<?> ioGroup,
      Method isIoType,
      Class<?> nioHandler,
      Method nioFactory,
      @Nullable Class<?> epollHandler,
      @Nullable Method epollFactory) {
    this.groupConstructor = groupConstructor;
    this.ioGroup = ioGroup;
    this.isIoType = isIoType;
    this.nioHandler = nioHandler;
    this.nioFactory = nioFactory;
    this.epollHandler = epollHandler;
    this.epollFactory = epollFactory;
  }

  /** The 4.2 API, or {@code null} when the Netty on the class path is older than 4.2. */
  static @Nullable Netty42 get() {
    return INSTANCE;
  }

  private static @Nullable Netty42 load() {
    ClassLoader transport = EventLoopGroup.class.getClassLoader();
    try {
      Class<?> group =
          Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup", false, transport);
      Class<?> handlerFactory =
          Class.forName("io.netty.channel.IoHandlerFactory", false, transport);
      Class<?> handler = Class.forName("io.netty.channel.IoHandler", false, transport);
      Class<?> ioGroup = Class.forName("io.netty.channel.IoEventLoopGroup", false, transport);
      Class<?> nio = Class.forName("io.netty.channel.nio.NioIoHandler", false, transport);
      Class<?> epoll = null;
      Method epollFactory = null;
      try {
        epoll =
            Class.forName(
                "io.netty.channel.epoll.EpollIoHandler", false, Epoll.class.getClassLoader());
        epollFactory = epoll.getMethod("newFactory");
      } catch (ReflectiveOperationException | LinkageError e) {
        // netty-transport-classes-epoll older than netty-transport: NIO only
      }
      return new Netty42(
          group.getConstructor(int.class, ThreadFactory.class, handlerFactory),
          ioGroup,
          ioGroup.getMethod("isIoType", Class.class),
          nio,
          nio.getMethod("newFactory"),
          epoll != null && handler.isAssignableFrom(epoll) ? epoll : null,
          epollFactory);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null; // Netty 4.1
    }
  }

  /** A new group of {@code threads} epoll or NIO loops on threads from {@code factory}. */
  EventLoopGroup newGroup(int threads, ThreadFactory factory, boolean epoll) {
    Method handlerFactory = nioFactory;
    if (epoll) {
      if (epollFactory == null) {
        throw new IllegalStateException(
            "netty-transport-classes-epoll is older than netty-transport (4.2): no EpollIoHandler");
      }
      handlerFactory = epollFactory;
    }
    try {
      Object ioHandlerFactory = handlerFactory.invoke(null);
      return (EventLoopGroup) groupConstructor.newInstance(threads, factory, ioHandlerFactory);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("cannot create a Netty 4.2 event-loop group", e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create a Netty 4.2 event-loop group", e);
    }
  }

  /** Whether {@code group} is a 4.2 group of epoll loops. */
  boolean isEpoll(EventLoopGroup group) {
    return epollHandler != null && isIoType(group, epollHandler);
  }

  /** Whether {@code group} is a 4.2 group of NIO loops. */
  boolean isNio(EventLoopGroup group) {
    return isIoType(group, nioHandler);
  }

  private boolean isIoType(EventLoopGroup group, Class<?> handler) {
    if (!ioGroup.isInstance(group)) {
      return false;
    }
    try {
      return Boolean.TRUE.equals(isIoType.invoke(group, handler));
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
