package io.libgossip.serf;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.MemberlistMessage;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import io.libgossip.memberlist.SerfTags;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.TransportDropReason;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Translates between the core's {@link GossipMessage}s and memberlist's messages, both ways, with
 * the state that needs: which wire sequence number stands for which of the core's probes, and what
 * this node knows of each memberlist peer (address, versions, whether it is alive). No I/O; not
 * thread-safe (the transport confines it to its event loop).
 *
 * <p>Sequence numbers: the core draws random 64-bit ones, memberlist's are 32-bit. Each ping or
 * indirect ping the core sends gets the next 32-bit number, remembered (bounded, expiring) with the
 * core's number, the probed member and the relay asked; an ack or nack that comes back is handed to
 * the core under the core's number, from the probed member (an ack names no sender). Pings and
 * indirect pings from peers keep their 32-bit numbers, which the core echoes in its answers.
 */
final class MemberlistTranslator {
  /** Where translation drops are counted: a core or a transport reason, and a detail to log. */
  interface Drops {
    void drop(Enum<?> reason, String detail);
  }

  /** A core probe or relay request in flight, by its 32-bit wire number. */
  private record Pending(long coreSeq, String target, NodeAddress targetAddress, long expiresAt) {}

  /** What this node knows of one memberlist peer. */
  private static final class Peer {
    NodeAddress address;
    Versions versions;
    boolean alive;

    Peer(NodeAddress address, Versions versions, boolean alive) {
      this.address = address;
      this.versions = versions;
      this.alive = alive;
    }
  }

  /** One outbound core message in memberlist terms. */
  record Outbound(
      List<MemberlistMessage> probe,
      List<MemberlistMessage> claims,
      GossipMessage.@Nullable PushPull pushPull) {}

  private final Versions selfVersions;
  private final int maxPending;
  private final long pendingTtlNanos;
  private final int maxPeers;
  private final LongSupplier clock;
  private final Drops drops;

  private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Peer> peers;
  private final Map<NodeAddress, String> names;
  private long nextWireSeq = 1;
  private @Nullable String selfId;
  private @Nullable NodeAddress selfAddress;
  private long unsupported;

  MemberlistTranslator(
      Versions selfVersions,
      int maxPending,
      long pendingTtlNanos,
      int maxPeers,
      LongSupplier clock,
      Drops drops) {
    this.selfVersions = selfVersions;
    this.maxPending = maxPending;
    this.pendingTtlNanos = pendingTtlNanos;
    this.maxPeers = maxPeers;
    this.clock = clock;
    this.drops = drops;
    this.peers = lru(maxPeers);
    this.names = lru(maxPeers);
  }

