package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UdpTransportTest {
  private static EventLoopPool pool;
  private final List<Transport> transports = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "udp-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    transports.forEach(Transport::close);
  }

  static TransportOptions.Builder options() {
    return TransportOptions.builder()
        .bindHost("127.0.0.1")
        .serializer(new BinarySerializer("test", 1 << 20))
        .eventLoops(pool);
  }

  private UdpTransport start(TransportOptions options, InboundHandler handler) {
    UdpTransport t = new UdpTransport(options);
    transports.add(t);
    t.onMessage(handler);
    t.start();
    return t;
  }

  @Test
  void sendsAndReceivesOnLoopback() {
    Recorder recorder = new Recorder();
    UdpTransport a = start(options().build(), new Recorder());
    UdpTransport b = start(options().build(), recorder);
    assertThat(b.localAddress().host()).isEqualTo("127.0.0.1");
    assertThat(b.localAddress().port()).isPositive();
    GossipMessage ping = TestMessages.ping(1);

    a.sendAsync(ping, b.localAddress(), Delivery.BEST_EFFORT).join();

    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 1);
    Recorder.Received r = recorder.received.get(0);
    assertThat(r.message()).isEqualTo(ping);
    assertThat(r.sender().getPort()).isEqualTo(a.localAddress().port());
    assertThat(a.stats().packetsOut()).isEqualTo(1);
    assertThat(a.stats().bytesOut()).isEqualTo(r.size());
    assertThat(b.stats().packetsIn()).isEqualTo(1);
    assertThat(b.stats().bytesIn()).isEqualTo(r.size());
  }

  @Test
  void deliversOnTheChannelsEventLoop() {
    List<Boolean> onLoop = new java.util.concurrent.CopyOnWriteArrayList<>();
    UdpTransport[] b = new UdpTransport[1];
    b[0] = start(options().build(), (m, s, n) -> onLoop.add(b[0].eventLoop().inEventLoop()));
    UdpTransport a = start(options().build(), new Recorder());
    a.send(TestMessages.ping(1), b[0].localAddress(), Delivery.BEST_EFFORT);
    await().atMost(Duration.ofSeconds(5)).until(() -> !onLoop.isEmpty());
    assertThat(onLoop).containsOnly(true);
  }

  @Test
  void messageLargerThanADatagramIsRefused() {
    UdpTransport a = start(options().build(), new Recorder());
    CompletableFuture<Void> f =
        a.sendAsync(
            TestMessages.bigPushPull(200), new NodeAddress("127.0.0.1", 9), Delivery.BEST_EFFORT);
    assertThatThrownBy(f::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> assertThat(e.reason()).isEqualTo(TransportDropReason.OVERSIZED))
        .hasMessageContaining("1400-byte datagram limit");
    assertThat(a.stats().drops(TransportDropReason.OVERSIZED)).isEqualTo(1);
    assertThat(a.stats().packetsOut()).isZero();
  }

  @Test
  void garbageDatagramsAreCountedAsDrops() throws Exception {
    Recorder recorder = new Recorder();
    UdpTransport b = start(options().build(), recorder);
    try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      InetSocketAddress to = new InetSocketAddress("127.0.0.1", b.localAddress().port());
      for (int i = 0; i < 20; i++) {
        byte[] junk = ("garbage " + i).getBytes();
        raw.send(new DatagramPacket(junk, junk.length, to));
      }
      byte[] huge = new byte[4000];
      raw.send(new DatagramPacket(huge, huge.length, to));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> b.stats().totalDrops() == 21);
    assertThat(b.stats().drops(DropReason.BAD_MAGIC)).isEqualTo(20);
    assertThat(b.stats().drops(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(recorder.received).isEmpty();
    // still healthy
    UdpTransport a = start(options().build(), new Recorder());
    a.send(TestMessages.ping(2), b.localAddress(), Delivery.BEST_EFFORT);
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 1);
  }

  @Test
  void sendingToAClosedPortDoesNotHang() throws Exception {
    int closedPort;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    UdpTransport a = start(options().build(), new Recorder());
    NodeAddress target = new NodeAddress("127.0.0.1", closedPort);
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Void> f = a.sendAsync(TestMessages.ping(i), target, Delivery.BEST_EFFORT);
      await().atMost(Duration.ofSeconds(5)).until(f::isDone);
    }
    assertThat(a.isRunning()).isTrue();
  }

  @Test
  void sendingToAHostNameFailsWithoutALookup() {
    // Sends run on the event loop: a DNS lookup there would stall the protocol, so names are
    // refused (seeds are resolved before they reach the core).
    UdpTransport a = start(options().build(), new Recorder());
    CompletableFuture<Void> f =
        a.sendAsync(TestMessages.ping(1), new NodeAddress("localhost", 7946), Delivery.BEST_EFFORT);
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOf(SendFailedException.class)
        .hasMessageContaining("not an IP address");
    assertThat(a.stats().drops(TransportDropReason.SEND_FAILED)).isEqualTo(1);
  }

  @Test
  void bindFailureNamesTheAddress() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      UdpTransport t = new UdpTransport(options().bindPort(port).build());
      assertThatThrownBy(t::start)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("could not bind UDP to 127.0.0.1:" + port);
      assertThat(t.isRunning()).isFalse();
    }
  }

  @Test
  void bindAddressNotOnThisHostIsNamed() {
    // 192.0.2.1 (TEST-NET-1) is on no interface: binding fails locally, no packet and no DNS
    // lookup leaves the machine.
    UdpTransport t = new UdpTransport(options().bindHost("192.0.2.1").build());
    assertThatThrownBy(t::start)
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("192.0.2.1");
  }

  @Test
  void sendBeforeStartOrAfterCloseFailsAsOverload() {
    UdpTransport t = new UdpTransport(options().build());
    CompletableFuture<Void> f =
        t.sendAsync(TestMessages.ping(1), TestMessages.A, Delivery.BEST_EFFORT);
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOf(SendFailedException.class)
        .hasMessageContaining("not running");
    t.start();
    t.close();
    t.close(); // idempotent
    assertThat(t.isRunning()).isFalse();
    f = t.sendAsync(TestMessages.ping(1), TestMessages.A, Delivery.BEST_EFFORT);
    assertThatThrownBy(f::join).cause().isInstanceOf(SendFailedException.class);
    assertThat(t.stats().drops(TransportDropReason.OVERLOAD)).isEqualTo(2);
    assertThatThrownBy(t::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ownsAndShutsDownItsGroupWhenNoneIsGiven() {
    UdpTransport t = new UdpTransport(options().eventLoops(null).build());
    t.start();
    var loop = t.eventLoop();
    assertThat(loop.parent()).isNotSameAs(pool.group());
    t.close();
    assertThat(loop.parent().isTerminated()).isTrue();
  }
}
