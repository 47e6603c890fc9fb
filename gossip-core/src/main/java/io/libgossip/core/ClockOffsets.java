package io.libgossip.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Clock offsets and round-trip times to peers from the timestamps on probe pings and acks (NTP's
 * on-wire protocol), and this node's Vivaldi coordinate moved by the same round trips.
 *
 * <p>The pinger stamps a probe ping with its wall clock {@code t1}; the responder answers with
 * {@code t1} back, its clock when the ping arrived ({@code t2}) and when the ack left ({@code t3});
 * the pinger reads {@code t4} when the ack arrives. Then the round trip is {@code (t4 - t1) - (t3 -
 * t2)} and the offset of the peer's clock {@code ((t2 - t1) + (t3 - t4)) / 2}, true within half the
 * round trip. Of the last {@link #WINDOW} samples per peer the one with the lowest round trip gives
 * the offset (NTP's clock filter: a short round trip leaves little room for asymmetry).
 *
 * <p>The wall clock is injected ({@link GossipCore.Builder#wallClock}); the core reads no clock
 * itself. A sample with a negative round trip or one above 10 s is counted as rejected. State is
 * kept only for members of the table, at most one small record each.
 */
final class ClockOffsets {
  /** The samples per peer the offset filter chooses from. */
  static final int WINDOW = 8;

  /** The largest round trip accepted, in nanoseconds. */
  static final long MAX_RTT_NANOS = 10_000_000_000L;

  private final boolean enabled;
  private final LongSupplier wallClock;
  private final WireNegotiation wire;
  private final MemberTable table;
  private final @Nullable Vivaldi vivaldi;
  private final Map<String, Peer> peers = new HashMap<>();
  private long samples;
  private long rejected;

  /** Per peer: a ring of the last samples, the smoothed round trip and its last coordinate. */
  private static final class Peer {
    final long[] offsets = new long[WINDOW];
    final long[] rtts = new long[WINDOW];
    int next;
    int filled;
    long count;
    double smoothedRtt;
    long lastAt;
    @Nullable NetworkCoordinate coordinate;
  }

  ClockOffsets(
      GossipConfig config,
      @Nullable LongSupplier wallClock,
      WireNegotiation wire,
      MemberTable table,
      RandomGenerator random) {
    this.enabled = config.clockOffsets();
    if (enabled && wallClock == null) {
      throw new IllegalArgumentException(
          "clockOffsets is on but no wallClock was given to the GossipCore builder");
    }
    this.wallClock = wallClock == null ? () -> 0L : wallClock;
    this.wire = wire;
    this.table = table;
    this.vivaldi = enabled && config.coordinates() ? new Vivaldi(random) : null;
  }

  boolean enabled() {
    return enabled;
  }

  /** {@code ping} stamped with this node's wall clock, when on and {@code target} speaks 5. */
  GossipMessage.Ping stamp(GossipMessage.Ping ping, Member target) {
    if (!enabled || wire.versionFor(target.view()) < WireVersions.TIMING) {
      return ping;
    }
    return ping.withTiming(ProbeTiming.ping(wallClock.getAsLong()));
  }

  /** {@code ack} answering the timed {@code ping} with the timestamps (and coordinate), when on. */
  GossipMessage.Ack answer(GossipMessage.Ping ping, GossipMessage.Ack ack) {
    ProbeTiming t = ping.timing();
    if (!enabled || t == null) {
      return ack;
    }
    long wall = wallClock.getAsLong();
    return ack.withTiming(
        new ProbeTiming(t.origin(), wall, wall, vivaldi == null ? null : vivaldi.coordinate()));
  }

  /** Takes a sample from a timed ack of a member, received at monotonic {@code now}. */
  void onAck(GossipMessage.Ack ack, long now) {
    ProbeTiming t = ack.timing();
    if (!enabled || t == null || table.get(ack.from()) == null) {
      return;
    }
    long t4 = wallClock.getAsLong();
    long rtt;
    long offset;
    try {
      long held = Math.subtractExact(t.sent(), t.received());
      rtt = Math.subtractExact(Math.subtractExact(t4, t.origin()), held);
      // halves first: the sum of two differences of epoch nanoseconds may not fit
      offset =
          Math.subtractExact(t.received(), t.origin()) / 2 + Math.subtractExact(t.sent(), t4) / 2;
      if (held < 0 || rtt < 0 || rtt > MAX_RTT_NANOS) {
        rejected++;
        return;
      }
    } catch (ArithmeticException e) {
      rejected++;
      return;
    }
    Peer p = peers.get(ack.from());
    if (p == null) {
      prune();
      p = new Peer();
      peers.put(ack.from(), p);
    }
    p.offsets[p.next] = offset;
    p.rtts[p.next] = rtt;
    p.next = (p.next + 1) % WINDOW;
    p.filled = Math.min(p.filled + 1, WINDOW);
    p.smoothedRtt = p.count == 0 ? rtt : p.smoothedRtt + (rtt - p.smoothedRtt) / 8.0;
    p.count++;
    p.lastAt = now;
    samples++;
    NetworkCoordinate c = t.coordinate();
    if (c != null) {
      p.coordinate = c;
      if (vivaldi != null) {
        vivaldi.update(ack.from(), c, rtt / 1e9);
      }
    }
  }

  /** Drops the state of peers no longer in the table once it outgrows the table. */
  private void prune() {
    if (peers.size() < table.size() + 64) {
      return;
    }
    for (Iterator<String> it = peers.keySet().iterator(); it.hasNext(); ) {
      if (table.get(it.next()) == null) {
        it.remove();
      }
    }
  }

  Optional<PeerTiming> timing(String id, long now) {
    Peer p = peers.get(id);
    if (p == null) {
      return Optional.empty();
    }
    int best = 0;
    for (int i = 1; i < p.filled; i++) {
      if (p.rtts[i] < p.rtts[best]) {
        best = i;
      }
    }
    return Optional.of(
        new PeerTiming(
            Duration.ofNanos(Math.round(p.smoothedRtt)),
            Duration.ofNanos(p.rtts[best]),
            Duration.ofNanos(p.offsets[best]),
            Duration.ofNanos(p.rtts[best] / 2),
            p.count,
            Duration.ofNanos(Math.max(0, now - p.lastAt))));
  }

  Optional<NetworkCoordinate> coordinate() {
    return vivaldi == null ? Optional.empty() : Optional.of(vivaldi.coordinate());
  }

  Optional<Duration> estimateRtt(String id) {
    Peer p = peers.get(id);
    if (vivaldi == null || p == null || p.coordinate == null) {
      return Optional.empty();
    }
    return Optional.of(vivaldi.coordinate().rttTo(p.coordinate));
  }

  long samples() {
    return samples;
  }

  long rejected() {
    return rejected;
  }
}
