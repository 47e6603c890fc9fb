package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.DirectMessage;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.UserBroadcast;
import io.libgossip.micrometer.GossipMetrics;
import io.libgossip.net.GossipNode;
import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import io.libgossip.net.KeyringFileWatcher;
import io.libgossip.net.KeyringMode;
import io.libgossip.net.TlsOptions;
import io.libgossip.net.UserMessageHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: a {@link GossipNode} with the HTTP API of {@code docs/agent.md}. Start one with
 * {@link #start(AgentConfig)}; {@link #leave(Duration)} leaves the cluster gracefully and {@link
 * #close()} stops at once.
 *
 * <pre>{@code
 * try (Agent a = Agent.start(AgentConfig.builder().bind(new NodeAddress("127.0.0.1", 0))
 *     .http(new NodeAddress("127.0.0.1", 0)).build())) {
 *   System.out.println(a.httpUri());
 * }
 * }</pre>
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** How long an event-stream subscriber has to answer a query through {@code /v1/respond}. */
  static final Duration RESPOND_WINDOW = Duration.ofSeconds(60);

  /** The most queries waiting for a client's answer. */
  static final int MAX_PENDING = 1024;

  /** Seconds between keepalive comments on the event streams. */
  static final int KEEPALIVE_SECONDS = 15;

  final AgentConfig config;
  final PrometheusMeterRegistry registry;
  final EventHub hub;
  final GossipNode node;
  final KeyService keys;
  private final HttpServer http;
  private final @Nullable KeyringFileWatcher watcher;
  private final @Nullable JvmGcMetrics gcMetrics;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final AtomicBoolean terminating = new AtomicBoolean();
  private final CompletableFuture<Void> built = new CompletableFuture<>();

  private Agent(AgentConfig config) {
    this.config = config;
    checkHttpExposure(config);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    hub =
        new EventHub(
            Counter.builder("libgossip.agent.events.overflows")
                .description("Event streams closed because their subscriber fell behind")
                .register(registry));
    keys = new KeyService(this);
    GossipNode.Builder b = GossipNode.builder();
    configure(b, config);
    if (!config.join().isEmpty()) {
      // The seeds are given once the whole agent is built: its start (metrics, the HTTP server)
      // loads many classes, and on a busy host that delayed the join's first answer past the
      // join timeout when the join ran alongside it.
      List<NodeAddress> seeds = config.join();
      b.seedProvider(() -> built.thenApply(v -> seeds));
    }
    b.messageHandler(new Messages());
    node = b.start();
    hub.attach(node);
    keys.attach(node);
    JvmGcMetrics gc = null;
    KeyringFileWatcher w = null;
    HttpServer h = null;
    try {
      // Percentile histograms of the probe round trip, suspicion and push-pull timers, so that
      // Prometheus can compute quantiles across agents (about 70 bucket series per timer).
      GossipMetrics.builder(node).histograms(true).build().bindTo(registry);
      new JvmMemoryMetrics().bindTo(registry);
      gc = new JvmGcMetrics();
      gc.bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      new FileDescriptorMetrics().bindTo(registry);
      Gauge.builder("libgossip.agent.events.streams", hub, EventHub::streams)
          .description("Open event streams (GET /v1/events)")
          .register(registry);
      Gauge.builder("libgossip.agent.queries.pending", pending, Map::size)
          .description("Queries waiting for a client's answer (POST /v1/respond)")
          .register(registry);
      Path keyFile = config.keyring();
      if (keyFile != null) {
        w = KeyringFileWatcher.start(keyFile, node.keyring().orElseThrow(), Duration.ofSeconds(5));
      }
      h =
          new HttpServer(
              config.http(),
              config.httpMaxBody(),
              HttpsContext.of(config),
              new ApiHandler(this),
              this::count);
      h.group()
          .scheduleAtFixedRate(
              hub::keepalive, KEEPALIVE_SECONDS, KEEPALIVE_SECONDS, TimeUnit.SECONDS);
    } catch (IOException | RuntimeException e) {
      built.completeExceptionally(e);
      if (w != null) {
        w.close();
      }
      if (gc != null) {
        gc.close();
      }
      node.close();
      if (e instanceof IOException) {
        throw new IllegalStateException("cannot watch the keyring file: " + e.getMessage(), e);
      }
      throw (RuntimeException) e;
    }
    this.gcMetrics = gc;
    this.watcher = w;
    this.http = h;
    built.complete(null);
  }

  /**
   * Starts an agent: binds the gossip node and the HTTP API, starts the join of {@link
   * AgentConfig#join()} (see {@link #joined()}), and writes the ready file when one is configured.
   *
   * @throws IllegalArgumentException for settings that cannot work (a non-loopback HTTP address
   *     without a token, TLS files missing, metadata too large, ...)
   * @throws IllegalStateException when an address cannot be bound or a file cannot be read
   */
  public static Agent start(AgentConfig config) {
    Agent a = new Agent(config);
    Path ready = config.readyFile();
    if (ready != null) {
      try {
        writeAtomically(ready, a.readyJson());
      } catch (IOException e) {
        a.close();
        throw new IllegalStateException(
            "cannot write the ready file " + ready + ": " + e.getMessage(), e);
      }
    }
    log.atInfo()
        .setMessage("agent ready")
        .addKeyValue("id", a.id())
        .addKeyValue("gossip", a.gossipAddress())
        .addKeyValue("http", a.httpUri())
        .log();
    return a;
  }

  private static void checkHttpExposure(AgentConfig c) {
    if (c.httpToken() != null || c.httpTlsCa() != null) {
      return; // a token, or client certificates, authenticate the callers
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(c.http().host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--http: cannot resolve '" + c.http().host() + "': " + e.getMessage(), e);
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          "--http "
              + c.http()
              + " is not a loopback address: set --http-token or --http-token-file (or require"
              + " client certificates with --http-tls-ca) so that only authorised callers can"
              + " use the API");
    }
  }

  private static void configure(GossipNode.Builder b, AgentConfig c) {
    GossipConfig.Builder cfg = GossipConfig.profile(c.profile()).toBuilder();
    if (c.cluster() != null) {
      cfg.clusterName(c.cluster());
    }
    b.bind(c.bind().host(), c.bind().port())
        .config(cfg.build())
        .metadata(c.meta())
        .joinTimeout(c.joinTimeout())
        .retryJoin(c.retryJoin());
    if (c.transport() != null) {
      b.transport(c.transport());
    }
    if (c.id() != null) {
      b.id(c.id());
    }
    NodeAddress adv = c.advertise();
    if (adv != null) {
      b.advertise(adv.host(), adv.port());
    }
    Path keyFile = c.keyring();
    if (keyFile != null) {
      KeyringFile.Contents keys;
      try {
        keys = KeyringFile.read(keyFile);
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot read the keyring file " + keyFile + ": " + e.getMessage(), e);
      }
      KeyringMode mode =
          keys.mode() != null
              ? keys.mode()
              : c.keyringMode() != null ? c.keyringMode() : KeyringMode.REQUIRED;
      b.keyring(Keyring.of(keys.keys(), mode));
    } else if (c.keyringMode() != null) {
      throw new IllegalArgumentException("--keyring-mode needs --keyring FILE");
    }
    if (c.tlsCert() != null || c.tlsKey() != null || c.tlsCa() != null) {
      if (c.tlsCert() == null || c.tlsKey() == null || c.tlsCa() == null) {
        throw new IllegalArgumentException("TLS needs all of --tls-cert, --tls-key and --tls-ca");
      }
      b.tls(
          TlsOptions.builder()
              .keyPem(c.tlsCert(), c.tlsKey())
              .trustPem(c.tlsCa())
              .requireClientAuth(c.tlsRequireClientAuth())
              .build());
    } else if (c.tlsRequireClientAuth()) {
      throw new IllegalArgumentException(
          "--tls-require-client-auth needs --tls-cert, --tls-key and --tls-ca");
    }
  }

  /** The node's id. */
  public String id() {
    return node.id();
  }

  /** The gossip node. */
  public GossipNode node() {
    return node;
  }

  /** The gossip address other members reach this agent at. */
  public NodeAddress gossipAddress() {
    return node.address();
  }

  /** The address the HTTP API listens on. */
  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** The HTTP API's base URI, e.g. {@code http://127.0.0.1:8946} ({@code https} with TLS). */
  public URI httpUri() {
    InetSocketAddress a = http.address();
    String host = config.http().host();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create((config.httpTls() ? "https://" : "http://") + host + ":" + a.getPort());
  }

  /**
   * Completes when the start-up join is done (at once without seeds); see {@link
   * GossipNode#joinFuture()}.
   */
  public CompletableFuture<Void> joined() {
    return node.joinFuture();
  }

  /** Completes once the agent has stopped (after {@link #close()} or a leave). */
  public CompletableFuture<Void> terminated() {
    return terminated.copy();
  }

  /** The one line printed on stdout once the agent serves. */
  public String readyLine() {
    return "agent ready id=" + id() + " gossip=" + gossipAddress() + " http=" + httpUri();
  }

  /** The ready file's JSON. */
  String readyJson() {
    ObjectNode o = Json.object();
    o.put("id", id());
    o.put("gossip", gossipAddress().toString());
    o.put("http", httpUri().toString());
    o.put("pid", ProcessHandle.current().pid());
    return Json.text(o) + "\n";
  }

  /**
   * Leaves the cluster gracefully (at most {@code timeout}), then stops the agent.
   *
   * @return completes when the node is closed; the HTTP server stops right after
   */
  public CompletableFuture<Void> leave(Duration timeout) {
    return node.leave(timeout)
        .orTimeout(timeout.toMillis() + 3000, TimeUnit.MILLISECONDS)
        .exceptionally(e -> null)
        .thenRun(node::close);
  }

  /** Stops at once, without a leave: others will detect a failure. */
  @Override
  public void close() {
    node.close();
    terminate();
  }

  /** Stops the HTTP server and the rest after the node is closed. */
  void terminate() {
    if (!terminating.compareAndSet(false, true)) {
      return;
    }
    try {
      hub.closeAll();
      for (CompletableFuture<byte[]> f : pending.values()) {
        f.complete(null);
      }
      pending.clear();
      if (watcher != null) {
        watcher.close();
      }
      http.close();
      if (gcMetrics != null) {
        gcMetrics.close();
      }
      registry.close();
    } finally {
      terminated.complete(null);
    }
  }

  /** Counts one request (or refused connection) by outcome. */
  void count(String outcome) {
    outcomes
        .computeIfAbsent(
            outcome,
            o ->
                Counter.builder("libgossip.agent.http.requests")
                    .tag("outcome", o)
                    .description("HTTP requests by outcome: ok or the error code")
                    .register(registry))
        .increment();
  }

  /** The request counts by outcome. */
  Map<String, Double> outcomes() {
    Map<String, Double> m = new java.util.TreeMap<>();
    outcomes.forEach((k, c) -> m.put(k, c.count()));
    return m;
  }

  int pendingQueries() {
    return pending.size();
  }

  /** Answers the pending query {@code key} ("ORIGIN:ID"); false when unknown or expired. */
  boolean respond(String key, byte[] payload) {
    CompletableFuture<byte[]> f = pending.remove(key);
    return f != null && f.complete(payload);
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Hands what the node receives to the event streams and answers queries. */
  private final class Messages implements UserMessageHandler {
    @Override
    public void onBroadcast(UserBroadcast b) {
      ObjectNode o = Json.object();
      o.put("type", "broadcast");
      o.put("from", b.origin());
      o.put("topic", b.topic());
      if (b.key() == null) {
        o.putNull("key");
      } else {
        o.put("key", b.key());
      }
      o.put("seq", b.seq());
      Json.payload(o, b.payload());
      hub.publish(EventHub.Group.USER, "broadcast", o);
    }

    @Override
    public void onMessage(DirectMessage m) {
      ObjectNode o = Json.object();
      o.put("type", "message");
      o.put("from", m.from());
      o.put("topic", m.topic());
      Json.payload(o, m.payload());
      hub.publish(EventHub.Group.USER, "message", o);
    }

    @Override
    public @Nullable CompletableFuture<byte[]> onQuery(QueryRequest q) {
      if (q.name().startsWith(KeyService.PREFIX)) {
        return keys.answer(q);
      }
      String key = q.origin() + ":" + q.id();
      ObjectNode o = Json.object();
      o.put("type", "query");
      o.put("query", key);
      o.put("from", q.origin());
      o.put("name", q.name());
      Json.payload(o, q.payload());
      String fixed = config.respond().get(q.name());
      if (fixed != null) {
        hub.publish(EventHub.Group.QUERY, "query", o);
        return CompletableFuture.completedFuture(fixed.getBytes(StandardCharsets.UTF_8));
      }
      if (!hub.wants(EventHub.Group.QUERY) || pending.size() >= MAX_PENDING) {
        return null;
      }
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      pending.put(key, f);
      f.completeOnTimeout(null, RESPOND_WINDOW.toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((v, e) -> pending.remove(key, f));
      hub.publish(EventHub.Group.QUERY, "query", o);
      return f;
    }
  }
}
