package io.libgossip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchFixturesTest {

  @ParameterizedTest
  @CsvSource({"binary,ping8", "binary,pushPull1000", "json,ping8", "json,pushPull1000"})
  void serializerFixtureRoundTrips(String format, String message) throws Exception {
    SerializerBenchmark b = new SerializerBenchmark();
    b.format = format;
    b.message = message;
    b.setUp();

    assertThat(b.decode()).isEqualTo(b.msg);
    assertThat(b.encodeInto()).isEqualTo(b.encoded.length);
    assertThat(b.encode()).isEqualTo(b.encoded);
  }

  @Test
  void typicalPingCarriesEightUpdatesAndBinaryIsSmaller() {
    GossipMessage ping = Fixtures.typicalPing();
    assertThat(ping.updates()).hasSize(8);
    MessageSerializer binary = SerializerBenchmark.serializer("binary");
    MessageSerializer json = SerializerBenchmark.serializer("json");
    assertThat(binary.encode(ping).length).isLessThan(json.encode(ping).length);
  }

  @Test
  void inboundCoreKnowsEveryMemberAndHandlesTheStream() {
    CoreBenchmark.Inbound s = new CoreBenchmark.Inbound();
    s.members = 1000;
    s.setUp();
    assertThat(s.core.size()).isGreaterThanOrEqualTo(1000);
    assertThat(s.core.liveCount()).isGreaterThanOrEqualTo(1000);

    CoreBenchmark bench = new CoreBenchmark();
    for (int k = 0; k < 3 * CoreBenchmark.RING; k++) {
      bench.handleMessage(s);
    }
    assertThat(s.core.stats().messagesReceived()).isGreaterThan(3 * CoreBenchmark.RING);
    assertThat(s.core.statusOf(Fixtures.memberId(999))).isEqualTo(NodeStatus.ONLINE);
  }

  @Test
  void tickingCoreStaysHealthyWhenProbesAreAnswered() {
    CoreBenchmark.Ticking s = new CoreBenchmark.Ticking();
    s.members = 10_000;
    s.setUp();
    CoreBenchmark bench = new CoreBenchmark();
    org.openjdk.jmh.infra.Blackhole bh =
        new org.openjdk.jmh.infra.Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    for (int k = 0; k < 500; k++) { // 100 s of virtual time
      bench.tick(s, bh);
    }
    assertThat(s.core.liveCount()).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  void memberIndexParsesFixtureIds() {
    assertThat(CoreBenchmark.memberIndex(Fixtures.memberId(42))).isEqualTo(42);
    assertThat(CoreBenchmark.memberIndex(Fixtures.memberId(9999))).isEqualTo(9999);
  }
}
