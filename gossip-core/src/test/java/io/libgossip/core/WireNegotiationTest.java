package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Which version each message goes out at, how nodes learn each other's versions, and the cluster
 * version: upgrade once the last old member is gone, downgrade when one joins.
 */
class WireNegotiationTest {
  private static final WireVersions OLD = new WireVersions(2, 2);
  private static final WireVersions NEW = WireVersions.SUPPORTED;
  private static final long MS = 1_000_000L;

  /** One message in flight, with the version the core picked for it. */
  record Sent(
      String from, GossipMessage message, NodeView target, Delivery delivery, int version) {}

  /** Cores wired through a queue; delivers as a decoder would (by version). */
  static final class Net {
    final Map<String, GossipCore> cores = new LinkedHashMap<>();
    final Map<NodeAddress, String> byAddress = new LinkedHashMap<>();
    final Deque<Sent> inFlight = new ArrayDeque<>();
    final List<Sent> log = new ArrayList<>();
    final List<Received> results = new ArrayList<>();
    long now = 1;
    int versionDrops;

    GossipCore add(String id, WireVersions versions) {
      NodeAddress address = new NodeAddress("10.0.0." + (cores.size() + 1), 7946);
      GossipCore core =
          GossipCore.builder()
              .id(id)
              .address(address)
              .config(GossipConfig.lan().toBuilder().wireVersions(versions).build())
              .random(new SplittableRandom(cores.size() + 7))
              .outbox(
                  new Outbox() {
                    @Override
                    public void send(GossipMessage m, NodeView target, Delivery delivery) {
                      throw new AssertionError("the core always picks a version");
                    }

                    @Override
                    public void send(
                        GossipMessage m, NodeView target, Delivery delivery, int version) {
                      Sent s = new Sent(id, m, target, delivery, version);
                      inFlight.add(s);
                      log.add(s);
                    }
                  })
              .build();
      cores.put(id, core);
      byAddress.put(address, id);
      core.tick(now);
      return core;
    }

    /** Delivers everything in flight (and what it causes), except to {@code down} nodes. */
    void deliverAll(String... down) {
      List<String> dead = List.of(down);
      while (!inFlight.isEmpty()) {
        Sent s = inFlight.poll();
        String to = byAddress.get(s.target().address());
        if (to == null || dead.contains(to)) {
          continue;
        }
        GossipCore dst = cores.get(to);
        if (!dst.config().wireVersions().contains(s.version())) {
          versionDrops++;
          continue;
        }
        @Nullable WireVersions range =
            s.version() >= 3 ? cores.get(s.from()).config().wireVersions() : null;
        results.add(dst.handleMessage(s.message(), range, now));
      }
    }

    /** Runs every core for {@code ms} milliseconds in 10 ms steps, delivering as it goes. */
    void run(long ms, String... down) {
      for (long t = 0; t < ms; t += 10) {
        now += 10 * MS;
        for (Map.Entry<String, GossipCore> e : cores.entrySet()) {
          if (!List.of(down).contains(e.getKey()) && e.getValue().nextDeadline() - now <= 0) {
            e.getValue().tick(now);
          }
        }
        deliverAll(down);
      }
    }

    void join(String id, String seed) {
      cores.get(id).join(List.of(cores.get(seed).self().address()), now);
      deliverAll();
    }
  }

  @Test
  void twoNewNodesLearnEachOtherThroughAHelloAndSpeakVersion3() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.join("b", "a");
    assertThat(a.clusterWireVersion()).as("b not heard from at version 3 yet").isEqualTo(2);
    assertThat(net.log).allMatch(s -> s.version() == 2, "everything before a hello at version 2");

    net.run(3_000);

