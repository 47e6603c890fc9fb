package io.libgossip.micrometer;

import io.libgossip.core.DropReason;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.ProtocolObserver;
import io.libgossip.net.GossipNode;
import io.libgossip.net.Keyring;
import io.libgossip.net.NodeStats;
import io.libgossip.net.TransportDropReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The meters of one {@link GossipNode}, under the {@code libgossip.} prefix: members by status,
 * traffic, drops by reason, local health, queues, protocol counters, and the timings of probes,
 * suspicions and state exchanges. Names are lowercase and dotted; tags name a status, a reason, a
 * direction or a type, never a member, so the number of meters does not grow with the cluster.
 *
 * <pre>{@code
 * GossipMetrics metrics = GossipMetrics.builder(node).histograms(true).tags("cluster", "eu1").build();
 * metrics.bindTo(registry);
 * ...
 * metrics.close(); // detaches the timers from the node
 * }</pre>
 *
 * <p>Counters and gauges read a snapshot of the node's statistics, taken at most once per {@link
 * Builder#maxStaleness} (one second by default), so one scrape costs one visit to the node's event
 * loop. Timers are recorded as things happen, by a {@link ProtocolObserver} attached to the node
 * for each registry bound; {@link #close} detaches them. The full list of meters is in {@code
 * docs/metrics.md}.
 */
public final class GossipMetrics implements MeterBinder, AutoCloseable {
  /** The prefix of every meter name. */
  public static final String PREFIX = "libgossip.";

  private static final NodeStatus[] STATUSES = {
    NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
  };

  private final GossipNode node;
  private final boolean histograms;
  private final Tags tags;
  private final long maxStalenessNanos;
  private final List<ProtocolObserver> attached = new ArrayList<>();

  /** Meters of {@code node} with the defaults; nothing is registered until {@link #bindTo}. */
  public GossipMetrics(GossipNode node) {
    this(builder(node));
  }

  private GossipMetrics(Builder b) {
    this.node = b.node;
    this.histograms = b.histograms;
    this.tags = b.tags;
    this.maxStalenessNanos = b.maxStaleness.toNanos();
  }

