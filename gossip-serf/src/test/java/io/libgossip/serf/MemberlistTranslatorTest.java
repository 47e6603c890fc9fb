package io.libgossip.serf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.UserMessage;
import io.libgossip.memberlist.MemberlistMessage;
import io.libgossip.memberlist.MemberlistMessage.NodeState;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import io.libgossip.memberlist.SerfTags;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.net.TransportDropReason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The translation between the core's messages and memberlist's, without sockets. */
class MemberlistTranslatorTest {
  private static final NodeAddress SELF = new NodeAddress("127.0.0.1", 7000);
  private static final NodeAddress A1 = new NodeAddress("127.0.0.1", 7001);
  private static final NodeAddress A2 = new NodeAddress("10.0.0.2", 7002);
  private static final InetSocketAddress A1_SOCKET = new InetSocketAddress("127.0.0.1", 7001);
  private static final Versions OLD = new Versions(1, 3, 2, 2, 5, 5);

  private final AtomicLong clock = new AtomicLong();
  private final List<Enum<?>> drops = new ArrayList<>();
  private final List<byte[]> user = new ArrayList<>();
  private MemberlistTranslator t;

  @BeforeEach
  void setUp() {
    t = translator(4096, 65536);
    // The node learns its own id from its first message, as in a running node.
    t.outbound(new GossipMessage.Gossip("j1", SELF, List.of()), A1);
  }

  private MemberlistTranslator translator(int maxPending, int maxPeers) {
    return new MemberlistTranslator(
        Versions.SERF_DEFAULT,
        maxPending,
        1_000_000_000L,
        maxPeers,
        clock::get,
        (r, d) -> drops.add(r));
  }

  private List<GossipMessage> in(MemberlistMessage... msgs) {
    return t.inbound(List.of(msgs), A1_SOCKET, user::add);
  }

  private static MemberlistMessage.Alive alive(String name, NodeAddress a, long inc, Versions v) {
    return new MemberlistMessage.Alive(
        inc,
        name,
        MemberlistTranslator.ipBytes(a),
        a.port(),
        SerfTags.encode(Map.of("role", "agent")),
        v);
  }

  private static MemberUpdate claim(String id, NodeAddress a, NodeStatus s, long inc, String from) {
    Map<String, String> meta = s == NodeStatus.ONLINE ? Map.of("lang", "java") : Map.of();
    return new MemberUpdate(id, a, s, inc, meta, 0, 0, from);
  }

  @Test
  void pingGoesOutWithA32BitSequenceNumberAndItsAckComesBackUnderTheCoresNumber() {
    long coreSeq = 0x7fff_1234_5678L;
    var out = t.outbound(new GossipMessage.Ping("j1", SELF, coreSeq, "a1", List.of()), A1);
    assertThat(out.probe()).hasSize(1);
    var ping = (MemberlistMessage.Ping) out.probe().get(0);
    assertThat(ping.seqNo()).isBetween(1L, 0xffff_ffffL);
    assertThat(ping.node()).isEqualTo("a1");
    assertThat(ping.sourceNode()).isEqualTo("j1");
    assertThat(ping.sourcePort()).isEqualTo(7000);
    assertThat(MemberlistTranslator.ipString(ping.sourceAddr())).isEqualTo("127.0.0.1");

    List<GossipMessage> back = in(new MemberlistMessage.Ack(ping.seqNo(), WireBytes.EMPTY));
    assertThat(back).singleElement().isInstanceOf(GossipMessage.Ack.class);
    var ack = (GossipMessage.Ack) back.get(0);
    assertThat(ack.seq()).isEqualTo(coreSeq);
    assertThat(ack.from()).isEqualTo("a1");
    assertThat(ack.fromAddress()).isEqualTo(A1);
    assertThat(t.pendingCount()).isZero();
  }