    Sent hello =
        net.log.stream()
            .filter(s -> s.message() instanceof GossipMessage.Ping p && p.seq() == 0)
            .findFirst()
            .orElseThrow();
    assertThat(hello.version()).isEqualTo(3);
    assertThat(hello.delivery()).isEqualTo(Delivery.BEST_EFFORT);
    assertThat(a.wireVersionsOf("b")).contains(NEW);
    assertThat(b.wireVersionsOf("a")).contains(NEW);
    assertThat(a.wireVersionsOf("a")).contains(NEW);
    assertThat(a.clusterWireVersion()).isEqualTo(3);
    assertThat(b.clusterWireVersion()).isEqualTo(3);
    assertThat(net.results).doesNotContain(Received.STALE);
    int learnedAt = net.log.size();
    long hellos = a.wire.hellosSent() + b.wire.hellosSent();
    net.run(3_000);
    assertThat(net.log.subList(learnedAt, net.log.size()))
        .as("once both learned, everything between them at version 3")
        .isNotEmpty()
        .allMatch(s -> s.version() == 3);
    assertThat(a.wire.hellosSent() + b.wire.hellosSent()).as("no more hellos").isEqualTo(hellos);
  }

  @Test
  void anOldNodeNeverHearsAVersionItCannotReadExceptHellosAndHoldsTheClusterAt2() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    net.add("b", NEW);
    GossipCore old = net.add("old", OLD);
    net.join("b", "a");
    net.join("old", "a");
    net.run(10_000);

    assertThat(a.clusterWireVersion()).isEqualTo(2);
    assertThat(old.clusterWireVersion()).isEqualTo(2);
    assertThat(a.wireVersionsOf("b")).contains(NEW);
    assertThat(a.wireVersionsOf("old")).isEmpty();
    assertThat(net.log)
        .filteredOn(s -> s.target().hasId() && s.target().id().equals("old"))
        .allMatch(
            s -> s.version() == 2 || (s.message() instanceof GossipMessage.Ping p && p.seq() == 0),
            "only hellos go to the old node at version 3");
    assertThat(net.versionDrops).as("hellos the old node dropped").isPositive();
    net.run(20_000);
    assertThat(net.versionDrops)
        .as(
            "at most %d hellos from each new node per life of the old one",
            WireNegotiation.MAX_HELLOS)
        .isLessThanOrEqualTo(2 * WireNegotiation.MAX_HELLOS);
    assertThat(net.log).filteredOn(s -> s.from().equals("old")).allMatch(s -> s.version() == 2);
    assertThat(a.statusOf("old")).isEqualTo(NodeStatus.ONLINE);
    assertThat(old.statusOf("a")).isEqualTo(NodeStatus.ONLINE);

    // the old node leaves: the cluster version rises to 3
    old.leave(net.now);
    net.run(3_000);
    assertThat(a.statusOf("old")).isEqualTo(NodeStatus.LEFT);
    assertThat(a.clusterWireVersion()).isEqualTo(3);
  }

  @Test
  void whenTheLastOldMemberFailsTheVersionRisesAndWhenAnOldOneJoinsItFalls() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.add("old", OLD);
    net.join("b", "a");
    net.join("old", "a");
    net.run(5_000);
    assertThat(a.clusterWireVersion()).isEqualTo(2);

    net.run(40_000, "old");
    assertThat(a.statusOf("old")).isEqualTo(NodeStatus.FAILED);
    assertThat(a.clusterWireVersion()).as("upgrade once the old node failed").isEqualTo(3);
    assertThat(b.clusterWireVersion()).isEqualTo(3);

    GossipCore other = net.add("old2", OLD);
    net.join("old2", "b");
    net.run(1_000, "old");
    assertThat(b.clusterWireVersion()).as("downgrade at once when an old node joins").isEqualTo(2);
    assertThat(a.clusterWireVersion()).isEqualTo(2);
    assertThat(other.statusOf("a")).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void answersToAMessageWithoutARangeGoAtTheOldestVersionEvenToAKnownNewMember() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.join("b", "a");
    net.run(3_000);
    assertThat(a.wireVersionsOf("b")).contains(NEW);
    net.inFlight.clear();
    int before = net.log.size();

    // b restarted with older software: its ping comes at version 2, without a range
    a.handleMessage(
        new GossipMessage.Ping("b", b.self().address(), 99, "a", List.of()), null, net.now);

    Sent ack = net.log.get(before);
    assertThat(ack.message()).isInstanceOf(GossipMessage.Ack.class);
    assertThat(ack.version()).isEqualTo(2);
  }

  @Test
  void aJoinRequestWithoutARangeForgetsTheMembersVersions() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.join("b", "a");
    net.run(3_000);
    assertThat(a.wireVersionsOf("b")).contains(NEW);

    a.handleMessage(
        new GossipMessage.PushPull("b", b.self().address(), true, false, List.of()), null, net.now);

    assertThat(a.wireVersionsOf("b")).isEmpty();
    assertThat(a.clusterWireVersion()).isEqualTo(2);
  }

  @Test
  void aSingleVersionNodeSendsNoHellos() {
    Net net = new Net();
    GossipCore a = net.add("a", OLD);
    net.add("b", NEW);
    net.join("b", "a");
    net.run(5_000);
    assertThat(a.wire.hellosSent()).isZero();
    assertThat(net.log).filteredOn(s -> s.from().equals("a")).allMatch(s -> s.version() == 2);
  }
}
