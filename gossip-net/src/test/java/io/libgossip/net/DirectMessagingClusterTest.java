package io.libgossip.net;

import static io.libgossip.net.MessagingCluster.CONFIG;
import static io.libgossip.net.MessagingCluster.WAIT;
import static io.libgossip.net.MessagingCluster.bytes;
import static io.libgossip.net.MessagingCluster.failureOf;
import static io.libgossip.net.MessagingCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.Delivery;
import io.libgossip.core.DirectMessage;
import io.libgossip.core.DropReason;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.UserMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Direct messages and requests between real nodes on loopback. */
class DirectMessagingClusterTest {
  private final MessagingCluster cluster = new MessagingCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aBestEffortMessageArrivesAndBadTargetsFailTheFuture() throws Exception {
    List<GossipNode> c = cluster.start(2);
    c.get(0).send("n1", "ping", bytes("hello")).get(10, TimeUnit.SECONDS);
    List<DirectMessage> got = cluster.inbox("n1").messages;
    await("delivered").atMost(WAIT).until(() -> got.size() == 1);
    DirectMessage m = got.get(0);
    assertThat(m.from()).isEqualTo("n0");
    assertThat(m.topic()).isEqualTo("ping");
    assertThat(text(m.payload())).isEqualTo("hello");
    assertThat(m.delivery()).isEqualTo(Delivery.BEST_EFFORT);
    assertThat(m.isRequest()).isFalse();
    assertThat(failureOf(c.get(0).send("nobody", "ping", bytes("x"))))
        .isEqualTo(MessageFailure.UNKNOWN_MEMBER);
    assertThatThrownBy(() -> c.get(0).send("n1", "ping", new byte[100_000]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RELIABLE");
    assertThatThrownBy(() -> c.get(0).send("n1", "", bytes("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic");
  }

  @ParameterizedTest
  @EnumSource(names = {"HYBRID", "TCP"})
  void aOneMebibyteReliableMessageArrivesWholeAndOneOverTheBoundIsTooLarge(TransportType type)
      throws Exception {
    List<GossipNode> c = cluster.start(2, b -> b.transport(type));
    byte[] big = new byte[1 << 20];
    new SplittableRandom(7).nextBytes(big);
    c.get(0).sendReliable("n1", "blob", big).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    List<DirectMessage> got = cluster.inbox("n1").messages;
    await("handed to the handler").atMost(WAIT).until(() -> got.size() == 1);
    assertThat(got.get(0).payload()).isEqualTo(big);
    assertThat(got.get(0).delivery()).isEqualTo(Delivery.RELIABLE);
    assertThat(
            failureOf(
                c.get(0).sendReliable("n1", "blob", new byte[CONFIG.maxUserPayloadBytes() + 1])))
        .isEqualTo(MessageFailure.TOO_LARGE);
    assertThat(failureOf(c.get(0).sendReliable("nobody", "blob", bytes("x"))))
        .isEqualTo(MessageFailure.UNKNOWN_MEMBER);
    assertThat(got).hasSize(1);
  }

  @Test
  void aReliableSendToACrashedMemberFailsInsteadOfHanging() {
    List<GossipNode> c = cluster.start(2);
    c.get(1).close();
    MessageFailure f = failureOf(c.get(0).sendReliable("n1", "blob", bytes("x")));
    // refused by the closed port, or timed out, or the member was declared failed first
    assertThat(f)
        .isIn(MessageFailure.SEND_FAILED, MessageFailure.TIMEOUT, MessageFailure.MEMBER_NOT_LIVE);
  }

  @Test
  void requestResponseAnswersSmallAndLargeRequests() throws Exception {
    List<GossipNode> c = cluster.start(2);
    byte[] answer =
        c.get(0)
            .requestResponse("n1", "size", new byte[100], Duration.ofSeconds(5))
            .get(10, TimeUnit.SECONDS);
    assertThat(text(answer)).isEqualTo("n1 got 100");
    // larger than a packet: the request goes over the reliable path
    byte[] large =
        c.get(0)
            .requestResponse("n1", "size", new byte[300_000], Duration.ofSeconds(10))
            .get(15, TimeUnit.SECONDS);
    assertThat(text(large)).isEqualTo("n1 got 300000");
    assertThat(cluster.inbox("n1").messages).isEmpty(); // requests go to onRequest only
  }

  @Test
  void aRequestNobodyAnswersTimesOutAndOneWithoutAHandlerIsRejectedAtOnce() {
    List<GossipNode> c = cluster.start(3);
    long start = System.nanoTime();
    assertThat(
            failureOf(c.get(0).requestResponse("n1", "x", bytes("slow"), Duration.ofMillis(500))))
        .isEqualTo(MessageFailure.TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(450));

    cluster.inbox("n2").answerRequests = false; // the default onRequest: REJECTED
    start = System.nanoTime();
    assertThat(failureOf(c.get(0).requestResponse("n2", "x", bytes("q"), Duration.ofSeconds(10))))
        .isEqualTo(MessageFailure.REJECTED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

    assertThatThrownBy(() -> c.get(0).requestResponse("n1", "x", bytes("q"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void aNodeWithoutAMessageHandlerRejectsRequests() {
    List<GossipNode> c = cluster.start(1);
    GossipNode plain =
        GossipNode.builder()
            .id("plain")
            .bind("127.0.0.1", 0)
            .config(CONFIG)
            .seeds(c.get(0).address().toString())
            .start();
    cluster.nodes.add(plain);
    cluster.awaitOnline(2);
    assertThat(
            failureOf(c.get(0).requestResponse("plain", "x", bytes("q"), Duration.ofSeconds(10))))
        .isEqualTo(MessageFailure.REJECTED);
  }

  @Test
  void malformedUserDatagramsAreCountedDropsAndTheNodeKeepsWorking() throws Exception {
    List<GossipNode> c = cluster.start(2);
    GossipNode target = c.get(1);
    BinarySerializer codec = new BinarySerializer(CONFIG.clusterName(), CONFIG.maxMessageSize());
    UserMessage good =
        new UserMessage(
            "n0", c.get(0).address(), 0, UserMessage.Kind.MESSAGE, false, "t", bytes("forged"));
    byte[] packet = codec.encode(good, 4);
    byte[] truncated = Arrays.copyOf(packet, packet.length - 4);
    byte[] oldVersion = packet.clone();
    oldVersion[2] = 3; // a user message in a version 3 packet
    long truncatedBefore = target.stats().drops(DropReason.TRUNCATED);
    long typeBefore = target.stats().drops(DropReason.UNKNOWN_TYPE);
    InetSocketAddress to =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), target.address().port());
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.send(new DatagramPacket(truncated, truncated.length, to));
      socket.send(new DatagramPacket(oldVersion, oldVersion.length, to));
    }
    await("both counted")
        .atMost(WAIT)
        .until(
            () ->
                target.stats().drops(DropReason.TRUNCATED) == truncatedBefore + 1
                    && target.stats().drops(DropReason.UNKNOWN_TYPE) == typeBefore + 1);
    assertThat(cluster.inbox("n1").messages).isEmpty();
    c.get(0).sendReliable("n1", "t", bytes("real")).get(10, TimeUnit.SECONDS);
    assertThat(cluster.inbox("n1").messages)
        .singleElement()
        .satisfies(m -> assertThat(text(m.payload())).isEqualTo("real"));
  }

  @Test
  void closingTheNodeFailsWhatIsPendingWithShutdown() {
    List<GossipNode> c = cluster.start(2);
    var pending = c.get(0).requestResponse("n1", "x", bytes("slow"), Duration.ofSeconds(60));
    c.get(0).close();
    assertThat(failureOf(pending)).isEqualTo(MessageFailure.SHUTDOWN);
    assertThat(failureOf(c.get(0).sendReliable("n1", "x", bytes("x"))))
        .isEqualTo(MessageFailure.SHUTDOWN);
  }
}
