package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The inbound handlers, without sockets. */
class CodecHandlersTest {
  private static final InetSocketAddress SENDER = new InetSocketAddress("127.0.0.1", 5000);
  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 6000);

  private final MessageSerializer serializer = new BinarySerializer("test", 64 * 1024);
  private final TransportContext context =
      new TransportContext(
          TransportOptions.builder()
              .serializer(serializer)
              .maxDatagramSize(1400)
              .maxMessageSize(64 * 1024)
              .build());
  private final Recorder recorder = new Recorder();

  CodecHandlersTest() {
    context.handler(recorder);
  }

  private static ByteBuf frame(byte[] payload) {
    ByteBuf b = Unpooled.buffer(4 + payload.length);
    b.writeInt(payload.length);
    b.writeBytes(payload);
    return b;
  }

  @Test
  void datagramDecodesToOneMessage() {
    EmbeddedChannel ch = new EmbeddedChannel(new DatagramHandler(context));
    GossipMessage ping = TestMessages.ping(5);
    byte[] bytes = serializer.encode(ping);
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(bytes), LOCAL, SENDER));
    assertThat(recorder.received).hasSize(1);
    assertThat(recorder.received.get(0).message()).isEqualTo(ping);
    assertThat(recorder.received.get(0).sender()).isEqualTo(SENDER);
    assertThat(recorder.received.get(0).size()).isEqualTo(bytes.length);
    assertThat(context.counters.snapshot().packetsIn()).isEqualTo(1);
    assertThat(context.counters.snapshot().bytesIn()).isEqualTo(bytes.length);
  }

  @Test
  void garbageDatagramIsCountedNotThrown() {
    EmbeddedChannel ch = new EmbeddedChannel(new DatagramHandler(context));
    ch.writeInbound(
        new DatagramPacket(Unpooled.wrappedBuffer("GET / HTTP/1.1".getBytes()), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.buffer(0), LOCAL, SENDER));
    byte[] wrongCluster = new BinarySerializer("other", 1 << 16).encode(TestMessages.ping(1));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(wrongCluster), LOCAL, SENDER));
    ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[1401]), LOCAL, SENDER));
    ch.checkException();
    assertThat(recorder.received).isEmpty();
    TransportStats stats = context.counters.snapshot();
    assertThat(stats.drops(DropReason.BAD_MAGIC)).isEqualTo(1);
    assertThat(stats.drops(DropReason.TRUNCATED)).isEqualTo(1);
    assertThat(stats.drops(DropReason.WRONG_CLUSTER)).isEqualTo(1);
    assertThat(stats.drops(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(stats.packetsIn()).isZero();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void throwingHandlerDoesNotBreakThePipeline() {
    context.handler(
        (m, s, n) -> {
          throw new IllegalStateException("boom");
        });
    EmbeddedChannel ch = new EmbeddedChannel(new DatagramHandler(context));
    ch.writeInbound(
        new DatagramPacket(
            Unpooled.wrappedBuffer(serializer.encode(TestMessages.ping(1))), LOCAL, SENDER));
    ch.checkException();
    assertThat(ch.isOpen()).isTrue();
  }

  private EmbeddedChannel tcpChannel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    TcpTransport.initPipeline(ch.pipeline(), context);
    return ch;
  }

  @Test
  void framesSplitAcrossReadsAreReassembled() {
    EmbeddedChannel ch = tcpChannel();
    GossipMessage big = TestMessages.bigPushPull(500);
    GossipMessage small = TestMessages.ping(9);
    ByteBuf stream =
        Unpooled.wrappedBuffer(frame(serializer.encode(big)), frame(serializer.encode(small)));
    while (stream.isReadable()) {
      ch.writeInbound(stream.readRetainedSlice(Math.min(777, stream.readableBytes())));
    }
    stream.release();
    ch.checkException();
    assertThat(recorder.messages()).containsExactly(big, small);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void frameOverTheLimitClosesTheConnection() {
    EmbeddedChannel ch = tcpChannel();
    ByteBuf header = Unpooled.buffer(4).writeInt(64 * 1024 + 1);
    ch.writeInbound(header);
    assertThat(ch.isOpen()).isFalse();
    assertThat(context.counters.snapshot().drops(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(recorder.received).isEmpty();
  }

  @Test
  void hugeUnsignedLengthClosesTheConnection() {
    EmbeddedChannel ch = tcpChannel();
    ch.writeInbound(Unpooled.buffer(4).writeInt(-5)); // 4 GiB - 5 as uint32
    assertThat(ch.isOpen()).isFalse();
    assertThat(context.counters.snapshot().drops(DropReason.TOO_LARGE)).isEqualTo(1);
  }

  @Test
  void garbageFrameIsDroppedAndTheStreamGoesOn() {
    EmbeddedChannel ch = tcpChannel();
    ch.writeInbound(frame(new byte[] {1, 2, 3}));
    ch.writeInbound(frame(new byte[0]));
    ch.writeInbound(frame(serializer.encode(TestMessages.ping(3))));
    assertThat(ch.isOpen()).isTrue();
    assertThat(recorder.messages()).containsExactly(TestMessages.ping(3));
    assertThat(context.counters.snapshot().totalDrops()).isEqualTo(2);
  }

  @Test
  void idleConnectionIsClosed() {
    EmbeddedChannel ch = tcpChannel();
    ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    assertThat(ch.isOpen()).isFalse();
  }
}
