package io.libgossip.net;

import io.libgossip.core.DropReason;
import java.util.Map;

/**
 * Counters of one {@link Transport}, as of the moment {@link Transport#stats()} was called.
 *
 * @param packetsIn datagrams and frames received and decoded
 * @param packetsOut datagrams and frames written to the network
 * @param bytesIn wire bytes of the decoded packets (after transforms; without TCP length prefixes)
 * @param bytesOut wire bytes written (after transforms; without TCP length prefixes)
 * @param drops inbound packets whose bytes were rejected, by the decoder's reason (only non-zero
 *     reasons appear)
 * @param transportDrops packets the transport dropped for a reason of its own, inbound and outbound
 *     (only non-zero reasons appear)
 * @param connectionsOpened TCP connections opened or accepted since start
 * @param openConnections TCP connections open now (outbound pool and accepted)
 */
public record TransportStats(
    long packetsIn,
    long packetsOut,
    long bytesIn,
    long bytesOut,
    Map<DropReason, Long> drops,
    Map<TransportDropReason, Long> transportDrops,
    long connectionsOpened,
    int openConnections) {

  /** Copies the drop maps. */
  public TransportStats {
    drops = Map.copyOf(drops);
    transportDrops = Map.copyOf(transportDrops);
  }

  /** Inbound packets rejected for {@code reason}. */
  public long drops(DropReason reason) {
    return drops.getOrDefault(reason, 0L);
  }

  /** Packets dropped by the transport for {@code reason}. */
  public long drops(TransportDropReason reason) {
    return transportDrops.getOrDefault(reason, 0L);
  }

  /** Total drops over all reasons of both kinds. */
  public long totalDrops() {
    long sum = 0;
    for (long v : drops.values()) {
      sum += v;
    }
    for (long v : transportDrops.values()) {
      sum += v;
    }
    return sum;
  }
}
