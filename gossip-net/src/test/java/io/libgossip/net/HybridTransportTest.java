package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HybridTransportTest {
  private static EventLoopPool pool;
  private final List<Transport> transports = new ArrayList<>();

  @BeforeAll
  static void startGroup() {
    pool = EventLoopPool.create(2, "hybrid-test");
  }

  @AfterAll
  static void stopGroup() {
    pool.close();
  }

  @AfterEach
  void closeAll() {
    transports.forEach(Transport::close);
  }

  private HybridTransport start(InboundHandler handler) {
    HybridTransport t =
        (HybridTransport)
            TransportFactory.create(
                TransportType.HYBRID,
                TransportOptions.builder()
                    .bindHost("127.0.0.1")
                    .serializer(new BinarySerializer("test", 1 << 20))
                    .eventLoops(pool)
                    .build());
    transports.add(t);
    t.onMessage(handler);
    t.start();
    return t;
  }

  @Test
  void udpAndTcpBindTheSamePort() {
    HybridTransport t = start(new Recorder());
    assertThat(t.tcp().localAddress()).isEqualTo(t.localAddress());
  }

  @Test
  void routesByDeliveryAndSize() {
    Recorder recorder = new Recorder();
    HybridTransport a = start(new Recorder());
    HybridTransport b = start(recorder);
    int aPort = a.localAddress().port();

    GossipMessage small = TestMessages.ping(1);
    a.sendAsync(small, b.localAddress(), Delivery.BEST_EFFORT).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 1);
    assertThat(recorder.received.get(0).sender().getPort()).isEqualTo(aPort); // the UDP socket
    assertThat(b.stats().connectionsOpened()).isZero();

    GossipMessage large = TestMessages.bigPushPull(2000);
    a.sendAsync(large, b.localAddress(), Delivery.BEST_EFFORT).join();
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.received.size() == 2);
    assertThat(recorder.received.get(1).message()).isEqualTo(large);
    assertThat(recorder.received.get(1).sender().getPort()).isNotEqualTo(aPort); // a TCP client
    assertThat(b.stats().connectionsOpened()).isEqualTo(1);

    GossipMessage reliable = TestMessages.ping(2);
    a.sendAsync(reliable, b.localAddress(), Delivery.RELIABLE).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> recorder.received.size() == 3);
    assertThat(recorder.received.get(2).sender().getPort()).isNotEqualTo(aPort);
    assertThat(b.stats().connectionsOpened()).isEqualTo(1); // the same pooled connection
    assertThat(a.stats().packetsOut()).isEqualTo(3);
  }
}
