package io.libgossip.bench;

import io.libgossip.cluster.ConsistentHash;
import io.libgossip.cluster.HashRing;
import io.libgossip.cluster.MemberFilter;
import io.libgossip.cluster.MemberPicker;
import io.libgossip.cluster.MemberPickers;
import io.libgossip.cluster.MembershipTracker;
import io.libgossip.cluster.RendezvousHash;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of one lookup or pick of {@code gossip-cluster} over {@code members} ONLINE members: the
 * owner of a string key on a {@link HashRing} (128 virtual nodes) and by {@link RendezvousHash},
 * three replicas of a key on each, and a pick of each {@link MemberPickers} picker. Each invocation
 * does {@value #BATCH} operations over different keys (so sample times are well above the timer's
 * resolution) and reports the time per operation; the key's hash is included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ClusterBenchmark {
  static final int BATCH = 256;

  /** How many members. */
  @Param({"100", "1000", "10000"})
  public int members;

  ConsistentHash ring;
  ConsistentHash rendezvous;
  MemberPicker roundRobin;
  MemberPicker random;
  MemberPicker powerOfTwo;
  String[] keys;

  /** Builds the member list, both assignments and the pickers, and the keys. */
  @Setup(Level.Trial)
  public void setUp() {
    List<NodeView> views = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < members; i++) {
      views.add(
          new NodeView(
              "node-" + i,
              new NodeAddress("10.0." + (i / 250) + "." + (i % 250 + 1), 7946),
              NodeStatus.ONLINE,
              1,
              Map.of(MemberPickers.LOAD_KEY, Integer.toString(r.nextInt(100))),
              0,
              0,
              0,
              0));
    }
    ring = HashRing.of(views, HashRing.DEFAULT_VIRTUAL_NODES);
    rendezvous = RendezvousHash.of(views);
    MembershipTracker tracker = new MembershipTracker(views);
    roundRobin = MemberPickers.roundRobin(tracker, MemberFilter.online());
    random = MemberPickers.random(tracker, MemberFilter.online(), new SplittableRandom(2));
    powerOfTwo =
        MemberPickers.powerOfTwoChoices(tracker, MemberFilter.online(), new SplittableRandom(3));
    keys = new String[BATCH];
    for (int i = 0; i < BATCH; i++) {
      keys[i] = "user:" + r.nextInt(1_000_000);
    }
  }

  /** The owner of a key on the ring. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void ringOwner(Blackhole bh) {
    for (String k : keys) {
      bh.consume(ring.owner(k));
    }
  }

  /** The owner of a key by rendezvous hashing. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rendezvousOwner(Blackhole bh) {
    for (String k : keys) {
      bh.consume(rendezvous.owner(k));
    }
  }

  /** Three replicas of a key on the ring. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void ringOwners3(Blackhole bh) {
    for (String k : keys) {
      bh.consume(ring.owners(k, 3));
    }
  }

  /** Three replicas of a key by rendezvous hashing. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void rendezvousOwners3(Blackhole bh) {
    for (String k : keys) {
      bh.consume(rendezvous.owners(k, 3));
    }
  }

  /** A round-robin pick. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void pickRoundRobin(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(roundRobin.pick());
    }
  }

  /** A random pick. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void pickRandom(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(random.pick());
    }
  }

  /** A power-of-two-choices pick. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void pickPowerOfTwo(Blackhole bh) {
    for (int i = 0; i < BATCH; i++) {
      bh.consume(powerOfTwo.pick());
    }
  }
}
