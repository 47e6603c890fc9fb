package io.libgossip.net;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.WireVersions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the transport's inbound paths with Jazzer: the TCP frame decoder (the
 * pipeline {@link TcpTransport#initPipeline} builds, in an {@link EmbeddedChannel}; TLS ends in the
 * same decoder after decryption) and the {@link PacketPipeline} with transforms.
 *
 * <p>In a normal {@code ./mvnw test} run Jazzer replays each saved input under {@code
 * src/test/resources/io/libgossip/net/TransportFuzzTestInputs/<method>/} as one test case ({@link
 * FuzzSeeds} writes the seeds). To fuzz one method for real, by hand (bounded):
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -o test -pl gossip-net -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='TransportFuzzTest#framesDecodeOrCloseCleanly' -Djazzer.max_duration=10m
 * </pre>
 *
 * A crashing input is written to the inputs directory above; commit it with the fix and it replays
 * as a regression test in every build. See docs/fuzzing.md.
 */
class TransportFuzzTest {
  /** One context for every input: its drop log is rate-limited, so garbage logs little. */
  private static final TransportContext CONTEXT =
      new TransportContext(
          TransportOptions.builder()
              .serializer(FuzzSeeds.CODEC)
              .maxDatagramSize(1400)
              .maxMessageSize(FuzzSeeds.MAX_MESSAGE)
              .build());

  /**
   * The first byte sets the largest read (1 to 64 bytes, 0: the whole stream at once); the rest is
   * a TCP byte stream, fed to a connection's inbound pipeline read by read. No exception escapes
   * the pipeline; each delivered message survives a codec round trip; nothing is delivered once the
   * connection closed; and every buffer read is released by the time the channel is gone.
   */
  @FuzzTest(maxDuration = "5m")
  void framesDecodeOrCloseCleanly(byte[] data) {
    Recorder recorder = new Recorder();
    CONTEXT.handler(recorder);
    EmbeddedChannel ch = new EmbeddedChannel();
    TcpTransport.initPipeline(ch.pipeline(), CONTEXT);
    int max = data.length == 0 ? 1 : (data[0] & 0xFF) % 65;
    List<ByteBuf> reads = new ArrayList<>();
    int pos = 1;
    int deliveredWhenClosed = -1;
    while (pos < data.length) {
      int n = max == 0 ? data.length - pos : Math.min(max, data.length - pos);
      ByteBuf read = Unpooled.copiedBuffer(data, pos, n);
      reads.add(read);
      pos += n;
      if (ch.isOpen()) {
        ch.writeInbound(read.retain());
      } else if (deliveredWhenClosed < 0) { // a closed connection reads nothing more
        deliveredWhenClosed = recorder.received.size();
      }
      ch.checkException(); // throws what escaped the pipeline
    }
    ch.finishAndReleaseAll();
    if (deliveredWhenClosed >= 0 && recorder.received.size() != deliveredWhenClosed) {
      throw new AssertionError("messages delivered after the connection closed");
    }
    for (ByteBuf read : reads) {
      if (read.refCnt() != 1) {
        throw new AssertionError(
            "a read buffer is still held or released twice: refCnt " + read.refCnt());
      }
      read.release();
    }
    for (Recorder.Received r : recorder.received) {
      roundTrips(r.message());
    }
  }

  /**
   * Any bytes are a packet for the pipeline of a label and a checksum transform: decoding never
   * throws; a rejection names its transform; what decodes survives a round trip through the
   * pipeline and, when its header carried this node's range or none, re-encodes to the very bytes
   * it came in.
   */
  @FuzzTest(maxDuration = "5m")
  void transformedPacketsDecodeOrAreRejected(byte[] data) {
    PacketPipeline pipeline = new PacketPipeline(FuzzSeeds.CODEC, FuzzSeeds.transforms());
    checkPipeline(pipeline, data);
  }

  /** The checks of {@link #transformedPacketsDecodeOrAreRejected}, for the seeded loop too. */
  static void checkPipeline(PacketPipeline pipeline, byte[] data) {
    PacketPipeline.Inbound in = pipeline.decode(data.clone(), 0, data.length);
    if (in instanceof PacketPipeline.Inbound.Rejected r) {
      if (r.transform().isEmpty() || r.why().isEmpty()) {
        throw new AssertionError("rejection without a transform or reason: " + r);
      }
      return;
    }
    if (in instanceof PacketPipeline.Inbound.Undecodable u) {
      if (u.reason() == null) {
        throw new AssertionError("undecodable without a reason: " + u);
      }
      return;
    }
    PacketPipeline.Inbound.Decoded d = (PacketPipeline.Inbound.Decoded) in;
    WireVersions sender = d.senderVersions();
    int version = sender == null ? 2 : 3;
    byte[] again = pipeline.encode(d.message(), version, 0);
    PacketPipeline.Inbound back = pipeline.decode(again, 0, again.length);
    if (!(back instanceof PacketPipeline.Inbound.Decoded b) || !b.message().equals(d.message())) {
      throw new AssertionError("pipeline round trip changed " + d.message() + " into " + back);
    }
    if ((sender == null || sender.equals(FuzzSeeds.CODEC.versions()))
        && !Arrays.equals(again, data)) {
      throw new AssertionError("pipeline accepted a non-canonical packet for " + d.message());
    }
  }

  private static void roundTrips(GossipMessage m) {
    try {
      GossipMessage back = FuzzSeeds.CODEC.decode(FuzzSeeds.CODEC.encode(m, WireVersions.NEWEST));
      if (!back.equals(m)) {
        throw new AssertionError("round trip changed " + m + " into " + back);
      }
    } catch (DecodeException e) {
      throw new AssertionError("delivered " + m + " does not re-encode: " + e.getMessage(), e);
    }
  }
}
