package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

/**
 * The tests run on the Netty version the build chose ({@code netty.version}, 4.1 with {@code
 * -Pnetty41}), and the event loops take that version's group API.
 */
class NettyVersionTest {
  private static String runtimeVersion() {
    Version v = Version.identify().get("netty-transport");
    assertThat(v).as("netty-transport's version resource").isNotNull();
    return v.artifactVersion();
  }

  @Test
  void testsRunOnTheNettyTheBuildChose() {
    String expected = System.getProperty("libgossip.test.nettyVersion");
    if (expected != null && !expected.isEmpty()) {
      assertThat(runtimeVersion()).isEqualTo(expected);
    }
  }

  @Test
  void groupsUseTheApiOfTheNettyOnTheClassPath() {
    boolean is42 = !runtimeVersion().startsWith("4.1.");
    assertThat(EventLoops.netty42()).isEqualTo(is42);
    for (boolean epoll : new boolean[] {false, true}) {
      if (epoll && !TransportFactory.epollAvailable()) {
        continue;
      }
      try (EventLoopPool pool = EventLoopPool.create(1, "version-test", epoll)) {
        String type = pool.group().getClass().getName();
        if (is42) {
          assertThat(type).isEqualTo("io.netty.channel.MultiThreadIoEventLoopGroup");
        } else {
          assertThat(type)
              .isEqualTo(
                  epoll
                      ? "io.netty.channel.epoll.EpollEventLoopGroup"
                      : "io.netty.channel.nio.NioEventLoopGroup");
        }
        assertThat(EventLoops.isEpoll(pool.group())).isEqualTo(epoll);
        assertThat(EventLoops.isNio(pool.group())).isEqualTo(!epoll);
      }
    }
  }
}
