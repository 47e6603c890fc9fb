package io.libgossip.json;

import static io.libgossip.testkit.CoreFixture.SELF;
import static io.libgossip.testkit.CoreFixture.addr;
import static io.libgossip.testkit.CoreFixture.online;
import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipMessage;
import io.libgossip.testkit.CoreFixture;
import io.libgossip.testkit.RecordingOutbox.Sent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every message a real core sends, through a join, probes, a suspicion, relayed probes, metadata
 * and a leave, survives the JSON serializer (gossip-net's CoreTrafficCodecTest does the same for
 * the binary one).
 */
class JsonCoreTrafficTest {

  /** A core's traffic through a short but complete life, recorded by the testkit. */
  private static List<Sent> traffic() {
    CoreFixture f = CoreFixture.create(GossipConfig.lan(), 42);
    f.core().join(List.of(addr("seed")), f.now());
    f.addPeers("a", "b", "c", "d");
    f.gossip("b", online("b", 3, Map.of("role", "db", "region", "eu-west"), 2));
    f.silence("c");
    // Asked by "a" to probe "d" (which answers) and "c" (which does not): an ack and a nack.
    f.receive(new GossipMessage.PingReq("a", addr("a"), 7, "d", addr("d"), List.of()));
    f.receive(new GossipMessage.PingReq("a", addr("a"), 8, "c", addr("c"), List.of()));
    f.receive(new GossipMessage.Ping("b", addr("b"), 9, SELF, List.of()));
    f.core().updateMetadata(Map.of("role", "api"), f.now());
    f.advance(Duration.ofSeconds(40));
    f.core().leave(f.now());
    f.advance(Duration.ofSeconds(5));
    return f.outbox().all();
  }

  @Test
  void everyMessageACoreSendsRoundTrips() throws DecodeException {
    JsonSerializer serializer = JsonSerializer.forConfig(GossipConfig.lan());
    Set<Class<?>> types = new HashSet<>();
    for (Sent s : traffic()) {
      GossipMessage m = s.message();
      byte[] bytes = serializer.encode(m);
      assertThat(serializer.encodedSize(m)).as("%s", m).isEqualTo(bytes.length);
      assertThat(serializer.decode(bytes)).as("%s", m).isEqualTo(m);
      types.add(m.getClass());
    }
    assertThat(types)
        .as("the recorded life exercises every message type")
        .contains(
            GossipMessage.Ping.class,
            GossipMessage.Ack.class,
            GossipMessage.PingReq.class,
            GossipMessage.Nack.class,
            GossipMessage.Gossip.class,
            GossipMessage.PushPull.class);
  }
}
