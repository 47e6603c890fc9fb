package io.libgossip.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs one fuzz input against a fresh {@link GossipCore} and throws {@link AssertionError} when an
 * invariant breaks. The input is a script of steps, each an op byte and its operands; a read past
 * the end gives 0, and the script ends with the input (or after {@link #MAX_STEPS}).
 *
 * <pre>
 * input: start: 1 byte, by start % 3: 0 the node does not join, 1 it joins alone (a cluster of
 *        one), 2 it joins through seeds "a" and "b"; then steps
 * step:  op: 1 byte, by op % 4:
 *   0 TICK   a: 1 byte; the clock advances (a + 1) * 50 ms, or by the tombstone timeout when a
 *            is 255; then tick
 *   1 WIRE   length: 2 bytes big-endian, then length bytes that the binary codec decodes; a
 *            message that decodes is handled, anything else is dropped
 *   2 BUILT  a message built from the bytes that follow (see {@link #built}), written by the
 *            codec and read back, then handled
 *   3 REPLY  k: 1 byte, kind: 1 byte; answers the k-th latest message the core sent: an ack or
 *            nack for a probe, a push-pull reply for a push-pull
 * </pre>
 *
 * {@link GossipCoreFuzzInputs} writes inputs in this form.
 */
final class GossipCoreFuzzDriver {
  static final int TICK = 0;
  static final int WIRE = 1;
  static final int BUILT = 2;
  static final int REPLY = 3;

  static final String CLUSTER = "fuzz";
  static final String SELF = "self";
  static final long MS = 1_000_000L;

  /** Ids the built messages use: few, so that claims about one member meet. */
  static final String[] IDS = {
    SELF, "a", "b", "c", "d", "e", "ü-ノード", "x".repeat(WireLimits.MAX_ID_BYTES)
  };

  static final GossipConfig CONFIG =
      GossipConfig.lan().toBuilder()
          .clusterName(CLUSTER)
          .tombstoneTimeout(Duration.ofSeconds(30))
          .reconnectTimeout(Duration.ofSeconds(30))
          .maxQueuedUpdates(16)
          .build();

  private static final int MAX_STEPS = 2_000;

  /** How many of the latest sent messages a REPLY can pick from. */
  private static final int REMEMBERED = 32;

  private final BinarySerializer codec = BinarySerializer.forConfig(CONFIG);
  private final Deque<Sent> sent = new ArrayDeque<>();
  private final List<Sent> unchecked = new ArrayList<>();
  private final Set<String> seenIds = new HashSet<>();
  private final GossipCore core;

  private byte[] in = new byte[0];
  private int pos;
  private long now = 1_000 * 1_000 * MS;
  private long selfIncarnation;

  /** What the run reached, for tests of the seeds: statuses held by others, types sent. */
  final Set<NodeStatus> statusesSeen = EnumSet.noneOf(NodeStatus.class);

  final Set<GossipMessage.MessageType> typesSent = EnumSet.noneOf(GossipMessage.MessageType.class);
  int largestTable;

  private record Sent(GossipMessage message, NodeView target, Delivery delivery) {}

  /** The table after the previous step, by id, to check what a step may change. */
  private Map<String, NodeView> previous = Map.of();

  /** This node's incarnation after the last step. */
  long selfIncarnation() {
    return selfIncarnation;
  }

  /** The size of the table after the last step. */
  int tableSize() {
    return core.size();
  }

  GossipCoreFuzzDriver() {
    core =
        GossipCore.builder()
            .id(SELF)
            .address(address(SELF, 0))
            .config(CONFIG)
            .random(new SplittableRandom(1))
            .outbox((m, target, delivery) -> unchecked.add(new Sent(m, target, delivery)))
            .listener(event -> {})
            .build();
    seenIds.add(SELF);
  }

  void run(byte[] input) {
    in = input;
    pos = 0;
    core.tick(now);
    switch (u8() % 3) {
      case 1 -> core.join(List.of(), now);
      case 2 -> core.join(List.of(address("a", 0), address("b", 0)), now);
      default -> {}
    }
    check("start");
    for (int step = 0; step < MAX_STEPS && pos < in.length; step++) {
      int op = u8() % 4;
      switch (op) {
        case TICK -> tick();
        case WIRE -> wire();
        case BUILT -> handle(roundTrip(built()));
        default -> reply();
      }
      check("step " + step + " (op " + op + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  private void tick() {
    int a = u8();
    now += a == 255 ? CONFIG.tombstoneTimeout().toNanos() + MS : (a + 1) * 50 * MS;
    core.tick(now);
  }

  private void wire() {
    int length = Math.min(u8() << 8 | u8(), in.length - pos);
    int from = pos;
    pos += length;
    GossipMessage m;
    try {
      m = codec.decode(in, from, length);
    } catch (DecodeException e) {
      return; // counted by the runtime; the core never sees it
    }
    handle(m);
  }

  private void reply() {
    int k = u8();
    int kind = u8();
    if (sent.isEmpty()) {
      return;
    }
    Sent s = new ArrayList<>(sent).get(k % sent.size());
    String peer = s.target().hasId() ? s.target().id() : IDS[1 + kind % (IDS.length - 1)];
    NodeAddress peerAddress = s.target().address();
    GossipMessage answer = null;
    if (s.message() instanceof GossipMessage.Ping p) {
      answer =
          kind % 4 == 3
              ? new GossipMessage.Nack(peer, peerAddress, p.seq(), List.of())
              : new GossipMessage.Ack(peer, peerAddress, p.seq(), List.of());
    } else if (s.message() instanceof GossipMessage.PingReq r) {
      answer =
          kind % 2 == 0
              ? new GossipMessage.Ack(r.target(), r.targetAddress(), r.seq(), List.of())
              : new GossipMessage.Nack(peer, peerAddress, r.seq(), List.of());
    } else if (s.message() instanceof GossipMessage.PushPull p && !p.reply()) {
      List<MemberUpdate> state = new ArrayList<>();
      state.add(
          new MemberUpdate(peer, peerAddress, NodeStatus.ONLINE, kind % 3, Map.of(), 0, 0, peer));
      answer = new GossipMessage.PushPull(peer, peerAddress, false, true, state);
    }
    if (answer != null) {
      handle(answer);
    }
  }

  private void handle(GossipMessage m) {
    seenIds.add(m.from());
    if (m instanceof GossipMessage.Ping p) {
      seenIds.add(p.target());
    } else if (m instanceof GossipMessage.PingReq r) {
      seenIds.add(r.target());
    }
    for (MemberUpdate u : m.updates()) {
      seenIds.add(u.id());
      seenIds.add(u.from());
    }
    // SWIM's refutation: a claim that this node is suspect or gone, at an incarnation it can
    // still exceed, leaves it at a higher one (unless the message was dropped)
    long refute = -1;
    if (!m.from().equals(SELF)) {
      for (MemberUpdate u : m.updates()) {
        if (u.id().equals(SELF)
            && u.status() != NodeStatus.ONLINE
            && u.incarnation() < WireLimits.MAX_INCARNATION) {
          refute = Math.max(refute, u.incarnation());
        }
      }
    }
    long dropped = core.stats().messagesDropped();
    now += MS;
    core.handleMessage(m, now); // the result, if any, is ignored
    if (refute >= 0 && core.stats().messagesDropped() == dropped) {
      require(
          core.self().incarnation() > refute,
          "refutation",
          "claim " + m + " left this node at incarnation " + core.self().incarnation());
    }
  }

  /** {@code m} written by the codec and read back: what a peer's bytes would decode to. */
  private GossipMessage roundTrip(GossipMessage m) {
    byte[] bytes = codec.encode(m);
    if (bytes.length > CONFIG.maxMessageSize()) {
      return m; // a receiver would drop it as too large; handle it anyway
    }
    try {
      GossipMessage back = codec.decode(bytes);
      if (!back.equals(m)) {
        throw new AssertionError("codec changed " + m + " into " + back);
      }
      return back;
    } catch (DecodeException e) {
      throw new AssertionError("codec cannot read what it wrote: " + m + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Built messages

  /**
   * A message from the bytes that follow: type, sender, sender's address, sequence number, target,
   * push-pull flags, then up to 7 updates.
   */
  private GossipMessage built() {
    int type = u8() % 6;
    String from = id();
    NodeAddress fromAddress = address(from, u8());
    long seq = seq();
    String target = id();
    NodeAddress targetAddress = address(target, u8());
    int flags = u8();
    int n = u8() % 8;
    List<MemberUpdate> updates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      updates.add(update());
    }
    return switch (type) {
      case 0 -> new GossipMessage.Ping(from, fromAddress, seq, target, updates);
      case 1 -> new GossipMessage.Ack(from, fromAddress, seq, updates);
      case 2 -> new GossipMessage.PingReq(from, fromAddress, seq, target, targetAddress, updates);
      case 3 -> new GossipMessage.Nack(from, fromAddress, seq, updates);
      case 4 -> new GossipMessage.Gossip(from, fromAddress, updates);
      default ->
          new GossipMessage.PushPull(
              from, fromAddress, (flags & 1) != 0, (flags & 2) != 0, updates);
    };
  }

  /** A claim: id, address, status, incarnation, metadata, metadata version, epoch, claimant. */
  private MemberUpdate update() {
    String id = id();
    NodeAddress address = address(id, u8());
    int status = u8();
    long incarnation = incarnation();
    int meta = u8();
    Map<String, String> metadata =
        switch (meta % 4) {
          case 0 -> Map.of("role", "r" + meta);
          // beyond maxMetadataBytes: a receiver drops it, the wire carries it
          case 1 -> Map.of("blob", "v".repeat(CONFIG.maxMetadataBytes()));
          default -> Map.of();
        };
    long metadataVersion = u8() % 4;
    long configEpoch = u8() % 3;
    int claimant = u8();
    String from = claimant % 3 == 0 ? id : IDS[claimant % IDS.length];
    return new MemberUpdate(
        id,
        address,
        NodeStatus.values()[NodeStatus.ONLINE.ordinal() + status % 4],
        incarnation,
        metadata,
        metadataVersion,
        configEpoch,
        from);
  }

  private String id() {
    return IDS[u8() % IDS.length];
  }

  /** Mostly where the member lives; sometimes another port (a restarted or conflicting node). */
  private static NodeAddress address(String id, int b) {
    int port = b % 8 == 7 ? 8000 + b : 7946;
    int index = 0;
    while (!IDS[index].equals(id)) {
      index++;
    }
    return new NodeAddress("10.0.0." + (index + 1), port);
  }

  private long incarnation() {
    int b = u8();
    return switch (b % 8) {
      case 5 -> WireLimits.MAX_INCARNATION - 1;
      case 6 -> WireLimits.MAX_INCARNATION;
      case 7 -> b;
      default -> b % 8;
    };
  }

  /** A sequence number: one the core sent lately, or a small or huge one. */
  private long seq() {
    int b = u8();
    if (b % 4 == 0 && !sent.isEmpty()) {
      for (Sent s : sent) {
        if (s.message() instanceof GossipMessage.Ping p) {
          return p.seq();
        }
        if (s.message() instanceof GossipMessage.PingReq r) {
          return r.seq();
        }
      }
    }
    return b % 4 == 1 ? -1L - b : b;
  }

  private int u8() {
    return pos < in.length ? in[pos++] & 0xFF : 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Invariants

  private void check(String where) {
    NodeView self = core.self();
    require(
        self.status() == NodeStatus.JOINING || self.status() == NodeStatus.ONLINE,
        where,
        "this node is " + self.status() + " in its own view");
    require(core.statusOf(SELF) == self.status(), where, "statusOf(self) disagrees with self()");
    require(
        self.incarnation() >= selfIncarnation && self.incarnation() <= WireLimits.MAX_INCARNATION,
        where,
        "own incarnation went from " + selfIncarnation + " to " + self.incarnation());
    selfIncarnation = self.incarnation();

    List<NodeView> members = core.members();
    require(members.get(0).id().equals(SELF), where, "members() does not start with this node");
    require(members.size() == core.size(), where, "size() disagrees with members()");
    require(
        core.size() <= seenIds.size() + 1,
        where,
        core.size() + " members from " + seenIds.size() + " distinct ids");
    Set<String> ids = new HashSet<>();
    int live = 1;
    for (NodeView m : members.subList(1, members.size())) {
      require(ids.add(m.id()), where, "member " + m.id() + " twice");
      require(!m.id().equals(SELF) && m.hasId(), where, "bad member id '" + m.id() + "'");
      require(seenIds.contains(m.id()), where, "member " + m.id() + " was never mentioned");
      NodeStatus s = m.status();
      require(
          s == NodeStatus.ONLINE
              || s == NodeStatus.SUSPECT
              || s == NodeStatus.FAILED
              || s == NodeStatus.LEFT,
          where,
          "member " + m.id() + " is " + s);
      require(core.statusOf(m.id()) == s, where, "statusOf(" + m.id() + ") disagrees");
      NodeView before = previous.get(m.id());
      if (before != null) {
        // claims are ordered: a higher incarnation wins, and at equal incarnation FAILED/LEFT
        // beat SUSPECT, which beats ONLINE; nothing moves a member back down that order
        require(
            m.incarnation() > before.incarnation()
                || (m.incarnation() == before.incarnation()
                    && precedence(s) >= precedence(before.status())),
            where,
            "member " + m.id() + " went from " + describe(before) + " to " + describe(m));
      }
      require(
          m.incarnation() >= 0 && m.incarnation() <= WireLimits.MAX_INCARNATION,
          where,
          "member " + m.id() + " at incarnation " + m.incarnation());
      String problem = WireLimits.checkMetadata(m.metadata());
      require(problem == null, where, "member " + m.id() + " holds invalid metadata: " + problem);
      if (s == NodeStatus.ONLINE || s == NodeStatus.SUSPECT) {
        live++;
      }
      statusesSeen.add(s);
    }
    largestTable = Math.max(largestTable, core.size());
    Map<String, NodeView> table = new HashMap<>();
    for (NodeView m : members.subList(1, members.size())) {
      table.put(m.id(), m);
    }
    previous = table;
    require(core.liveCount() == live, where, "liveCount " + core.liveCount() + ", table " + live);
    GossipStats stats = core.stats();
    require(stats.knownNodes() == core.size(), where, "stats: " + stats.knownNodes() + " known");
    require(
        stats.onlineNodes() == count(members, NodeStatus.ONLINE)
            && stats.suspectNodes() == count(members, NodeStatus.SUSPECT)
            && stats.failedNodes() == count(members, NodeStatus.FAILED)
            && stats.leftNodes() == count(members, NodeStatus.LEFT),
        where,
        "stats " + stats + " disagree with the table " + members);
    require(stats.incarnation() == self.incarnation(), where, "stats: incarnation");

    for (Sent s : unchecked) {
      checkSent(s, where);
      sent.addFirst(s);
      if (sent.size() > REMEMBERED) {
        sent.removeLast();
      }
    }
    unchecked.clear();
  }

  /** The order of claims at equal incarnation (as {@link MemberUpdate#supersedes} has it). */
  private static int precedence(NodeStatus s) {
    return s == NodeStatus.ONLINE ? 0 : s == NodeStatus.SUSPECT ? 1 : 2;
  }

  private static String describe(NodeView m) {
    return m.status() + "@" + m.incarnation();
  }

  private static int count(List<NodeView> members, NodeStatus status) {
    int n = 0;
    for (NodeView m : members) {
      if (m.status() == status) {
        n++;
      }
    }
    return n;
  }

  private void checkSent(Sent s, String where) {
    GossipMessage m = s.message();
    typesSent.add(m.type());
    require(m.from().equals(SELF), where, "sent a message from " + m.from());
    require(!SELF.equals(s.target().id()), where, "sent " + m.type() + " to itself");
    byte[] bytes = codec.encode(m);
    if (s.delivery() == Delivery.BEST_EFFORT) {
      require(
          bytes.length <= CONFIG.maxPacketSize(),
          where,
          m.type() + " of " + bytes.length + " bytes exceeds maxPacketSize");
    }
    try {
      require(codec.decode(bytes).equals(m), where, "sent " + m + " does not round-trip");
    } catch (DecodeException e) {
      throw new AssertionError(where + ": sent " + m + " does not decode: " + e.getMessage());
    }
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) {
      throw new AssertionError(where + ": " + what);
    }
  }
}
