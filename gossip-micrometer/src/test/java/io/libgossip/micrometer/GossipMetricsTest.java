package io.libgossip.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.libgossip.core.GossipConfig;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.Keyring;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The meters of real nodes on loopback follow what the nodes do. */
class GossipMetricsTest {
  private static final AtomicLong RUN = new AtomicLong(System.nanoTime());
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static EventLoopPool group;
  private final List<GossipNode> nodes = new ArrayList<>();
  private final List<GossipMetrics> bound = new ArrayList<>();
  private final String prefix = "metrics" + RUN.incrementAndGet() + "-";

  @BeforeAll
  static void startGroup() {
    group = EventLoopPool.create(2, "metrics-test");
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @AfterEach
  void closeAll() {
    bound.forEach(GossipMetrics::close);
    nodes.forEach(GossipNode::close);
  }

  private GossipNode.Builder builder(String name) {
    return GossipNode.builder()
        .id(prefix + name)
        .bind("127.0.0.1", 0)
        .config(GossipConfig.local())
        .eventLoops(group);
  }

  private GossipNode start(GossipNode.Builder b) {
    GossipNode n = b.start();
    nodes.add(n);
    return n;
  }

  private GossipNode joined(GossipNode.Builder b, GossipNode seed) {
    GossipNode n = start(b.seeds(seed.address().toString()));
    n.joinFuture().orTimeout(10, TimeUnit.SECONDS).join();
    return n;
  }

  /** A fresh registry with {@code node}'s meters, read fresh on every access. */
  private MeterRegistry metricsOf(GossipNode node) {
    return metricsOf(GossipMetrics.builder(node).maxStaleness(Duration.ZERO));
  }

  private MeterRegistry metricsOf(GossipMetrics.Builder b) {
    MeterRegistry registry = new SimpleMeterRegistry();
    GossipMetrics m = b.build();
    bound.add(m);
    m.bindTo(registry);
    return registry;
  }

  private PrometheusMeterRegistry prometheus(GossipMetrics.Builder b) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GossipMetrics m = b.maxStaleness(Duration.ZERO).build();
    bound.add(m);
    m.bindTo(registry);
    return registry;
  }

  private static double members(MeterRegistry r, String status) {
    return r.get("libgossip.members").tag("status", status).gauge().value();
  }

