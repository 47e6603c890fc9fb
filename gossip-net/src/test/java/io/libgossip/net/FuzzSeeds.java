package io.libgossip.net;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.WireVersions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Valid inputs for the transport's fuzz targets ({@link TransportFuzzTest}) and seeded mutation
 * loops ({@link SeededMutationTest}): messages of every type at wire versions 2 and 3, as bare
 * packets, as packets through {@link #TRANSFORMS}, and as TCP frame streams. Written with the
 * codec, so they follow the format. {@link FuzzSeedsTest} checks that the saved Jazzer inputs are
 * what {@link #jazzerInputs()} writes, and rewrites them (after a format change) with:
 *
 * <pre>
 * ./mvnw -B -ntp -q -o test -pl gossip-net -am -Dtest=FuzzSeedsTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.writeSeeds=true
 * </pre>
 */
final class FuzzSeeds {
  static final String CLUSTER = "fuzz";
  static final int MAX_MESSAGE = 64 * 1024;
  static final BinarySerializer CODEC = new BinarySerializer(CLUSTER, MAX_MESSAGE);

  private FuzzSeeds() {}

  /** The transforms of the pipeline targets: a 4-byte label outside, a checksum inside. */
  static List<PacketTransform> transforms() {
    return List.of(new TestTransforms.XorCrc(0x5A), new TestTransforms.Label("FUZZ"));
  }

  /** Messages of every type, with and without updates, metadata, unicode, IPv6 and ranges. */
  static List<GossipMessage> messages() {
    List<GossipMessage> out = new ArrayList<>(TestMessages.everyType());
    NodeAddress v6 = new NodeAddress("2001:db8:85a3::8a2e:370:7334", 7946);
    MemberUpdate a = new MemberUpdate("a", v6, NodeStatus.SUSPECT, 3, Map.of(), 0, 0, "b");
    MemberUpdate b =
        new MemberUpdate(
            "b", TestMessages.A, NodeStatus.ONLINE, 1, Map.of("k", "v", "z", ""), 4, 1, "b");
    out.add(
        new GossipMessage.PushPull(
            "a", v6, false, true, List.of(a, b), Map.of("a", new WireVersions(2, 3))));
    out.add(new GossipMessage.Gossip("self", TestMessages.B, List.of(a)));
    return out;
  }

  /** Each message as a packet at wire versions 2 and 3. */
  static List<byte[]> packets() {
    List<byte[]> out = new ArrayList<>();
    for (GossipMessage m : messages()) {
      out.add(CODEC.encode(m, 2));
      out.add(CODEC.encode(m, 3));
    }
    return out;
  }

  /** Each packet after the {@link #transforms()} pipeline. */
  static List<byte[]> transformed() {
    PacketPipeline pipeline = new PacketPipeline(CODEC, transforms());
    List<byte[]> out = new ArrayList<>();
    for (GossipMessage m : messages()) {
      out.add(pipeline.encode(m, 2, 0));
      out.add(pipeline.encode(m, 3, 0));
    }
    return out;
  }

  /** {@code payloads} as one TCP stream of length-prefixed frames. */
  static byte[] frames(List<byte[]> payloads) {
    int size = 0;
    for (byte[] p : payloads) {
      size += TcpTransport.LENGTH_BYTES + p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    for (byte[] p : payloads) {
      b.putInt(p.length).put(p);
    }
    return b.array();
  }

  /** The saved Jazzer inputs by path under the test resources. */
  static Map<String, byte[]> jazzerInputs() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    String frames = "io/libgossip/net/TransportFuzzTestInputs/framesDecodeOrCloseCleanly/";
    String pipeline =
        "io/libgossip/net/TransportFuzzTestInputs/transformedPacketsDecodeOrAreRejected/";
    List<GossipMessage> messages = messages();
    List<byte[]> packets = packets();
    List<byte[]> sealed = transformed();
    for (int i = 0; i < messages.size(); i++) {
      String name = messages.get(i).type().name().toLowerCase(java.util.Locale.ROOT) + "-" + i;
      // the first byte picks the chunk size of the frame target (see TransportFuzzTest)
      out.put(
          frames + "valid-" + name,
          prefixed(7, frames(List.of(packets.get(2 * i), packets.get(2 * i + 1)))));
      out.put(pipeline + "valid-v2-" + name, sealed.get(2 * i));
      out.put(pipeline + "valid-v3-" + name, sealed.get(2 * i + 1));
    }
    out.put(
        frames + "garbage-then-valid",
        prefixed(3, frames(List.of(new byte[] {1, 2, 3}, packets.get(0)))));
    out.put(frames + "empty-frame", prefixed(1, frames(List.of(new byte[0], packets.get(1)))));
    out.put(frames + "huge-length", prefixed(0, new byte[] {(byte) 0xFF, (byte) 0xFF, 0, 0, 1}));
    out.put(pipeline + "unsealed", packets.get(0));
    return out;
  }

  private static byte[] prefixed(int first, byte[] rest) {
    byte[] out = new byte[rest.length + 1];
    out[0] = (byte) first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  /** Writes {@link #jazzerInputs()} under the directory {@code root}. */
  static void write(Path root) throws IOException {
    for (Map.Entry<String, byte[]> e : jazzerInputs().entrySet()) {
      Path p = root.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
  }
}
