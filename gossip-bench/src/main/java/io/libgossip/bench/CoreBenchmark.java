package io.libgossip.bench;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the sans-IO core on one thread: {@link GossipCore#handleMessage} with 10, 1,000 and
 * 10,000 known members, and {@link GossipCore#tick} with 10,000.
 */
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CoreBenchmark {

  /** Messages in the pre-built inbound ring (a power of two). */
  static final int RING = 1024;

  /** One message in this many carries news (a member's higher incarnation). */
  static final int NEWS_EVERY = 64;

  /** Updates piggybacked on each steady-state ping. */
  static final int PIGGYBACKED = 4;

  /** Virtual time of the handleMessage benchmark: 10 s after the core started. */
  static final long NOW = 10_000_000_000L;

  /**
   * A core that knows {@code members} members, and a ring of pings addressed to it from random
   * members, each carrying {@value #PIGGYBACKED} claims the core already holds (the steady state).
   * Every {@value #NEWS_EVERY}th message instead carries one new claim: a member raising its
   * incarnation (a metadata change or a refutation), which the core applies and queues for gossip.
   */
  @State(Scope.Benchmark)
  public static class Inbound {
    /** Members the core knows before the measurement. */
    @Param({"10", "1000", "10000"})
    public int members;

    GossipCore core;
    Ping[] ring;
    long[] incarnations;
    SplittableRandom random;
    long seq;
    int next;

    /** Builds the populated core and the message ring. */
    @Setup(Level.Trial)
    public void setUp() {
      core = Fixtures.populatedCore(members, (m, t, d) -> {}, 0);
      random = new SplittableRandom(7);
      ring = new Ping[RING];
      for (int k = 0; k < RING; k++) {
        List<MemberUpdate> updates = new ArrayList<>(PIGGYBACKED);
        for (int u = 0; u < PIGGYBACKED; u++) {
          int i = random.nextInt(members);
          updates.add(Fixtures.alive(i, i % 5));
        }
        ring[k] = Fixtures.pingToSelf(random.nextInt(members), k, updates);
      }
      incarnations = new long[members];
      for (int i = 0; i < members; i++) {
        incarnations[i] = i % 5;
      }
    }

    /** The next inbound message; every {@value #NEWS_EVERY}th one is news. */
    GossipMessage nextMessage() {
      int k = next++;
      if ((k & (NEWS_EVERY - 1)) != 0) {
        return ring[k & (RING - 1)];
      }
      int i = random.nextInt(members);
      long inc = ++incarnations[i];
      return Fixtures.pingToSelf(i, ++seq, List.of(Fixtures.alive(i, inc)));
    }
  }

  /** Handles one inbound message (answering pings into a no-op outbox). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void handleMessage(Inbound s) {
    s.core.handleMessage(s.nextMessage(), NOW);
  }

  /**
   * A core of 10,000 members whose probes are answered: the outbox remembers each ping the core
   * sends, and the benchmark feeds back the target's ack, so the cluster stays healthy however long
   * the benchmark runs (otherwise unanswered probes would turn every member suspect, then failed).
   */
  @State(Scope.Benchmark)
  public static class Ticking {
    /** Members the core knows. */
    @Param({"10000"})
    public int members;

    GossipCore core;
    long now;
    long intervalNanos;
    final List<Ping> probes = new ArrayList<>();

    /** Builds the populated core. */
    @Setup(Level.Trial)
    public void setUp() {
      core = Fixtures.populatedCore(members, this::send, 0);
      intervalNanos = Fixtures.config().gossipInterval().toNanos();
      now = 0;
    }

    private void send(GossipMessage message, NodeView target, Delivery delivery) {
      if (message instanceof Ping && target.hasId()) {
        probes.add((Ping) message);
      }
    }
  }

  /**
   * One {@code tick} a gossip interval (200 ms) after the last, plus the acks for any probes it
   * sent (at most one per probe interval, so about one tick in five handles one ack).
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void tick(Ticking s, Blackhole bh) {
    s.now += s.intervalNanos;
    s.core.tick(s.now);
    if (!s.probes.isEmpty()) {
      for (Ping p : s.probes) {
        int i = memberIndex(p.target());
        s.core.handleMessage(
            new Ack(p.target(), Fixtures.memberAddress(i), p.seq(), List.of()), s.now);
      }
      s.probes.clear();
    }
    bh.consume(s.core.liveCount());
  }

  /** The index in a {@link Fixtures#memberId} id ({@code role-0042.zone} → 42). */
  static int memberIndex(String id) {
    int dash = id.indexOf('-');
    return Integer.parseInt(id, dash + 1, id.indexOf('.', dash), 10);
  }
}
