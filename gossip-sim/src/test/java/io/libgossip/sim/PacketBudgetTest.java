package io.libgossip.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import io.libgossip.testkit.CoreFixture;
import io.libgossip.testkit.RecordingOutbox.Sent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulator counts a message's bytes with {@link Serializers#binary}; the core packs its
 * best-effort packets against its own budget. With many pending claims carrying metadata, every
 * best-effort packet a core sends must still fit the datagram size as the simulator measures it,
 * less the per-packet overhead the runtime reserved through the builder.
 */
class PacketBudgetTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 64})
  void everyBestEffortPacketFitsTheDatagramAsTheSimulatorSizesIt(int overhead) {
    GossipConfig config = GossipConfig.lan();
    CoreFixture f = CoreFixture.create(config, 3, b -> b.packetOverhead(overhead));
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      peers.add("peer-" + i);
    }
    f.addPeers(peers.toArray(String[]::new));
    for (int i = 0; i < 200; i += 2) {
      String id = peers.get(i);
      f.gossip(id, CoreFixture.online(id, 1, Map.of("role", "worker", "zone", "zone-" + i), 1));
    }
    f.advance(Duration.ofSeconds(10));

    MessageSerializer sizer = Serializers.binary(config);
    int limit = config.maxPacketSize() - overhead;
    List<Sent> bestEffort = f.outbox().where(s -> s.delivery() == Delivery.BEST_EFFORT);
    assertThat(bestEffort).hasSizeGreaterThan(50);
    assertThat(bestEffort)
        .allSatisfy(
            s -> assertThat(sizer.encodedSize(s.message())).as("%s", s).isLessThanOrEqualTo(limit));
    assertThat(bestEffort)
        .as("packing fills packets: some come close to the limit")
        .anySatisfy(s -> assertThat(sizer.encodedSize(s.message())).isGreaterThan(limit * 3 / 4));
  }
}
