package io.libgossip.serf;

import io.libgossip.core.NodeAddress;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.MemberlistMessage;
import io.libgossip.memberlist.MemberlistMessage.Ack;
import io.libgossip.memberlist.MemberlistMessage.Alive;
import io.libgossip.memberlist.MemberlistMessage.Dead;
import io.libgossip.memberlist.MemberlistMessage.NodeState;
import io.libgossip.memberlist.MemberlistMessage.Ping;
import io.libgossip.memberlist.MemberlistMessage.PushNodeState;
import io.libgossip.memberlist.MemberlistMessage.PushPull;
import io.libgossip.memberlist.MemberlistMessage.User;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import io.libgossip.memberlist.SerfTags;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.memberlist.WireCodec;
import io.libgossip.memberlist.WireConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A minimal memberlist peer for tests, over plain sockets with the codec, carrying a {@link
 * SerfLayer}: joins an agent with a push-pull over TCP (the layer's state both ways), answers
 * pings, hands inbound user messages to the layer, tells it of members memberlist reports alive or
 * dead, gossips the layer's broadcasts to every known agent every 200 ms in compound packets, and
 * sends the layer's direct messages. No failure detection of its own (it believes the agents' dead
 * messages), no refutation, no TCP listener. It is the layer's {@link SerfSender} and {@link
 * SerfKeyringAccess} (the keyring in use for its packets).
 */