  private static <K, V> Map<K, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }

  /** This node's id and address, once the core has sent something; null before. */
  @Nullable String selfId() {
    return selfId;
  }

  /** Messages the core sent that memberlist cannot carry, so far. */
  long unsupported() {
    return unsupported;
  }

  /** Core probes and relay requests awaiting an answer. */
  int pendingCount() {
    return pending.size();
  }

  /** Peers known. */
  int peerCount() {
    return peers.size();
  }

  /** The versions {@code id} announced (memberlist's own default for an unknown peer). */
  Versions versionsOf(@Nullable String id) {
    Peer p = id == null ? null : peers.get(id);
    return p == null ? Versions.SERF_DEFAULT : p.versions;
  }

  /** The name of the peer at {@code address}, if known. */
  @Nullable String nameAt(NodeAddress address) {
    return names.get(address);
  }

  /** Up to {@code n} live peers other than this node, in no particular order. */
  List<NodeAddress> livePeers(int n, java.util.random.RandomGenerator random) {
    List<NodeAddress> all = new ArrayList<>();
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      if (e.getValue().alive && !e.getKey().equals(selfId)) {
        all.add(e.getValue().address);
      }
    }
    for (int i = all.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      NodeAddress t = all.get(i);
      all.set(i, all.get(j));
      all.set(j, t);
    }
    return all.size() <= n ? all : all.subList(0, n);
  }

  // =============================================================== outbound (core -> memberlist)

  /**
   * The memberlist messages for {@code m}, sent to {@code target}: the probe part (ping, ack,
   * indirect ping or nack; empty for gossip, a version hello or a correction), the claims, or the
   * push-pull to run over a stream. Messages memberlist cannot carry yield nothing and are counted.
   */
  Outbound outbound(GossipMessage m, NodeAddress target) {
    if (selfId == null) {
      selfId = m.from();
      selfAddress = m.fromAddress();
    }
    List<MemberlistMessage> probe = new ArrayList<>(1);
    GossipMessage.PushPull pushPull = null;
    if (m instanceof GossipMessage.Ping p) {
      if (p.seq() != 0) { // seq 0: a version hello, which memberlist has no use for
        long w = remember(p.seq(), p.target(), target);
        WireBytes source = sourceBytes(p.fromAddress());
        probe.add(
            new MemberlistMessage.Ping(
                w, p.target(), source, source.isEmpty() ? 0 : p.fromAddress().port(), p.from()));
      }
    } else if (m instanceof GossipMessage.Ack a) {
      if (a.seq() < 0 || a.seq() > 0xffff_ffffL) {
        drops.drop(DropReason.STALE, "ack for a sequence number memberlist never sent");
      } else if (a.seq() != 0) { // seq 0: a correction, whose claims are all it carries
        probe.add(new MemberlistMessage.Ack(a.seq(), WireBytes.EMPTY));
      }
    } else if (m instanceof GossipMessage.PingReq r) {
      long w = remember(r.seq(), r.target(), r.targetAddress());
      boolean nack = versionsOf(names.get(target)).protocolMax() >= 4;
      WireBytes source = sourceBytes(r.fromAddress());
      probe.add(
          new MemberlistMessage.IndirectPing(
              w,
              ipBytes(r.targetAddress()),
              r.targetAddress().port(),
              r.target(),
              nack,
              source,
              source.isEmpty() ? 0 : r.fromAddress().port(),
              r.from()));
    } else if (m instanceof GossipMessage.Nack n) {
      if (n.seq() > 0 && n.seq() <= 0xffff_ffffL) {
        probe.add(new MemberlistMessage.Nack(n.seq()));
      }
    } else if (m instanceof GossipMessage.PushPull pp) {
      pushPull = pp;
    } else if (!(m instanceof GossipMessage.Gossip)) {
      unsupported++;
      drops.drop(
          TransportDropReason.UNENCODABLE,
          m.type() + " has no memberlist equivalent (the Serf layer carries events and queries)");
      return new Outbound(List.of(), List.of(), null);
    }
    List<MemberlistMessage> claims = new ArrayList<>(m.updates().size());
    if (pushPull == null) {
      for (MemberUpdate u : m.updates()) {
        MemberlistMessage c = claim(u);
        if (c != null) {
          claims.add(c);
        }
      }
    }
    return new Outbound(probe, claims, pushPull);
  }

  private long remember(long coreSeq, String targetId, NodeAddress targetAddress) {
    expire();
    long w = nextWireSeq;
    nextWireSeq = nextWireSeq == 0xffff_ffffL ? 1 : nextWireSeq + 1;
    if (pending.size() >= maxPending) {
      Long eldest = pending.keySet().iterator().next();
      pending.remove(eldest);
    }
    pending.put(
        w, new Pending(coreSeq, targetId, targetAddress, clock.getAsLong() + pendingTtlNanos));
    return w;
  }

  private void expire() {
    long now = clock.getAsLong();
    var it = pending.values().iterator();
    while (it.hasNext()) {
      if (it.next().expiresAt() - now < 0) {
        it.remove();
      } else {
        break; // insertion order is expiry order
      }
    }
  }

  /** One claim as a memberlist broadcast, or null (counted) when it cannot be carried. */
  @Nullable MemberlistMessage claim(MemberUpdate u) {
    learn(u);
    switch (u.status()) {
      case ONLINE:
        WireBytes ip = ipBytesOrNull(u.address());
        WireBytes meta = meta(u);
        if (ip == null || meta == null) {
          return null;
        }
        return new MemberlistMessage.Alive(
            u.incarnation(), u.id(), ip, u.address().port(), meta, versionsFor(u.id()));
      case SUSPECT:
        return new MemberlistMessage.Suspect(u.incarnation(), u.id(), accuser(u));
      case FAILED:
        return new MemberlistMessage.Dead(u.incarnation(), u.id(), accuser(u));
      case LEFT:
        return new MemberlistMessage.Dead(u.incarnation(), u.id(), u.id());
      default:
        return null;
    }
  }

  /** An accuser that is never the accused (memberlist reads dead from itself as a leave). */
  private String accuser(MemberUpdate u) {
    if (!u.from().equals(u.id())) {
      return u.from();
    }
    return selfId != null && !selfId.equals(u.id()) ? selfId : u.from() + "?";
  }

  private Versions versionsFor(String id) {
    return id.equals(selfId) ? selfVersions : versionsOf(id);
  }

  private @Nullable WireBytes meta(MemberUpdate u) {
    try {
      return SerfTags.encode(u.metadata());
    } catch (IllegalArgumentException e) {
      drops.drop(
          DropReason.TOO_LARGE,
          (u.id().equals(selfId) ? "this node's own " : "")
              + "metadata of "
              + u.id()
              + " does not fit memberlist's "
              + SerfTags.MAX_META_BYTES
              + "-byte limit as Serf tags: "
              + e.getMessage());
      return null;
    }
  }

  /** The push-pull state for {@code pp}, carrying {@code userState}. */
  MemberlistMessage.PushPull pushPull(GossipMessage.PushPull pp, boolean join, byte[] userState) {
    List<MemberlistMessage.PushNodeState> nodes = new ArrayList<>(pp.updates().size());
    for (MemberUpdate u : pp.updates()) {
      learn(u);
      WireBytes ip = ipBytesOrNull(u.address());
      if (ip == null) {
        continue;
      }
      WireBytes meta = WireBytes.EMPTY;
      if (u.status() == NodeStatus.ONLINE) {
        WireBytes m = meta(u);
        if (m == null) {
          continue;
        }
        meta = m;
      }
      MemberlistMessage.NodeState state =
          switch (u.status()) {
            case SUSPECT -> MemberlistMessage.NodeState.SUSPECT;
            case FAILED -> MemberlistMessage.NodeState.DEAD;
            case LEFT -> MemberlistMessage.NodeState.LEFT;
            default -> MemberlistMessage.NodeState.ALIVE;
          };
      nodes.add(
          new MemberlistMessage.PushNodeState(
              u.id(), ip, u.address().port(), meta, u.incarnation(), state, versionsFor(u.id())));
    }
    return new MemberlistMessage.PushPull(join, nodes, WireBytes.of(userState));
  }

  private void learn(MemberUpdate u) {
    if (u.id().equals(selfId)) {
      return;
    }
    Peer p = peers.get(u.id());
    boolean alive = u.status() == NodeStatus.ONLINE || u.status() == NodeStatus.SUSPECT;
    if (p == null) {
      if (!alive) {
        return;
      }
      peers.put(u.id(), new Peer(u.address(), Versions.SERF_DEFAULT, true));
      names.put(u.address(), u.id());
    } else {
      p.alive = alive;
      if (u.status() == NodeStatus.ONLINE) {
        p.address = u.address();
        names.put(u.address(), u.id());
      }
    }
  }

  private void learn(String id, NodeAddress address, Versions versions, boolean alive) {
    if (id.equals(selfId)) {
      return;
    }
    Peer p = peers.get(id);
    if (p == null) {
      if (!alive) {
        return;
      }
      peers.put(id, new Peer(address, versions, true));
    } else {
      p.address = address;
      p.versions = versions;
      p.alive = alive;
    }
    names.put(address, id);
  }

  // ================================================================ inbound (memberlist -> core)

  /**
   * The core messages for the messages of one packet from {@code source}: each ping, indirect ping,
   * ack or nack becomes its core message, the first of them carrying the packet's claims (a gossip
   * carries them when there is no probe part); user messages go to {@code user}.
   */
  List<GossipMessage> inbound(
      List<MemberlistMessage> msgs,
      InetSocketAddress source,
      java.util.function.Consumer<byte[]> user) {
    NodeAddress src = address(source);
    List<MemberUpdate> claims = new ArrayList<>();
    List<GossipMessage> probes = new ArrayList<>(1);
    for (MemberlistMessage msg : msgs) {
      try {
        if (msg instanceof MemberlistMessage.Ping p) {
          NodeAddress from = replyAddress(p.sourceAddr(), p.sourcePort(), src);
          String fromId = senderId(p.sourceNode(), from);
          String target = p.node().isEmpty() ? selfId : p.node();
          if (target == null) {
            drops.drop(DropReason.WRONG_TARGET, "ping for no node before this node is known");
          } else {
            probes.add(new GossipMessage.Ping(fromId, from, p.seqNo(), target, List.of()));
          }
        } else if (msg instanceof MemberlistMessage.IndirectPing r) {
          NodeAddress from = replyAddress(r.sourceAddr(), r.sourcePort(), src);
          String fromId = senderId(r.sourceNode(), from);
          NodeAddress targetAddress = new NodeAddress(ipString(r.target()), r.port());
          probes.add(
              new GossipMessage.PingReq(
                  fromId, from, r.seqNo(), r.node(), targetAddress, List.of()));
        } else if (msg instanceof MemberlistMessage.Ack a) {
          expire();
          Pending p = pending.remove(a.seqNo());
          if (p == null) {
            drops.drop(DropReason.STALE, "ack for no probe in flight");
          } else {
            probes.add(
                new GossipMessage.Ack(p.target(), p.targetAddress(), p.coreSeq(), List.of()));
          }
        } else if (msg instanceof MemberlistMessage.Nack n) {
          expire();
          Pending p = pending.get(n.seqNo());
          if (p == null) {
            drops.drop(DropReason.STALE, "nack for no probe in flight");
          } else {
            probes.add(new GossipMessage.Nack(senderId("", src), src, p.coreSeq(), List.of()));
          }
        } else if (msg instanceof MemberlistMessage.Alive a) {
          MemberUpdate u =
              alive(a.node(), a.addr(), a.port(), a.meta(), a.incarnation(), a.versions());
          if (u != null) {
            claims.add(u);
          }
        } else if (msg instanceof MemberlistMessage.Suspect s) {
          MemberUpdate u = accusation(s.node(), s.incarnation(), s.from(), NodeStatus.SUSPECT);
          if (u != null) {
            claims.add(u);
          }
        } else if (msg instanceof MemberlistMessage.Dead d) {
          NodeStatus status = d.from().equals(d.node()) ? NodeStatus.LEFT : NodeStatus.FAILED;
          MemberUpdate u = accusation(d.node(), d.incarnation(), d.from(), status);
          if (u != null) {
            claims.add(u);
          }
        } else if (msg instanceof MemberlistMessage.User u) {
          user.accept(u.payload().toByteArray());
        } else {
          drops.drop(DropReason.UNKNOWN_TYPE, "memberlist type " + msg.type() + " in a packet");
        }
      } catch (IllegalArgumentException e) {
        drops.drop(DropReason.MALFORMED, "memberlist " + msg.type() + ": " + e.getMessage());
      }
    }
    List<GossipMessage> out = new ArrayList<>(Math.max(1, probes.size()));
    for (int i = 0; i < probes.size(); i++) {
      out.add(i == 0 && !claims.isEmpty() ? probes.get(i).withUpdates(claims) : probes.get(i));
    }
    if (probes.isEmpty() && !claims.isEmpty()) {
      out.add(new GossipMessage.Gossip(senderId("", src), src, claims));
    }
    return out;
  }

  /**
   * The core push-pull for a memberlist push-pull: a request from the connection's {@code peer}
   * address, or the reply of the member this node connected to at {@code peer}.
   */
  GossipMessage.PushPull pushPull(MemberlistMessage.PushPull pp, NodeAddress peer, boolean reply) {
    List<MemberUpdate> updates = new ArrayList<>(pp.nodes().size());
    String sender = null;
    String sameIp = null;
    int onIp = 0;
    for (MemberlistMessage.PushNodeState n : pp.nodes()) {
      try {
        MemberUpdate u;
        if (n.state() == MemberlistMessage.NodeState.ALIVE) {
          u = alive(n.name(), n.addr(), n.port(), n.meta(), n.incarnation(), n.versions());
        } else {
          NodeAddress a = new NodeAddress(ipString(n.addr()), n.port());
          learn(n.name(), a, n.versions(), n.state() == MemberlistMessage.NodeState.SUSPECT);
          NodeStatus s =
              n.state() == MemberlistMessage.NodeState.SUSPECT
                  ? NodeStatus.SUSPECT
                  : n.state() == MemberlistMessage.NodeState.LEFT
                      ? NodeStatus.LEFT
                      : NodeStatus.FAILED;
          // The accuser is not carried: the member itself stands for a leave, a placeholder
          // otherwise (the core reads accusations in a state exchange as suspicions of its own).
          String from = s == NodeStatus.LEFT ? n.name() : "memberlist";
          u = new MemberUpdate(n.name(), a, s, n.incarnation(), Map.of(), 0, 0, from);
        }
        if (u == null) {
          continue;
        }
        updates.add(u);
        if (u.address().equals(peer)) {
          sender = u.id();
        }
        if (n.state() == MemberlistMessage.NodeState.ALIVE
            && u.address().host().equals(peer.host())) {
          onIp++;
          sameIp = u.id();
        }
      } catch (IllegalArgumentException e) {
        drops.drop(DropReason.MALFORMED, "push-pull node " + n.name() + ": " + e.getMessage());
      }
    }
    if (sender == null && !reply && onIp == 1) {
      sender = sameIp; // a request comes from an ephemeral port: the only member on that IP
    }
    if (sender == null || sender.equals(selfId)) {
      sender = "memberlist@" + peer;
    }
    return new GossipMessage.PushPull(sender, peer, pp.join(), reply, updates);
  }

  private @Nullable MemberUpdate alive(
      String node, WireBytes addr, int port, WireBytes meta, long incarnation, Versions versions) {
    Map<String, String> tags;
    try {
      tags = meta.isEmpty() ? Map.of() : SerfTags.decode(meta);
    } catch (MemberlistDecodeException e) {
      drops.drop(DropReason.MALFORMED, "tags of " + node + ": " + e.getMessage());
      return null;
    }
    if (meta.length() > SerfTags.MAX_META_BYTES) {
      drops.drop(DropReason.TOO_LARGE, "metadata of " + node + " over 512 bytes");
      return null;
    }
    NodeAddress a = new NodeAddress(ipString(addr), port);
    MemberUpdate u = new MemberUpdate(node, a, NodeStatus.ONLINE, incarnation, tags, 0, 0, node);
    learn(node, a, versions, true);
    return u;
  }

  private @Nullable MemberUpdate accusation(
      String node, long incarnation, String from, NodeStatus status) {
    Peer p = peers.get(node);
    NodeAddress a = p != null ? p.address : node.equals(selfId) ? selfAddress : null;
    if (a == null) {
      return null; // memberlist too ignores accusations of members it does not know
    }
    if (p != null && status != NodeStatus.SUSPECT) {
      p.alive = false;
    }
    String accuser = from.isEmpty() ? node : from;
    return new MemberUpdate(node, a, status, incarnation, Map.of(), 0, 0, accuser);
  }

  private String senderId(String sourceNode, NodeAddress from) {
    if (!sourceNode.isEmpty()) {
      return sourceNode;
    }
    String known = names.get(from);
    return known != null ? known : "memberlist@" + from;
  }

  private static NodeAddress replyAddress(WireBytes ip, int port, NodeAddress packetSource) {
    if (ip.isEmpty() || port == 0) {
      return packetSource;
    }
    return new NodeAddress(ipString(ip), port);
  }

  // =================================================================================== addresses

  /** {@code address} as a core address: its IP literal and port. */
  static NodeAddress address(InetSocketAddress address) {
    return new NodeAddress(NetUtil.toAddressString(address.getAddress()), address.getPort());
  }

  /**
   * The IP literal of memberlist's 4- or 16-byte address.
   *
   * @throws IllegalArgumentException for any other length
   */
  static String ipString(WireBytes ip) {
    byte[] b = ip.toByteArray();
    if (b.length != 4 && b.length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + b.length);
    }
    return NetUtil.bytesToIpAddress(b);
  }

  /**
   * The 4 or 16 bytes of the IP literal {@code address.host()}.
   *
   * @throws IllegalArgumentException when the host is not an IP literal
   */
  static WireBytes ipBytes(NodeAddress address) {
    byte[] b = NetUtil.createByteArrayFromIpAddressString(address.host());
    if (b == null) {
      throw new IllegalArgumentException(
          "memberlist carries IP addresses only; '"
              + address.host()
              + "' is not an IP literal (bind or advertise an IP address)");
    }
    return WireBytes.of(b);
  }

  private @Nullable WireBytes ipBytesOrNull(NodeAddress address) {
    byte[] b = NetUtil.createByteArrayFromIpAddressString(address.host());
    if (b == null) {
      drops.drop(
          TransportDropReason.UNENCODABLE,
          "address " + address + " is not an IP literal; memberlist carries IP addresses only");
      return null;
    }
    if (wildcard(b)) {
      drops.drop(
          TransportDropReason.UNENCODABLE,
          "address "
              + address
              + " is the wildcard, which no peer can reach: advertise an IP address");
      return null;
    }
    return WireBytes.of(b);
  }

  /** The reply address of a probe: empty (reply to the packet's source) for the wildcard. */
  private static WireBytes sourceBytes(NodeAddress address) {
    WireBytes b = ipBytes(address);
    return wildcard(b.toByteArray()) ? WireBytes.EMPTY : b;
  }

  private static boolean wildcard(byte[] ip) {
    for (byte x : ip) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Rebuilds the maps' size bounds (for tests). */
  int maxPeers() {
    return maxPeers;
  }
}
