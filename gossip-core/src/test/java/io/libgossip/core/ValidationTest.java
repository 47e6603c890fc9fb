package io.libgossip.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Argument checks of the value types and of the core's builder. */
class ValidationTest {
  private static final NodeAddress A = new NodeAddress("10.0.0.1", 7946);

  // ---- NodeAddress

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "10.0.0.1:7946, 10.0.0.1, 7946",
    "node-1.example.com:80, node-1.example.com, 80",
    "'  host:1  ', host, 1",
    "[::1]:7946, ::1, 7946",
    "[fe80::1%eth0]:65535, fe80::1%eth0, 65535",
    "h:0, h, 0",
  })
  void parsesHostAndPort(String text, String host, int port) {
    assertThat(NodeAddress.parse(text)).isEqualTo(new NodeAddress(host, port));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"host, host", "[::1], ::1", "::1, ::1", "2001:db8::7, 2001:db8::7"})
  void bareHostTakesTheDefaultPort(String text, String host) {
    assertThat(NodeAddress.parse(text, 7946)).isEqualTo(new NodeAddress(host, 7946));
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource({
    "host:abc, is not a number",
    "host:, is not a number",
    "host:70000, port must be in [0, 65535]",
    "host:-1, port must be in [0, 65535]",
    "host, port must be in [0, 65535]",
    "'', must not be empty",
    "'   ', must not be empty",
    "[::1, missing ']'",
    "[::1]7946, expected ':' after ']'",
    ":7946, host must not be empty",
  })
  void rejectsBadAddressesNamingTheProblem(String text, String problem) {
    assertThatThrownBy(() -> NodeAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void parseErrorsQuoteTheText() {
    assertThatThrownBy(() -> NodeAddress.parse("host:abc"))
        .hasMessageContaining("'host:abc'")
        .hasMessageContaining("'abc'");
    assertThatThrownBy(() -> NodeAddress.parse(null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "10.0.0.1, 167772161",
    "255.255.255.255, 4294967295",
    "0.0.0.0, 0",
    "010.0.0.1, -1",
    "1.2.3.4.5, -1",
    "node-1, -1",
    "::1, -1",
  })
  void knowsWhetherItsHostIsACanonicalIpv4Literal(String host, long expected) {
    NodeAddress a = new NodeAddress(host, 7946);
    assertThat(a.ipv4()).isEqualTo(expected);
    assertThat(a.ipv4()).as("asked again").isEqualTo(expected);
    assertThat(a)
        .isEqualTo(new NodeAddress(host, 7946))
        .hasSameHashCodeAs(new NodeAddress(host, 7946));
    assertThat(a).isNotEqualTo(new NodeAddress(host, 7947));
  }

  @Test
  void decodedAddressesEqualConstructedOnes() throws DecodeException {
    BinarySerializer s = new BinarySerializer("c", 1400);
    for (String host : List.of("10.1.2.3", "node-1.example.com", "2001:db8::1234:5678:9abc")) {
      NodeAddress a = new NodeAddress(host, 7946);
      GossipMessage back = s.decode(s.encode(new GossipMessage.Gossip("n", a, List.of())));
      assertThat(back.fromAddress()).isEqualTo(a);
      assertThat(back.fromAddress().ipv4()).isEqualTo(a.ipv4());
    }
  }

  @Test
  void constructorChecksHostAndPort() {
    assertThatThrownBy(() -> new NodeAddress("", 1)).hasMessageContaining("host");
    assertThatThrownBy(() -> new NodeAddress(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new NodeAddress("h".repeat(256), 1)).hasMessageContaining("255");
    assertThatThrownBy(() -> new NodeAddress("h", 65536)).hasMessageContaining("65536");
    assertThat(new NodeAddress("h".repeat(255), 65535).port()).isEqualTo(65535);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1:7946", "[::1]:7946", "[2001:db8::7]:1", "a.b:0"})
  void toStringRoundTripsThroughParse(String text) {
    NodeAddress a = NodeAddress.parse(text);

    assertThat(a.toString()).isEqualTo(text);
    assertThat(NodeAddress.parse(a.toString())).isEqualTo(a);
  }

  // ---- MemberUpdate

  private static MemberUpdate update(
      String id,
      NodeStatus status,
      long inc,
      Map<String, String> meta,
      long mv,
      long epoch,
      String from) {
    return new MemberUpdate(id, A, status, inc, meta, mv, epoch, from);
  }

  static Stream<Arguments> invalidUpdates() {
    Map<String, String> m = Map.of();
    return Stream.of(
        Arguments.of("id", (Runnable) () -> update(null, NodeStatus.ONLINE, 0, m, 0, 0, "f")),
        Arguments.of("id", (Runnable) () -> update("", NodeStatus.ONLINE, 0, m, 0, 0, "f")),
        Arguments.of(
            "id", (Runnable) () -> update("x".repeat(256), NodeStatus.ONLINE, 0, m, 0, 0, "f")),
        Arguments.of("status", (Runnable) () -> update("a", NodeStatus.UNKNOWN, 0, m, 0, 0, "f")),
        Arguments.of("status", (Runnable) () -> update("a", NodeStatus.JOINING, 0, m, 0, 0, "f")),
        Arguments.of("status", (Runnable) () -> update("a", null, 0, m, 0, 0, "f")),
        Arguments.of(
            "incarnation", (Runnable) () -> update("a", NodeStatus.ONLINE, -1, m, 0, 0, "f")),
        Arguments.of(
            "incarnation", (Runnable) () -> update("a", NodeStatus.ONLINE, 1L << 32, m, 0, 0, "f")),
        Arguments.of(
            "metadataVersion", (Runnable) () -> update("a", NodeStatus.ONLINE, 0, m, -1, 0, "f")),
        Arguments.of(
            "configEpoch", (Runnable) () -> update("a", NodeStatus.ONLINE, 0, m, 0, -1, "f")),
        Arguments.of(
            "metadata", (Runnable) () -> update("a", NodeStatus.ONLINE, 0, null, 0, 0, "f")),
        Arguments.of("from", (Runnable) () -> update("a", NodeStatus.ONLINE, 0, m, 0, 0, "")),
        Arguments.of(
            "address",
            (Runnable) () -> new MemberUpdate("a", null, NodeStatus.ONLINE, 0, m, 0, 0, "a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUpdates")
  void memberUpdateRejectsInvalidFieldsNamingThem(String field, Runnable construct) {
    assertThatThrownBy(construct::run)
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
        .hasMessageContaining(field);
  }

  @Test
  void memberUpdateAcceptsTheLimitsAndCopiesMetadata() {
    java.util.HashMap<String, String> meta = new java.util.HashMap<>(Map.of("k", "v"));
    MemberUpdate u =
        update("x".repeat(255), NodeStatus.LEFT, MemberUpdate.MAX_INCARNATION, meta, 0, 0, "f");
    meta.put("k2", "v2");

    assertThat(u.metadata()).containsOnlyKeys("k");
    assertThatThrownBy(() -> u.metadata().put("z", "z"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // ---- GossipCore.Builder

  static Stream<Arguments> incompleteBuilders() {
    return Stream.of(
        Arguments.of("id", (Consumer<GossipCore.Builder>) b -> b.id(null)),
        Arguments.of("id", (Consumer<GossipCore.Builder>) b -> b.id("")),
        Arguments.of("address", (Consumer<GossipCore.Builder>) b -> b.address(null)),
        Arguments.of("outbox", (Consumer<GossipCore.Builder>) b -> b.outbox(null)),
        Arguments.of("random", (Consumer<GossipCore.Builder>) b -> b.random(null)),
        Arguments.of("config", (Consumer<GossipCore.Builder>) b -> b.config(null)),
        Arguments.of("listener", (Consumer<GossipCore.Builder>) b -> b.listener(null)),
        Arguments.of("ticker", (Consumer<GossipCore.Builder>) b -> b.ticker(null)),
        Arguments.of("metadata", (Consumer<GossipCore.Builder>) b -> b.metadata(null)),
        Arguments.of("incarnation", (Consumer<GossipCore.Builder>) b -> b.incarnation(-1)),
        Arguments.of("incarnation", (Consumer<GossipCore.Builder>) b -> b.incarnation(1L << 32)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("incompleteBuilders")
  void coreBuilderRejectsMissingOrInvalidSettingsNamingThem(
      String setting, Consumer<GossipCore.Builder> breakIt) {
    GossipCore.Builder b =
        GossipCore.builder()
            .id("n1")
            .address(A)
            .random(new SplittableRandom(1))
            .outbox((m, t, d) -> {});
    b.build(); // complete: fine
    breakIt.accept(b);

    assertThatThrownBy(b::build)
        .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
        .hasMessageContaining(setting);
  }

  // ---- messages and events

  @Test
  void messagesCheckTheirFieldsAndCopyTheirUpdates() {
    assertThatThrownBy(() -> new GossipMessage.Ping("", A, 1, "t", List.of()))
        .hasMessageContaining("from");
    assertThatThrownBy(() -> new GossipMessage.Ping("f", A, 1, "", List.of()))
        .hasMessageContaining("target");
    assertThatThrownBy(() -> new GossipMessage.PingReq("f", A, 1, "t", null, List.of()))
        .hasMessageContaining("targetAddress");
    assertThatThrownBy(() -> new GossipMessage.Ack("f", null, 1, List.of()))
        .hasMessageContaining("fromAddress");
    java.util.ArrayList<MemberUpdate> list = new java.util.ArrayList<>();
    GossipMessage g = new GossipMessage.Gossip("f", A, list);
    list.add(CoreFixture.online("x", 0));
    assertThat(g.updates()).isEmpty();
  }

  @Test
  void messageTypeCodesAreStable() {
    assertThat(GossipMessage.MessageType.fromCode(1)).isEqualTo(GossipMessage.MessageType.PING);
    assertThat(GossipMessage.MessageType.fromCode(6))
        .isEqualTo(GossipMessage.MessageType.PUSH_PULL);
    assertThat(GossipMessage.MessageType.fromCode(7)).isEqualTo(GossipMessage.MessageType.USER);
    assertThat(GossipMessage.MessageType.fromCode(8)).isEqualTo(GossipMessage.MessageType.QUERY);
    assertThat(GossipMessage.MessageType.fromCode(9))
        .isEqualTo(GossipMessage.MessageType.QUERY_REPLY);
    assertThat(GossipMessage.MessageType.fromCode(0)).isNull();
    assertThat(GossipMessage.MessageType.fromCode(0xFF)).isNull();
    for (GossipMessage.MessageType t : GossipMessage.MessageType.values()) {
      assertThat(GossipMessage.MessageType.fromCode(t.code())).isEqualTo(t);
    }
  }

  @Test
  void eventsRejectNullFields() {
    NodeView v = NodeView.ofAddress(A);
    assertThatThrownBy(() -> new ClusterEvent.MemberJoined(null)).hasMessageContaining("node");
    assertThatThrownBy(() -> new ClusterEvent.MemberRecovered(v, null))
        .hasMessageContaining("previousStatus");
    assertThatThrownBy(() -> new ClusterEvent.MemberSuspected(v, null))
        .hasMessageContaining("accuser");
    assertThatThrownBy(() -> new ClusterEvent.MemberFailed(v, NodeStatus.SUSPECT, null))
        .hasMessageContaining("declaredBy");
    assertThatThrownBy(() -> new ClusterEvent.MetadataChanged(v, null))
        .hasMessageContaining("before");
    assertThatThrownBy(() -> new ClusterEvent.SelfRefuted(v, NodeStatus.SUSPECT, 1, null))
        .hasMessageContaining("claimedBy");
  }

  @Test
  void statusPredicatesAndPrecedence() {
    assertThat(NodeStatus.FAILED.isGone()).isTrue();
    assertThat(NodeStatus.LEFT.isGone()).isTrue();
    assertThat(NodeStatus.SUSPECT.isGone()).isFalse();
    assertThat(NodeStatus.ONLINE.isAlive()).isTrue();
    assertThat(NodeStatus.SUSPECT.isAlive()).isTrue();
    assertThat(NodeStatus.FAILED.isAlive()).isFalse();
    assertThat(NodeStatus.LEFT.precedence()).isGreaterThan(NodeStatus.FAILED.precedence());
    assertThat(NodeStatus.FAILED.precedence()).isGreaterThan(NodeStatus.SUSPECT.precedence());
    assertThat(NodeStatus.SUSPECT.precedence()).isGreaterThan(NodeStatus.ONLINE.precedence());
  }
}
