package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.ClusterEvent.Kind;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each measurement's tracker on its own, fed by hand. */
class TrackersTest {

  private static BitSet nodes(int... indexes) {
    BitSet s = new BitSet();
    for (int i : indexes) {
      s.set(i);
    }
    return s;
  }

  private static SimMetrics report(java.util.function.Consumer<SimMetrics.Builder> tracker) {
    SimMetrics.Builder b = SimMetrics.builder();
    tracker.accept(b);
    return b.build();
  }

  @Test
  void detectionRecordsFirstSuspicionAndTheMomentTheLastNeededNodeMarksFailed() {
    DetectionTracker t = new DetectionTracker(5);
    t.crashed(3, 1_000, nodes(0, 1, 2));

    t.seen(1, 3, NodeStatus.SUSPECT, 1_500);
    t.seen(0, 3, NodeStatus.FAILED, 2_000);
    t.seen(0, 3, NodeStatus.FAILED, 2_100); // a repeat
    t.stopped(2, 2_500); // node 2 stops: nobody waits for it
    SimMetrics mid = report(t::report);
    t.seen(1, 3, NodeStatus.FAILED, 4_000);
    SimMetrics end = report(t::report);

    assertThat(mid.detections())
        .singleElement()
        .satisfies(d -> assertThat(d.allFailedNanos()).isEqualTo(-1));
    assertThat(end.crashes()).isEqualTo(1);
    assertThat(end.detections()).containsExactly(new Detection(3, 1_000, 500, 3_000, false));
  }

  @Test
  void detectionOfARestartedNodeEndsIncomplete() {
    DetectionTracker t = new DetectionTracker(4);
    t.crashed(2, 0, nodes(0, 1));
    t.restarted(2);
    t.seen(0, 2, NodeStatus.FAILED, 5);

    assertThat(report(t::report).detections()).containsExactly(new Detection(2, 0, -1, -1, true));
  }

  @Test
  void disseminationTakesOneSampleForEachNodeThatSeesTheVersionOrALaterOne() {
    DisseminationTracker t = new DisseminationTracker();
    t.updated(4, 7, 100, nodes(0, 1, 2));
    assertThat(t.waiting()).isTrue();

    t.seen(0, 4, 6, 150); // an older version does not count
    t.seen(0, 4, 7, 200);
    t.seen(1, 4, 8, 300);
    t.seen(1, 4, 8, 350); // a repeat
    SimMetrics open = report(t::report);
    t.stopped(2);

    assertThat(open.disseminationNanos()).containsExactly(100, 200);
    assertThat(open.disseminationIncomplete()).isEqualTo(1);
    assertThat(open.updates()).isEqualTo(1);
    assertThat(t.waiting()).isFalse();
    assertThat(report(t::report).disseminationIncomplete()).isZero();
  }

  @Test
  void disseminationOfARestartedSubjectIsDropped() {
    DisseminationTracker t = new DisseminationTracker();
    t.updated(1, 3, 0, nodes(0, 2));
    t.restarted(1);

    assertThat(t.waiting()).isFalse();
    assertThat(report(t::report).disseminationIncomplete()).isZero();
    assertThat(t.describePending()).isEmpty();
  }

  private static GossipMessage gossip() {
    return new GossipMessage.Gossip("a", new NodeAddress("10.0.0.1", 7946), List.of());
  }

  private static GossipMessage nack() {
    return new GossipMessage.Nack("a", new NodeAddress("10.0.0.1", 7946), 1, List.of());
  }

