package io.libgossip.memberlist;

import io.libgossip.memberlist.MemberlistMessage.Ack;
import io.libgossip.memberlist.MemberlistMessage.Alive;
import io.libgossip.memberlist.MemberlistMessage.Dead;
import io.libgossip.memberlist.MemberlistMessage.IndirectPing;
import io.libgossip.memberlist.MemberlistMessage.Nack;
import io.libgossip.memberlist.MemberlistMessage.NodeState;
import io.libgossip.memberlist.MemberlistMessage.Ping;
import io.libgossip.memberlist.MemberlistMessage.PushNodeState;
import io.libgossip.memberlist.MemberlistMessage.PushPull;
import io.libgossip.memberlist.MemberlistMessage.Suspect;
import io.libgossip.memberlist.MemberlistMessage.User;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import java.util.List;
import java.util.Map;

/** Sample messages shared by the tests. */
final class Samples {
  static final WireBytes IP = WireBytes.of(new byte[] {127, 0, 0, 1});
  static final WireBytes IP6 = WireBytes.of(new byte[16]);

  private Samples() {}

  static List<MemberlistMessage> packetMessages() {
    return List.of(
        new Ping(1, "s1", WireBytes.EMPTY, 0, ""),
        new Ping(0xffffffffL, "node-a", IP, 7946, "node-b"),
        new IndirectPing(77, IP6, 65535, "target", true, IP, 7000, "me"),
        new IndirectPing(0, IP, 1, "", false, WireBytes.EMPTY, 0, ""),
        new Ack(5, WireBytes.EMPTY),
        new Ack(300_000, WireBytes.utf8("x".repeat(300))),
        new Nack(70_000),
        new Suspect(3, "s2", "s1"),
        new Alive(9, "s1", IP, 7946, SerfTags.encode(Map.of("role", "web")), Versions.SERF_DEFAULT),
        new Dead(4, "s3", "s3"),
        new User(WireBytes.utf8("\u0003serf-bytes")));
  }

  static PushPull pushPull() {
    return new PushPull(
        true,
        List.of(
            new PushNodeState(
                "a",
                IP,
                7946,
                SerfTags.encode(Map.of("k", "v")),
                1,
                NodeState.ALIVE,
                Versions.SERF_DEFAULT),
            new PushNodeState(
                "b",
                IP6,
                1,
                WireBytes.EMPTY,
                0xffffffffL,
                NodeState.LEFT,
                new Versions(1, 5, 5, 2, 5, 5))),
        WireBytes.utf8("user state"));
  }
}