  @Test
  void ackForNoProbeIsAStaleDrop() {
    assertThat(in(new MemberlistMessage.Ack(99, WireBytes.EMPTY))).isEmpty();
    assertThat(drops).containsExactly(DropReason.STALE);
  }

  @Test
  void pingFromAPeerKeepsItsNumberAndTheCoresAckEchoesIt() {
    var ping =
        new MemberlistMessage.Ping(0xfffffff0L, "j1", MemberlistTranslator.ipBytes(A1), 7001, "a1");
    var core = (GossipMessage.Ping) in(ping).get(0);
    assertThat(core.from()).isEqualTo("a1");
    assertThat(core.fromAddress()).isEqualTo(A1);
    assertThat(core.target()).isEqualTo("j1");
    assertThat(core.seq()).isEqualTo(0xfffffff0L);

    var out = t.outbound(new GossipMessage.Ack("j1", SELF, core.seq(), List.of()), A1);
    assertThat(out.probe())
        .containsExactly(new MemberlistMessage.Ack(0xfffffff0L, WireBytes.EMPTY));
  }

  @Test
  void pingForAnyNodeIsForThisNode() {
    var ping = new MemberlistMessage.Ping(5, "", WireBytes.EMPTY, 0, "");
    var core = (GossipMessage.Ping) in(ping).get(0);
    assertThat(core.target()).isEqualTo("j1");
    assertThat(core.fromAddress()).isEqualTo(A1); // the packet's source
  }

  @Test
  void versionHelloAndCorrectionCarryOnlyTheirClaims() {
    MemberUpdate c = claim("a2", A2, NodeStatus.SUSPECT, 3, "j1");
    var hello = t.outbound(new GossipMessage.Ping("j1", SELF, 0, "a1", List.of(c)), A1);
    assertThat(hello.probe()).isEmpty();
    assertThat(hello.claims()).containsExactly(new MemberlistMessage.Suspect(3, "a2", "j1"));
    var correction = t.outbound(new GossipMessage.Ack("j1", SELF, 0, List.of(c)), A1);
    assertThat(correction.probe()).isEmpty();
    assertThat(correction.claims()).hasSize(1);
  }

  @Test
  void indirectPingAsksForANackOnlyFromPeersOfProtocolFourAndUp() {
    in(alive("a1", A1, 1, Versions.SERF_DEFAULT), alive("a2", A2, 1, OLD));
    long coreSeq = 42;
    var viaNew =
        (MemberlistMessage.IndirectPing)
            t.outbound(new GossipMessage.PingReq("j1", SELF, coreSeq, "a2", A2, List.of()), A1)
                .probe()
                .get(0);
    assertThat(viaNew.nack()).isTrue();
    assertThat(viaNew.node()).isEqualTo("a2");
    assertThat(viaNew.port()).isEqualTo(7002);
    assertThat(MemberlistTranslator.ipString(viaNew.target())).isEqualTo("10.0.0.2");
    var viaOld =
        (MemberlistMessage.IndirectPing)
            t.outbound(new GossipMessage.PingReq("j1", SELF, coreSeq, "a1", A1, List.of()), A2)
                .probe()
                .get(0);
    assertThat(viaOld.nack()).isFalse();

    var nack = (GossipMessage.Nack) in(new MemberlistMessage.Nack(viaNew.seqNo())).get(0);
    assertThat(nack.seq()).isEqualTo(coreSeq);
    assertThat(nack.from()).isEqualTo("a1");
    // The target's ack relayed under the request's number: from the target, under the core's.
    var ack =
        (GossipMessage.Ack) in(new MemberlistMessage.Ack(viaNew.seqNo(), WireBytes.EMPTY)).get(0);
    assertThat(ack.seq()).isEqualTo(coreSeq);
    assertThat(ack.from()).isEqualTo("a2");
  }

