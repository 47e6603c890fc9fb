package io.libgossip.net;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipStats;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of one {@link GossipNode}: the protocol's and the transport's.
 *
 * @param core the core's counters and gauges (its byte counts include what the transport reported
 *     up to this snapshot)
 * @param transport packets and bytes in and out, and packets the transport dropped
 * @param listenerFailures listener invocations that threw, each counted once: the node's listeners
 *     (on its event thread) plus {@code core().listenerErrors()}, the throws of the core's own
 *     listener (the node's dispatcher, normally 0)
 * @param eventsDropped events not delivered because the listener queue was full (each overflow is
 *     followed by one {@link io.libgossip.core.ClusterEvent.Resync}), or because the node was
 *     closed
 * @param eventResyncs resyncs delivered after an overflow of the listener queue
 * @param joinAttempts join attempts made (the first included), and seed look-ups made while alone
 * @param seedLookupFailures seed discoveries that failed (a DNS error, no record, a timeout)
 */
public record NodeStats(
    GossipStats core,
    TransportStats transport,
    long listenerFailures,
    long eventsDropped,
    long eventResyncs,
    long joinAttempts,
    long seedLookupFailures) {

  /**
   * Drops by {@link DropReason}: what the core refused (stale, from self, queue full ...) and the
   * inbound bytes the transport's decoder rejected, added up. The transport's own reasons are in
   * {@link #transportDrops()}.
   */
  public Map<DropReason, Long> drops() {
    Map<DropReason, Long> all = new EnumMap<>(DropReason.class);
    all.putAll(core.drops());
    transport.drops().forEach((r, n) -> all.merge(r, n, Long::sum));
    return Map.copyOf(all);
  }

  /** Drops counted for {@code reason}, core and transport together. */
  public long drops(DropReason reason) {
    return core.drops().getOrDefault(reason, 0L) + transport.drops(reason);
  }

  /**
   * Packets the transport dropped for a reason of its own (send failures, overload, rejected by a
   * {@link PacketTransform}).
   */
  public Map<TransportDropReason, Long> transportDrops() {
    return transport.transportDrops();
  }

  /** Packets the transport dropped for {@code reason}. */
  public long drops(TransportDropReason reason) {
    return transport.drops(reason);
  }

  /** All drops, core and transport, of both kinds. */
  public long totalDrops() {
    return core.messagesDropped() + transport.totalDrops();
  }
}
