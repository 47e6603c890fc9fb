package io.libgossip.json;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sample messages of every type (a copy of gossip-net's test fixture of the same name). */
final class TestMessages {
  private TestMessages() {}

  static final NodeAddress A = new NodeAddress("127.0.0.1", 7946);
  static final NodeAddress B = new NodeAddress("::1", 7947);

  static MemberUpdate update(int i, NodeStatus status) {
    return new MemberUpdate(
        "node-" + i,
        new NodeAddress("10.0." + (i / 250) + "." + (i % 250), 7000 + i % 1000),
        status,
        i % 7,
        status == NodeStatus.ONLINE ? Map.of("role", "web", "region", "eu-" + i % 3) : Map.of(),
        i % 5,
        i % 2,
        "node-" + (i + 1));
  }

  static List<MemberUpdate> updates(int n) {
    NodeStatus[] statuses = {
      NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
    };
    List<MemberUpdate> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(update(i, statuses[i % statuses.length]));
    }
    return out;
  }

  static List<GossipMessage> everyType() {
    List<MemberUpdate> u = updates(5);
    MemberUpdate unicode =
        new MemberUpdate(
            "nœud-é-日本",
            B,
            NodeStatus.ONLINE,
            MemberUpdate.MAX_INCARNATION,
            Map.of("clé", "välue \"quoted\" \\ \n", "empty", ""),
            Long.MAX_VALUE,
            3,
            "nœud-é-日本");
    return List.of(
        new GossipMessage.Ping("a", A, 1, "b", u),
        new GossipMessage.Ping("a", A, -1L, "b", List.of()),
        new GossipMessage.Ack("b", B, Long.MAX_VALUE, List.of(unicode)),
        new GossipMessage.PingReq("a", A, 7, "c", new NodeAddress("host.example", 1), u),
        new GossipMessage.Nack("c", A, 0, List.of()),
        new GossipMessage.Gossip("a", A, u),
        new GossipMessage.PushPull("a", A, true, false, u),
        new GossipMessage.PushPull("b", B, false, true, List.of(unicode)),
        new GossipMessage.PushPull(
            "b", B, false, true, List.of(unicode), Map.of(), new byte[] {0, -1, 42}),
        new io.libgossip.core.UserMessage(
            "a",
            A,
            7,
            io.libgossip.core.UserMessage.Kind.REQUEST,
            true,
            "clé/7",
            new byte[] {1, 2, 3},
            u),
        new io.libgossip.core.UserMessage(
            "b", B, 7, io.libgossip.core.UserMessage.Kind.RECEIPT, false, "", new byte[0]),
        new io.libgossip.core.QueryMessage(
            "a",
            A,
            Long.MAX_VALUE,
            "who-has-7",
            true,
            5000,
            new java.util.TreeMap<>(Map.of("role", "web|db", "zone", "eu-.*")),
            new byte[] {9},
            List.of()),
        new io.libgossip.core.QueryReplyMessage("b", B, 1, false, new byte[64], List.of(unicode)));
  }

  static GossipMessage.PushPull bigPushPull(int updates) {
    return new GossipMessage.PushPull("big", A, false, false, updates(updates));
  }

  static GossipMessage.Ping ping(long seq) {
    return new GossipMessage.Ping("a", A, seq, "b", List.of());
  }
}