  @Test
  void indirectPingFromAPeerBecomesAPingReqAndTheNackGoesBack() {
    var req =
        new MemberlistMessage.IndirectPing(
            77,
            MemberlistTranslator.ipBytes(A2),
            7002,
            "a2",
            true,
            MemberlistTranslator.ipBytes(A1),
            7001,
            "a1");
    var core = (GossipMessage.PingReq) in(req).get(0);
    assertThat(core.from()).isEqualTo("a1");
    assertThat(core.target()).isEqualTo("a2");
    assertThat(core.targetAddress()).isEqualTo(A2);
    assertThat(core.seq()).isEqualTo(77);
    var out = t.outbound(new GossipMessage.Nack("j1", SELF, 77, List.of()), A1);
    assertThat(out.probe()).containsExactly(new MemberlistMessage.Nack(77));
  }

  @Test
  void claimsMapOntoAliveSuspectAndDeadAndBack() {
    var online = t.claim(claim("a2", A2, NodeStatus.ONLINE, 7, "a2"));
    assertThat(online).isInstanceOf(MemberlistMessage.Alive.class);
    var alive = (MemberlistMessage.Alive) online;
    assertThat(alive.incarnation()).isEqualTo(7);
    assertThat(alive.port()).isEqualTo(7002);
    assertThat(alive.meta()).isEqualTo(SerfTags.encode(Map.of("lang", "java")));
    assertThat(alive.versions()).isEqualTo(Versions.SERF_DEFAULT);
    assertThat(t.claim(claim("a2", A2, NodeStatus.SUSPECT, 7, "a1")))
        .isEqualTo(new MemberlistMessage.Suspect(7, "a2", "a1"));
    assertThat(t.claim(claim("a2", A2, NodeStatus.FAILED, 7, "a1")))
        .isEqualTo(new MemberlistMessage.Dead(7, "a2", "a1"));
    assertThat(t.claim(claim("a2", A2, NodeStatus.LEFT, 8, "a2")))
        .isEqualTo(new MemberlistMessage.Dead(8, "a2", "a2"));
    // A failure the member would seem to declare itself is never sent as a leave.
    assertThat(
            ((MemberlistMessage.Dead) t.claim(claim("a2", A2, NodeStatus.FAILED, 9, "a2"))).from())
        .isNotEqualTo("a2");

    List<GossipMessage> back =
        in(
            alive("a2", A2, 9, OLD),
            new MemberlistMessage.Suspect(9, "a2", "a1"),
            new MemberlistMessage.Dead(9, "a2", "a1"),
            new MemberlistMessage.Dead(10, "a2", "a2"));
    var gossip = (GossipMessage.Gossip) back.get(0);
    assertThat(gossip.updates())
        .extracting(MemberUpdate::status)
        .containsExactly(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT);
    assertThat(gossip.updates().get(0).metadata()).containsEntry("role", "agent");
    assertThat(gossip.updates().get(1).from()).isEqualTo("a1");
    assertThat(gossip.updates().get(3).from()).isEqualTo("a2");
    assertThat(t.versionsOf("a2")).isEqualTo(OLD);
  }

  @Test
  void claimsRideOnTheFirstProbeOfAPacket() {
    var ping = new MemberlistMessage.Ping(5, "j1", WireBytes.EMPTY, 0, "a1");
    List<GossipMessage> back = in(alive("a2", A2, 1, OLD), ping);
    assertThat(back).singleElement().isInstanceOf(GossipMessage.Ping.class);
    assertThat(back.get(0).updates()).extracting(MemberUpdate::id).containsExactly("a2");
  }

  @Test
  void accusationsOfUnknownMembersAreIgnoredAsMemberlistDoes() {
    assertThat(in(new MemberlistMessage.Suspect(1, "nobody", "a1"))).isEmpty();
    assertThat(in(new MemberlistMessage.Dead(1, "nobody", "nobody"))).isEmpty();
  }

