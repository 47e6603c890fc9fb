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

    static BinarySerializer serializer(GossipCore core) {
      return new BinarySerializer(
          core.config().clusterName(), 1 << 20, core.config().wireVersions());
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
        // through the binary format, as a runtime would: a version 2 push-pull loses its ranges
        byte[] bytes = serializer(cores.get(s.from())).encode(s.message(), s.version());
        BinarySerializer reader = serializer(dst);
        GossipMessage read;
        try {
          read = reader.decode(bytes);
        } catch (DecodeException e) {
          throw new AssertionError(e);
        }
        @Nullable WireVersions range = reader.senderVersions(bytes, 0, bytes.length);
        results.add(dst.handleMessage(read, range, now));
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
  void twoNewNodesLearnEachOtherThroughAHelloAndSpeakTheNewestVersion() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.join("b", "a");
    // (the proof pings of decision 034 carry hellos right after the join, so a may already know)

    net.run(3_000);

    Sent hello =
        net.log.stream()
            .filter(s -> s.message() instanceof GossipMessage.Ping p && p.seq() == 0)
            .findFirst()
            .orElseThrow();
    assertThat(hello.version()).isEqualTo(WireVersions.NEWEST);
    assertThat(hello.delivery()).isEqualTo(Delivery.BEST_EFFORT);
    assertThat(a.wireVersionsOf("b")).contains(NEW);
    assertThat(b.wireVersionsOf("a")).contains(NEW);
    assertThat(a.wireVersionsOf("a")).contains(NEW);
    assertThat(a.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
    assertThat(b.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
    assertThat(net.results).doesNotContain(Received.STALE);
    int learnedAt = net.log.size();
    long hellos = a.wire.hellosSent() + b.wire.hellosSent();
    net.run(3_000);
    assertThat(net.log.subList(learnedAt, net.log.size()))
        .as("once both learned, everything between them at the newest version")
        .isNotEmpty()
        .allMatch(s -> s.version() == WireVersions.NEWEST);
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
            "only hellos go to the old node at a newer version");
    assertThat(net.versionDrops).as("hellos the old node dropped").isPositive();
    net.run(20_000);
    assertThat(net.versionDrops)
        .as(
            "at most %d hellos from each new node per life of the old one",
            WireNegotiation.MAX_HELLOS)
        // proof pings (decision 034) come with hellos too: one more life's worth per new node
        .isLessThanOrEqualTo(4 * WireNegotiation.MAX_HELLOS);
    assertThat(net.log).filteredOn(s -> s.from().equals("old")).allMatch(s -> s.version() == 2);
    assertThat(a.statusOf("old")).isEqualTo(NodeStatus.ONLINE);
    assertThat(old.statusOf("a")).isEqualTo(NodeStatus.ONLINE);

    // the old node leaves: the cluster version rises to the newest
    old.leave(net.now);
    net.run(3_000);
    assertThat(a.statusOf("old")).isEqualTo(NodeStatus.LEFT);
    assertThat(a.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
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
    assertThat(a.clusterWireVersion())
        .as("upgrade once the old node failed")
        .isEqualTo(WireVersions.NEWEST);
    assertThat(b.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);

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

  /** a, b and c, all new, run until each knows the others' ranges. */
  private static Net threeThatKnowEachOther() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    net.add("b", NEW);
    net.add("c", NEW);
    net.join("b", "a");
    net.join("c", "a");
    net.run(10_000);
    assertThat(a.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
    return net;
  }

  @Test
  void aVersion3PushPullTeachesTheRangesOfEveryMemberItListsSoNoHellosGoToThem() {
    Net net = threeThatKnowEachOther();
    GossipCore a = net.cores.get("a");
    GossipCore d = net.add("d", NEW);
    net.join("d", "a");
    net.inFlight.clear();

    // a's state, as a version 3 push-pull from a would carry it
    GossipMessage state =
        a.wire.withRanges(
            new GossipMessage.PushPull(
                "a",
                a.self().address(),
                false,
                true,
                List.of(a.self.claim(), memberState(a, "b"), memberState(a, "c"))),
            3);
    assertThat(((GossipMessage.PushPull) state).ranges()).containsOnlyKeys("a", "b", "c");
    byte[] bytes = Net.serializer(a).encode(state, 3);
    GossipMessage read;
    try {
      read = Net.serializer(d).decode(bytes);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
    d.handleMessage(read, NEW, net.now);

    assertThat(d.wireVersionsOf("b")).contains(NEW);
    assertThat(d.wireVersionsOf("c")).contains(NEW);
    assertThat(d.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
    int before = net.log.size();
    long hellos = d.wire.hellosSent(); // the join's proof pings may have sent some (decision 034)
    net.run(10_000);
    assertThat(d.wire.hellosSent() - hellos)
        .as("no hellos to members whose range d knows")
        .isZero();
    assertThat(net.log.subList(before, net.log.size()))
        .filteredOn(s -> s.from().equals("d"))
        // what d starts; an ack answers at the version of the ping it answers, which a may have
        // sent before it learned d's range
        .filteredOn(s -> !(s.message() instanceof GossipMessage.Ack))
        .isNotEmpty()
        .allMatch(s -> s.version() == WireVersions.NEWEST);
  }

  private static MemberUpdate memberState(GossipCore core, String id) {
    return core.table.get(id).state;
  }

  @Test
  void rangesSpreadThroughPushPullsSoAJoinerNeedsFewerHellosThanMembers() {
    Net net = threeThatKnowEachOther();
    for (String id : List.of("d", "e", "f", "g")) {
      net.add(id, NEW);
      net.join(id, "a");
    }
    net.run(60_000);
    long learned = 0;
    for (GossipCore c : net.cores.values()) {
      assertThat(c.clusterWireVersion()).isEqualTo(WireVersions.NEWEST);
      learned += c.wire.rangesLearned();
    }
    assertThat(learned).as("ranges learned from push-pulls").isPositive();
    assertThat(net.log)
        .filteredOn(
            s ->
                s.message() instanceof GossipMessage.PushPull p
                    && s.version() == WireVersions.NEWEST
                    && !p.ranges().isEmpty())
        .isNotEmpty();
    assertThat(net.log)
        .filteredOn(s -> s.message() instanceof GossipMessage.PushPull && s.version() == 2)
        .allMatch(s -> ((GossipMessage.PushPull) s.message()).ranges().isEmpty());
  }

  @Test
  void aRangeAMemberShowedItselfWinsOverHearsay() {
    Net net = threeThatKnowEachOther();
    GossipCore a = net.cores.get("a");
    GossipCore b = net.cores.get("b");
    GossipCore c = net.cores.get("c");
    net.inFlight.clear();
    a.handleMessage(
        new GossipMessage.PushPull(
            "c",
            c.self().address(),
            false,
            true,
            List.of(c.self.claim(), memberState(c, "b")),
            Map.of("b", new WireVersions(3, 3), "c", NEW)),
        NEW,
        net.now);
    assertThat(a.wireVersionsOf("b"))
        .as("b's own header said the full supported range")
        .contains(NEW);
    assertThat(b.statusOf("a")).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void hearsayIsForgottenWhenTheMemberFailsAndNotLearnedForADeadMember() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    net.add("c", NEW);
    net.join("b", "a");
    net.join("c", "a");
    net.run(40_000, "c");
    assertThat(a.statusOf("c")).isEqualTo(NodeStatus.FAILED);
    assertThat(a.wireVersionsOf("c")).isEmpty();

    // b still reports c's range: a does not take it for a member it holds failed
    assertThat(b.statusOf("c")).isEqualTo(NodeStatus.FAILED);
    a.handleMessage(
        new GossipMessage.PushPull(
            "b",
            b.self().address(),
            false,
            true,
            List.of(b.self.claim(), memberState(b, "c")),
            Map.of("b", NEW, "c", NEW)),
        NEW,
        net.now);
    assertThat(a.wireVersionsOf("c")).isEmpty();
  }

  /**
   * A member that comes back from FAILED at the same address (a restart) needs no proof ping, so
   * without a hello of its own its range would be learned only at the next probe or packet from it:
   * until then no user broadcast goes to it (decision 056).
   */
  @Test
  void aMemberBackFromFailedGetsAHelloAtOnce() {
    Net net = new Net();
    GossipCore a = net.add("a", NEW);
    GossipCore b = net.add("b", NEW);
    GossipCore c = net.add("c", NEW);
    net.join("b", "a");
    net.join("c", "a");
    net.run(40_000, "c");
    assertThat(a.statusOf("c")).isEqualTo(NodeStatus.FAILED);
    assertThat(a.wireVersionsOf("c")).isEmpty();
    int before = net.log.size();

    MemberUpdate back =
        c.self.claim().withStatus(NodeStatus.ONLINE, c.self.claim().incarnation() + 1, "c");
    a.handleMessage(new GossipMessage.Gossip("b", b.self().address(), List.of(back)), NEW, net.now);

    assertThat(a.statusOf("c")).isEqualTo(NodeStatus.ONLINE);
    List<Sent> hellos =
        net.log.subList(before, net.log.size()).stream()
            .filter(s -> s.from().equals("a") && s.target().id().equals("c"))
            .filter(s -> s.message() instanceof GossipMessage.Ping p && p.seq() == 0)
            .toList();
    assertThat(hellos).hasSize(1);
    assertThat(hellos.get(0).version()).isEqualTo(WireVersions.NEWEST);
    net.deliverAll();
    assertThat(a.wireVersionsOf("c")).as("learned from the hello's ack").contains(NEW);

    // the same claim again: the range is known, no second hello
    int after = net.log.size();
    a.handleMessage(new GossipMessage.Gossip("b", b.self().address(), List.of(back)), NEW, net.now);
    assertThat(net.log.subList(after, net.log.size()))
        .noneMatch(s -> s.message() instanceof GossipMessage.Ping p && p.seq() == 0);
  }
}
