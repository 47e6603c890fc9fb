package io.libgossip.core;

import static io.libgossip.core.TestCluster.MS;
import static io.libgossip.core.TestCluster.SEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-protocol behaviour over the tiny deterministic network. */
class ClusterTest {

  private static TestCluster converged(int n, long seed) {
    TestCluster c = new TestCluster(n, GossipConfig.lan(), seed);
    c.joinAll();
    assertThat(c.runUntil(c::converged, 100 * MS, 20 * SEC)).as("seed %d converges", seed).isTrue();
    return c;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void thirtyNodesConverge(long seed) {
    TestCluster c = new TestCluster(30, GossipConfig.lan(), seed);
    c.joinAll();

    assertThat(c.runUntil(c::converged, 100 * MS, 15 * SEC)).as("seed %d", seed).isTrue();

    for (GossipCore core : c.cores) {
      assertThat(core.hasJoined()).isTrue();
      assertThat(core.size()).isEqualTo(30);
      assertThat(core.self().status()).isEqualTo(NodeStatus.ONLINE);
    }
    for (int i = 0; i < 30; i++) {
      assertThat(c.events.get(i))
          .as("seed %d: n%d sees only joins, and its own join once", seed, i)
          .filteredOn(e -> e instanceof ClusterEvent.MemberEvent)
          .allSatisfy(e -> assertThat(e.kind()).isEqualTo(Kind.JOINED))
          .hasSize(29);
      assertThat(c.events.get(i))
          .filteredOn(e -> !(e instanceof ClusterEvent.MemberEvent))
          .extracting(ClusterEvent::kind)
          .containsExactly(Kind.SELF_JOINED);
    }
  }

  @Test
  void crashedNodeIsFailedEverywhere() {
    TestCluster c = converged(20, 7);
    c.crash(5);
    long crashedAt = c.now;

    assertThat(c.runUntil(() -> c.allSee(NodeStatus.FAILED, 5), 100 * MS, 60 * SEC)).isTrue();

    long worst =
        c.config.suspicionTimeoutMax(20).toNanos() + 2 * c.config.probeInterval().toNanos() * 20;
    assertThat(c.now - crashedAt).isLessThan(worst);
    for (int i = 0; i < 20; i++) {
      if (i != 5) {
        assertThat(c.events.get(i))
            .as("n%d accuses no one else", i)
            .noneMatch(e -> e.kind() == Kind.FAILED && !e.node().id().equals("n5"));
      }
    }
  }

  @Test
  void restartedNodeRefutesItsDeathAndIsOnlineEverywhere() {
    TestCluster c = converged(12, 11);
    c.crash(3);
    assertThat(c.runUntil(() -> c.allSee(NodeStatus.FAILED, 3), 100 * MS, 60 * SEC)).isTrue();
    long deadIncarnation = c.core(0).findNode("n3").orElseThrow().incarnation();

    c.restart(3);
    c.core(3).join(List.of(TestCluster.addr(0)), c.now);

    assertThat(c.runUntil(() -> c.allSee(NodeStatus.ONLINE, 3), 100 * MS, 20 * SEC)).isTrue();
    assertThat(c.core(3).self().incarnation()).isGreaterThan(deadIncarnation);
    assertThat(c.core(3).stats().refutations()).isPositive();
    assertThat(c.eventsAbout(3, Kind.RECOVERED)).hasSize(11);
    assertThat(c.runUntil(c::converged, 100 * MS, 10 * SEC)).isTrue();
  }

  @Test
  void cutLinkDoesNotMakeEitherEndFailed() {
    TestCluster c = converged(10, 5);
    c.cutBoth(1, 2);

    c.runFor(120 * SEC);

    assertThat(c.eventsAbout(1, Kind.FAILED)).isEmpty();
    assertThat(c.eventsAbout(2, Kind.FAILED)).isEmpty();
    assertThat(c.eventsAbout(1, Kind.SUSPECTED)).as("indirect probes route around").isEmpty();
    assertThat(c.eventsAbout(2, Kind.SUSPECTED)).isEmpty();
    assertThat(c.converged()).isTrue();
  }

  @Test
  void leavingNodeIsLeftEverywhereAndNeverFailed() {
    TestCluster c = converged(15, 9);
    c.core(7).leave(c.now);
    assertThat(c.runUntil(() -> c.core(7).leaveSpread(), 10 * MS, 5 * SEC)).isTrue();
    c.crash(7); // the process exits

    c.runFor(90 * SEC);

    assertThat(c.allSee(NodeStatus.LEFT, 7)).isTrue();
    assertThat(c.eventsAbout(7, Kind.FAILED)).isEmpty();
    assertThat(c.eventsAbout(7, Kind.LEFT)).hasSize(14);
  }

  @Test
  void metadataChangeReachesEveryone() {
    TestCluster c = converged(15, 13);

    c.core(4).updateMetadata(Map.of("role", "db", "region", "eu"), c.now);

    assertThat(
            c.runUntil(
                () ->
                    c.cores.stream()
                        .allMatch(k -> k.findNode("n4").orElseThrow().role().equals("db")),
                100 * MS,
                5 * SEC))
        .isTrue();
    assertThat(c.eventsAbout(4, Kind.METADATA_CHANGED)).hasSize(14);
  }

  @Test
  void lossyNetworkStillConvergesWithoutFalseFailures() {
    TestCluster c = new TestCluster(20, GossipConfig.lan(), 21);
    c.loss = 0.1;
    c.joinAll();

    c.runFor(60 * SEC);

    assertThat(c.converged()).isTrue();
    for (List<ClusterEvent> log : c.events) {
      assertThat(log).noneMatch(e -> e.kind() == Kind.FAILED);
    }
  }

  /** Metadata just under the limit on every node, so packets fill up. */
  private static void heavyMetadata(TestCluster c, int bytes, int round) {
    for (int i = 0; i < c.cores.size(); i++) {
      String v = (char) ('a' + (i + round) % 26) + "x".repeat(bytes - 10);
      c.core(i).updateMetadata(Map.of("blob", v), c.now);
    }
  }

  @ParameterizedTest(name = "maxPacketSize {0}")
  @ValueSource(ints = {512, 1400})
  void bestEffortMessagesNeverExceedTheMaxPacketSize(int maxPacketSize) {
    GossipConfig cfg =
        GossipConfig.lan().toBuilder()
            .maxPacketSize(maxPacketSize)
            .maxMetadataBytes(maxPacketSize / 2)
            .build();
    TestCluster c = new TestCluster(30, cfg, 17);
    c.recordSends = true;
    c.loss = 0.05;
    c.joinAll();
    c.runFor(5 * SEC);
    for (int round = 0; round < 3; round++) {
      heavyMetadata(c, cfg.maxMetadataBytes(), round);
      c.runFor(5 * SEC);
    }
    c.crash(2);
    c.runFor(20 * SEC);

    BinarySerializer codec = BinarySerializer.forConfig(cfg);
    int largest = 0;
    int multi = 0;
    for (TestCluster.Sent s : c.sends) {
      int size = codec.encodedSize(s.message());
      if (s.delivery() == Delivery.BEST_EFFORT) {
        assertThat(size)
            .as("%s from n%d", s.message().type(), s.from())
            .isLessThanOrEqualTo(maxPacketSize);
        largest = Math.max(largest, size);
        if (s.message().updates().size() > 1) {
          multi++;
        }
      } else {
        assertThat(size).isLessThanOrEqualTo(cfg.maxMessageSize());
      }
    }
    assertThat(largest).as("packets were filled").isGreaterThan(maxPacketSize / 2);
    assertThat(multi).as("updates share packets").isPositive();
  }
}
