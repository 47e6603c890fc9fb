package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.WireVersions;
import io.libgossip.testkit.ByteMutator;
import io.libgossip.testkit.RecordingListener;
import io.libgossip.testkit.RecordingOutbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of every binary decoding path, without Jazzer: valid messages of every
 * type at wire versions 2 and 3 ({@link FuzzSeeds}) mutated by a {@link ByteMutator} with a fixed
 * seed (bit flips, truncation, splicing, length-field inflation, overlong varints ...), fed to the
 * binary decoder, the TCP frame decoder in arbitrary reads, the packet pipeline with transforms,
 * and, as sequences of messages, a {@link GossipCore}. Invariants are checked after every case.
 *
 * <p>A normal run does {@value #DEFAULT_CASES} cases for the decoder and the pipeline, a twentieth
 * as many TCP streams and a hundredth as many core sequences of 20 messages, in a few seconds. The
 * long mode, by hand (minutes):
 *
 * <pre>
 * ./mvnw -B -ntp -o test -pl gossip-net -am -Dtest=SeededMutationTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.cases=5000000 [-Dfuzz.seed=38]
 * </pre>
 *
 * A failure names the target, the seed and the case number; the same two reproduce it.
 */
class SeededMutationTest {
  static final int DEFAULT_CASES = 20_000;
  private static final int CASES = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
  private static final long SEED = Long.getLong("fuzz.seed", 38);

  /** Heap a decode may allocate: a fixed allowance plus this many bytes per input byte. */
  static final long ALLOCATION_BASE = 16 * 1024;

  static final long ALLOCATION_PER_BYTE = 16;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static String where(String target, int i) {
    return target + " case " + i + " of seed " + SEED + " (-Dfuzz.seed=" + SEED + ")";
  }

  private static void report(String target, int cases, long startNanos, String extra) {
    double secs = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(
        "seeded-mutation %s: %d cases in %.2f s (%.0f/s)%s%n",
        target, cases, secs, cases / secs, extra);
  }

  @Test
  void binaryDecoderRejectsCleanlyOrRoundTripsCanonically() {
    BinarySerializer codec = FuzzSeeds.CODEC;
    ByteMutator mutator = new ByteMutator(FuzzSeeds.packets(), SEED, 4096);
    long start = System.nanoTime();
    int decoded = 0;
    long worstAllocation = 0;
    for (int i = 0; i < CASES; i++) {
      byte[] data = mutator.next();
      long bound = ALLOCATION_BASE + ALLOCATION_PER_BYTE * data.length;
      long allocated = allocatedDecoding(codec, data);
      if (allocated > bound) {
        allocated = allocatedDecoding(codec, data); // again, without first-time class loading
      }
      worstAllocation = Math.max(worstAllocation, allocated - ALLOCATION_PER_BYTE * data.length);
      assertThat(allocated)
          .as(where("binary", i) + ": heap allocated decoding " + data.length + " bytes")
          .isLessThanOrEqualTo(bound);
      GossipMessage m;
      try {
        m = codec.decode(data);
      } catch (DecodeException e) {
        assertThat(e.reason()).as(where("binary", i)).isNotNull();
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError(where("binary", i) + ": " + e + " escaped the decoder", e);
      }
      decoded++;
      int version = data[2] & 0xFF;
      byte[] again = codec.encode(m, version);
      WireVersions sender = codec.senderVersions(data, 0, data.length);
      if (sender != null) { // a version 3 header keeps the sender's range, ours or not
        again[8] = (byte) sender.min();
        again[9] = (byte) sender.max();
      }
      assertThat(again).as(where("binary", i) + ": canonical re-encoding").isEqualTo(data);
    }
    report(
        "binary", CASES, start, ", " + decoded + " decoded, worst extra heap " + worstAllocation);
    assertThat(decoded).as("some mutants still decode").isPositive();
  }

  /** Heap this thread allocates decoding {@code data} once. */
  private static long allocatedDecoding(BinarySerializer codec, byte[] data) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      codec.decode(data);
    } catch (DecodeException | RuntimeException e) {
      // the checks look at it
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void frameDecoderSurvivesMutatedStreamsInArbitraryReads() {
    List<byte[]> packets = FuzzSeeds.packets();
    List<byte[]> streams = new ArrayList<>();
    for (int i = 0; i + 1 < packets.size(); i += 2) {
      streams.add(FuzzSeeds.frames(List.of(packets.get(i), packets.get(i + 1))));
    }
    ByteMutator mutator = new ByteMutator(streams, SEED, 8192);
    ByteMutator payloads = new ByteMutator(packets, SEED + 1, 4096);
    Recorder recorder = new Recorder();
    TransportContext context =
        new TransportContext(
            TransportOptions.builder()
                .serializer(FuzzSeeds.CODEC)
                .maxDatagramSize(1400)
                .maxMessageSize(FuzzSeeds.MAX_MESSAGE)
                .build());
    context.handler(recorder);
    int cases = Math.max(1, CASES / 20);
    long start = System.nanoTime();
    int closed = 0;
    for (int i = 0; i < cases; i++) {
      // half: a mutated stream (its length prefixes too); half: valid frames of mutated payloads
      byte[] stream =
          mutator.nextInt(2) == 0
              ? mutator.next()
              : FuzzSeeds.frames(List.of(payloads.next(), payloads.next(), payloads.next()));
      EmbeddedChannel ch = new EmbeddedChannel();
      TcpTransport.initPipeline(ch.pipeline(), context);
      List<ByteBuf> reads = new ArrayList<>();
      int deliveredAtClose = -1;
      for (byte[] chunk : mutator.chunks(stream, 1 + mutator.nextInt(200))) {
        ByteBuf read = Unpooled.wrappedBuffer(chunk);
        reads.add(read);
        if (!ch.isOpen()) {
          if (deliveredAtClose < 0) {
            deliveredAtClose = recorder.received.size();
          }
          continue;
        }
        ch.writeInbound(read.retain());
        try {
          ch.checkException();
        } catch (RuntimeException e) {
          throw new AssertionError(where("frames", i) + ": " + e + " escaped the pipeline", e);
        }
      }
      ch.finishAndReleaseAll();
      if (deliveredAtClose >= 0) {
        closed++;
        assertThat(recorder.received).as(where("frames", i)).hasSize(deliveredAtClose);
      }
      for (ByteBuf read : reads) {
        assertThat(read.refCnt()).as(where("frames", i) + ": read buffer released").isEqualTo(1);
        read.release();
      }
      recorder.received.clear();
    }
    report("frames", cases, start, ", " + closed + " connections closed early");
  }

  @Test
  void pipelineWithTransformsRejectsOrRoundTrips() {
    PacketPipeline pipeline = new PacketPipeline(FuzzSeeds.CODEC, FuzzSeeds.transforms());
    // mutate both the sealed packets and, sealed afterwards, mutated inner packets
    List<byte[]> inner = FuzzSeeds.packets();
    ByteMutator sealed = new ByteMutator(FuzzSeeds.transformed(), SEED, 4096);
    ByteMutator plain = new ByteMutator(inner, SEED + 2, 4096);
    List<PacketTransform> transforms = FuzzSeeds.transforms();
    long start = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      byte[] data;
      if (i % 2 == 0) {
        data = sealed.next();
      } else {
        data = plain.next();
        for (PacketTransform t : transforms) {
          data = t.encode(data);
        }
      }
      try {
        TransportFuzzTest.checkPipeline(pipeline, data);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(where("pipeline", i) + ": " + e.getMessage(), e);
      }
    }
    report("pipeline", CASES, start, "");
  }

  // ---------------------------------------------------------------------------------------------
  // The core, driven by sequences of decoded mutants

  private static final String SELF = "self";
  private static final String[] IDS = {SELF, "a", "b", "c"};

  private static NodeAddress addr(String id) {
    return new NodeAddress("10.0.0." + (Arrays.asList(IDS).indexOf(id) + 1), 7946);
  }

  /** Claims among a few ids (this node's included), so that mutants meet the same members. */
  private static List<byte[]> coreSeeds() {
    List<byte[]> out = new ArrayList<>();
    long max = MemberUpdate.MAX_INCARNATION;
    for (String from : List.of("a", "b", "c")) {
      List<MemberUpdate> claims = new ArrayList<>();
      for (String id : IDS) {
        for (NodeStatus s : List.of(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.LEFT)) {
          long inc = s == NodeStatus.ONLINE ? 1 : max - 1;
          claims.add(
              new MemberUpdate(
                  id, addr(id), s, inc, Map.of("r", id), 1, 0, from.equals(id) ? id : from));
        }
      }
      out.add(
          FuzzSeeds.CODEC.encode(
              new GossipMessage.Gossip(from, addr(from), claims.subList(0, 4)), 3));
      out.add(
          FuzzSeeds.CODEC.encode(
              new GossipMessage.Ping(from, addr(from), 1, SELF, claims.subList(4, 7)), 2));
      out.add(
          FuzzSeeds.CODEC.encode(
              new GossipMessage.PushPull(from, addr(from), true, false, claims.subList(0, 3)), 3));
      out.add(
          FuzzSeeds.CODEC.encode(
              new GossipMessage.PushPull(from, addr(from), false, true, claims.subList(6, 12)), 2));
      out.add(
          FuzzSeeds.CODEC.encode(
              new GossipMessage.PingReq(from, addr(from), 2, "b", addr("b"), claims.subList(8, 10)),
              3));
      out.add(FuzzSeeds.CODEC.encode(new GossipMessage.Ack(from, addr(from), 0, List.of()), 3));
    }
    return out;
  }

  @Test
  void coreStaysConsistentUnderSequencesOfMutatedMessages() {
    GossipConfig config =
        GossipConfig.lan().toBuilder()
            .clusterName(FuzzSeeds.CLUSTER)
            .tombstoneTimeout(Duration.ofSeconds(20))
            .reconnectTimeout(Duration.ofSeconds(20))
            .build();
    ByteMutator mutator = new ByteMutator(coreSeeds(), SEED, 4096);
    byte[] valid = FuzzSeeds.packets().get(0);
    int sequences = Math.max(1, CASES / 100);
    long start = System.nanoTime();
    long handled = 0;
    for (int i = 0; i < sequences; i++) {
      SplittableRandom random = new SplittableRandom(SEED * 31 + i);
      long now = 1_000_000_000_000L;
      GossipCore core =
          GossipCore.builder()
              .id(SELF)
              .address(addr(SELF))
              .config(config)
              .random(new SplittableRandom(i))
              .outbox(new RecordingOutbox(() -> 0))
              .listener(new RecordingListener())
              .build();
      core.tick(now);
      if (random.nextInt(3) > 0) {
        core.join(List.of(addr("a")), now);
      }
      Set<String> mentioned = new HashSet<>(List.of(SELF));
      boolean left = false;
      for (int step = 0; step < 20; step++) {
        String where = where("core", i) + " step " + step;
        byte[] data = random.nextInt(4) == 0 ? valid : mutator.next();
        try {
          GossipMessage m = FuzzSeeds.CODEC.decode(data);
          mention(mentioned, m);
          core.handleMessage(m, FuzzSeeds.CODEC.senderVersions(data, 0, data.length), now);
          handled++;
        } catch (DecodeException e) {
          // dropped before the core, as a runtime does
        } catch (RuntimeException e) {
          throw new AssertionError(where + ": " + e + " escaped", e);
        }
        now += (1 + random.nextInt(2_000)) * 1_000_000L;
        if (!left && random.nextInt(40) == 0) {
          core.leave(now);
          left = true;
        }
        core.tick(now);
        checkTable(core, mentioned, left, where);
      }
    }
    report("core", sequences, start, " sequences of 20 steps, " + handled + " messages handled");
  }

  private static void mention(Set<String> ids, GossipMessage m) {
    ids.add(m.from());
    for (MemberUpdate u : m.updates()) {
      ids.add(u.id());
    }
    if (m instanceof GossipMessage.Ping p) {
      ids.add(p.target());
    } else if (m instanceof GossipMessage.PingReq r) {
      ids.add(r.target());
    }
  }

  /**
   * This node present, first, and JOINING, ONLINE or (after leave) LEFT; no duplicate ids; every
   * other member in a member status; no more members than ids mentioned; counts agree.
   */
  static void checkTable(GossipCore core, Set<String> mentioned, boolean left, String where) {
    NodeView self = core.self();
    List<NodeView> members = core.members();
    assertThat(members).as(where).isNotEmpty();
    assertThat(members.get(0).id()).as(where + ": this node first").isEqualTo(self.id());
    if (left) {
      assertThat(self.status())
          .as(where)
          .isIn(NodeStatus.ONLINE, NodeStatus.LEFT, NodeStatus.JOINING);
    } else {
      assertThat(self.status()).as(where).isIn(NodeStatus.ONLINE, NodeStatus.JOINING);
    }
    Set<String> ids = new HashSet<>();
    for (NodeView m : members) {
      assertThat(ids.add(m.id())).as(where + ": " + m.id() + " twice").isTrue();
      assertThat(mentioned).as(where + ": never mentioned").contains(m.id());
      if (m != members.get(0)) {
        assertThat(m.status())
            .as(where + ": " + m.id())
            .isIn(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT);
      }
    }
    assertThat(core.size())
        .as(where)
        .isEqualTo(members.size())
        .isLessThanOrEqualTo(mentioned.size());
    assertThat(core.stats().knownNodes()).as(where).isEqualTo(members.size());
  }
}
