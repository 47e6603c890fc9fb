package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.UserMessage;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.MemberlistMessage;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.memberlist.WireCodec;
import io.libgossip.memberlist.WireConfig;
import io.libgossip.net.GossipNode;
import io.libgossip.net.SendFailedException;
import io.libgossip.net.TransportDropReason;
import io.libgossip.net.TransportOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport on loopback sockets: packets, streams, framing, limits, a node pair. */
class MemberlistTransportTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A started transport and what it received. */
  private final class Peer {
    final MemberlistTransport transport;
    final List<GossipMessage> received = new CopyOnWriteArrayList<>();
    final NodeAddress address;

    Peer(MemberlistTransport transport) {
      this.transport = transport;
      transport.onMessage((m, sender, size) -> received.add(m));
      this.address = transport.start();
      open.add(transport);
    }
  }

  private Peer peer(@Nullable Keyring keyring, @Nullable MemberlistDelegate delegate) {
    return new Peer(
        MemberlistTransport.builder()
            .wireConfig(WireConfig.defaults().withKeyring(keyring))
            .delegate(delegate)
            .build());
  }

  /** A delegate that records what it is given and hands out queued broadcasts. */
  private static final class Recording implements MemberlistDelegate {
    final List<byte[]> messages = new CopyOnWriteArrayList<>();
    final List<byte[]> merged = new CopyOnWriteArrayList<>();
    final List<byte[]> queue = new CopyOnWriteArrayList<>();
    final byte[] state;

    Recording(byte[] state) {
      this.state = state;
    }

    @Override
    public void notifyMessage(byte[] message, InetSocketAddress sender) {
      messages.add(message);
    }

    @Override
    public List<byte[]> broadcasts(int overhead, int limit) {
      List<byte[]> out = new ArrayList<>(queue);
      queue.clear();
      return out;
    }

    @Override
    public byte[] localState(boolean join) {
      return state;
    }

    @Override
    public void mergeRemoteState(byte[] state, boolean join) {
      merged.add(state);
    }
  }

  private static MemberUpdate online(String id, NodeAddress a, long inc) {
    return new MemberUpdate(id, a, NodeStatus.ONLINE, inc, Map.of("lang", "java"), 0, 0, id);
  }

  @Test
  void pingAndAckCrossBetweenTwoTransports() {
    Peer a = peer(null, null);
    Peer b = peer(null, null);
    long coreSeq = 0x1234_5678_9abcL;
    a.transport.send(
        new GossipMessage.Ping("a", a.address, coreSeq, "b", List.of(online("a", a.address, 3))),
        b.address,
        Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> !b.received.isEmpty());
    var ping = (GossipMessage.Ping) b.received.get(0);
    assertThat(ping.from()).isEqualTo("a");
    assertThat(ping.target()).isEqualTo("b");
    assertThat(ping.updates()).extracting(MemberUpdate::id).containsExactly("a");
    b.transport.send(
        new GossipMessage.Ack("b", b.address, ping.seq(), List.of()),
        ping.fromAddress(),
        Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> !a.received.isEmpty());
    var ack = (GossipMessage.Ack) a.received.get(0);
    assertThat(ack.seq()).isEqualTo(coreSeq);
    assertThat(ack.from()).isEqualTo("b");
  }

  @Test
  void pushPullIsAnsweredOnTheSameConnectionWithTheDelegatesState() {
    Recording da = new Recording(new byte[] {2, 1});
    Recording db = new Recording(new byte[] {2, 2});
    Peer a = peer(null, da);
    Peer b = peer(null, db);
    a.transport.send(
        new GossipMessage.PushPull("a", a.address, true, false, List.of(online("a", a.address, 1))),
        b.address,
        Delivery.RELIABLE);
    await().atMost(WAIT).until(() -> !b.received.isEmpty());
    var req = (GossipMessage.PushPull) b.received.get(0);
    assertThat(req.join()).isTrue();
    assertThat(req.reply()).isFalse();
    assertThat(req.from()).isEqualTo("a"); // the only member on the connection's IP
    assertThat(db.merged).singleElement().isEqualTo(new byte[] {2, 1});
    b.transport.send(
        new GossipMessage.PushPull(
            "b",
            b.address,
            false,
            true,
            List.of(online("b", b.address, 1), online("a", a.address, 1))),
        req.fromAddress(),
        Delivery.RELIABLE);
    await().atMost(WAIT).until(() -> !a.received.isEmpty());
    var reply = (GossipMessage.PushPull) a.received.get(0);
    assertThat(reply.reply()).isTrue();
    assertThat(reply.from()).isEqualTo("b");
    assertThat(reply.fromAddress()).isEqualTo(b.address);
    assertThat(reply.updates()).extracting(MemberUpdate::id).containsExactly("b", "a");
    assertThat(da.merged).singleElement().isEqualTo(new byte[] {2, 2});
  }

  @Test
  void anUnansweredPushPullIsClosedAfterTheReplyTimeout() throws Exception {
    Peer b = new Peer(MemberlistTransport.builder().replyTimeout(Duration.ofMillis(300)).build());
    WireCodec codec = new WireCodec(WireConfig.defaults());
    byte[] req =
        codec.encodeStream(new MemberlistMessage.PushPull(false, List.of(), WireBytes.EMPTY));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), b.address.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(req);
      assertThat(s.getInputStream().read()).isEqualTo(-1); // closed without an answer
    }
    assertThat(b.transport.stats().drops(TransportDropReason.SEND_FAILED)).isEqualTo(1);
  }

  @Test
  void aPingOnAStreamIsAnsweredWithAnAckOnTheStream() throws Exception {
    Peer b = peer(null, null);
    // The node learns its name from what it sends.
    b.transport.send(
        new GossipMessage.Gossip("b", b.address, List.of()), b.address, Delivery.BEST_EFFORT);
    WireCodec codec = new WireCodec(WireConfig.defaults());
    byte[] ping = codec.encodeStream(new MemberlistMessage.Ping(31, "b", WireBytes.EMPTY, 0, "x"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), b.address.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(ping);
                MemberlistMessage answer = codec.decodeStream(readAll(s.getInputStream()));
                assertThat(answer).isEqualTo(new MemberlistMessage.Ack(31, WireBytes.EMPTY));
              }
            });
  }

  @Test
  void userMessagesReachTheDelegateAndBroadcastsRideOnPackets() {
    Recording da = new Recording(new byte[0]);
    Recording db = new Recording(new byte[0]);
    Peer a = peer(null, da);
    Peer b = peer(null, db);
    a.transport.sendUserMessage(b.address, new byte[] {5, 5});
    await().atMost(WAIT).until(() -> db.messages.size() == 1);
    assertThat(db.messages.get(0)).isEqualTo(new byte[] {5, 5});
    da.queue.add(new byte[] {0, 7});
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 9, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> db.messages.size() == 2 && !b.received.isEmpty());
    assertThat(db.messages.get(1)).isEqualTo(new byte[] {0, 7});
  }

  @Test
  void manyClaimsAreSplitIntoPacketsWithinTheBudget() throws Exception {
    Peer a = peer(Keyring.of(new byte[32]), null);
    try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      sink.setSoTimeout(5000);
      NodeAddress to = new NodeAddress("127.0.0.1", sink.getLocalPort());
      List<MemberUpdate> claims = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        claims.add(
            new MemberUpdate(
                "member-with-a-longish-name-" + i,
                new NodeAddress("10.1.2." + i, 7946),
                NodeStatus.ONLINE,
                60_000_000L + i,
                Map.of("role", "web", "dc", "eu-west-1", "version", "1.2." + i),
                0,
                0,
                "member-with-a-longish-name-" + i));
      }
      a.transport.send(new GossipMessage.Gossip("a", a.address, claims), to, Delivery.BEST_EFFORT);
      WireCodec codec = new WireCodec(WireConfig.defaults().withKeyring(Keyring.of(new byte[32])));
      int got = 0;
      int packets = 0;
      while (got < claims.size()) {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        sink.receive(p);
        assertThat(p.getLength()).isLessThanOrEqualTo(1400);
        byte[] bytes = java.util.Arrays.copyOf(p.getData(), p.getLength());
        got += codec.decodePacket(bytes).size();
        packets++;
      }
      assertThat(got).isEqualTo(60);
      assertThat(packets).isGreaterThan(1);
    }
  }

  @Test
  void garbageIsCountedAndNeverStopsTheTransport() throws Exception {
    Peer b = peer(null, null);
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    try (DatagramSocket s = new DatagramSocket()) {
      for (int i = 0; i < 200; i++) {
        byte[] junk = new byte[1 + r.nextInt(300)];
        r.nextBytes(junk);
        junk[0] = (byte) r.nextInt(14);
        s.send(
            new DatagramPacket(
                junk, junk.length, new InetSocketAddress("127.0.0.1", b.address.port())));
      }
    }
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), b.address.port())) {
        byte[] junk = new byte[100];
        r.nextBytes(junk);
        junk[0] = 6;
        s.getOutputStream().write(junk);
        s.shutdownOutput();
        s.setSoTimeout(5000);
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                b.transport.stats().totalDrops() >= 150
                    && b.transport.stats().drops(DropReason.MALFORMED)
                            + b.transport.stats().drops(DropReason.TRUNCATED)
                        > 0);
    assertThat(b.transport.isRunning()).isTrue();
    // Still works.
    Peer a = peer(null, null);
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 9, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await()
        .atMost(WAIT)
        .until(() -> b.received.stream().anyMatch(m -> m instanceof GossipMessage.Ping));
  }

  @Test
  void keysRotateAtRuntimeAndPlaintextIsRefusedWithAKeyring() throws Exception {
    Keyring k1 = Keyring.of(new byte[16]);
    byte[] second = new byte[16];
    second[0] = 1;
    Keyring k2 = Keyring.of(second);
    Peer a = peer(k1, null);
    Peer b = peer(k1, null);
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 1, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> b.received.size() == 1);
    b.transport.keyring(Keyring.of(second, new byte[16])); // installed k2, still reads k1
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 2, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> b.received.size() == 2);
    b.transport.keyring(k2); // k1 removed
    assertThat(b.transport.keyring()).isSameAs(k2);
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 3, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await()
        .atMost(WAIT)
        .until(() -> b.transport.stats().drops(TransportDropReason.REJECTED_BY_TRANSFORM) == 1);
    a.transport.keyring(k2);
    a.transport.send(
        new GossipMessage.Ping("a", a.address, 4, "b", List.of()), b.address, Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> b.received.size() == 3);

    byte[] plain =
        new WireCodec(WireConfig.defaults())
            .encodeStream(new MemberlistMessage.PushPull(false, List.of(), WireBytes.EMPTY));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), b.address.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(plain);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .atMost(WAIT)
        .until(() -> b.transport.stats().drops(TransportDropReason.REJECTED_BY_TRANSFORM) == 2);
    assertThat(b.received).hasSize(3);
  }

  @Test
  void whatMemberlistCannotCarryIsRefusedAndCounted() {
    Peer a = peer(null, null);
    var m =
        new UserMessage("a", a.address, 5, UserMessage.Kind.MESSAGE, false, "t", new byte[] {1});
    var f = a.transport.sendAsync(m, a.address, Delivery.BEST_EFFORT);
    assertThatThrownBy(f::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SendFailedException.class);
    a.transport.send(m, a.address, Delivery.BEST_EFFORT);
    await().atMost(WAIT).until(() -> a.transport.unsupportedDrops() == 2);
  }

  @Test
  void nodeOptionsMustSuitMemberlist() {
    MemberlistTransport t = MemberlistTransport.builder().build();
    assertThatThrownBy(
            () -> t.withNodeOptions(TransportOptions.builder().bindHost("localhost").build()))
        .hasMessageContaining("IP literal");
    MemberlistTransport t2 = MemberlistTransport.builder().build();
    TransportOptions ok = TransportOptions.builder().bindHost("127.0.0.1").build();
    assertThat(t2.withNodeOptions(ok)).isSameAs(t2);
    assertThatThrownBy(() -> t2.withNodeOptions(ok)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> MemberlistTransport.builder().bind("example.org", 1))
        .hasMessageContaining("IP literal");
  }

  @Test
  void twoLibgossipNodesFormAClusterAndDetectACrashOverMemberlist() {
    MemberlistTransport ta = MemberlistTransport.builder().build();
    GossipNode a =
        GossipNode.builder()
            .id("a")
            .bind("127.0.0.1", 0)
            .config(GossipConfig.local())
            .metadata(Map.of("k", "v"))
            .transportFactory(ta::withNodeOptions)
            .start();
    open.add(a);
    List<ClusterEvent> events = new CopyOnWriteArrayList<>();
    MemberlistTransport tb = MemberlistTransport.builder().build();
    GossipNode b =
        GossipNode.builder()
            .id("b")
            .bind("127.0.0.1", 0)
            .config(GossipConfig.local())
            .transportFactory(tb::withNodeOptions)
            .seeds(List.of(a.self().address()))
            .listener(events::add)
            .start();
    open.add(b);
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.members().stream()
                        .anyMatch(v -> v.id().equals("b") && v.status() == NodeStatus.ONLINE)
                    && b.members().stream()
                        .anyMatch(
                            v ->
                                v.id().equals("a")
                                    && v.status() == NodeStatus.ONLINE
                                    && v.metadata().equals(Map.of("k", "v"))));
    a.close();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                b.members().stream()
                    .anyMatch(v -> v.id().equals("a") && v.status() == NodeStatus.FAILED));
    assertThat(tb.stats().packetsIn()).isPositive();
  }

  private static byte[] readAll(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }
}
