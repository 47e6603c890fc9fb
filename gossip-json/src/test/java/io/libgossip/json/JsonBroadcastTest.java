package io.libgossip.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.libgossip.core.BroadcastItem;
import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** User broadcasts and broadcast pulls in JSON. */
class JsonBroadcastTest {
  private final JsonSerializer json = new JsonSerializer("test", 1 << 20);
  private static final NodeAddress A = new NodeAddress("10.0.0.1", 7946);
  private static final BroadcastItem INLINE =
      new BroadcastItem("a", 17, 1, "config", null, 3, new byte[] {1, 2, 3});
  private static final BroadcastItem ANNOUNCED =
      new BroadcastItem("c", 42, 7, "blob", "clé", 1 << 20, new byte[0]);

  static List<GossipMessage> examples() {
    List<BroadcastItem> items = List.of(INLINE, ANNOUNCED);
    return List.of(
        new GossipMessage.Ping("a", A, 1, "b", List.of(), items),
        new GossipMessage.Ack("a", A, 2, List.of(), List.of(INLINE)),
        new GossipMessage.PingReq("a", A, 3, "c", A, List.of(), items),
        new GossipMessage.Nack("a", A, 4, List.of(), items),
        new GossipMessage.Gossip("a", A, List.of(), items),
        new GossipMessage.BroadcastPull("a", A, false, false, "c", 42, 7, new byte[0], List.of()),
        new GossipMessage.BroadcastPull("b", A, true, false, "c", 42, 7, new byte[] {9}, List.of()),
        new GossipMessage.BroadcastPull("b", A, true, true, "c", 42, 7, new byte[0], List.of()));
  }

  @Test
  void everyExampleRoundTrips() throws DecodeException {
    for (GossipMessage m : examples()) {
      byte[] bytes = json.encode(m);
      assertThat(json.encodedSize(m)).isEqualTo(bytes.length);
      assertThat(json.decode(bytes)).as("%s", m).isEqualTo(m);
    }
  }

  @Test
  void messagesWithoutBroadcastsHaveNoBroadcastField() {
    String text =
        new String(
            json.encode(new GossipMessage.Gossip("a", A, List.of())), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("broadcasts");
  }

  private DropReason reasonFor(String text) {
    DecodeException e =
        catchThrowableOfType(
            DecodeException.class, () -> json.decode(text.getBytes(StandardCharsets.UTF_8)));
    assertThat(e).as("must not decode: %s", text).isNotNull();
    return e.reason();
  }

  @Test
  void malformedBroadcastsAreDrops() {
    String ok = new String(json.encode(examples().get(4)), StandardCharsets.UTF_8);
    assertThat(ok).contains("\"payload\":\"AQID\"", "\"seq\":1");
    assertThat(reasonFor(ok.replace("\"payload\":\"AQID\"", "\"payload\":\"!!\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"payload\":\"AQID\"", "\"payload\":\"AQ\"")))
        .isEqualTo(DropReason.MALFORMED); // 1 byte, size 3
    assertThat(reasonFor(ok.replace("\"seq\":1,\"topic\"", "\"seq\":0,\"topic\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replace("\"topic\":\"config\"", "\"topic\":\"\"")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replaceFirst("\"broadcasts\":\\[.*\\]", "\"broadcasts\":[]")))
        .isEqualTo(DropReason.MALFORMED);
    assertThat(reasonFor(ok.replaceFirst("\"broadcasts\":\\[.*\\]", "\"broadcasts\":[1]")))
        .isEqualTo(DropReason.MALFORMED);
    String pp =
        new String(
            json.encode(new GossipMessage.PushPull("a", A, false, false, List.of())),
            StandardCharsets.UTF_8);
    assertThat(reasonFor(pp.replace("\"updates\":[]", "\"updates\":[],\"broadcasts\":[{}]")))
        .isEqualTo(DropReason.MALFORMED);
  }

  @Test
  void mutatedBroadcastsNeverEscapeAsAnythingButDecodeException() {
    SplittableRandom r = new SplittableRandom(14);
    for (int i = 0; i < 5000; i++) {
      byte[] bytes = json.encode(examples().get(r.nextInt(examples().size())));
      bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(128);
      try {
        GossipMessage m = json.decode(bytes);
        assertThat(json.decode(json.encode(m))).isEqualTo(m);
      } catch (DecodeException e) {
        assertThat(e.reason()).isNotNull();
      }
    }
  }
}
