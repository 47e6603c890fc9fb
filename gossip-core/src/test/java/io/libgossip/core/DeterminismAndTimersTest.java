package io.libgossip.core;

import static io.libgossip.core.CoreFixture.MS;
import static io.libgossip.core.CoreFixture.SEC;
import static io.libgossip.core.CoreFixture.addr;
import static io.libgossip.core.CoreFixture.online;
import static io.libgossip.core.CoreFixture.suspect;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.PingReq;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Same inputs, same outputs; deadlines the runtime can trust; no accusations after a pause. */
class DeterminismAndTimersTest {

  /** A busy run: joins, loss, a crash, a leave, a metadata change. */
  private static TestCluster busyRun(long seed) {
    TestCluster c = new TestCluster(12, GossipConfig.lan(), seed);
    c.recordSends = true;
    c.loss = 0.05;
    c.joinAll();
    c.runFor(10 * SEC);
    c.crash(4);
    c.core(7).updateMetadata(java.util.Map.of("role", "db"), c.now);
    c.runFor(15 * SEC);
    c.core(9).leave(c.now);
    c.runFor(15 * SEC);
    return c;
  }

  @Test
  void sameSeedAndInputsGiveTheSameSends() {
    TestCluster a = busyRun(99);
    TestCluster b = busyRun(99);

    assertThat(a.sends).hasSizeGreaterThan(1_000);
    assertThat(b.sends).hasSameSizeAs(a.sends);
    for (int i = 0; i < a.sends.size(); i++) {
      assertThat(b.sends.get(i)).as("send #%d", i).isEqualTo(a.sends.get(i));
    }
    assertThat(b.events).isEqualTo(a.events);
  }

  @Test
  void anotherSeedGivesAnotherRun() {
    assertThat(busyRun(100).sends).isNotEqualTo(busyRun(99).sends);
  }

  @Test
  void nextDeadlineIsNeverInThePastNorLaterThanOneGossipIntervalAfterATick() {
    for (long seed : new long[] {3, 4}) {
      TestCluster c = new TestCluster(10, GossipConfig.lan(), seed);
      long gossip = c.config.gossipInterval().toNanos();
      List<String> violations = new ArrayList<>();
      c.tickObserver =
          (node, core, now) -> {
            long d = core.nextDeadline();
            if (d - now <= 0 || d - now > gossip) {
              violations.add("seed " + seed + " n" + node + " at " + now + ": deadline " + d);
            }
          };
      c.loss = 0.1;
      c.joinAll();
      c.runFor(10 * SEC);
      c.crash(3);
      c.core(5).leave(c.now);
      c.runFor(60 * SEC);

      assertThat(violations).as("seed %d", seed).isEmpty();
    }
  }

  @Test
  void nextDeadlineBeforeTheFirstTickIsNow() {
    GossipCore core =
        GossipCore.builder()
            .id("n")
            .address(addr("n"))
            .random(new SplittableRandom(1))
            .outbox(new RecordingOutbox())
            .build();

    assertThat(core.nextDeadline()).isEqualTo(Long.MIN_VALUE);
    core.tick(5 * SEC);
    assertThat(core.nextDeadline()).isBetween(5 * SEC + 1, 5 * SEC + 200 * MS);
  }

  @Test
  void singleCoreDeadlinesStayBoundedUnderRandomInputs() {
    long seed = 2024L;
    SplittableRandom r = new SplittableRandom(seed);
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d", "e");
    long gossip = f.config.gossipInterval().toNanos();
    String[] ids = {"a", "b", "c", "d", "e"};
    for (int step = 0; step < 3_000; step++) {
      String id = ids[r.nextInt(ids.length)];
      switch (r.nextInt(6)) {
        case 0 -> f.gossip("a", suspect(id, f.view(id).incarnation(), "b"));
        case 1 -> f.gossip(id, online(id, f.view(id).incarnation() + 1));
        case 2 -> f.receive(new PingReq(id, addr(id), r.nextInt(100), "e", addr("e"), List.of()));
        case 3 -> f.silent.add(id);
        case 4 -> f.silent.remove(id);
        default -> {}
      }
      long d = f.core.nextDeadline();
      f.tickAt(Math.max(f.now, Math.min(d, f.now + r.nextLong(gossip))));
      long next = f.core.nextDeadline();
      String ctx = "seed " + seed + " step " + step + " now " + f.now;
      assertThat(next - f.now).as(ctx).isPositive().isLessThanOrEqualTo(gossip);
    }
  }

