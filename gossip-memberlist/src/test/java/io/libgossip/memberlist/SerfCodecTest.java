package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SerfCodecTest {
  @Test
  void sentMessagesRoundTrip() throws Exception {
    for (SerfMessage m :
        List.of(
            new SerfMessage.Join(7, "n1"),
            new SerfMessage.Leave(Long.MAX_VALUE, "n2", true),
            new SerfMessage.UserEvent(3, "deploy", WireBytes.utf8("v42"), true),
            new SerfMessage.QueryResponse(9, 0xffffffffL, "n1", 1, WireBytes.EMPTY))) {
      assertThat(SerfCodec.decode(SerfCodec.encode(m))).isEqualTo(m);
    }
  }

  @Test
  void everyMessageTypeRoundTrips() throws Exception {
    SerfMessage query =
        new SerfMessage.Query(
            12,
            0x7fffffffL,
            Samples.IP,
            7946,
            "s1",
            List.of(
                SerfCodec.encodeFilter(new SerfMessage.NodeFilter(List.of("a", "b"))),
                SerfCodec.encodeFilter(new SerfMessage.TagFilter("role", "^web$"))),
            3,
            2,
            3_200_000_000L,
            "uptime",
            WireBytes.utf8("p"));
    for (SerfMessage m :
        List.of(
            query,
            new SerfMessage.PushPull(
                10,
                Map.of("s1", 4L, "s2", 0L),
                List.of("gone"),
                3,
                List.of(
                    new SerfMessage.UserEvents(2, List.of(Map.entry("e", WireBytes.utf8("x"))))),
                1),
            new SerfMessage.PushPull(1, Map.of(), List.of(), 1, List.of(), 1),
            new SerfMessage.KeyRequest(WireBytes.of(new byte[16])),
            new SerfMessage.KeyResponse(true, "m", List.of("a2V5", "b2V5"), "a2V5"),
            new SerfMessage.KeyResponse(false, "no keyring", List.of(), ""),
            new SerfMessage.ConflictResponse("s1", Samples.IP, 7946, Map.of("role", "web")),
            new SerfMessage.Relay(
                Samples.IP,
                8000,
                "s9",
                new SerfMessage.QueryResponse(1, 2, "n", 1, WireBytes.EMPTY)))) {
      assertThat(SerfCodec.decode(SerfCodec.encode(m))).isEqualTo(m);
    }
    SerfMessage.Query q = (SerfMessage.Query) query;
    assertThat(SerfCodec.decodeFilter(q.filters().get(0)))
        .isEqualTo(new SerfMessage.NodeFilter(List.of("a", "b")));
    assertThat(SerfCodec.decodeFilter(q.filters().get(1)))
        .isEqualTo(new SerfMessage.TagFilter("role", "^web$"));
    // Serf's own bytes for filterNode{"n1"}: type 0, then a msgpack array of one raw string.
    assertThat(
            SerfCodec.decodeFilter(
                WireBytes.of(new byte[] {0, (byte) 0x91, (byte) 0xa2, 'n', '1'})))
        .isEqualTo(new SerfMessage.NodeFilter(List.of("n1")));
    assertThatThrownBy(() -> SerfCodec.decodeFilter(WireBytes.of(new byte[] {7, (byte) 0xc0})))
        .isInstanceOf(MemberlistDecodeException.class);
    assertThatThrownBy(() -> SerfCodec.decodeFilter(WireBytes.EMPTY))
        .isInstanceOf(MemberlistDecodeException.class);
    assertThat(SerfCodec.encodeUnknownConflictMember().toByteArray())
        .containsExactly(6, (byte) 0xc0);
  }

  @Test
  void queryDecodesEveryField() throws Exception {
    byte[] filter = {0, (byte) 0x91, (byte) 0xa2, 'n', '1'};
    Msgpack.Writer w = new Msgpack.Writer().raw(4).mapHeader(11);
    w.key("LTime").integer(5).key("ID").integer(99).key("Addr").bytes(new byte[] {127, 0, 0, 1});
    w.key("Port").integer(7946).key("SourceNode").str("s1");
    w.key("Filters").arrayHeader(1).bytes(filter);
    w.key("Flags").integer(1).key("RelayFactor").integer(2).key("Timeout").integer(5_000_000_000L);
    w.key("Name").str("uptime").key("Payload").bytes(new byte[] {1, 2});
    SerfMessage m = SerfCodec.decode(WireBytes.of(w.toByteArray()));
    assertThat(m)
        .isEqualTo(
            new SerfMessage.Query(
                5,
                99,
                Samples.IP,
                7946,
                "s1",
                List.of(WireBytes.of(filter)),
                1,
                2,
                5_000_000_000L,
                "uptime",
                WireBytes.of(new byte[] {1, 2})));
  }

  @Test
  void pushPullAndRelayDecode() throws Exception {
    Msgpack.Writer w = new Msgpack.Writer().raw(2).mapHeader(6);
    w.key("LTime").integer(10).key("StatusLTimes").mapHeader(1).str("s1").integer(4);
    w.key("LeftMembers").arrayHeader(1).str("gone").key("EventLTime").integer(3);
    w.key("Events").arrayHeader(2).nil().mapHeader(2).key("LTime").integer(2);
    w.key("Events")
        .arrayHeader(1)
        .mapHeader(2)
        .key("Name")
        .str("e")
        .key("Payload")
        .bytes(new byte[0]);
    w.key("QueryLTime").integer(1);
    SerfMessage pp = SerfCodec.decode(WireBytes.of(w.toByteArray()));
    assertThat(pp)
        .isEqualTo(
            new SerfMessage.PushPull(
                10,
                Map.of("s1", 4L),
                List.of("gone"),
                3,
                List.of(new SerfMessage.UserEvents(2, List.of(Map.entry("e", WireBytes.EMPTY)))),
                1));

    Msgpack.Writer r = new Msgpack.Writer().raw(9).mapHeader(2).key("DestAddr").mapHeader(3);
    r.key("IP").bytes(new byte[] {127, 0, 0, 1}).key("Port").integer(8000).key("Zone").str("");
    r.key("DestName").str("s9");
    r.raw(SerfCodec.encode(new SerfMessage.Join(1, "x")).toByteArray());
    assertThat(SerfCodec.decode(WireBytes.of(r.toByteArray())))
        .isEqualTo(new SerfMessage.Relay(Samples.IP, 8000, "s9", new SerfMessage.Join(1, "x")));
  }

  @Test
  void keyAndConflictMessagesDecode() throws Exception {
    Msgpack.Writer k = new Msgpack.Writer().raw(7).mapHeader(1).key("Key").bytes(new byte[16]);
    assertThat(SerfCodec.decode(WireBytes.of(k.toByteArray())))
        .isEqualTo(new SerfMessage.KeyRequest(WireBytes.of(new byte[16])));
    Msgpack.Writer kr = new Msgpack.Writer().raw(8).mapHeader(3).key("Result").bool(true);
    kr.key("Message").str("").key("Keys").arrayHeader(1).str("a2V5");
    assertThat(SerfCodec.decode(WireBytes.of(kr.toByteArray())))
        .isEqualTo(new SerfMessage.KeyResponse(true, "", List.of("a2V5"), ""));
    Msgpack.Writer c = new Msgpack.Writer().raw(6).mapHeader(4).key("Name").str("s1");
    c.key("Addr").bytes(new byte[] {127, 0, 0, 1}).key("Port").integer(1);
    c.key("Tags").mapHeader(1).str("role").str("web");
    assertThat(SerfCodec.decode(WireBytes.of(c.toByteArray())))
        .isEqualTo(new SerfMessage.ConflictResponse("s1", Samples.IP, 1, Map.of("role", "web")));
  }

  @Test
  void unknownTypeIsRefused() {
    assertThatThrownBy(() -> SerfCodec.decode(WireBytes.of(new byte[] {42, (byte) 0x80})))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("42");
  }

  @Test
  void tagsRoundTripAndLegacyMetaIsTheRole() throws Exception {
    Map<String, String> tags = Map.of("role", "web", "dc", "eu-1", "empty", "");
    WireBytes meta = SerfTags.encode(tags);
    assertThat(meta.toByteArray()[0]).isEqualTo((byte) 0xff);
    assertThat(SerfTags.decode(meta)).isEqualTo(tags);
    assertThat(SerfTags.decode(WireBytes.utf8("db"))).isEqualTo(Map.of("role", "db"));
    assertThat(SerfTags.decode(WireBytes.EMPTY)).isEqualTo(Map.of("role", ""));
    assertThatThrownBy(() -> SerfTags.encode(Map.of("big", "x".repeat(600))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
