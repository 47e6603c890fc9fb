package io.libgossip.examples;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.NetworkCoordinate;
import io.libgossip.core.PeerTiming;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Clock offsets and network coordinates: three nodes on loopback measure round-trip times and each
 * other's clock offsets from their probes; node-2's wall clock runs 250 ms ahead, and node-0 finds
 * it, within the error bound.
 */
public final class TimingExample {
  private static final int NODES = 3;
  private static final Duration SKEW = Duration.ofMillis(250);

  private TimingExample() {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    GossipConfig config =
        GossipConfig.local().toBuilder()
            .clusterName("timing-demo")
            .clockOffsets(true)
            .coordinates(true)
            .build();
    List<GossipNode> nodes = new ArrayList<>();
    try (EventLoopPool pool = EventLoopPool.create(1, "timing")) {
      try {
        for (int i = 0; i < NODES; i++) {
          Clock wall = i == 2 ? Clock.offset(Clock.systemUTC(), SKEW) : Clock.systemUTC();
          GossipNode.Builder b =
              GossipNode.builder()
                  .id("node-" + i)
                  .bind("127.0.0.1", 0)
                  .config(config)
                  .eventLoops(pool)
                  .wallClock(wall);
          if (i > 0) {
            b.seeds(nodes.get(0).address().toString());
          }
          nodes.add(b.start());
        }
        out.printf(
            "%d nodes with clock offsets and coordinates on; node-2's clock is %d ms ahead%n",
            NODES, SKEW.toMillis());
        GossipNode n0 = nodes.get(0);
        Examples.waitUntil(
            "node-0 to time both peers (3 samples each)",
            Duration.ofSeconds(20),
            () ->
                samples(n0.timing("node-1")) >= 3
                    && samples(n0.timing("node-2")) >= 3
                    && n0.estimateRtt("node-1").isPresent());
        for (String peer : List.of("node-1", "node-2")) {
          PeerTiming t = n0.timing(peer).orElseThrow();
          out.printf(
              "node-0 -> %s: rtt %s (min %s), clock offset %+.1f ms ± %.2f ms, %d samples%n",
              peer,
              micros(t.rtt()),
              micros(t.minRtt()),
              t.offset().toNanos() / 1e6,
              t.errorBound().toNanos() / 1e6,
              t.samples());
        }
        Optional<NetworkCoordinate> c = n0.coordinate();
        out.printf(
            "node-0's Vivaldi coordinate: %s; estimated rtt to node-1: %s%n",
            c.map(NetworkCoordinate::toString).orElse("-"),
            n0.estimateRtt("node-1").map(TimingExample::micros).orElse("-"));
      } finally {
        nodes.forEach(GossipNode::close);
      }
    }
    out.println("\ndone");
  }

  private static long samples(Optional<PeerTiming> t) {
    return t.map(PeerTiming::samples).orElse(0L);
  }

  private static String micros(Duration d) {
    return String.format("%.0f µs", d.toNanos() / 1e3);
  }
}
