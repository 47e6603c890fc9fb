package io.libgossip.core;

import java.util.Map;

/**
 * Counters and gauges of one node, as of the moment {@link GossipCore#stats()} was called.
 *
 * @param knownNodes members in the table, including this node and tombstones
 * @param onlineNodes members {@code ONLINE}, including this node
 * @param suspectNodes members {@code SUSPECT}
 * @param failedNodes {@code FAILED} tombstones
 * @param leftNodes {@code LEFT} tombstones
 * @param messagesSent messages handed to the outbox
 * @param messagesReceived messages given to {@code handleMessage}, accepted or not
 * @param bytesSent bytes the runtime reported sending ({@link GossipCore#recordBytesSent})
 * @param bytesReceived bytes the runtime reported receiving ({@link
 *     GossipCore#recordBytesReceived})
 * @param drops messages or updates dropped, by reason (only non-zero reasons appear)
 * @param lastTickNanos how long the last {@code tick} took, measured with the builder's ticker (0
 *     without one)
 * @param incarnation this node's current incarnation
 * @param localHealth Lifeguard's local health score: 0 is healthy, higher stretches our timeouts
 * @param queuedUpdates updates waiting in the broadcast queue
 * @param probes probes started by this node
 * @param suspicionsRaised members this node suspected after its own failed probe
 * @param refutations times this node refuted a suspicion of itself
 * @param listenerErrors listener invocations that threw
 */
public record GossipStats(
    int knownNodes,
    int onlineNodes,
    int suspectNodes,
    int failedNodes,
    int leftNodes,
    long messagesSent,
    long messagesReceived,
    long bytesSent,
    long bytesReceived,
    Map<DropReason, Long> drops,
    long lastTickNanos,
    long incarnation,
    int localHealth,
    int queuedUpdates,
    long probes,
    long suspicionsRaised,
    long refutations,
    long listenerErrors) {

  /** Copies the drop map. */
  public GossipStats {
    drops = Map.copyOf(drops);
  }

  /** Total drops over all reasons. */
  public long messagesDropped() {
    long sum = 0;
    for (long v : drops.values()) {
      sum += v;
    }
    return sum;
  }
}
