package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link EventLoopPool}: NIO and epoll pools run clusters; a caller's Netty group stays theirs. */
class EventLoopPoolTest {
  @Test
  void defaultPoolUsesEpollExactlyWhenItIsAvailable() {
    EventLoopPool pool = EventLoopPool.create(2, "pool-test");
    assertThat(pool.epoll()).isEqualTo(TransportFactory.epollAvailable());
    assertThat(pool.threads()).isEqualTo(2);
    assertThat(pool.isClosed()).isFalse();
    assertThat(pool.toString()).contains("threads=2", pool.epoll() ? "epoll" : "nio");
    pool.close();
    assertThat(pool.isClosed()).isTrue();
    pool.close(); // idempotent
  }

  @Test
  void clusterFormsOnANioPool() {
    try (EventLoopPool pool = EventLoopPool.create(1, "nio-test", false)) {
      assertThat(pool.epoll()).isFalse();
      TwoNodes.converge(b -> b.eventLoops(pool));
    }
  }

  @Test
  void clusterFormsOnAnEpollPool() {
    assumeTrue(TransportFactory.epollAvailable(), "native epoll is not available here");
    try (EventLoopPool pool = EventLoopPool.create(1, "epoll-test", true)) {
      assertThat(pool.epoll()).isTrue();
      TwoNodes.converge(b -> b.eventLoops(pool));
    }
  }

  @Test
  void clusterFormsOnNodesThatOwnTheirThreads() {
    TwoNodes.converge(b -> b);
  }

  @Test
  void aCallersNettyGroupRunsNodesAndIsLeftRunning() {
    for (boolean epoll : new boolean[] {false, true}) {
      if (epoll && !TransportFactory.epollAvailable()) {
        continue;
      }
      EventLoopGroup group = EventLoops.newGroup(1, "callers", epoll);
      try {
        EventLoopPool pool = EventLoopPool.ofNettyGroup(group);
        assertThat(pool.epoll()).isEqualTo(epoll);
        TwoNodes.converge(b -> b.eventLoops(pool));
        pool.close();
        assertThat(group.isShuttingDown()).as("close() leaves the caller's group").isFalse();
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  @Test
  @SuppressWarnings("deprecation") // DefaultEventLoopGroup: deprecated in 4.2, in 4.1 and 4.2
  void aGroupOfNeitherNioNorEpollLoopsIsRejectedByName() {
    EventLoopGroup local = new DefaultEventLoopGroup(1);
    try {
      assertThatThrownBy(() -> EventLoopPool.ofNettyGroup(local))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(DefaultEventLoopGroup.class.getName())
          .hasMessageContaining("NIO or epoll");
    } finally {
      local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void badArgumentsAreNamed() {
    assertThatThrownBy(() -> EventLoopPool.create(0, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threads must be at least 1, got 0");
    assertThatThrownBy(() -> EventLoopPool.create(1, null))
        .isInstanceOf(NullPointerException.class);
    if (!TransportFactory.epollAvailable()) {
      assertThatThrownBy(() -> EventLoopPool.create(1, "x", true))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("native epoll is not available");
    }
  }
}
