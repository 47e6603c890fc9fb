package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The packet pipeline (serializer and transforms) and the inbound handlers with transforms. */
class PacketPipelineTest {
  private static final InetSocketAddress SENDER = new InetSocketAddress("127.0.0.1", 5000);
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 6000);

  private final MessageSerializer serializer = new BinarySerializer("test", 64 * 1024);

  private PacketPipeline pipeline(PacketTransform... transforms) {
    return new PacketPipeline(serializer, List.of(transforms));
  }

  private static GossipMessage decoded(PacketPipeline.Inbound in) {
    assertThat(in).isInstanceOf(PacketPipeline.Inbound.Decoded.class);
    return ((PacketPipeline.Inbound.Decoded) in).message();
  }

  @Test
  void everyMessageTypeSurvivesTheRoundTripThroughTwoTransforms() {
    PacketPipeline p = pipeline(new TestTransforms.XorCrc(0x5a), new TestTransforms.Label("LGT1"));
    assertThat(p.overhead()).isEqualTo(8);
    for (GossipMessage m : TestMessages.everyType()) {
      byte[] packet = p.encode(m, 0);
      assertThat(packet).hasSize(serializer.encodedSize(m) + 8);
      assertThat(decoded(p.decode(packet, 0, packet.length))).isEqualTo(m);
    }
  }

  @Test
  void transformsApplyInOrderOutboundAndInReverseInbound() {
    PacketPipeline p = pipeline(new TestTransforms.XorCrc(0x5a), new TestTransforms.Label("LGT1"));
    byte[] packet = p.encode(TestMessages.ping(1), 0);
    // the label was applied last, so it is outermost
    assertThat(new String(packet, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("LGT1");
    PacketPipeline reversed =
        pipeline(new TestTransforms.Label("LGT1"), new TestTransforms.XorCrc(0x5a));
    assertThat(reversed.decode(packet, 0, packet.length))
        .isInstanceOf(PacketPipeline.Inbound.Rejected.class);
  }

  @Test
  void headroomIsLeftFreeInFrontOfThePacket() {
    PacketPipeline p = pipeline(new TestTransforms.Label("LGT1"));
    byte[] frame = p.encode(TestMessages.ping(3), 4);
    assertThat(new String(frame, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("LGT1");
    assertThat(decoded(p.decode(frame, 4, frame.length - 4))).isEqualTo(TestMessages.ping(3));
    byte[] plain = pipeline().encode(TestMessages.ping(3), 4);
    assertThat(plain).hasSize(4 + serializer.encodedSize(TestMessages.ping(3)));
    assertThat(decoded(pipeline().decode(plain, 4, plain.length - 4)))
        .isEqualTo(TestMessages.ping(3));
  }

  @Test
  void aPacketWithoutTheLabelIsRejectedNamingTheTransform() {
    PacketPipeline p = pipeline(new TestTransforms.Label("LGT1"));
    byte[] plain = serializer.encode(TestMessages.ping(1));
    assertThat(p.decode(plain, 0, plain.length))
        .isEqualTo(new PacketPipeline.Inbound.Rejected("label", "another label"));
    assertThat(p.decode(new byte[2], 0, 2))
        .isEqualTo(new PacketPipeline.Inbound.Rejected("label", "shorter than the label"));
  }

  @Test
  void aLabelledPacketOfGarbageIsUndecodableByTheSerializer() {
    PacketPipeline p = pipeline(new TestTransforms.Label("LGT1"));
    byte[] garbage = "LGT1GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    PacketPipeline.Inbound in = p.decode(garbage, 0, garbage.length);
    assertThat(in).isInstanceOf(PacketPipeline.Inbound.Undecodable.class);
    assertThat(((PacketPipeline.Inbound.Undecodable) in).reason()).isEqualTo(DropReason.BAD_MAGIC);
  }

  @Test
  void aTransformThatThrowsOrReturnsNothingOnDecodeIsARejection() {
    PacketTransform throwing =
        new TestTransforms.Padding(0) {
          @Override
          public TransformResult decode(byte[] packet) {
            throw new IllegalStateException("bug");
          }
        };
    PacketTransform silent =
        new TestTransforms.Padding(0) {
          @Override
          public TransformResult decode(byte[] packet) {
            return null;
          }
        };
    byte[] bytes = serializer.encode(TestMessages.ping(1));
    assertThat(pipeline(throwing).decode(bytes, 0, bytes.length))
        .isInstanceOf(PacketPipeline.Inbound.Rejected.class)
        .asString()
        .contains("bug");
    assertThat(pipeline(silent).decode(bytes, 0, bytes.length))
        .isInstanceOf(PacketPipeline.Inbound.Rejected.class);
  }

  @Test
  void aTransformThatAddsMoreThanItsOverheadCannotEncode() {
    PacketTransform liar =
        new TestTransforms.Padding(10) {
          @Override
          public int overhead() {
            return 2;
          }
        };
    assertThatThrownBy(() -> pipeline(liar).encode(TestMessages.ping(1), 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("padding added 10 bytes, more than its declared overhead of 2");
  }

  @Test
  void negativeOverheadIsRefusedWithTheTransformsName() {
    PacketTransform negative =
        new TestTransforms.Padding(0) {
          @Override
          public int overhead() {
            return -1;
          }
        };
    assertThatThrownBy(() -> pipeline(negative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("padding")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> TransportOptions.builder().transforms(List.of(negative)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void transformsTakingMoreThanHalfADatagramAreRefused() {
    assertThatThrownBy(
            () ->
                TransportOptions.builder()
                    .maxDatagramSize(600)
                    .transforms(List.of(new TestTransforms.Padding(301)))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("301 bytes per packet");
    assertThat(
            TransportOptions.builder()
                .maxDatagramSize(600)
                .transforms(List.of(new TestTransforms.Padding(300)))
                .build()
                .packetOverhead())
        .isEqualTo(300);
  }

  @Test
  void randomBytesNeverThrowAndNeverDecode() {
    PacketPipeline p = pipeline(new TestTransforms.XorCrc(7), new TestTransforms.Label("LGT1"));
    long seed = 20261206L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = new byte[random.nextInt(0, 300)];
      random.nextBytes(bytes);
      if (i % 2 == 0 && bytes.length >= 4) { // half carry the right label, to reach the checksum
        System.arraycopy("LGT1".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 4);
      }
      PacketPipeline.Inbound in = p.decode(bytes, 0, bytes.length);
      assertThat(in)
          .as("seed %d, input %d: %s", seed, i, Arrays.toString(bytes))
          .isNotInstanceOf(PacketPipeline.Inbound.Decoded.class);
    }
  }

  /**
   * A keyring like the one encryption will need: encodes with the primary key, decodes with
   * whichever installed key fits, and rejects a packet that none fits.
   */
  private static final class Keyring implements PacketTransform {
    private final List<TestTransforms.XorCrc> keys;

    Keyring(int... keys) {
      this.keys = Arrays.stream(keys).mapToObj(TestTransforms.XorCrc::new).toList();
    }

    @Override
    public int overhead() {
      return 4;
    }

    @Override
    public byte[] encode(byte[] packet) {
      return keys.get(0).encode(packet);
    }

    @Override
    public TransformResult decode(byte[] packet) {
      for (TestTransforms.XorCrc key : keys) {
        if (key.decode(packet) instanceof TransformResult.Accepted a) {
          return a;
        }
      }
      return TransformResult.rejected("no installed key fits");
    }
  }

  @Test
  void aTransformMayTryEveryInstalledKeyDuringARotation() {
    PacketPipeline oldPrimary = pipeline(new Keyring(1, 2));
    PacketPipeline newPrimary = pipeline(new Keyring(2, 1));
    PacketPipeline stranger = pipeline(new Keyring(3));
    GossipMessage m = TestMessages.ping(8);
    byte[] fromOld = oldPrimary.encode(m, 0);
    byte[] fromNew = newPrimary.encode(m, 0);
    assertThat(decoded(newPrimary.decode(fromOld, 0, fromOld.length))).isEqualTo(m);
    assertThat(decoded(oldPrimary.decode(fromNew, 0, fromNew.length))).isEqualTo(m);
    assertThat(stranger.decode(fromOld, 0, fromOld.length))
        .isEqualTo(new PacketPipeline.Inbound.Rejected("Keyring", "no installed key fits"));
  }

  // ---- the inbound handlers with a transform, without sockets

  private TransportContext context(PacketTransform... transforms) {
    TransportContext c =
        new TransportContext(
            TransportOptions.builder()
                .serializer(serializer)
                .transforms(List.of(transforms))
                .maxDatagramSize(1400)
                .maxMessageSize(64 * 1024)
                .build());
    return c;
  }

  @Test
  void datagramHandlerDecodesLabelledDatagramsAndCountsTheRest() {
    TransportContext c = context(new TestTransforms.Label("LGT1"));
    Recorder recorder = new Recorder();
    c.handler(recorder);
    EmbeddedChannel ch = new EmbeddedChannel(new DatagramHandler(c));
    byte[] good = c.pipeline.encode(TestMessages.ping(5), 0);
    byte[] plain = serializer.encode(TestMessages.ping(5));
    byte[] otherLabel =
        new PacketPipeline(serializer, List.of(new TestTransforms.Label("XXXX")))
            .encode(TestMessages.ping(5), 0);
    byte[] labelledGarbage = "LGT1junk".getBytes(StandardCharsets.US_ASCII);

    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(good), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(plain), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(otherLabel), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {'L'}), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(labelledGarbage), LOCAL, SENDER));
    ch.checkException();

    assertThat(recorder.messages()).containsExactly(TestMessages.ping(5));
    assertThat(recorder.received.get(0).size()).isEqualTo(good.length);
    TransportStats stats = c.counters.snapshot();
    assertThat(stats.drops(TransportDropReason.REJECTED_BY_TRANSFORM)).isEqualTo(3);
    assertThat(stats.drops(DropReason.BAD_MAGIC)).isEqualTo(1);
    assertThat(stats.packetsIn()).isEqualTo(1);
    assertThat(stats.bytesIn()).isEqualTo(good.length);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void frameHandlerDropsRejectedFramesAndTheStreamGoesOn() {
    TransportContext c = context(new TestTransforms.XorCrc(0x33));
    Recorder recorder = new Recorder();
    c.handler(recorder);
    EmbeddedChannel ch = new EmbeddedChannel();
    TcpTransport.initPipeline(ch.pipeline(), c);
    GossipMessage big = TestMessages.bigPushPull(300);
    byte[] damaged = c.pipeline.encode(TestMessages.ping(2), 0);
    damaged[3] ^= 1;

    ch.writeInbound(frame(c.pipeline.encode(big, 0)));
    ch.writeInbound(frame(damaged));
    ch.writeInbound(frame(serializer.encode(TestMessages.ping(3))));
    ch.writeInbound(frame(c.pipeline.encode(TestMessages.ping(4), 0)));
    ch.checkException();

    assertThat(ch.isOpen()).isTrue();
    assertThat(recorder.messages()).containsExactly(big, TestMessages.ping(4));
    assertThat(c.counters.snapshot().drops(TransportDropReason.REJECTED_BY_TRANSFORM)).isEqualTo(2);
  }

  private static ByteBuf frame(byte[] payload) {
    ByteBuf b = Unpooled.buffer(4 + payload.length);
    b.writeInt(payload.length);
    b.writeBytes(payload);
    return b;
  }
}
