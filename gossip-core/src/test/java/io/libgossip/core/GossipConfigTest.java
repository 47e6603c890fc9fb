package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GossipConfigTest {

  private static Arguments bad(String field, String value, Consumer<GossipConfig.Builder> change) {
    return Arguments.of(field, value, change);
  }

  static Stream<Arguments> invalidFields() {
    return Stream.of(
        bad("clusterName", "''", b -> b.clusterName("")),
        bad("clusterName", "null", b -> b.clusterName(null)),
        bad("clusterName", "'xxx", b -> b.clusterName("x".repeat(256))),
        bad("probeInterval", "PT0S", b -> b.probeInterval(Duration.ZERO)),
        bad("probeInterval", "PT-1S", b -> b.probeInterval(Duration.ofSeconds(-1))),
        bad("probeInterval", "null", b -> b.probeInterval(null)),
        bad("probeInterval", "PT8784H", b -> b.probeInterval(Duration.ofDays(366))),
        bad("probeTimeout", "PT0S", b -> b.probeTimeout(Duration.ZERO)),
        bad("probeTimeout", "1000 ms", b -> b.probeTimeout(Duration.ofSeconds(1))),
        bad("indirectChecks", "-1", b -> b.indirectChecks(-1)),
        bad("indirectChecks", "17", b -> b.indirectChecks(17)),
        bad("confirmationChecks", "-1", b -> b.confirmationChecks(-1)),
        bad("confirmationChecks", "17", b -> b.confirmationChecks(17)),
        bad("suspicionMult", "0", b -> b.suspicionMult(0)),
        bad("suspicionMult", "101", b -> b.suspicionMult(101)),
        bad("suspicionMaxTimeoutMult", "0", b -> b.suspicionMaxTimeoutMult(0)),
        bad("awarenessMaxMultiplier", "0", b -> b.awarenessMaxMultiplier(0)),
        bad("retransmitMult", "0", b -> b.retransmitMult(0)),
        bad("gossipInterval", "PT0S", b -> b.gossipInterval(Duration.ZERO)),
        bad("gossipNodes", "0", b -> b.gossipNodes(0)),
        bad("gossipNodes", "65", b -> b.gossipNodes(65)),
        bad("gossipToTheDeadTime", "PT-1S", b -> b.gossipToTheDeadTime(Duration.ofSeconds(-1))),
        bad("gossipToTheDeadTime", "null", b -> b.gossipToTheDeadTime(null)),
        bad("pushPullInterval", "PT0S", b -> b.pushPullInterval(Duration.ZERO)),
        bad("reconnectInterval", "PT0S", b -> b.reconnectInterval(Duration.ZERO)),
        bad("tombstoneTimeout", "PT0S", b -> b.tombstoneTimeout(Duration.ZERO)),
        bad("maxPacketSize", "511", b -> b.maxPacketSize(511)),
        bad("maxPacketSize", "65508", b -> b.maxPacketSize(65508)),
        bad("maxMessageSize", "1399", b -> b.maxMessageSize(1399)),
        bad("maxMetadataBytes", "-1", b -> b.maxMetadataBytes(-1)),
        bad("maxMetadataBytes", "701", b -> b.maxMetadataBytes(701)),
        bad("maxQueuedUpdates", "15", b -> b.maxQueuedUpdates(15)));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("invalidFields")
  void invalidFieldIsRejectedAtBuildNamingTheFieldAndValue(
      String field, String value, Consumer<GossipConfig.Builder> change) {
    GossipConfig.Builder b = GossipConfig.builder();
    change.accept(b);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(field)
        .hasMessageContaining(value);
  }

  @Test
  void boundaryValuesAreAccepted() {
    GossipConfig c =
        GossipConfig.builder()
            .indirectChecks(0)
            .confirmationChecks(0)
            .gossipToTheDeadTime(Duration.ZERO)
            .maxPacketSize(512)
            .maxMetadataBytes(256)
            .maxMessageSize(512)
            .maxQueuedUpdates(16)
            .gossipNodes(64)
            .probeTimeout(Duration.ofMillis(999))
            .build();

    assertThat(c.indirectChecks()).isZero();
    assertThat(c.confirmationChecks()).isZero();
    assertThat(c.maxPacketSize()).isEqualTo(512);
    assertThat(c.maxMetadataBytes()).isEqualTo(256);
  }

  @Test
  void lanProfileHasTheDocumentedValues() {
    GossipConfig c = GossipConfig.lan();

    assertThat(c.clusterName()).isEqualTo("default");
    assertThat(c.probeInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.indirectChecks()).isEqualTo(3);
    assertThat(c.confirmationChecks()).isEqualTo(3);
    assertThat(c.suspicionMult()).isEqualTo(4);
    assertThat(c.suspicionMaxTimeoutMult()).isEqualTo(6);
    assertThat(c.awarenessMaxMultiplier()).isEqualTo(8);
    assertThat(c.retransmitMult()).isEqualTo(4);
    assertThat(c.gossipInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.gossipNodes()).isEqualTo(3);
    assertThat(c.gossipToTheDeadTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.pushPullInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.reconnectInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.tombstoneTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.maxPacketSize()).isEqualTo(1400);
    assertThat(c.maxMessageSize()).isEqualTo(16 * 1024 * 1024);
    assertThat(c.maxMetadataBytes()).isEqualTo(512);
    assertThat(c.maxQueuedUpdates()).isEqualTo(65536);
  }

  @Test
  void wanProfileHasTheDocumentedValues() {
    GossipConfig c = GossipConfig.wan();

    assertThat(c.probeInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.probeTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.suspicionMult()).isEqualTo(6);
    assertThat(c.gossipInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.gossipNodes()).isEqualTo(4);
    assertThat(c.gossipToTheDeadTime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.pushPullInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.reconnectInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.indirectChecks()).isEqualTo(3);
    assertThat(c.retransmitMult()).isEqualTo(4);
  }

  @Test
  void localProfileHasTheDocumentedValues() {
    GossipConfig c = GossipConfig.local();

    assertThat(c.probeInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.indirectChecks()).isEqualTo(1);
    assertThat(c.suspicionMult()).isEqualTo(3);
    assertThat(c.retransmitMult()).isEqualTo(4);
    assertThat(c.gossipInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.gossipToTheDeadTime()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.pushPullInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.reconnectInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.tombstoneTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lan", "wan", "local"})
  void profileByNameMatchesTheFactory(String name) {
    GossipConfig byName = GossipConfig.profile(name);
    GossipConfig direct =
        switch (name) {
          case "lan" -> GossipConfig.lan();
          case "wan" -> GossipConfig.wan();
          default -> GossipConfig.local();
        };

    assertThat(byName.toString()).isEqualTo(direct.toString());
    assertThat(byName.tombstoneTimeout()).isEqualTo(direct.tombstoneTimeout());
    assertThat(byName.reconnectInterval()).isEqualTo(direct.reconnectInterval());
  }

  @Test
  void unknownProfileFailsClearly() {
    assertThatThrownBy(() -> GossipConfig.profile("bogus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bogus'")
        .hasMessageContaining("lan")
        .hasMessageContaining("wan")
        .hasMessageContaining("local");
    assertThatThrownBy(() -> GossipConfig.profile(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("name");
  }

  @Test
  void toBuilderKeepsEveryField() {
    GossipConfig a =
        GossipConfig.wan().toBuilder()
            .clusterName("prod")
            .awarenessMaxMultiplier(5)
            .suspicionMaxTimeoutMult(3)
            .tombstoneTimeout(Duration.ofMinutes(1))
            .maxPacketSize(9000)
            .maxMessageSize(1 << 20)
            .maxMetadataBytes(1000)
            .maxQueuedUpdates(100)
            .build();

    GossipConfig b = a.toBuilder().build();

    assertThat(b).usingRecursiveComparison().isEqualTo(a);
    assertThat(b.toString()).contains("prod").isEqualTo(a.toString());
  }

  @Test
  void toStringShowsConfirmationAndLifeguard() {
    GossipConfig c =
        GossipConfig.lan().toBuilder().confirmationChecks(0).lifeguard(Lifeguard.none()).build();

    assertThat(c.toString())
        .contains("confirmationChecks=0")
        .contains("lifeguard=" + Lifeguard.none());
  }

  @Test
  void lanFormulasForAHundredMembersHaveTheDocumentedValues() {
    GossipConfig c = GossipConfig.lan();

    assertThat(c.suspicionTimeoutMin(100)).isEqualTo(Duration.ofSeconds(8));
    assertThat(c.suspicionTimeoutMax(100)).isEqualTo(Duration.ofSeconds(48));
    assertThat(c.suspicionTimeout(100, 0)).isEqualTo(Duration.ofSeconds(48));
    assertThat(c.suspicionTimeout(100, 2)).isEqualTo(Duration.ofSeconds(8));
    assertThat(c.retransmitLimit(100)).isEqualTo(12);
    assertThat(c.pushPullInterval(100)).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.pushPullInterval(32)).isEqualTo(c.pushPullInterval());
  }

  @ParameterizedTest(name = "{0} members")
  @ValueSource(ints = {1, 2, 3, 7, 50, 999, 10_000, 1_000_000})
  void formulasAreTheOnesTheCoreRunsOnForEveryProfile(int n) {
    for (GossipConfig c : List.of(GossipConfig.lan(), GossipConfig.wan(), GossipConfig.local())) {
      long probe = c.probeInterval().toNanos();
      long min = ProtocolMath.suspicionMinNanos(c.suspicionMult(), n, probe);
      long max =
          ProtocolMath.suspicionMaxNanos(c.suspicionMult(), c.suspicionMaxTimeoutMult(), n, probe);
      int k = ProtocolMath.suspicionConfirmationsNeeded(c.suspicionMult(), n);

      assertThat(c.suspicionTimeoutMin(n).toNanos()).as("%s min", c).isEqualTo(min);
      assertThat(c.suspicionTimeoutMax(n).toNanos()).as("%s max", c).isEqualTo(max);
      for (int conf = 0; conf <= k + 1; conf++) {
        assertThat(c.suspicionTimeout(n, conf).toNanos())
            .as("%s after %d confirmations", c, conf)
            .isEqualTo(ProtocolMath.suspicionTimeoutNanos(min, max, k, conf));
      }
      assertThat(c.retransmitLimit(n))
          .isEqualTo(ProtocolMath.retransmitLimit(c.retransmitMult(), n));
      assertThat(c.pushPullInterval(n).toNanos())
          .isEqualTo(ProtocolMath.pushPullIntervalNanos(c.pushPullInterval().toNanos(), n));
    }
  }

  @Test
  void formulasRejectAnEmptyClusterNamingTheArgument() {
    GossipConfig c = GossipConfig.lan();

    assertThatThrownBy(() -> c.suspicionTimeoutMin(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clusterSize must be >= 1, got 0");
    assertThatThrownBy(() -> c.suspicionTimeoutMax(-3)).hasMessageContaining("got -3");
    assertThatThrownBy(() -> c.retransmitLimit(0)).hasMessageContaining("clusterSize");
    assertThatThrownBy(() -> c.pushPullInterval(0)).hasMessageContaining("clusterSize");
    assertThatThrownBy(() -> c.suspicionTimeout(10, -1))
        .hasMessage("confirmations must be >= 0, got -1");
  }
}