  /** A builder of the meters of {@code node}. */
  public static Builder builder(GossipNode node) {
    return new Builder(node);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    StatsCache cache = new StatsCache(node, registry.config().clock(), maxStalenessNanos);

    for (NodeStatus status : STATUSES) {
      gauge(
          registry,
          "members",
          cache,
          c -> members(c.stats(), status),
          "Members in the local view, by status (this node included)",
          null,
          Tags.of("status", lower(status)));
    }
    gauge(
        registry,
        "local.health",
        cache,
        c -> c.stats().core().localHealth(),
        "Lifeguard local health score: 0 is healthy, higher stretches this node's timeouts",
        null,
        Tags.empty());
    gauge(
        registry,
        "incarnation",
        cache,
        c -> c.stats().core().incarnation(),
        "This node's incarnation number",
        null,
        Tags.empty());
    gauge(
        registry,
        "queued.updates",
        cache,
        c -> c.stats().core().queuedUpdates(),
        "Membership updates waiting in the broadcast queue",
        null,
        Tags.empty());
    gauge(
        registry,
        "user.pending",
        cache,
        c -> c.messages().pending(),
        "Reliable sends, requests and queries this node still waits for",
        null,
        Tags.empty());
    gauge(
        registry,
        "connections.open",
        cache,
        c -> c.stats().transport().openConnections(),
        "TCP connections open now",
        null,
        Tags.empty());

    for (String direction : new String[] {"in", "out"}) {
      boolean in = direction.equals("in");
      Tags dir = Tags.of("direction", direction);
      counter(
          registry,
          "messages",
          cache,
          c -> in ? c.stats().core().messagesReceived() : c.stats().core().messagesSent(),
          "Protocol messages received by and sent from the core",
          "messages",
          dir);
      counter(
          registry,
          "packets",
          cache,
          c -> in ? c.stats().transport().packetsIn() : c.stats().transport().packetsOut(),
          "Datagrams and frames received and written by the transport",
          "packets",
          dir);
      counter(
          registry,
          "bytes",
          cache,
          c -> in ? c.stats().transport().bytesIn() : c.stats().transport().bytesOut(),
          "Wire bytes received and written by the transport",
          "bytes",
          dir);
    }

    for (DropReason reason : DropReason.values()) {
      counter(
          registry,
          "drops",
          cache,
          c -> c.stats().drops(reason),
          "Packets, messages and updates dropped, by reason",
          null,
          Tags.of("type", "protocol", "reason", lower(reason)));
    }
    for (TransportDropReason reason : TransportDropReason.values()) {
      counter(
          registry,
          "drops",
          cache,
          c -> c.stats().drops(reason),
          "Packets, messages and updates dropped, by reason",
          null,
          Tags.of("type", "transport", "reason", lower(reason)));
    }

    counter(
        registry,
        "probes",
        cache,
        c -> c.stats().core().probes(),
        "Probes started by this node",
        null,
        Tags.empty());
    counter(
        registry,
        "suspicions",
        cache,
        c -> c.stats().core().suspicionsRaised(),
        "Members this node suspected after its own failed probe",
        null,
        Tags.empty());
    counter(
        registry,
        "probes.widened",
        cache,
        c -> c.stats().core().probesWidened(),
        "Probes widened (a second ping and more relays at once) while loss was not yet known",
        null,
        Tags.empty());
    counter(
        registry,
        "refutations",
        cache,
        c -> c.stats().core().refutations(),
        "Times this node refuted a suspicion of itself",
        null,
        Tags.empty());
    counter(
        registry,
        "listener.failures",
        cache,
        c -> c.stats().listenerFailures(),
        "Listener and observer calls that threw",
        null,
        Tags.empty());
    counter(
        registry,
        "events.dropped",
        cache,
        c -> c.stats().eventsDropped(),
        "Events not delivered because the listener queue was full",
        null,
        Tags.empty());
    counter(
        registry,
        "user.messages.delivered",
        cache,
        c -> c.messages().delivered(),
        "Broadcasts, messages, requests and queries handed to the message handler",
        null,
        Tags.empty());
    counter(
        registry,
        "user.messages.dropped",
        cache,
        c -> c.messages().dropped(),
        "Application messages dropped because the handler's queue was full",
        null,
        Tags.empty());
    counter(
        registry,
        "user.handler.failures",
        cache,
        c -> c.messages().handlerFailures(),
        "Message handler calls that threw",
        null,
        Tags.empty());

    node.keyring().ifPresent(k -> bindKeyring(registry, k));
    bindTimers(registry);
  }

  private void bindKeyring(MeterRegistry registry, Keyring keyring) {
    Gauge.builder(PREFIX + "keyring.keys", keyring, k -> k.keyIds().size())
        .tags(tags)
        .description("Keys installed in the keyring")
        .register(registry);
    Map<String, ToLongFunction<Keyring.Counters>> kinds =
        Map.of(
            "sealed", Keyring.Counters::sealed,
            "opened", Keyring.Counters::opened,
            "plaintext_sent", Keyring.Counters::plaintextSent,
            "plaintext_accepted", Keyring.Counters::plaintextAccepted);
    kinds.forEach(
        (type, f) ->
            FunctionCounter.builder(
                    PREFIX + "keyring.packets", keyring, k -> f.applyAsLong(k.counters()))
                .tags(tags)
                .tag("type", type)
                .description(
                    "Packets sealed and opened with the keyring, plaintext packets sent and accepted")
                .baseUnit("packets")
                .register(registry));
  }

  private void bindTimers(MeterRegistry registry) {
    Timer rtt =
        timer("probe.rtt", "Round-trip time of answered probes, ping to first ack", Tags.empty())
            .register(registry);
    Map<NodeStatus, Timer> suspicion = new EnumMap<>(NodeStatus.class);
    for (NodeStatus outcome :
        new NodeStatus[] {NodeStatus.FAILED, NodeStatus.ONLINE, NodeStatus.LEFT}) {
      suspicion.put(
          outcome,
          timer(
                  "suspicion.duration",
                  "Time members stayed suspected, by the status they moved to",
                  Tags.of("status", lower(outcome)))
              .register(registry));
    }
    Timer pushPull =
        timer(
                "pushpull.duration",
                "Duration of periodic state exchanges, request to merged reply",
                Tags.empty())
            .register(registry);
    ProtocolObserver observer =
        new ProtocolObserver() {
          @Override
          public void probeAcked(long rttNanos) {
            rtt.record(rttNanos, TimeUnit.NANOSECONDS);
          }

          @Override
          public void suspicionEnded(long nanos, NodeStatus outcome) {
            Timer t = suspicion.get(outcome);
            if (t != null) {
              t.record(nanos, TimeUnit.NANOSECONDS);
            }
          }

          @Override
          public void pushPullCompleted(long nanos) {
            pushPull.record(nanos, TimeUnit.NANOSECONDS);
          }
        };
    synchronized (attached) {
      attached.add(observer);
    }
    node.addObserver(observer);
  }