  private static double counter(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).functionCounter().count();
  }

  private static long timerCount(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).timer().count();
  }

  @Test
  void membersTrafficAndTimingsFollowACrash() {
    GossipNode a = start(builder("a"));
    GossipNode b = joined(builder("b"), a);
    GossipNode c = joined(builder("c"), a);
    MeterRegistry r = metricsOf(a);

    await().atMost(WAIT).until(() -> members(r, "online") == 3);
    assertThat(members(r, "suspect") + members(r, "failed") + members(r, "left")).isZero();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(counter(r, "libgossip.messages", "direction", "in")).isPositive();
              assertThat(counter(r, "libgossip.messages", "direction", "out")).isPositive();
              assertThat(counter(r, "libgossip.bytes", "direction", "in")).isPositive();
              assertThat(counter(r, "libgossip.bytes", "direction", "out")).isPositive();
              assertThat(counter(r, "libgossip.packets", "direction", "out")).isPositive();
              assertThat(counter(r, "libgossip.probes")).as(() -> "" + a.stats()).isPositive();
              assertThat(timerCount(r, "libgossip.probe.rtt")).isPositive();
            });
    Timer rtt = r.get("libgossip.probe.rtt").timer();
    assertThat(rtt.max(TimeUnit.MILLISECONDS)).as("loopback round trips").isLessThan(1_000);
    double sentBefore = counter(r, "libgossip.bytes", "direction", "out");

    c.close(); // a crash: nobody is told

    await().atMost(WAIT).until(() -> members(r, "failed") == 1);
    assertThat(members(r, "online")).isEqualTo(2);
    assertThat(timerCount(r, "libgossip.suspicion.duration", "status", "failed"))
        .as("suspicion-to-failure recorded")
        .isEqualTo(1);
    Timer toFailure = r.get("libgossip.suspicion.duration").tag("status", "failed").timer();
    assertThat(toFailure.totalTime(TimeUnit.MILLISECONDS))
        .as("at least the minimum suspicion timeout")
        .isGreaterThan(500);
    assertThat(counter(r, "libgossip.bytes", "direction", "out")).isGreaterThan(sentBefore);
    assertThat(b.isRunning()).isTrue();
  }

  @Test
  void metersKeepWorkingWhenOnlyTheRegistryHoldsThem() {
    GossipNode a = start(builder("a"));
    joined(builder("b"), a);
    MeterRegistry r = new SimpleMeterRegistry();
    new GossipMetrics(a).bindTo(r); // the binder itself is not kept
    for (int i = 0; i < 3; i++) {
      System.gc();
    }

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(members(r, "online")).isEqualTo(2);
              assertThat(counter(r, "libgossip.messages", "direction", "in")).isPositive();
              assertThat(counter(r, "libgossip.probes")).isPositive();
              assertThat(timerCount(r, "libgossip.probe.rtt")).isPositive();
            });
  }

  @Test
  void leavingMemberCountsAsLeft() {
    GossipNode a = start(builder("a"));
    GossipNode b = joined(builder("b"), a);
    MeterRegistry r = metricsOf(a);
    await().atMost(WAIT).until(() -> members(r, "online") == 2);

    b.leave(Duration.ofSeconds(5)).orTimeout(10, TimeUnit.SECONDS).join();

    await().atMost(WAIT).until(() -> members(r, "left") == 1);
    assertThat(members(r, "online")).isEqualTo(1);
    assertThat(members(r, "failed")).isZero();
  }

  @Test
  void malformedDatagramIsCountedByItsReason() throws Exception {
    GossipNode a = start(builder("a"));
    MeterRegistry r = metricsOf(a);
    assertThat(counter(r, "libgossip.drops", "type", "protocol", "reason", "bad_magic")).isZero();
    byte[] junk = "this is not a libgossip packet, not at all".getBytes(StandardCharsets.UTF_8);

    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.send(
          new DatagramPacket(
              junk, junk.length, InetAddress.getLoopbackAddress(), a.address().port()));
    }

    await()
        .atMost(WAIT)
        .until(() -> counter(r, "libgossip.drops", "type", "protocol", "reason", "bad_magic") == 1);
    double others =
        r.find("libgossip.drops").functionCounters().stream()
            .filter(c -> !"bad_magic".equals(c.getId().getTag("reason")))
            .mapToDouble(c -> c.count())
            .sum();
    assertThat(others).as("no other reason counted").isZero();
  }

  @Test
  void noMeterIsTaggedWithAMemberAndTheirNumberDoesNotGrowWithTheCluster() {
    GossipNode a = start(builder("a"));
    MeterRegistry alone = metricsOf(a);
    int metersAlone = alone.getMeters().size();
    GossipNode b = joined(builder("b"), a);
    GossipNode c = joined(builder("c"), a);
    MeterRegistry r = metricsOf(a);
    await().atMost(WAIT).until(() -> members(r, "online") == 3);
    await().atMost(WAIT).until(() -> timerCount(r, "libgossip.probe.rtt") > 0);

    List<String> forbidden = new ArrayList<>();
    for (GossipNode n : List.of(a, b, c)) {
      forbidden.add(n.id());
      forbidden.add(n.address().toString());
      forbidden.add(String.valueOf(n.address().port()));
    }
    assertThat(r.getMeters()).hasSize(metersAlone);
    for (Meter m : r.getMeters()) {
      assertThat(m.getId().getName())
          .startsWith("libgossip.")
          .isEqualTo(m.getId().getName().toLowerCase());
      for (Tag t : m.getId().getTags()) {
        assertThat(t.getKey()).isIn("status", "reason", "direction", "type");
        for (String f : forbidden) {
          assertThat(t.getValue()).as(m.getId().toString()).doesNotContain(f);
        }
      }
    }
  }

  @Test
  void periodicExchangeDurationIsRecorded() {
    GossipNode a = start(builder("a"));
    joined(builder("b"), a);
    MeterRegistry r = metricsOf(a);

    // the first catch-up exchange comes 2 to 3 probe intervals after the join
    await().atMost(WAIT).until(() -> timerCount(r, "libgossip.pushpull.duration") > 0);

    assertThat(r.get("libgossip.pushpull.duration").timer().max(TimeUnit.SECONDS)).isLessThan(5);
  }

  @Test
  void closeDetachesTheTimers() {
    GossipNode a = start(builder("a"));
    joined(builder("b"), a);
    MeterRegistry r = new SimpleMeterRegistry();
    GossipMetrics metrics = GossipMetrics.builder(a).maxStaleness(Duration.ZERO).build();
    metrics.bindTo(r);
    await().atMost(WAIT).until(() -> timerCount(r, "libgossip.probe.rtt") > 0);

    metrics.close();
    long samples = timerCount(r, "libgossip.probe.rtt");
    double probes = counter(r, "libgossip.probes");
    await().atMost(WAIT).until(() -> counter(r, "libgossip.probes") >= probes + 2);

    assertThat(timerCount(r, "libgossip.probe.rtt")).isEqualTo(samples);
  }

  @Test
  void histogramsAndCommonTagsAreOptions() {
    GossipNode a = start(builder("a"));
    joined(builder("b"), a);
    PrometheusMeterRegistry plain = prometheus(GossipMetrics.builder(a));
    PrometheusMeterRegistry r =
        prometheus(GossipMetrics.builder(a).histograms(true).tags("cluster", "test"));
    await().atMost(WAIT).until(() -> r.find("libgossip.probe.rtt").timer().count() > 0);

    assertThat(r.getMeters())
        .allSatisfy(m -> assertThat(m.getId().getTag("cluster")).isEqualTo("test"));
    assertThat(r.scrape())
        .contains("libgossip_probe_rtt_seconds_bucket{cluster=\"test\",le=\"")
        .contains("libgossip_members{cluster=\"test\",status=\"online\"}");
    assertThat(plain.scrape()).as("no histogram by default").doesNotContain("_bucket");
    assertThatThrownBy(() -> GossipMetrics.builder(a).tags("cluster"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key-value pairs");
    assertThatThrownBy(() -> GossipMetrics.builder(a).maxStaleness(Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxStaleness");
  }

  @Test
  void keyringCountersArePresentWithAKeyring() {
    Keyring ring = Keyring.of(Keyring.generateKey());
    GossipNode a = start(builder("a").keyring(ring));
    joined(builder("b").keyring(Keyring.of(ring.keys(), ring.mode())), a);
    MeterRegistry r = metricsOf(a);
    MeterRegistry withoutKeyring = metricsOf(start(builder("c")));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(counter(r, "libgossip.keyring.packets", "type", "sealed")).isPositive();
              assertThat(counter(r, "libgossip.keyring.packets", "type", "opened")).isPositive();
            });
    assertThat(r.get("libgossip.keyring.keys").gauge().value()).isEqualTo(1);
    assertThat(withoutKeyring.find("libgossip.keyring.packets").meters()).isEmpty();
  }

  @Test
  void prometheusNamesAreTheDocumentedOnes() {
    GossipNode a = start(builder("a"));
    joined(builder("b"), a);
    PrometheusMeterRegistry prom = prometheus(GossipMetrics.builder(a));
    await().atMost(WAIT).until(() -> prom.find("libgossip.probe.rtt").timer().count() > 0);

    String text = prom.scrape();

    assertThat(text)
        .contains("libgossip_members{status=\"online\"} 2")
        .contains("libgossip_messages_total{direction=\"in\"}")
        .contains("libgossip_bytes_total{direction=\"out\"}")
        .contains("libgossip_packets_total{direction=\"in\"}")
        .contains("libgossip_drops_total{reason=\"bad_magic\",type=\"protocol\"} 0")
        .contains("libgossip_drops_total{reason=\"rate_limited\",type=\"transport\"} 0")
        .contains("libgossip_local_health ")
        .contains("libgossip_incarnation ")
        .contains("libgossip_queued_updates ")
        .contains("libgossip_user_pending ")
        .contains("libgossip_probes_total ")
        .contains("libgossip_suspicions_total ")
        .contains("libgossip_probes_widened_total ")
        .contains("libgossip_refutations_total ")
        .contains("libgossip_user_messages_delivered_total ")
        .contains("libgossip_probe_rtt_seconds_count ")
        .contains("libgossip_probe_rtt_seconds_sum ")
        .contains("libgossip_probe_rtt_seconds_max ")
        .contains("libgossip_suspicion_duration_seconds_count{status=\"failed\"} 0")
        .contains("libgossip_pushpull_duration_seconds_count ");
  }
}
