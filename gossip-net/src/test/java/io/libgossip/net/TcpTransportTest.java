package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpTransportTest {
  private static EventLoopPool pool;
  private final List<Transport> transports = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "tcp-test");
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
        .maxMessageSize(1 << 20)
        .connectTimeout(Duration.ofSeconds(2))
        .eventLoops(pool);
  }

  private TcpTransport start(TransportOptions options, InboundHandler handler) {
    TcpTransport t = new TcpTransport(options);
    transports.add(t);
    t.onMessage(handler);
    t.start();
    return t;
  }

  @Test
  void sendsAndReceivesFrames() {
    Recorder recorder = new Recorder();
    TcpTransport a = start(options().build(), new Recorder());
    TcpTransport b = start(options().build(), recorder);
    GossipMessage ping = TestMessages.ping(3);
    a.sendAsync(ping, b.localAddress(), Delivery.RELIABLE).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 1);
    assertThat(recorder.messages()).containsExactly(ping);
    assertThat(b.stats().packetsIn()).isEqualTo(1);
    assertThat(a.stats().bytesOut()).isEqualTo(b.stats().bytesIn());
  }

  @Test
  void carriesAFrameFarLargerThanADatagram() {
    Recorder recorder = new Recorder();
    TcpTransport a = start(options().build(), new Recorder());
    TcpTransport b = start(options().build(), recorder);
    GossipMessage big = TestMessages.bigPushPull(2000);
    assertThat(a.serializer().encodedSize(big)).isGreaterThan(50 * 1400);
    a.sendAsync(big, b.localAddress(), Delivery.RELIABLE).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.received.size() == 1);
    assertThat(recorder.messages()).containsExactly(big);
  }

  @Test
  void reusesOneConnectionForManySends() {
    Recorder recorder = new Recorder();
    TcpTransport a = start(options().build(), new Recorder());
    TcpTransport b = start(options().build(), recorder);
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      futures.add(a.sendAsync(TestMessages.ping(i), b.localAddress(), Delivery.RELIABLE));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.received.size() == 300);
    assertThat(a.stats().connectionsOpened()).isEqualTo(1);
    assertThat(b.stats().connectionsOpened()).isEqualTo(1);
    assertThat(a.pooledConnections()).isEqualTo(1);
    // one connection per peer preserves order
    assertThat(recorder.messages()).extracting(m -> ((GossipMessage.Ping) m).seq()).isSorted();
  }

  @Test
  void refusedConnectionFailsTheFutureAndCounts() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    TcpTransport a = start(options().build(), new Recorder());
    NodeAddress target = new NodeAddress("127.0.0.1", closedPort);
    CompletableFuture<Void> f = a.sendAsync(TestMessages.ping(1), target, Delivery.RELIABLE);
    await().atMost(Duration.ofSeconds(5)).until(f::isDone);
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(TransportDropReason.SEND_FAILED);
              assertThat(e.target()).isEqualTo(target);
            })
        .hasMessageContaining("could not connect to 127.0.0.1:" + closedPort);
    assertThat(a.stats().drops(TransportDropReason.SEND_FAILED)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.pooledConnections() == 0);
  }

  @Test
  void closesIdleConnections() {
    Recorder recorder = new Recorder();
    // 1 s, not 300 ms: on a loaded machine a cold JVM has stalled over 300 ms between the send and
    // the pool assertion below (seen on main as well, as the first test of a JVM)
    TcpTransport a = start(options().idleTimeout(Duration.ofSeconds(1)).build(), new Recorder());
    TcpTransport b = start(options().idleTimeout(Duration.ofSeconds(1)).build(), recorder);
    a.sendAsync(TestMessages.ping(1), b.localAddress(), Delivery.RELIABLE).join();
    assertThat(a.pooledConnections()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.pooledConnections() == 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.stats().openConnections() == 0 && b.stats().openConnections() == 0);
    // the next send opens a new connection
    a.sendAsync(TestMessages.ping(2), b.localAddress(), Delivery.RELIABLE).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 2);
    assertThat(a.stats().connectionsOpened()).isEqualTo(2);
  }

  @Test
  void keepsAtMostMaxConnections() {
    TcpTransport a = start(options().maxConnections(2).build(), new Recorder());
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Recorder r = new Recorder();
      recorders.add(r);
      TcpTransport peer = start(options().build(), r);
      a.sendAsync(TestMessages.ping(i), peer.localAddress(), Delivery.RELIABLE).join();
      assertThat(a.pooledConnections()).isLessThanOrEqualTo(2);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorders.stream().allMatch(r -> r.received.size() == 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().openConnections() <= 2);
  }

  @Test
  void keepsAtMostMaxConnectionsPerPeerToOneAddress() {
    TcpTransport a =
        start(options().maxConnections(16).maxConnectionsPerPeer(2).build(), new Recorder());
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // four peers, all on 127.0.0.1
      Recorder r = new Recorder();
      recorders.add(r);
      TcpTransport peer = start(options().build(), r);
      a.sendAsync(TestMessages.ping(i), peer.localAddress(), Delivery.RELIABLE).join();
      assertThat(a.pooledConnections()).isLessThanOrEqualTo(2);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorders.stream().allMatch(r -> r.received.size() == 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().openConnections() <= 2);
  }

  @Test
  void refusesMessagesOverTheLimit() {
    TcpTransport a = start(options().maxMessageSize(16 * 1024).build(), new Recorder());
    CompletableFuture<Void> f =
        a.sendAsync(
            TestMessages.bigPushPull(2000), new NodeAddress("127.0.0.1", 9), Delivery.RELIABLE);
    assertThatThrownBy(f::join)
        .cause()
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> assertThat(e.reason()).isEqualTo(TransportDropReason.OVERSIZED));
    assertThat(a.stats().connectionsOpened()).isZero();
  }

  @Test
  void hostilePeerSendingAHugeLengthIsDisconnected() throws Exception {
    Recorder recorder = new Recorder();
    TcpTransport b = start(options().maxMessageSize(64 * 1024).build(), recorder);
    try (Socket s = new Socket("127.0.0.1", b.localAddress().port())) {
      s.setSoTimeout(5000);
      assertThat(sendHugeLengthUntilClosed(s)).as("the server closed the connection").isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> b.stats().drops(DropReason.TOO_LARGE) == 1);
    assertThat(recorder.received).isEmpty();
  }

  /**
   * Sends a frame header announcing 2 GiB and reports whether the peer then closed the connection:
   * an orderly end of stream, or a reset (the server closing with our unread bytes still in its
   * buffer makes the kernel send RST instead of FIN, and a later write or read sees it).
   */
  private static boolean sendHugeLengthUntilClosed(Socket s) throws java.io.IOException {
    try {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(Integer.MAX_VALUE);
      out.write(new byte[1000]);
      out.flush();
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  void bindFailureNamesTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      TcpTransport t = new TcpTransport(options().bindPort(port).build());
      assertThatThrownBy(t::start)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("could not bind TCP to 127.0.0.1:" + port);
    }
  }
}
