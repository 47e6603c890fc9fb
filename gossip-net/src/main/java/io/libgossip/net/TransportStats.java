package io.libgossip.net;

import io.libgossip.core.DropReason;
import java.util.Map;

/**
 * Counters of one {@link Transport}, as of the moment {@link Transport#stats()} was called.
 *
 * @param packetsIn datagrams and frames received and decoded
 * @param packetsOut datagrams and frames written to the network
 * @param bytesIn payload bytes of the decoded packets (without TCP length prefixes)
 * @param bytesOut payload bytes written (without TCP length prefixes)
 * @param drops inbound and outbound packets dropped, by reason (only non-zero reasons appear)
 * @param connectionsOpened TCP connections opened or accepted since start
 * @param openConnections TCP connections open now (outbound pool and accepted)
 */
public record TransportStats(
    long packetsIn,
    long packetsOut,
    long bytesIn,
    long bytesOut,
    Map<DropReason, Long> drops,
    long connectionsOpened,
    int openConnections) {

  /** Copies the drop map. */
  public TransportStats {
    drops = Map.copyOf(drops);
  }

  /** Drops counted for {@code reason}. */
  public long drops(DropReason reason) {
    return drops.getOrDefault(reason, 0L);
  }

  /** Total drops over all reasons. */
  public long totalDrops() {
    long sum = 0;
    for (long v : drops.values()) {
      sum += v;
    }
    return sum;
  }
}