  @Test
  void trafficWindowStartsAtFirstConvergenceAndIntegratesRunningNodes() {
    TrafficTracker t = new TrafficTracker();
    t.accountLive(0, 0);
    t.sent(gossip(), 100);
    t.accountLive(1_000, 2); // 2 nodes ran from 0 to 1000 ns
    t.openWindow(3_000, 2);
    t.sent(gossip(), 50);
    t.sent(nack(), 30);
    t.openWindow(4_000, 2); // later convergences do not move the window
    t.lostToLoss();
    t.unreachable();

    SimMetrics m = report(b -> t.report(b, 5_000, 2));

    assertThat(m.messagesSent()).isEqualTo(3);
    assertThat(m.bytesSent()).isEqualTo(180);
    assertThat(m.windowStartNanos()).isEqualTo(3_000);
    assertThat(m.windowMessages()).isEqualTo(2);
    assertThat(m.windowBytes()).isEqualTo(80);
    assertThat(m.windowLiveNodeNanos()).isEqualTo(2 * 2_000);
    assertThat(m.bytesPerNodeSecond()).isEqualTo(80 * 1e9 / 4_000);
    assertThat(m.bytesPerNodeSecond("gossip")).isEqualTo(50 * 1e9 / 4_000);
    assertThat(m.bytesPerNodeSecond("nack")).isEqualTo(30 * 1e9 / 4_000);
    assertThat(m.bytesPerNodeSecond("ping")).isZero();
    assertThat(m.messagesPerNodeSecond("gossip")).isEqualTo(1e9 / 4_000);
    assertThatThrownBy(() -> m.bytesPerNodeSecond("pong"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(m.droppedLoss()).isEqualTo(1);
    assertThat(m.droppedUnreachable()).isEqualTo(1);
  }

  @Test
  void falsePositivesCountDistinctPairsAndSuspicionsDistinctIncarnations() {
    FalsePositiveTracker t = new FalsePositiveTracker();
    t.healthySubject(1, 2, Kind.FAILED, NodeStatus.FAILED, 0, 10);
    t.healthySubject(1, 2, Kind.FAILED, NodeStatus.FAILED, 1, 20);
    t.healthySubject(3, 2, Kind.FAILED, NodeStatus.FAILED, 1, 30);
    t.healthySubject(1, 2, Kind.SUSPECTED, NodeStatus.SUSPECT, 4, 40);
    t.healthySubject(3, 2, Kind.SUSPECTED, NodeStatus.SUSPECT, 4, 50);
    t.healthySubject(3, 2, Kind.SUSPECTED, NodeStatus.SUSPECT, 5, 60);

    SimMetrics m = report(t::report);

    assertThat(m.falsePositives()).isEqualTo(2);
    assertThat(m.healthySuspicions()).isEqualTo(2);
    assertThat(t.describe()).contains("node 1 marked healthy node 2 FAILED");
  }

  @Test
  void traceHashDependsOnEveryFieldAndOrder() {
    TraceRecorder a = new TraceRecorder(true);
    a.record(5, 1, 2, Kind.SUSPECTED, NodeStatus.SUSPECT);
    a.record(6, 2, 1, Kind.FAILED, NodeStatus.FAILED);
    TraceRecorder b = new TraceRecorder(false);
    b.record(6, 2, 1, Kind.FAILED, NodeStatus.FAILED);
    b.record(5, 1, 2, Kind.SUSPECTED, NodeStatus.SUSPECT);
    TraceRecorder c = new TraceRecorder(false);
    c.record(5, 1, 2, Kind.SUSPECTED, NodeStatus.SUSPECT);
    c.record(6, 2, 1, Kind.FAILED, NodeStatus.FAILED);

    assertThat(a.hash()).isEqualTo(c.hash()).isNotEqualTo(b.hash());
    assertThat(a.events()).hasSize(2);
    assertThat(b.events()).isEmpty();
    assertThat(report(a::report).membershipEvents()).isEqualTo(2);
  }

  @Test
  void metricsNotReportedAreZeroOrNever() {
    SimMetrics m = SimMetrics.builder().build();

    assertThat(m.joinConvergedNanos()).isEqualTo(-1);
    assertThat(m.disseminationNanos()).isEmpty();
    assertThat(m.disseminationPercentile(99)).isEqualTo(-1);
    assertThat(m.detections()).isEmpty();
    assertThat(m.messagesPerNodeSecond()).isZero();
  }
}