  /** Detaches the timers of every registry bound from the node; the meters stay registered. */
  @Override
  public void close() {
    synchronized (attached) {
      attached.forEach(node::removeObserver);
      attached.clear();
    }
  }

  private Timer.Builder timer(String name, String description, Tags extra) {
    return Timer.builder(PREFIX + name)
        .tags(tags)
        .tags(extra)
        .description(description)
        .publishPercentileHistogram(histograms);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      StatsCache cache,
      ToDoubleFunction<StatsCache> f,
      String description,
      @org.jspecify.annotations.Nullable String unit,
      Tags extra) {
    // The node, not the cache, is the meter's (weakly held) object: the cache lives as long as the
    // meter's function, which captures it, and the node as long as the application holds it.
    Gauge.builder(PREFIX + name, node, n -> f.applyAsDouble(cache))
        .tags(tags)
        .tags(extra)
        .description(description)
        .baseUnit(unit)
        .register(registry);
  }

  private void counter(
      MeterRegistry registry,
      String name,
      StatsCache cache,
      ToDoubleFunction<StatsCache> f,
      String description,
      @org.jspecify.annotations.Nullable String unit,
      Tags extra) {
    FunctionCounter.builder(PREFIX + name, node, n -> f.applyAsDouble(cache))
        .tags(tags)
        .tags(extra)
        .description(description)
        .baseUnit(unit)
        .register(registry);
  }

  private static double members(NodeStats s, NodeStatus status) {
    switch (status) {
      case ONLINE:
        return s.core().onlineNodes();
      case SUSPECT:
        return s.core().suspectNodes();
      case FAILED:
        return s.core().failedNodes();
      case LEFT:
        return s.core().leftNodes();
      default:
        return 0;
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** Options of {@link GossipMetrics}; each has a default. */
  public static final class Builder {
    private final GossipNode node;
    private boolean histograms;
    private Tags tags = Tags.empty();
    private Duration maxStaleness = Duration.ofSeconds(1);

    private Builder(GossipNode node) {
      this.node = Objects.requireNonNull(node, "node");
    }

    /**
     * Whether the timers publish percentile histograms (Prometheus {@code _bucket} series, about 70
     * per timer, for quantiles across nodes); off by default, when each timer publishes its count,
     * sum and maximum only.
     */
    public Builder histograms(boolean v) {
      histograms = v;
      return this;
    }

    /**
     * Tags added to every meter, e.g. the cluster's name; never a member id. Replaces the tags
     * given before.
     */
    public Builder tags(Iterable<Tag> v) {
      tags = Tags.of(Objects.requireNonNull(v, "tags"));
      return this;
    }

    /** Tags added to every meter, as key-value pairs ({@code "cluster", "eu1"}). */
    public Builder tags(String... keyValues) {
      Objects.requireNonNull(keyValues, "keyValues");
      if (keyValues.length % 2 != 0) {
        throw new IllegalArgumentException(
            "tags need key-value pairs, got an odd number: " + keyValues.length);
      }
      tags = Tags.of(keyValues);
      return this;
    }

    /**
     * How old the statistics behind counters and gauges may be, from zero (read the node on every
     * meter read) up to one minute; default one second, which makes one scrape one read of the
     * node.
     */
    public Builder maxStaleness(Duration v) {
      Objects.requireNonNull(v, "maxStaleness");
      if (v.isNegative() || v.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("maxStaleness must be in [0, 1 min], got " + v);
      }
      maxStaleness = v;
      return this;
    }

    /** The meters; nothing is registered until {@link GossipMetrics#bindTo}. */
    public GossipMetrics build() {
      return new GossipMetrics(this);
    }
  }
}
