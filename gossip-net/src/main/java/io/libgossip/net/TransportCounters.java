package io.libgossip.net;

import io.libgossip.core.DropReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counters shared by the parts of one transport (a hybrid shares one set). */
final class TransportCounters {
  private final LongAdder packetsIn = new LongAdder();
  private final LongAdder packetsOut = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder connectionsOpened = new LongAdder();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
  private final AtomicLongArray transportDrops =
      new AtomicLongArray(TransportDropReason.values().length);

  void received(int bytes) {
    packetsIn.increment();
    bytesIn.add(bytes);
  }

  void sent(int bytes) {
    packetsOut.increment();
    bytesOut.add(bytes);
  }

  void drop(DropReason reason) {
    drops.incrementAndGet(reason.ordinal());
  }

  void drop(TransportDropReason reason) {
    transportDrops.incrementAndGet(reason.ordinal());
  }

  void connectionOpened() {
    connectionsOpened.increment();
    openConnections.incrementAndGet();
  }

  void connectionClosed() {
    openConnections.decrementAndGet();
  }

  TransportStats snapshot() {
    Map<DropReason, Long> map = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      long v = drops.get(r.ordinal());
      if (v != 0) {
        map.put(r, v);
      }
    }
    Map<TransportDropReason, Long> own = new EnumMap<>(TransportDropReason.class);
    for (TransportDropReason r : TransportDropReason.values()) {
      long v = transportDrops.get(r.ordinal());
      if (v != 0) {
        own.put(r, v);
      }
    }
    return new TransportStats(
        packetsIn.sum(),
        packetsOut.sum(),
        bytesIn.sum(),
        bytesOut.sum(),
        map,
        own,
        connectionsOpened.sum(),
        openConnections.get());
  }
}
