package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.DecodeException;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./gossip node}'s event lines: nothing another node chooses can end a line or start a
 * forged one. The events here are built directly, bypassing the decoder, which would refuse such
 * ids in the first place.
 */
class NodeMainOutputTest {
  private static final String FORGED_ID =
      "evil\n12:00:00.000 FAILED           n2 10.0.0.2:7946 FAILED";
  private static final NodeAddress ADDRESS = new NodeAddress("127.0.0.1", 7946);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final NodeMain main =
      new NodeMain(
          new PrintStream(bytes, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

  private static NodeView view(String id, Map<String, String> metadata) {
    return new NodeView(id, ADDRESS, NodeStatus.ONLINE, 1, metadata, 0, 0, 0, 0);
  }

  /** The printed text split at every character a terminal or log reader takes as a line end. */
  private List<String> lines() {
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).endsWith(System.lineSeparator());
    String body = out.substring(0, out.length() - System.lineSeparator().length());
    return List.of(body.split("\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029]", -1));
  }

  @Test
  void anIdWithANewlineCannotForgeAFailedLine() {
    main.onEvent(new ClusterEvent.MemberJoined(view(FORGED_ID, Map.of())));

    List<String> lines = lines();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("JOINED").contains("evil\\n12:00:00.000 FAILED");
  }

  @Test
  void metadataAndAccusersAreEscapedToo() {
    main.onEvent(
        new ClusterEvent.MemberJoined(
            view(
                "n1",
                Map.of("role\u2028", "web\r\n12:00:00.000 SUMMARY n1", "zone", "a\u202eb\u0085"))));
    main.onEvent(
        new ClusterEvent.MemberFailed(view("n\u2029x", Map.of()), NodeStatus.SUSPECT, "a\nb"));
    main.onEvent(
        new ClusterEvent.MemberConflict(
            view("n3", Map.of()), new NodeAddress("10.0.0.9", 1), 5, "by\r\nSUMMARY", false));

    List<String> lines = lines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .contains("role\\u2028=web\\r\\n12:00:00.000 SUMMARY n1")
        .contains("zone=a\\u202eb\\u0085");
    assertThat(lines.get(1)).contains("n\\u2029x");
    assertThat(lines.get(2)).contains("by=by\\r\\nSUMMARY");
  }

  @Test
  void suchAnIdCannotArriveFromTheWire() {
    // The same id, in a message a forger builds byte by byte: the decoder refuses it.
    byte[] good =
        new BinarySerializer("default", 65536)
            .encode(new GossipMessage.Gossip("evilXn", ADDRESS, List.of()));
    String text = new String(good, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("evilXn");
    good[at + 4] = '\n';

    assertThatThrownBy(() -> new BinarySerializer("default", 65536).decode(good, 0, good.length))
        .isInstanceOfSatisfying(
            DecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(DropReason.MALFORMED);
              assertThat(e.getMessage()).doesNotContain("\n").contains("evil\\n");
            });
  }
}
