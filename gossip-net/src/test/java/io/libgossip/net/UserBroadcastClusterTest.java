package io.libgossip.net;

import static io.libgossip.net.MessagingCluster.WAIT;
import static io.libgossip.net.MessagingCluster.bytes;
import static io.libgossip.net.MessagingCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.UserBroadcast;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** User broadcasts between real nodes on loopback. */
class UserBroadcastClusterTest {
  private final MessagingCluster cluster = new MessagingCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  private boolean othersHave(String origin, int count) {
    return cluster.inboxes.entrySet().stream()
        .filter(e -> !e.getKey().equals(origin))
        .allMatch(e -> e.getValue().broadcasts.size() >= count);
  }

  @Test
  void aBroadcastReachesEveryOtherNodeExactlyOnceAndNotItsOrigin() {
    List<GossipNode> c = cluster.start(5);
    long seq = c.get(1).broadcast("config", bytes("flag=on"));
    await("every other node delivers it").atMost(WAIT).until(() -> othersHave("n1", 1));
    // several gossip rounds and a push-pull later (retransmits done), still once each
    await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
    for (GossipNode n : c) {
      List<UserBroadcast> got = cluster.inbox(n.id()).broadcasts;
      if (n.id().equals("n1")) {
        assertThat(got).isEmpty();
      } else {
        assertThat(got)
            .singleElement()
            .satisfies(
                b -> {
                  assertThat(b.origin()).isEqualTo("n1");
                  assertThat(b.seq()).isEqualTo(seq);
                  assertThat(b.topic()).isEqualTo("config");
                  assertThat(b.key()).isNull();
                  assertThat(text(b.payload())).isEqualTo("flag=on");
                });
      }
    }
  }

  @Test
  void aBroadcastLargerThanAPacketStillReachesEveryNode() {
    List<GossipNode> c = cluster.start(3);
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) i;
    }
    c.get(0).broadcast("blob", big);
    await("every other node delivers it").atMost(WAIT).until(() -> othersHave("n0", 1));
    for (String id : List.of("n1", "n2")) {
      assertThat(cluster.inbox(id).broadcasts).singleElement();
      assertThat(cluster.inbox(id).broadcasts.get(0).payload()).isEqualTo(big);
    }
  }

  @Test
  void aKeyedBroadcastIsSupersededByANewerOneWithTheSameKey() {
    List<GossipNode> c = cluster.start(3);
    GossipNode origin = c.get(0);
    for (int i = 1; i <= 5; i++) {
      origin.broadcast("leader", bytes("v" + i), "shard-7");
    }
    origin.broadcast("leader", bytes("other"), "shard-8");
    await("the newest value of each key reaches every other node")
        .atMost(WAIT)
        .until(
            () ->
                List.of("n1", "n2").stream()
                    .allMatch(
                        id ->
                            cluster.inbox(id).broadcasts.stream()
                                    .anyMatch(b -> text(b.payload()).equals("v5"))
                                && cluster.inbox(id).broadcasts.stream()
                                    .anyMatch(b -> text(b.payload()).equals("other"))));
    await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
    for (String id : List.of("n1", "n2")) {
      List<String> shard7 =
          cluster.inbox(id).broadcasts.stream()
              .filter(b -> "shard-7".equals(b.key()))
              .map(b -> text(b.payload()))
              .toList();
      // sent back to back: the newest supersedes the older ones still queued; an older one is
      // never delivered after a newer one, and none twice
      assertThat(shard7).last().isEqualTo("v5");
      assertThat(shard7).doesNotHaveDuplicates().isSorted();
      assertThat(shard7.size()).isLessThan(5);
    }
  }

  @Test
  void badBroadcastArgumentsAreRefusedWithAClearMessage() {
    GossipNode n = cluster.start(1).get(0);
    assertThatThrownBy(() -> n.broadcast("", bytes("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
    assertThatThrownBy(() -> n.broadcast("t", bytes("x"), "bad\nkey"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(
            () -> n.broadcast("t", new byte[MessagingCluster.CONFIG.maxBroadcastBytes() + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    n.close();
    assertThatThrownBy(() -> n.broadcast("t", bytes("x")))
        .isInstanceOf(IllegalStateException.class);
  }
}
