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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The transport's resource bounds without sockets: options, token buckets, slots, the decoder. */
class TransportBoundsTest {
  private static final int FRAME = 64 * 1024;
  private final MessageSerializer serializer = new BinarySerializer("test", FRAME);
  private final Recorder recorder = new Recorder();

  private TransportContext context(TransportOptions.Builder b) {
    TransportContext c =
        new TransportContext(b.serializer(serializer).maxMessageSize(FRAME).build());
    c.handler(recorder);
    return c;
  }

  private static EmbeddedChannel channel(TransportContext context) {
    EmbeddedChannel ch = new EmbeddedChannel();
    TcpTransport.initPipeline(ch.pipeline(), context);
    return ch;
  }

  private static ByteBuf frame(byte[] payload) {
    return Unpooled.buffer(4 + payload.length).writeInt(payload.length).writeBytes(payload);
  }

  // --- options ---

  @Test
  void defaultsAreTheDocumentedOnes() {
    TransportOptions o = TransportOptions.builder().build();
    assertThat(o.maxMessageSize()).isEqualTo(16 << 20);
    assertThat(o.maxInboundConnections()).isEqualTo(1024);
    assertThat(o.maxConnections()).isEqualTo(256);
    assertThat(o.maxConnectionsPerPeer()).isEqualTo(128);
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.slowReadTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.inboundBufferBudget()).isEqualTo(64L << 20);
    assertThat(o.maxPendingBytesPerConnection()).isEqualTo((16 << 20) + 4);
    assertThat(o.maxPendingBytes()).isEqualTo(64L << 20);
    assertThat(o.inboundRatePerSource()).isEqualTo(1000);
    assertThat(o.inboundBurstPerSource()).isEqualTo(2000);
    assertThat(o.maxTrackedSources()).isEqualTo(4096);
  }

  @Test
  void derivedByteBoundsFollowTheFrameSize() {
    TransportOptions o = TransportOptions.builder().maxMessageSize(100 << 20).build();
    assertThat(o.inboundBufferBudget()).isEqualTo(2L * ((100 << 20) + 4));
    assertThat(o.maxPendingBytesPerConnection()).isEqualTo((100 << 20) + 4);
    assertThat(o.maxPendingBytes()).isEqualTo((100 << 20) + 4);
    // toBuilder keeps "derived", so a later frame size change still validates
    TransportOptions small = o.toBuilder().maxMessageSize(FRAME).build();
    assertThat(small.inboundBufferBudget()).isEqualTo(64L << 20);
  }

  @Test
  void boundsThatCannotHoldOneFrameAreRefusedWithTheirNames() {
    assertThatThrownBy(
            () ->
                TransportOptions.builder().maxMessageSize(FRAME).inboundBufferBudget(FRAME).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inboundBufferBudget (65536) must hold one frame")
        .hasMessageContaining("65540");
    assertThatThrownBy(
            () ->
                TransportOptions.builder()
                    .maxMessageSize(FRAME)
                    .maxPendingBytesPerConnection(FRAME)
                    .build())
        .hasMessageContaining("maxPendingBytesPerConnection (65536) must hold one frame");
    assertThatThrownBy(
            () ->
                TransportOptions.builder()
                    .maxMessageSize(FRAME)
                    .maxPendingBytesPerConnection(1 << 20)
                    .maxPendingBytes(1 << 19)
                    .build())
        .hasMessageContaining("maxPendingBytes (524288) must be at least")
        .hasMessageContaining("maxPendingBytesPerConnection (1048576)");
    assertThatThrownBy(() -> TransportOptions.builder().maxConnectionsPerPeer(0))
        .hasMessage("maxConnectionsPerPeer must be in [1, 65536], got 0");
    assertThatThrownBy(() -> TransportOptions.builder().inboundRatePerSource(-1))
        .hasMessage("inboundRatePerSource must be in [0, 10000000], got -1");
    assertThatThrownBy(() -> TransportOptions.builder().inboundBurstPerSource(0))
        .hasMessage("inboundBurstPerSource must be in [1, 10000000], got 0");
    assertThatThrownBy(() -> TransportOptions.builder().maxTrackedSources(0))
        .hasMessage("maxTrackedSources must be in [1, 1048576], got 0");
    assertThatThrownBy(() -> TransportOptions.builder().slowReadTimeout(Duration.ZERO))
        .hasMessage("slowReadTimeout must be in (0, PT1H], got PT0S");
    assertThatThrownBy(() -> TransportOptions.builder().inboundBufferBudget(100))
        .hasMessage("inboundBufferBudget must be in [4096, 1099511627776], got 100");
  }

  // --- per-source token buckets ---

  private static InetSocketAddress from(String ip) {
    return new InetSocketAddress(ip, 7000);
  }

  @Test
  void aSourceGetsItsBurstThenItsRate() {
    SourceLimiter l = new SourceLimiter(100, 10, 16); // a token every 10 ms
    long t = 1_000_000_000L;
    int admitted = 0;
    for (int i = 0; i < 50; i++) {
      admitted += l.admit(from("10.0.0.1"), t) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(10);
    assertThat(l.admit(from("10.0.0.2"), t)).as("another source has its own bucket").isTrue();
    assertThat(l.admit(from("10.0.0.1"), t + 9_000_000)).isFalse();
    assertThat(l.admit(from("10.0.0.1"), t + 10_000_000)).isTrue();
    assertThat(l.admit(from("10.0.0.1"), t + 10_000_000)).isFalse();
  }

  @Test
  void theSourceTableIsBoundedAndForgetsTheLeastRecentlySeen() {
    SourceLimiter l = new SourceLimiter(1, 1, 4);
    long t = 0;
    for (int i = 0; i < 1000; i++) {
      l.admit(from("10.0.0." + (i % 250)), t);
      l.admit(from("10.0.1." + (i % 250)), t);
    }
    assertThat(l.trackedSources()).isEqualTo(4);
    assertThat(l.admit(from("10.0.2.1"), t)).isTrue();
    assertThat(l.admit(from("10.0.2.1"), t)).isFalse();
  }

  @Test
  void rateZeroAdmitsEverything() {
    SourceLimiter l = new SourceLimiter(0, 1, 1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(l.admit(from("10.0.0.1"), 0)).isTrue();
    }
    assertThat(l.trackedSources()).isZero();
  }

  @Test
  void datagramsOverTheSourceBucketAreCountedAndDropped() {
    TransportContext c =
        context(TransportOptions.builder().inboundRatePerSource(1).inboundBurstPerSource(3));
    EmbeddedChannel udp = new EmbeddedChannel(new DatagramHandler(c));
    byte[] ping = serializer.encode(TestMessages.ping(1));
    for (int i = 0; i < 10; i++) {
      udp.writeInbound(
          new io.netty.channel.socket.DatagramPacket(
              Unpooled.wrappedBuffer(ping), from("127.0.0.1"), from("10.0.0.9")));
    }
    assertThat(recorder.received).hasSize(3);
    assertThat(c.counters.snapshot().drops(TransportDropReason.RATE_LIMITED)).isEqualTo(7);
    assertThat(udp.isOpen()).isTrue();
  }

  // --- inbound slots ---

  private static final class FakeSlot implements InboundSlots.Slot {
    final long opened;
    long active;
    boolean proven;
    final InetAddress peer;

    FakeSlot(String ip, long opened, long active, boolean proven) throws Exception {
      this.peer = InetAddress.getByName(ip);
      this.opened = opened;
      this.active = active;
      this.proven = proven;
    }

    @Override
    public long openedNanos() {
      return opened;
    }

    @Override
    public long lastActiveNanos() {
      return active;
    }

    @Override
    public boolean proven() {
      return proven;
    }

    @Override
    public @Nullable InetAddress peer() {
      return peer;
    }
  }

  @Test
  void aNewcomerTakesTheSlotOfTheOldestUnprovenConnection() throws Exception {
    InboundSlots<String> slots = new InboundSlots<>(3, 3);
    assertThat(slots.admit("proven-idle", new FakeSlot("10.0.0.1", 0, 0, true))).isNull();
    assertThat(slots.admit("unproven-old", new FakeSlot("10.0.0.2", 5, 5, false))).isNull();
    assertThat(slots.admit("unproven-new", new FakeSlot("10.0.0.3", 9, 9, false))).isNull();
    assertThat(slots.admit("joiner", new FakeSlot("10.0.0.4", 20, 20, false)))
        .isEqualTo("unproven-old");
    assertThat(slots.admit("joiner2", new FakeSlot("10.0.0.5", 21, 21, false)))
        .isEqualTo("unproven-new");
    assertThat(slots.size()).isEqualTo(3);
  }

  @Test
  void whenAllHaveDeliveredTheOneIdleLongestGoes() throws Exception {
    InboundSlots<String> slots = new InboundSlots<>(2, 2);
    slots.admit("busy", new FakeSlot("10.0.0.1", 0, 100, true));
    slots.admit("idle", new FakeSlot("10.0.0.2", 50, 60, true));
    assertThat(slots.admit("new", new FakeSlot("10.0.0.3", 200, 200, false))).isEqualTo("idle");
  }

  @Test
  void aPeerOverItsShareLosesItsOwnConnectionNotAnotherPeers() throws Exception {
    InboundSlots<String> slots = new InboundSlots<>(100, 2);
    slots.admit("other", new FakeSlot("10.0.0.9", 0, 0, false));
    slots.admit("a1", new FakeSlot("10.0.0.1", 1, 1, false));
    slots.admit("a2", new FakeSlot("10.0.0.1", 2, 2, false));
    assertThat(slots.admit("a3", new FakeSlot("10.0.0.1", 3, 3, false))).isEqualTo("a1");
    slots.remove("a2");
    assertThat(slots.admit("a4", new FakeSlot("10.0.0.1", 4, 4, false))).isNull();
    assertThat(slots.size()).isEqualTo(3);
  }

  // --- the bounded frame decoder ---

  @Test
  void aFrameBufferGrowsAsBytesArriveNotToTheAnnouncedLength() {
    TransportContext c = context(TransportOptions.builder());
    EmbeddedChannel ch = channel(c);
    BoundedFrameDecoder d = ch.pipeline().get(BoundedFrameDecoder.class);
    ch.writeInbound(Unpooled.buffer().writeInt(FRAME).writeBytes(new byte[10]));
    assertThat(d.bufferedBytes()).isEqualTo(4096);
    assertThat(c.inboundBudget.used()).isEqualTo(4096);
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[10_000]));
    assertThat(d.bufferedBytes()).isBetween(10_010L, 2L * 10_010);
    ch.close();
    assertThat(c.inboundBudget.used()).as("a closed connection gives its buffer back").isZero();
  }

  @Test
  void aFrameTheBudgetCannotHoldClosesItsConnection() {
    TransportContext c = context(TransportOptions.builder().inboundBufferBudget(FRAME + 4 + 8192));
    EmbeddedChannel first = channel(c);
    EmbeddedChannel second = channel(c);
    first.writeInbound(Unpooled.buffer().writeInt(FRAME).writeBytes(new byte[FRAME - 100]));
    assertThat(c.inboundBudget.used()).isEqualTo(FRAME - 100);
    second.writeInbound(Unpooled.buffer().writeInt(FRAME).writeBytes(new byte[5000]));
    assertThat(second.isOpen()).isTrue();
    second.writeInbound(Unpooled.wrappedBuffer(new byte[5000]));
    assertThat(second.isOpen()).isFalse();
    assertThat(c.counters.snapshot().drops(TransportDropReason.MEMORY_BUDGET)).isEqualTo(1);
    assertThat(first.isOpen()).isTrue();
    assertThat(c.inboundBudget.used()).isEqualTo(FRAME - 100);
    first.writeInbound(Unpooled.wrappedBuffer(new byte[100])); // completes: garbage, dropped
    assertThat(c.inboundBudget.used()).isZero();
    assertThat(c.inboundBudget.peak()).isLessThanOrEqualTo(FRAME + 4 + 8192);
    assertThat(c.counters.snapshot().drops().values()).containsExactly(1L); // zeros: undecodable
  }

  @Test
  void aFrameUnfinishedAfterTheSlowReadTimeoutIsCut() {
    TransportContext c =
        context(
            TransportOptions.builder()
                .slowReadTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofSeconds(60)));
    EmbeddedChannel ch = channel(c);
    ch.writeInbound(Unpooled.buffer().writeInt(FRAME).writeBytes(new byte[100]));
    for (int i = 0; i < 19; i++) { // 100 bytes every 100 ms: still trickling
      ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[100]));
    }
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks(); // due: looks again after the next reads
    assertThat(ch.isOpen()).isTrue();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(c.counters.snapshot().drops(TransportDropReason.SLOW_READ)).isEqualTo(1);
    assertThat(c.inboundBudget.used()).isZero();
  }

  @Test
  void emptyFramesDoNotKeepAConnectionPastTheIdleTimeout() {
    TransportContext c =
        context(
            TransportOptions.builder()
                .idleTimeout(Duration.ofSeconds(1))
                .slowReadTimeout(Duration.ofMillis(500)));
    EmbeddedChannel ch = channel(c);
    for (int i = 0; i < 9; i++) {
      ch.writeInbound(frame(new byte[0]));
      ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }
    assertThat(ch.isOpen()).isTrue();
    ch.writeInbound(frame(new byte[0]));
    ch.advanceTimeBy(150, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.writeInbound(frame(new byte[0])); // read in the grace millisecond: still not traffic
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(c.counters.snapshot().drops(DropReason.TRUNCATED)).isEqualTo(11);
  }

  @Test
  void validFramesKeepAConnectionOpen() {
    TransportContext c = context(TransportOptions.builder().idleTimeout(Duration.ofSeconds(1)));
    EmbeddedChannel ch = channel(c);
    BoundedFrameDecoder d = ch.pipeline().get(BoundedFrameDecoder.class);
    assertThat(d.proven()).isFalse();
    GossipMessage ping = TestMessages.ping(1);
    for (int i = 0; i < 30; i++) {
      ch.writeInbound(frame(serializer.encode(ping)));
      ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }
    assertThat(ch.isOpen()).isTrue();
    assertThat(d.proven()).isTrue();
    assertThat(recorder.received).hasSize(30);
    ch.advanceTimeBy(1, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aFrameThatArrivesInTheGraceAfterAStalledDeadlineIsKept() {
    TransportContext c = context(TransportOptions.builder().idleTimeout(Duration.ofSeconds(1)));
    EmbeddedChannel ch = channel(c);
    ch.advanceTimeBy(5, TimeUnit.SECONDS); // the loop was stalled past the idle deadline
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    ch.writeInbound(frame(serializer.encode(TestMessages.ping(1)))); // was waiting to be read
    ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(recorder.received).hasSize(1);
  }

  @Test
  void garbageFramesDoNotProveAConnection() {
    TransportContext c = context(TransportOptions.builder());
    EmbeddedChannel ch = channel(c);
    ch.writeInbound(frame(new byte[] {1, 2, 3}));
    assertThat(ch.pipeline().get(BoundedFrameDecoder.class).proven()).isFalse();
    assertThat(ch.isOpen()).isTrue();
  }
}
