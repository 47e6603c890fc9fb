package io.libgossip.net;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Threads that run nodes and their transports: network I/O, timers and each node's protocol core.
 * Many nodes in one JVM (tests, benchmarks, examples, a service that runs several clusters) should
 * share one pool; a node given none creates and owns a one-thread pool of its own.
 *
 * <pre>{@code
 * try (EventLoopPool pool = EventLoopPool.create(2, "gossip")) {
 *   GossipNode a = GossipNode.builder().eventLoops(pool).bind("127.0.0.1", 0).start();
 *   ...
 *   a.close(); // close the nodes first, then the pool
 * }
 * }</pre>
 *
 * <p>The threads use native epoll on Linux (x86_64 and aarch64) when Netty's native library loads,
 * and Java NIO otherwise; {@link #epoll()} says which. The pool works on Netty 4.1 and 4.2.
 *
 * <p>Advanced: {@link #ofNettyGroup} runs nodes on a Netty event-loop group the application already
 * has (for example its server's), the one place where this API takes a Netty type.
 */
public final class EventLoopPool implements AutoCloseable {
  private final EventLoopGroup group;
  private final boolean owned;
  private final boolean epoll;

  private EventLoopPool(EventLoopGroup group, boolean owned) {
    this.group = group;
    this.owned = owned;
    this.epoll = EventLoops.isEpoll(group);
  }

  /**
   * A new pool of {@code threads} daemon threads named {@code namePrefix-N}, using epoll when the
   * native library loads and NIO otherwise. The caller closes it after closing every node or
   * transport that runs on it.
   *
   * @throws IllegalArgumentException when {@code threads < 1}
   */
  public static EventLoopPool create(int threads, String namePrefix) {
    return new EventLoopPool(EventLoops.newGroup(threads, namePrefix), true);
  }

  /** Same as {@link #create(int, String)}, with epoll only when {@code epoll} (for tests). */
  static EventLoopPool create(int threads, String namePrefix, boolean epoll) {
    return new EventLoopPool(EventLoops.newGroup(threads, namePrefix, epoll), true);
  }

  /**
   * Advanced: a pool over a Netty event-loop group that the caller owns, for example the
   * application's own, so that nodes run on its threads. It must be a group of NIO or epoll loops
   * (Netty 4.1's {@code NioEventLoopGroup} or {@code EpollEventLoopGroup}, or 4.2's {@code
   * MultiThreadIoEventLoopGroup} with {@code NioIoHandler} or {@code EpollIoHandler}). {@link
   * #close()} leaves it running; the caller shuts it down after closing the nodes. Each node's
   * protocol work runs on one of its loops, so a loop that the application blocks delays that
   * node's probes.
   *
   * @throws IllegalArgumentException when the group's loops are neither NIO nor epoll
   */
  public static EventLoopPool ofNettyGroup(EventLoopGroup group) {
    Objects.requireNonNull(group, "group");
    if (!EventLoops.isEpoll(group) && !EventLoops.isNio(group)) {
      throw new IllegalArgumentException(
          "unsupported event-loop group "
              + group.getClass().getName()
              + ": gossip-net runs on groups of NIO or epoll loops");
    }
    return new EventLoopPool(group, false);
  }

  /** The number of threads. */
  public int threads() {
    int n = 0;
    for (EventExecutor ignored : group) {
      n++;
    }
    return n;
  }

  /** Whether the threads use native epoll; {@code false} means Java NIO. */
  public boolean epoll() {
    return epoll;
  }

  /** Whether {@link #close()} was called (or, for a Netty group, whether it is shutting down). */
  public boolean isClosed() {
    return group.isShuttingDown();
  }

  /**
   * Stops the threads of a pool made by {@link #create}: lets queued work finish (at most about a
   * second) and waits up to 5 s for them to end, unless called from one of them. Does nothing for a
   * pool made by {@link #ofNettyGroup}. Close the nodes that run on the pool first.
   */
  @Override
  public void close() {
    if (!owned) {
      return;
    }
    var done = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    if (!TransportContext.inside(group)) {
      done.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /** The Netty group, for the transports. */
  EventLoopGroup group() {
    return group;
  }

  @Override
  public String toString() {
    return "EventLoopPool{threads="
        + threads()
        + ", "
        + (epoll ? "epoll" : "nio")
        + (owned ? "" : ", caller's group")
        + "}";
  }
}