final class SerfRawPeer implements SerfSender, SerfKeyringAccess, AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final long GOSSIP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String name;
  private final Map<String, String> tags;
  private final DatagramSocket udp;
  private final Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
  private final AtomicLong userMessagesIn = new AtomicLong();
  private final Thread loop;
  private volatile @Nullable Keyring keyring;
  private volatile @Nullable SerfLayer layer;
  private volatile boolean closed;

  SerfRawPeer(String name, Map<String, String> tags, @Nullable Keyring keyring) throws IOException {
    this.name = name;
    this.tags = Map.copyOf(tags);
    this.keyring = keyring;
    this.udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, SerfAgent.freePort()));
    udp.setSoTimeout(50);
    this.loop = new Thread(this::run, "serf-raw-peer-" + name);
    loop.setDaemon(true);
  }

  /** The peer's memberlist address (UDP). */
  InetSocketAddress address() {
    return new InetSocketAddress(LOOPBACK, udp.getLocalPort());
  }

  /** Members besides this peer, plus one: the layer's member count. */
  int memberCount() {
    return peers.size() + 1;
  }

  /** How many user messages arrived. */
  long userMessagesIn() {
    return userMessagesIn.get();
  }

  /** Attaches the layer and starts the receive and gossip loop. */
  void start(SerfLayer l) {
    this.layer = l;
    loop.start();
  }

  /** Joins through the agent at {@code port}: a join push-pull over TCP, as memberlist does. */
  void join(int port) throws IOException, MemberlistDecodeException {
    SerfLayer l = layerOrThrow();
    l.beginJoin(false);
    boolean ok = false;
    try {
      PushNodeState self =
          new PushNodeState(
              name,
              WireBytes.of(LOOPBACK.getAddress()),
              udp.getLocalPort(),
              SerfTags.encode(tags),
              1,
              NodeState.ALIVE,
              Versions.SERF_DEFAULT);
      byte[] answer;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(LOOPBACK, port), 5_000);
        s.setSoTimeout(5_000);
        s.getOutputStream()
            .write(
                codec()
                    .encodeStream(
                        new PushPull(true, List.of(self), WireBytes.of(l.localState(true)))));
        s.getOutputStream().flush();
        answer = readToEnd(s.getInputStream(), 1 << 20);
      }
      MemberlistMessage reply = codec().decodeStream(answer);
      if (!(reply instanceof PushPull pp)) {
        throw new IOException("join answered with " + reply);
      }
      for (PushNodeState n : pp.nodes()) {
        if (n.state() == NodeState.ALIVE && !n.name().equals(name)) {
          learn(n.name(), n.addr(), n.port());
        }
      }
      l.mergeRemoteState(pp.userState().toByteArray(), pp.join());
      ok = true;
    } finally {
      l.endJoin(ok);
    }
  }

  /** memberlist's leave: a dead message about itself (from itself) to every known member. */
  void leaveMemberlist() {
    byte[] packet = codec().encodePacket(new Dead(1, name, name));
    for (InetSocketAddress to : List.copyOf(peers.values())) {
      send(to, packet);
    }
  }

  @Override
  public void sendUserMessage(NodeAddress to, byte[] message) {
    send(
        new InetSocketAddress(to.host(), to.port()),
        codec().encodePacket(new User(WireBytes.of(message))));
  }

  @Override
  public @Nullable Keyring keyring() {
    return keyring;
  }

  @Override
  public void keyring(Keyring k) {
    this.keyring = k;
  }

  private WireCodec codec() {
    return new WireCodec(WireConfig.defaults().withKeyring(keyring));
  }

  private SerfLayer layerOrThrow() {
    SerfLayer l = layer;
    if (l == null) {
      throw new IllegalStateException("start(layer) first");
    }
    return l;
  }

  private void learn(String node, WireBytes addr, int port) throws IOException {
    InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress(addr.toByteArray()), port);
    if (peers.put(node, a) == null) {
      layerOrThrow().memberAlive(node);
    }
  }

  private void run() {
    byte[] buf = new byte[65_536];
    long nextGossip = System.nanoTime();
    while (!closed) {
      if (System.nanoTime() - nextGossip >= 0) {
        gossip();
        nextGossip = System.nanoTime() + GOSSIP_NANOS;
      }
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        udp.receive(in);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      byte[] packet = Arrays.copyOf(in.getData(), in.getLength());
      InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
      try {
        for (MemberlistMessage m : codec().decodePacket(packet)) {
          handle(m, from);
        }
      } catch (MemberlistDecodeException | IOException | RuntimeException e) {
        // A packet we cannot read (a key rotation in flight): memberlist drops it too.
      }
    }
  }

  private void handle(MemberlistMessage m, InetSocketAddress from) throws IOException {
    SerfLayer l = layerOrThrow();
    if (m instanceof Ping p && (p.node().isEmpty() || p.node().equals(name))) {
      InetSocketAddress to =
          p.sourcePort() != 0 && !p.sourceAddr().isEmpty()
              ? new InetSocketAddress(
                  InetAddress.getByAddress(p.sourceAddr().toByteArray()), p.sourcePort())
              : from;
      send(to, codec().encodePacket(new Ack(p.seqNo(), WireBytes.EMPTY)));
    } else if (m instanceof User u) {
      userMessagesIn.incrementAndGet();
      l.notifyMessage(u.payload().toByteArray(), from);
    } else if (m instanceof Alive a && !a.node().equals(name)) {
      learn(a.node(), a.addr(), a.port());
    } else if (m instanceof Dead d && !d.node().equals(name) && peers.remove(d.node()) != null) {
      // memberlist's NotifyLeave: the layer says whether it left or failed.
      l.memberGone(d.node());
    }
  }

  private void gossip() {
    SerfLayer l = layer;
    if (l == null) {
      return;
    }
    for (InetSocketAddress to : List.copyOf(peers.values())) {
      // memberlist: 1400-byte packets, 2 bytes of compound length per part, 1 type byte per user
      // message, and the compound header.
      List<byte[]> msgs = l.broadcasts(3, 1400 - 2);
      if (msgs.isEmpty()) {
        continue;
      }
      List<MemberlistMessage> parts = new ArrayList<>();
      for (byte[] b : msgs) {
        parts.add(new User(WireBytes.of(b)));
      }
      send(to, codec().encodePacket(parts));
    }
  }

  private void send(InetSocketAddress to, byte[] packet) {
    try {
      udp.send(new DatagramPacket(packet, packet.length, to));
    } catch (IOException e) {
      // Best effort, as UDP.
    }
  }

  private static byte[] readToEnd(InputStream in, int max) throws IOException {
    byte[] b = in.readNBytes(max + 1); // to the end, or one byte past the bound
    if (b.length > max) {
      throw new IOException("stream over " + max + " bytes");
    }
    return b;
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    udp.close();
    loop.join(2_000);
  }
}
