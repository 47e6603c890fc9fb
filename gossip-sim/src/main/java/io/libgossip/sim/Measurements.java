package io.libgossip.sim;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.function.IntPredicate;

/**
 * The simulation's trackers, one per measurement, and the routing of each membership event to the
 * ones it concerns. {@link #snapshot} assembles their reports into {@link SimMetrics}.
 */
final class Measurements {
  final TraceRecorder trace;
  final TrafficTracker traffic = new TrafficTracker();
  final ConvergenceTracker convergence;

  /** Every running node holds every other as a live member (ONLINE or SUSPECT). */
  final ConvergenceTracker membership;

  final DisseminationTracker dissemination = new DisseminationTracker();
  final DetectionTracker detection;
  final FalsePositiveTracker falsePositives = new FalsePositiveTracker();
  final FaultCounter faults = new FaultCounter();
  final StallTracker stalls = new StallTracker();
  final UserTrafficTracker user;

  private final LiveNodes live;
  private final IntPredicate healthy;

  /**
   * @param keepTrace whether to keep every membership event, not only their digest
   * @param healthy whether a node counts as healthy now (for false positives)
   */
  Measurements(LiveNodes live, boolean keepTrace, IntPredicate healthy) {
    this.live = live;
    this.healthy = healthy;
    this.trace = new TraceRecorder(keepTrace);
    this.detection = new DetectionTracker(live.size());
    this.user = new UserTrafficTracker(live.size());
    this.convergence = new ConvergenceTracker(live, s -> s == NodeStatus.ONLINE, at -> {});
    this.membership =
        new ConvergenceTracker(
            live, NodeStatus::isAlive, at -> traffic.openWindow(at, live.count()));
  }

  /** Node {@code observer}'s core reported {@code e} at {@code now}. */
  void memberEvent(int observer, ClusterEvent.MemberEvent e, long now) {
    NodeView v = e.node();
    int subject = live.indexOfId(v.id());
    if (subject < 0) {
      return;
    }
    ClusterEvent.Kind kind = e.kind();
    NodeStatus status = e.status();
    trace.record(now, observer, subject, kind, status);

    NodeStatus was = e.previousStatus();
    NodeStatus is = kind == ClusterEvent.Kind.REMOVED ? null : status;
    membership.viewChanged(observer, subject, was, is, now);
    convergence.viewChanged(observer, subject, was, is, now);
    boolean isOnline = is == NodeStatus.ONLINE;

    if (isOnline && dissemination.waiting()) {
      dissemination.seen(observer, subject, v.metadataVersion(), now);
    }
    if (status == NodeStatus.SUSPECT || status == NodeStatus.FAILED) {
      detection.seen(observer, subject, status, now);
      if (kind != ClusterEvent.Kind.REMOVED && healthy.test(subject)) {
        falsePositives.healthySubject(observer, subject, kind, status, v.incarnation(), now);
      }
    }
  }

  /** Everything measured up to {@code now}, after {@code events} simulation events. */
  SimMetrics snapshot(long now, long events) {
    SimMetrics.Builder b = SimMetrics.builder().nowNanos(now).events(events);
    traffic.report(b, now, live.count());
    b.joinConvergedNanos(convergence.joinConvergedAt())
        .membershipCompleteNanos(membership.joinConvergedAt());
    dissemination.report(b);
    detection.report(b);
    falsePositives.report(b);
    faults.report(b);
    stalls.report(b);
    trace.report(b);
    return b.build();
  }
}
