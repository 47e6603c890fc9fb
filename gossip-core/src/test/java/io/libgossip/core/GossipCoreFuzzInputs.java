package io.libgossip.core;

import static io.libgossip.core.GossipCoreFuzzDriver.BUILT;
import static io.libgossip.core.GossipCoreFuzzDriver.CONFIG;
import static io.libgossip.core.GossipCoreFuzzDriver.REPLY;
import static io.libgossip.core.GossipCoreFuzzDriver.SELF;
import static io.libgossip.core.GossipCoreFuzzDriver.TICK;
import static io.libgossip.core.GossipCoreFuzzDriver.WIRE;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seed inputs of {@link GossipCoreFuzzTest}: scripts for {@link GossipCoreFuzzDriver} that
 * reach joins, probes and their replies, suspicion of others and of this node, indirect probes,
 * push-pull, tombstone expiry, incarnation and metadata edges, and garbage. Written with the codec,
 * so that they stay valid bytes; {@link GossipCoreFuzzInputsTest} checks that the committed files
 * are what this class writes. To rewrite them:
 *
 * <pre>
 * ./mvnw -B -ntp -q test-compile -pl gossip-core
 * java -cp gossip-core/target/classes:gossip-core/target/test-classes \
 *     io.libgossip.core.GossipCoreFuzzInputs gossip-core/src/test/resources/io/libgossip/core/GossipCoreFuzzTestInputs/coreStaysSaneUnderAnyMessages
 * </pre>
 */
final class GossipCoreFuzzInputs {
  static final String DIRECTORY =
      "io/libgossip/core/GossipCoreFuzzTestInputs/coreStaysSaneUnderAnyMessages";

  private static final BinarySerializer CODEC = BinarySerializer.forConfig(CONFIG);
  private static final long MAX = WireLimits.MAX_INCARNATION;

  private GossipCoreFuzzInputs() {}

  /** One script, step by step. */
  static final class Script {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A script whose start byte is {@code start} (see {@link GossipCoreFuzzDriver}). */
    Script(int start) {
      out.write(start);
    }

    /** Advances the clock by {@code (a + 1) * 50} ms (a tombstone timeout for 255) and ticks. */
    Script tick(int a) {
      out.write(TICK);
      out.write(a);
      return this;
    }

    /** {@link #tick} {@code times} times. */
    Script ticks(int times, int a) {
      for (int i = 0; i < times; i++) {
        tick(a);
      }
      return this;
    }

    /** The bytes of {@code m} on the wire. */
    Script wire(GossipMessage m) {
      return wire(CODEC.encode(m));
    }

    Script wire(byte[] bytes) {
      out.write(WIRE);
      out.write(bytes.length >>> 8);
      out.write(bytes.length);
      out.writeBytes(bytes);
      return this;
    }

    /**
     * A message the driver builds: the type (0 ping .. 5 push-pull), indexes into {@link
     * GossipCoreFuzzDriver#IDS}, the port byte of the sender's address, the sequence byte, the
     * push-pull flags, and updates made by {@link #update}.
     */
    Script built(int type, int from, int port, int seq, int target, int flags, int[]... updates) {
      out.write(BUILT);
      out.writeBytes(new byte[] {(byte) type, (byte) from, (byte) port, (byte) seq});
      out.writeBytes(new byte[] {(byte) target, 0, (byte) flags, (byte) updates.length});
      for (int[] u : updates) {
        for (int b : u) {
          out.write(b);
        }
      }
      return this;
    }

    /**
     * The bytes of one built update: id index, port byte, status (0 ONLINE .. 3 LEFT), incarnation
     * byte, metadata byte, metadata version, config epoch, claimant byte.
     */
    static int[] update(int id, int status, int incarnation, int metadata, int claimant) {
      return new int[] {id, 0, status, incarnation, metadata, 0, 0, claimant};
    }