  @Test
  void pausedNodeDoesNotAccuseTheTargetOfAProbeItCouldNotFinish() {
    CoreFixture f = CoreFixture.withPeers("a", "b", "c", "d");
    f.autoAck = false;
    Sent ping = f.nextPing();
    GossipMessage.Ping p = ping.as(GossipMessage.Ping.class);
    long t0 = ping.at();
    // The ack arrives 1 ms later, but the node is paused (GC) and reads it only after 10 s,
    // after the runtime's first tick.

    f.tickAt(t0 + 10 * SEC);
    f.receive(new Ack(p.target(), addr(p.target()), p.seq(), List.of()));

    assertThat(f.status(p.target())).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.core.stats().suspicionsRaised()).isZero();
    assertThat(f.outbox.where(s -> s.is(PingReq.class) && s.as(PingReq.class).seq() == p.seq()))
        .isEmpty();
    assertThat(f.listener.ofKind(Kind.SUSPECTED)).isEmpty();
  }

  @Test
  void pausedNodeReadsPendingRefutationsBeforeItsSuspicionsExpire() {
    CoreFixture f = CoreFixture.withPeers("a", "x");
    f.gossip("a", suspect("x", 0, "a"));
    long start = f.now;
    long timeout = f.config.suspicionTimeoutMin(3).toNanos(); // k = 0 in a cluster of 3
    f.runUntil(start + SEC);
    // Paused from here; the suspicion deadline passes meanwhile, and x's refutation waits.

    f.tickAt(start + timeout + 10 * SEC);
    assertThat(f.status("x"))
        .as("no verdict before reading the inbox")
        .isEqualTo(NodeStatus.SUSPECT);
    f.gossip("x", online("x", 1));
    f.advance(30 * SEC);

    assertThat(f.status("x")).isEqualTo(NodeStatus.ONLINE);
    assertThat(f.listener.kinds("x")).doesNotContain(Kind.FAILED).endsWith(Kind.RECOVERED);
  }

  @Test
  void unrefutedSuspicionExpiresOneProbeIntervalAfterThePause() {
    CoreFixture f = CoreFixture.withPeers("a", "x").noLossSeen();
    f.gossip("a", suspect("x", 0, "a"));
    long start = f.now;
    f.runUntil(start + SEC);
    long resume = start + 20 * SEC;

    f.tickAt(resume);
    assertThat(f.core.nextDeadline()).isLessThanOrEqualTo(resume + SEC);
    f.runUntil(resume + SEC - 1);
    assertThat(f.status("x")).isEqualTo(NodeStatus.SUSPECT);
    f.runUntil(resume + SEC);

    assertThat(f.status("x")).isEqualTo(NodeStatus.FAILED);
    assertThat(f.listener.last().node().lastChangeNanos()).isEqualTo(resume + SEC);
  }

  @Test
  void shortDelaysAreNotTreatedAsPauses() {
    CoreFixture f = CoreFixture.withPeers("a", "x").noLossSeen();
    f.gossip("a", suspect("x", 0, "a"));
    long start = f.now;
    long deadline = start + f.config.suspicionTimeoutMin(3).toNanos();
    f.runUntil(deadline - 500 * MS);

    f.tickAt(deadline + 500 * MS); // 1 s late: within probe + gossip interval

    assertThat(f.status("x")).isEqualTo(NodeStatus.FAILED);
  }
}