  @Test
  void tagsOverTheLimitAreACountedDropForOthersAndAnErrorForSelf() {
    Map<String, String> big = Map.of("blob", "x".repeat(600));
    MemberUpdate u = new MemberUpdate("a2", A2, NodeStatus.ONLINE, 1, big, 0, 0, "a2");
    assertThat(t.claim(u)).isNull();
    assertThat(drops).containsExactly(DropReason.TOO_LARGE);
    assertThatThrownBy(() -> MemberlistTransport.checkTags(big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512");
    assertThat(MemberlistTransport.checkTags(Map.of("role", "web"))).isLessThan(512);

    byte[] meta = new byte[513];
    meta[0] = (byte) 255;
    var tooBig =
        new MemberlistMessage.Alive(
            1, "a9", MemberlistTranslator.ipBytes(A2), 1, WireBytes.of(meta), OLD);
    assertThat(in(tooBig)).isEmpty();
    assertThat(drops).hasSize(2);
  }

  @Test
  void hostNamesCannotBeCarried() {
    var u = claim("a2", new NodeAddress("node.example", 7002), NodeStatus.ONLINE, 1, "a2");
    assertThat(t.claim(u)).isNull();
    assertThat(drops).containsExactly(TransportDropReason.UNENCODABLE);
    assertThatThrownBy(() -> MemberlistTranslator.ipBytes(u.address()))
        .hasMessageContaining("not an IP literal");
  }

  @Test
  void aWildcardAddressIsNeverAdvertised() {
    NodeAddress any = new NodeAddress("0.0.0.0", 7000);
    assertThat(t.claim(claim("a2", any, NodeStatus.ONLINE, 1, "a2"))).isNull();
    assertThat(drops).containsExactly(TransportDropReason.UNENCODABLE);
    MemberlistTranslator bound = translator(16, 16);
    var ping =
        (MemberlistMessage.Ping)
            bound
                .outbound(new GossipMessage.Ping("j1", any, 5, "a1", List.of()), A1)
                .probe()
                .get(0);
    assertThat(ping.sourceAddr().isEmpty()).isTrue(); // memberlist answers the packet's source
    assertThat(ping.sourcePort()).isZero();
  }

  @Test
  void messagesMemberlistCannotCarryAreCountedDrops() {
    var m = new UserMessage("j1", SELF, 0, UserMessage.Kind.MESSAGE, false, "t", new byte[] {1, 2});
    var out = t.outbound(m, A1);
    assertThat(out.probe()).isEmpty();
    assertThat(out.claims()).isEmpty();
    assertThat(out.pushPull()).isNull();
    assertThat(t.unsupported()).isEqualTo(1);
    assertThat(drops).containsExactly(TransportDropReason.UNENCODABLE);
  }

  @Test
  void pushPullCarriesEveryStateBothWaysWithLeftApart() {
    List<MemberUpdate> state =
        List.of(
            claim("j1", SELF, NodeStatus.ONLINE, 5, "j1"),
            claim("a1", A1, NodeStatus.SUSPECT, 2, "j1"),
            claim("a2", A2, NodeStatus.FAILED, 3, "j1"),
            claim("a3", new NodeAddress("::1", 7003), NodeStatus.LEFT, 4, "a3"));
    var pp = new GossipMessage.PushPull("j1", SELF, true, false, state);
    var wire = t.pushPull(pp, true, new byte[] {9});
    assertThat(wire.join()).isTrue();
    assertThat(wire.userState()).isEqualTo(WireBytes.of(new byte[] {9}));
    assertThat(wire.nodes())
        .extracting(MemberlistMessage.PushNodeState::state)
        .containsExactly(NodeState.ALIVE, NodeState.SUSPECT, NodeState.DEAD, NodeState.LEFT);
    assertThat(wire.nodes().get(3).addr().length()).isEqualTo(16);

    // The answer of the member this node connected to: it names the sender by its address.
    var reply = new MemberlistMessage.PushPull(false, wire.nodes(), WireBytes.EMPTY);
    MemberlistTranslator other = translator(16, 16);
    var core = other.pushPull(reply, SELF, true);
    assertThat(core.from()).isEqualTo("j1");
    assertThat(core.reply()).isTrue();
    assertThat(core.updates())
        .extracting(MemberUpdate::status)
        .containsExactly(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT);
    assertThat(core.updates().get(3).address()).isEqualTo(new NodeAddress("::1", 7003));
  }

  @Test
  void pushPullRequestFromAnEphemeralPortNamesTheOnlyMemberOnThatIp() {
    NodeAddress ephemeral = new NodeAddress("10.0.0.2", 50000);
    var req =
        new MemberlistMessage.PushPull(
            true,
            List.of(
                new MemberlistMessage.PushNodeState(
                    "a2",
                    MemberlistTranslator.ipBytes(A2),
                    7002,
                    WireBytes.EMPTY,
                    1,
                    NodeState.ALIVE,
                    OLD)),
            WireBytes.EMPTY);
    var core = t.pushPull(req, ephemeral, false);
    assertThat(core.from()).isEqualTo("a2");
    assertThat(core.fromAddress()).isEqualTo(ephemeral); // the answer goes back on the connection
    assertThat(core.join()).isTrue();
    assertThat(core.reply()).isFalse();
    // Two members on one IP: the sender is unknown, and named after the connection.
    NodeAddress loop = new NodeAddress("127.0.0.1", 50001);
    var two =
        new MemberlistMessage.PushPull(
            false,
            List.of(
                new MemberlistMessage.PushNodeState(
                    "x",
                    MemberlistTranslator.ipBytes(A1),
                    1,
                    WireBytes.EMPTY,
                    1,
                    NodeState.ALIVE,
                    OLD),
                new MemberlistMessage.PushNodeState(
                    "y",
                    MemberlistTranslator.ipBytes(A1),
                    2,
                    WireBytes.EMPTY,
                    1,
                    NodeState.ALIVE,
                    OLD)),
            WireBytes.EMPTY);
    assertThat(t.pushPull(two, loop, false).from()).isEqualTo("memberlist@" + loop);
  }

  @Test
  void probesInFlightAreBoundedAndExpire() {
    MemberlistTranslator small = translator(4, 16);
    small.outbound(new GossipMessage.Gossip("j1", SELF, List.of()), A1);
    List<Long> wire = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      var out = small.outbound(new GossipMessage.Ping("j1", SELF, 1000 + i, "a1", List.of()), A1);
      wire.add(((MemberlistMessage.Ping) out.probe().get(0)).seqNo());
      assertThat(small.pendingCount()).isLessThanOrEqualTo(4);
    }
    // The oldest were forgotten: their acks are stale; the newest still match.
    assertThat(
            small.inbound(
                List.of(new MemberlistMessage.Ack(wire.get(0), WireBytes.EMPTY)),
                A1_SOCKET,
                b -> {}))
        .isEmpty();
    assertThat(
            small.inbound(
                List.of(new MemberlistMessage.Ack(wire.get(9), WireBytes.EMPTY)),
                A1_SOCKET,
                b -> {}))
        .hasSize(1);
    clock.addAndGet(2_000_000_000L);
    assertThat(
            small.inbound(
                List.of(new MemberlistMessage.Ack(wire.get(8), WireBytes.EMPTY)),
                A1_SOCKET,
                b -> {}))
        .isEmpty();
    assertThat(small.pendingCount()).isZero();
  }

  @Test
  void peersAreBounded() {
    MemberlistTranslator small = translator(4, 8);
    for (int i = 0; i < 100; i++) {
      small.inbound(
          List.of(alive("n" + i, new NodeAddress("10.0.1." + i, 7000), 1, OLD)),
          A1_SOCKET,
          b -> {});
    }
    assertThat(small.peerCount()).isEqualTo(8);
    assertThat(small.livePeers(3, new SplittableRandom(1))).hasSize(3);
  }

  /**
   * How much larger a claim is in msgpack (plus its 2-byte compound length) than in the core's
   * binary format, for the shapes a Serf pool has: the transport has the core pack half a packet
   * ({@link MemberlistTransport#packetOverhead()}) and splits what still does not fit.
   */
  @Test
  void claimExpansionOverTheCoresFormatIsMeasured() {
    var core = new io.libgossip.core.BinarySerializer("c", 1 << 20);
    int empty = core.encodedSize(new GossipMessage.Gossip("j1", SELF, List.of()));
    StringBuilder report = new StringBuilder();
    for (String name : List.of("a12", "web-server-0042.eu-west-1.internal")) {
      for (NodeStatus s :
          List.of(NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT)) {
        Map<String, String> tags =
            s == NodeStatus.ONLINE
                ? Map.of("role", "agent", "dc", "eu-west-1", "v", "1.2.3")
                : Map.of();
        String from = s == NodeStatus.LEFT || s == NodeStatus.ONLINE ? name : "accuser-7";
        MemberUpdate u = new MemberUpdate(name, A2, s, 60_975_576L, tags, 0, 0, from);
        int coreSize = core.encodedSize(new GossipMessage.Gossip("j1", SELF, List.of(u))) - empty;
        int wire = io.libgossip.memberlist.WireCodec.messageSize(t.claim(u)) + 2;
        report.append(
            String.format("%s %s core=%d memberlist=%d%n", name.length(), s, coreSize, wire));
        // A claim's msgpack form is larger, but by less than a fixed 2x + 64 bytes.
        assertThat(wire).isLessThan(2 * coreSize + 64);
      }
    }
    org.slf4j.LoggerFactory.getLogger(MemberlistTranslatorTest.class)
        .info("claim sizes\n{}", report);
  }

  @Test
  void userMessagesGoToTheDelegateSink() {
    in(new MemberlistMessage.User(WireBytes.of(new byte[] {1, 2, 3})));
    assertThat(user).singleElement().isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void malformedMessagesNeverThrow() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      byte[] addr = new byte[r.nextInt(20)];
      r.nextBytes(addr);
      String name =
          r.nextInt(4) == 0 ? "" : r.nextInt(4) == 0 ? "bad\u0000name" : "n" + r.nextInt(5);
      MemberlistMessage m =
          switch (r.nextInt(8)) {
            case 0 ->
                new MemberlistMessage.Ping(
                    r.nextLong(), name, WireBytes.of(addr), r.nextInt(70000), name);
            case 1 ->
                new MemberlistMessage.IndirectPing(
                    r.nextLong(),
                    WireBytes.of(addr),
                    r.nextInt(70000),
                    name,
                    r.nextBoolean(),
                    WireBytes.of(addr),
                    r.nextInt(),
                    name);
            case 2 ->
                new MemberlistMessage.Alive(
                    r.nextLong(),
                    name,
                    WireBytes.of(addr),
                    r.nextInt(70000),
                    WireBytes.of(addr),
                    OLD);
            case 3 -> new MemberlistMessage.Suspect(r.nextLong(), name, name);
            case 4 -> new MemberlistMessage.Dead(r.nextLong(), name, "");
            case 5 -> new MemberlistMessage.Ack(r.nextLong(), WireBytes.EMPTY);
            case 6 -> new MemberlistMessage.Nack(r.nextLong());
            default -> new MemberlistMessage.Err("x");
          };
      t.inbound(List.of(m), A1_SOCKET, b -> {});
      var pp =
          new MemberlistMessage.PushPull(
              r.nextBoolean(),
              List.of(
                  new MemberlistMessage.PushNodeState(
                      name,
                      WireBytes.of(addr),
                      r.nextInt(70000),
                      WireBytes.of(addr),
                      r.nextLong(),
                      NodeState.values()[r.nextInt(4)],
                      OLD)),
              WireBytes.EMPTY);
      t.pushPull(pp, A1, r.nextBoolean());
    }
    assertThat(drops).isNotEmpty();
  }
}