    /** Answers the {@code k}-th latest message the core sent. */
    Script reply(int k, int kind) {
      out.write(REPLY);
      out.write(k);
      out.write(kind);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static NodeAddress addr(String id) {
    return new NodeAddress(id + ".fuzz", 7946);
  }

  static MemberUpdate claim(String id, NodeStatus status, long incarnation, String from) {
    return new MemberUpdate(id, addr(id), status, incarnation, Map.of(), 0, 0, from);
  }

  static MemberUpdate online(String id, long incarnation) {
    return claim(id, NodeStatus.ONLINE, incarnation, id);
  }

  static GossipMessage gossip(String from, MemberUpdate... updates) {
    return new GossipMessage.Gossip(from, addr(from), List.of(updates));
  }

  /** The seeds by file name, in a stable order. */
  static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    Script probes =
        new Script(0)
            .wire(
                new GossipMessage.PushPull(
                    "a", addr("a"), true, false, List.of(online("a", 0), online("b", 0))));
    for (int i = 0; i < 30; i++) {
      probes.tick(9).reply(0, i);
    }
    seeds.put("join-then-answered-probes", probes.bytes());

    seeds.put(
        "silent-peers-suspected-failed-expired",
        new Script(1)
            .wire(gossip("a", online("a", 0), online("b", 0), online("c", 1)))
            .ticks(60, 19)
            .tick(255)
            .tick(255)
            .bytes());

    seeds.put(
        "this-node-suspected-and-declared-dead",
        new Script(1)
            .wire(gossip("a", online("a", 0)))
            .tick(19)
            .wire(gossip("a", claim(SELF, NodeStatus.SUSPECT, 0, "a")))
            .tick(19)
            .wire(gossip("b", claim(SELF, NodeStatus.FAILED, 5, "b")))
            .tick(19)
            .wire(gossip("a", claim(SELF, NodeStatus.SUSPECT, MAX - 1, "a")))
            .wire(gossip("a", claim(SELF, NodeStatus.LEFT, MAX, SELF)))
            .ticks(5, 19)
            .bytes());

    seeds.put(
        "indirect-probe-relayed-and-nacked",
        new Script(2)
            .wire(gossip("a", online("a", 0), online("b", 0)))
            .wire(new GossipMessage.PingReq("a", addr("a"), 7, "b", addr("b"), List.of()))
            .tick(3)
            .reply(0, 0)
            .wire(new GossipMessage.PingReq("a", addr("a"), 8, "b", addr("b"), List.of()))
            .ticks(10, 9)
            .wire(new GossipMessage.Ping("a", addr("a"), 9, SELF, List.of(online("c", 2))))
            .wire(new GossipMessage.Nack("b", addr("b"), 8, List.of()))
            .ticks(10, 19)
            .bytes());

    seeds.put(
        "incarnation-edges-restarts-and-leaves",
        new Script(0)
            .wire(gossip("a", online("a", MAX - 1), online("b", MAX)))
            .wire(gossip("c", claim("a", NodeStatus.SUSPECT, MAX - 1, "c"), online("c", 0)))
            .wire(gossip("a", online("a", MAX)))
            .wire(
                gossip(
                    "b",
                    new MemberUpdate(
                        "b",
                        new NodeAddress("b.fuzz", 8000),
                        NodeStatus.ONLINE,
                        MAX,
                        Map.of(),
                        0,
                        0,
                        "b")))
            .wire(gossip("c", claim("c", NodeStatus.LEFT, 0, "c")))
            .wire(gossip("a", claim("c", NodeStatus.ONLINE, 0, "a")))
            .ticks(20, 39)
            .tick(255)
            .wire(gossip("c", online("c", 0)))
            .ticks(5, 19)
            .bytes());

    MemberUpdate withRole =
        new MemberUpdate(
            "a", addr("a"), NodeStatus.ONLINE, 1, Map.of("role", "web", "zone", ""), 1, 2, "a");
    MemberUpdate oversize =
        new MemberUpdate(
            "a",
            addr("a"),
            NodeStatus.ONLINE,
            2,
            Map.of("blob", "v".repeat(CONFIG.maxMetadataBytes())),
            2,
            2,
            "a");
    seeds.put(
        "metadata-changes-and-oversize",
        new Script(2)
            .wire(gossip("a", online("a", 0)))
            .wire(gossip("a", withRole))
            .wire(gossip("b", oversize, online("b", 0)))
            .ticks(10, 19)
            .bytes());

    Script pushPull = new Script(2).wire(gossip("a", online("a", 0), online("b", 0)));
    for (int i = 0; i < 40; i++) {
      pushPull.tick(199).reply(0, 1).reply(1, 2);
    }
    seeds.put("push-pull-exchanges", pushPull.bytes());

    seeds.put(
        "built-messages",
        new Script(0)
            // a push-pull join from "a": itself and "b" alive with metadata, this node failed
            .built(
                5,
                1,
                0,
                0,
                2,
                1,
                Script.update(1, 0, 0, 0, 0),
                Script.update(2, 0, 0, 4, 0),
                Script.update(0, 2, 1, 3, 1))
            .tick(19)
            // a ping from "c" at another port: itself alive, "d" suspect; then a ping-req
            .built(0, 3, 7, 1, 0, 0, Script.update(3, 0, 0, 2, 0), Script.update(4, 1, 2, 2, 3))
            .built(2, 1, 0, 0, 4, 0)
            .ticks(10, 19)
            .bytes());

    SplittableRandom rnd = new SplittableRandom(11);
    byte[] noise = new byte[300];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (byte) rnd.nextInt(256);
    }
    byte[] valid = CODEC.encode(gossip("a", online("a", 0), online("b", 3)));
    byte[] flipped = valid.clone();
    flipped[flipped.length - 3] ^= 0x40;
    seeds.put(
        "garbage-and-damaged-packets",
        new Script(1)
            .wire(noise)
            .wire(Arrays.copyOf(valid, valid.length - 1))
            .wire(flipped)
            .wire(valid)
            .tick(19)
            .bytes());
    seeds.put("random-script", noise);
    return seeds;
  }

  /** Writes the seeds into the directory {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds().entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }
}
