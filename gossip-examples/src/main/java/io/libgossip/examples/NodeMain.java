package io.libgossip.examples;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.TextRules;
import io.libgossip.core.UserBroadcast;
import io.libgossip.net.GossipNode;
import io.libgossip.net.JoinException;
import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import io.libgossip.net.KeyringFileWatcher;
import io.libgossip.net.KeyringMode;
import io.libgossip.net.KeyringTransform;
import io.libgossip.net.NodeStats;
import io.libgossip.net.SeedProvider;
import io.libgossip.net.TlsOptions;
import io.libgossip.net.TransportException;
import io.libgossip.net.TransportFactory;
import io.libgossip.net.TransportType;
import io.libgossip.net.UserMessageHandler;
import io.libgossip.serf.SerfNode;
import io.libgossip.sim.cli.CommandLines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One gossip node in the foreground, {@code ./gossip node}: it joins a cluster (or starts one),
 * prints every membership event and a periodic summary, and leaves gracefully on Ctrl-C or {@code
 * SIGTERM}.
 *
 * <pre>
 * ./gossip node --bind 127.0.0.1:7946 --id a
 * ./gossip node --bind 127.0.0.1:7947 --id b --join 127.0.0.1:7946 --meta role=web
 * </pre>
 *
 * <p>Every output line on stdout reads {@code TIME KIND ID ADDRESS STATUS [details]}: {@code
 * STARTED}, {@code READY}, {@code SUMMARY}, {@code LEAVING} and {@code LEFT} describe this node;
 * the kinds of {@link ClusterEvent.Kind} describe another member. Errors go to stderr as one line.
 *
 * <p>Exit status: 0 after a graceful leave, 1 when the node cannot bind or cannot join, 2 for bad
 * arguments.
 */
public final class NodeMain {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);

  private static final int RUNNING = 0;
  private static final int LEAVING = 1;
  private static final int EXITING = 2;

  private final PrintStream out;
  private final PrintStream err;
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private volatile @Nullable SerfNode serfNode;

  /** The join timeout of {@link GossipNode.Builder#joinTimeout} when none is given. */
  static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The command line. Each option's setter checks its value and names the option and the value when
   * it is bad; {@link #configure} maps the options onto a {@link GossipNode.Builder}. To add an
   * option: an annotated field or setter here and one line in {@link #configure}.
   */
  @Command(
      name = "gossip node",
      mixinStandardHelpOptions = true,
      versionProvider = CommandLines.VersionProvider.class,
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "./gossip node --bind HOST:PORT [OPTIONS]",
      description = {
        "",
        "Runs one gossip node in the foreground; Ctrl-C leaves the cluster gracefully.",
        ""
      },
      footer = {
        "",
        "Examples:",
        "  ./gossip node --bind 127.0.0.1:7946 --id a",
        "  ./gossip node --bind 127.0.0.1:7947 --id b --join 127.0.0.1:7946 --meta role=web",
        "  ./gossip keygen --out keys.txt && ./gossip node --bind 127.0.0.1:7946 --keyring keys.txt",
        "  ./gossip node --bind 127.0.0.1:7950 --id java-1 --wire memberlist --join 127.0.0.1:7946",
        "  ./gossip node --bind 127.0.0.1:7946 --transport tcp --tls-cert a.pem --tls-key a.key \\",
        "      --tls-ca ca.pem --tls-require-client-auth",
        "",
        "Exit status: 0 after a graceful leave, 1 if it cannot bind or join (runtime failure),",
        "2 for a usage error (bad or missing option or value).",
        "Library logs go to stderr at WARN; set LIBGOSSIP_LOG_LEVEL=INFO or DEBUG for more."
      })
  static final class Options implements Callable<Integer> {
    private final @Nullable NodeMain main;
    @Spec @Nullable CommandSpec spec;

    private @Nullable NodeAddress bind;
    final List<NodeAddress> join = new ArrayList<>();
    final Map<String, String> meta = new LinkedHashMap<>();
    @Nullable String id;
    String profile = "lan";
    TransportType transport = TransportFactory.DEFAULT_TYPE;
    @Nullable NodeAddress advertise;
    @Nullable String cluster;
    boolean memberlist;
    io.libgossip.memberlist.@Nullable Keyring encrypt;
    Duration summary = Duration.ofSeconds(10);

    @Option(
        names = "--join-timeout",
        order = 55,
        paramLabel = "DURATION",
        converter = Durations.Converter.class,
        description = "how long to wait for a seed to answer, e.g. 500ms, 5s, 2m (default 5s)")
    @Nullable Duration joinTimeout;

    @Option(
        names = "--retry-join",
        order = 56,
        description =
            "keep trying to join (backoff 1s doubling to 30s, with jitter) instead of exiting 1"
                + " when no seed answers; the node also re-contacts its seeds while alone")
    boolean retryJoin;

    @Option(
        names = "--seeds-srv",
        order = 57,
        paramLabel = "NAME",
        description =
            "also take seeds from the DNS SRV records of NAME (e.g. a Kubernetes headless service"
                + " _gossip._udp.gossip.default.svc.cluster.local), looked up before each attempt")
    @Nullable String seedsSrv;

    @Nullable Path tlsCert;
    @Nullable Path tlsKey;
    @Nullable Path tlsCa;

    @Option(
        names = "--tls-require-client-auth",
        order = 104,
        description =
            "mutual TLS: peers must present a certificate for the id they speak as"
                + " (SAN URI gossip://ID); needs --transport tcp (or an authenticating keyring)")
    boolean tlsRequireClientAuth;

    Options(@Nullable NodeMain main) {
      this.main = main;
    }

    @Option(
        names = "--tls-cert",
        order = 101,
        paramLabel = "FILE",
        description =
            "TLS on every TCP connection: this node's certificate chain (PEM);"
                + " needs --tls-key and --tls-ca")
    void tlsCert(String v) {
      tlsCert = readable("--tls-cert", v);
    }

    @Option(
        names = "--tls-key",
        order = 102,
        paramLabel = "FILE",
        description = "this node's private key (PEM, unencrypted PKCS#8)")
    void tlsKey(String v) {
      tlsKey = readable("--tls-key", v);
    }

    @Option(
        names = "--tls-ca",
        order = 103,
        paramLabel = "FILE",
        description = "the CA certificates (PEM) that peers' certificates must chain to")
    void tlsCa(String v) {
      tlsCa = readable("--tls-ca", v);
    }

    private Path readable(String option, String v) {
      Path p = Path.of(v);
      if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
        throw CommandLines.usage(spec, option + ": cannot read file '" + v + "'");
      }
      return p;
    }

    /**
     * The TLS settings of the {@code --tls-*} options; null without them.
     *
     * @throws IllegalArgumentException when some are missing or a file is not usable
     */
    @Nullable TlsOptions tls() {
      if (tlsCert == null && tlsKey == null && tlsCa == null) {
        if (tlsRequireClientAuth) {
          throw new IllegalArgumentException(
              "--tls-require-client-auth needs --tls-cert, --tls-key and --tls-ca");
        }
        return null;
      }
      if (tlsCert == null || tlsKey == null || tlsCa == null) {
        throw new IllegalArgumentException("TLS needs all of --tls-cert, --tls-key and --tls-ca");
      }
      return TlsOptions.builder()
          .keyPem(tlsCert, tlsKey)
          .trustPem(tlsCa)
          .requireClientAuth(tlsRequireClientAuth)
          .build();
    }

    @Option(
        names = "--bind",
        order = 10,
        required = true,
        paramLabel = "HOST:PORT",
        description = "address to listen on (UDP and/or TCP); port 0 picks one")
    void bind(String v) {
      bind = check(() -> HostPort.parse("--bind", v, -1, true));
    }

    @Option(
        names = "--join",
        order = 20,
        paramLabel = "HOST:PORT[,HOST:PORT...]",
        description = {
          "seeds to join through (repeatable; port default 7946);",
          "without it the node starts a cluster"
        })
    void join(String v) {
      join.addAll(check(() -> HostPort.list("--join", v, GossipNode.DEFAULT_PORT)));
    }

    @Option(
        names = "--meta",
        order = 30,
        arity = "1..*",
        paramLabel = "KEY=VALUE",
        description = "metadata (repeatable, or several pairs after one --meta)")
    void meta(List<String> pairs) {
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw CommandLines.usage(spec, "--meta: expected KEY=VALUE, got '" + pair + "'");
        }
        meta.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }

    @Option(
        names = "--id",
        order = 40,
        paramLabel = "ID",
        description = "node id (default: derived from the address)")
    void id(String v) {
      if (v.isBlank() || v.chars().anyMatch(Character::isWhitespace)) {
        throw CommandLines.usage(spec, "--id: must be non-empty without spaces, got '" + v + "'");
      }
      id = v;
    }

    @Option(
        names = "--profile",
        order = 50,
        paramLabel = "lan|wan|local",
        description = "protocol timing preset (default lan)")
    void profile(String v) {
      if (!List.of("lan", "wan", "local").contains(v)) {
        throw CommandLines.usage(spec, "--profile: expected lan, wan or local, got '" + v + "'");
      }
      profile = v;
    }

    @Option(
        names = "--transport",
        order = 60,
        paramLabel = "udp|tcp|hybrid",
        description = "(default hybrid)")
    void transport(String v) {
      try {
        transport = TransportFactory.type(v);
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(spec, "--transport: expected udp, tcp or hybrid, got '" + v + "'");
      }
    }

    @Option(
        names = "--wire",
        order = 65,
        paramLabel = "libgossip|memberlist",
        description =
            "wire protocol: libgossip's (default), or HashiCorp memberlist's to join a Serf pool"
                + " (see docs/interop.md)")
    void wire(String v) {
      if (!List.of("libgossip", "memberlist").contains(v)) {
        throw CommandLines.usage(spec, "--wire: expected libgossip or memberlist, got '" + v + "'");
      }
      memberlist = v.equals("memberlist");
    }

    @Option(
        names = "--encrypt",
        order = 66,
        paramLabel = "BASE64",
        description = "with --wire memberlist: the pool's key, as serf agent -encrypt takes it")
    void encrypt(String v) {
      try {
        encrypt = io.libgossip.memberlist.Keyring.ofBase64(v);
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(
            spec,
            "--encrypt: expected a base64 key of 16, 24 or 32 bytes (as serf keygen prints): "
                + e.getMessage());
      }
    }

    @Option(
        names = "--advertise",
        order = 70,
        paramLabel = "HOST[:PORT]",
        description =
            "address other nodes should use (NAT, containers); port default: the bound one")
    void advertise(String v) {
      advertise = check(() -> HostPort.parse("--advertise", v, 0, true));
    }

    @Option(
        names = "--cluster",
        order = 80,
        paramLabel = "NAME",
        description = "cluster name; nodes of other clusters are ignored")
    void cluster(String v) {
      if (v.isBlank()) {
        throw CommandLines.usage(spec, "--cluster: must not be empty");
      }
      cluster = v;
    }

    @Nullable Path keyringFile;
    KeyringFile.@Nullable Contents keyringContents;
    @Nullable KeyringMode keyringMode;

    @Option(
        names = "--keyring",
        order = 82,
        paramLabel = "FILE",
        description = {
          "seal every packet with AES-256-GCM using the keys in FILE (first key primary; mode 600;",
          "make one with ./gossip keygen --out FILE); the file is re-read when it changes"
        })
    void keyring(String v) {
      Path file = Path.of(v);
      try {
        keyringContents = KeyringFile.read(file);
      } catch (IOException | IllegalArgumentException e) {
        throw CommandLines.usage(spec, "--keyring: " + e.getMessage());
      }
      keyringFile = file;
    }

    @Option(
        names = "--keyring-mode",
        order = 83,
        paramLabel = "MODE",
        description = {
          "send-plaintext, send-sealed or required (default: the file's 'mode' line, else",
          "required); the steps of an upgrade from plaintext, see docs/security.md"
        })
    void keyringMode(String v) {
      keyringMode = check(() -> KeyringMode.parse(v));
    }

    @Option(
        names = "--keyring-poll",
        order = 84,
        paramLabel = "DURATION",
        converter = Durations.Converter.class,
        description = "how often to check the keyring file for changes (default 5s)")
    Duration keyringPoll = Duration.ofSeconds(5);

    @Option(
        names = "--replay-window",
        order = 85,
        paramLabel = "DURATION",
        converter = Durations.Converter.class,
        description = "refuse sealed packets stamped further than this from our clock (default 2m)")
    Duration replayWindow = KeyringTransform.DEFAULT_WINDOW;

    @Option(
        names = "--summary",
        order = 90,
        paramLabel = "SECONDS",
        description = "print a summary line this often; 0 turns it off (default 10)")
    void summary(String v) {
      long sec;
      try {
        sec = Long.parseLong(v);
      } catch (NumberFormatException e) {
        sec = -1;
      }
      if (sec < 0 || sec > 86_400) {
        throw CommandLines.usage(
            spec, "--summary: expected whole seconds from 0 to 86400, got '" + v + "'");
      }
      summary = Duration.ofSeconds(sec);
    }

    /** The address to listen on (a required option). */
    NodeAddress bind() {
      return Objects.requireNonNull(bind, "--bind");
    }

    /** The join timeout in effect. */
    Duration joinTimeout() {
      return joinTimeout != null ? joinTimeout : DEFAULT_JOIN_TIMEOUT;
    }

    /** Sets every option on {@code b} (the caller adds the listener). */
    GossipNode.Builder configure(GossipNode.Builder b) {
      GossipConfig.Builder cfg = GossipConfig.profile(profile).toBuilder();
      if (cluster != null) {
        cfg.clusterName(cluster);
      }
      b.bind(bind().host(), bind().port())
          .config(cfg.build())
          .transport(transport)
          .metadata(meta)
          .seeds(join)
          .joinTimeout(joinTimeout())
          .retryJoin(retryJoin);
      if (seedsSrv != null) {
        b.seedProvider(SeedProvider.srv(seedsSrv));
      }
      if (id != null) {
        b.id(id);
      }
      if (advertise != null) {
        b.advertise(advertise.host(), advertise.port()); // port 0: the bound port
      }
      KeyringFile.Contents keys = keyringContents;
      if (keys != null) {
        KeyringMode mode =
            keys.mode() != null
                ? keys.mode()
                : keyringMode != null ? keyringMode : KeyringMode.REQUIRED;
        b.keyring(Keyring.of(keys.keys(), mode)).replayWindow(replayWindow);
      } else if (keyringMode != null) {
        throw new IllegalArgumentException("--keyring-mode needs --keyring FILE");
      }
      TlsOptions tls = tls();
      if (tls != null) {
        b.tls(tls);
      }
      return b;
    }

    /**
     * The {@link SerfNode} of {@code --wire memberlist} (the caller adds the listener and the
     * handler).
     *
     * @throws IllegalArgumentException naming an option that memberlist's wire cannot carry
     */
    SerfNode.Builder configureSerf() {
      List<String> refused = new ArrayList<>();
      if (keyringFile != null || keyringMode != null) {
        refused.add("--keyring (use --encrypt)");
      }
      if (tlsCert != null || tlsKey != null || tlsCa != null) {
        refused.add("--tls-*");
      }
      if (transport != TransportFactory.DEFAULT_TYPE) {
        refused.add("--transport");
      }
      if (cluster != null) {
        refused.add("--cluster");
      }
      if (seedsSrv != null) {
        refused.add("--seeds-srv");
      }
      if (advertise != null) {
        refused.add("--advertise");
      }
      if (!refused.isEmpty()) {
        throw new IllegalArgumentException(
            "--wire memberlist does not take " + String.join(", ", refused));
      }
      NodeAddress b = bind();
      return SerfNode.builder(id != null ? id : b.toString())
          .bind(b.host(), b.port())
          .config(GossipConfig.profile(profile))
          .tags(meta)
          .keyring(encrypt);
    }

    /** Runs {@code parse}; its {@link IllegalArgumentException} becomes a usage error. */
    private <T> T check(Supplier<T> parse) {
      try {
        return parse.get();
      } catch (IllegalArgumentException e) {
        throw CommandLines.usage(spec, String.valueOf(e.getMessage()));
      }
    }

    @Override
    public Integer call() {
      return Objects.requireNonNull(main, "main").serve(this);
    }
  }

  NodeMain(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the node until it is interrupted; see the class comment. */
  public static void main(String[] args) {
    NodeMain main = new NodeMain(System.out, System.err);
    int status = main.run(args);
    // After a graceful leave the shutdown hook ends the process; calling exit here would block.
    if (main.state.get() != LEAVING) {
      System.out.flush();
      System.exit(status);
    }
  }

  /**
   * Parses {@code args}, starts the node and serves until a shutdown hook makes it leave. Returns
   * the exit status: 2 for bad arguments, 1 when it cannot bind or join, 0 after leaving.
   */
  int run(String[] args) {
    String[] a = args.length == 1 && args[0].equals("help") ? new String[] {"--help"} : args;
    return CommandLines.commandLine(new Options(this), out, err).execute(a);
  }

  /** Parses {@code args}; a bad one throws picocli's ParameterException. */
  static Options parse(String[] args) {
    Options o = new Options(null);
    CommandLines.commandLine(o, System.out, System.err).parseArgs(args);
    return o;
  }

  /** Starts the node of {@code o} and serves; see {@link #run}. */
  private int serve(Options o) {
    if (o.memberlist) {
      return serveMemberlist(o);
    }
    GossipNode node;
    try {
      node = o.configure(GossipNode.builder()).listener(this::onEvent).start();
    } catch (TransportException e) {
      err.println("gossip node: cannot bind " + o.bind() + ": " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | IllegalStateException e) { // e.g. metadata too large
      err.println("gossip node: invalid settings: " + e.getMessage());
      return 2;
    }
    emit(
        "STARTED",
        node.id(),
        node.address().toString(),
        "JOINING",
        "transport="
            + lower(o.transport.name())
            + " profile="
            + o.profile
            + (o.join.isEmpty() ? " (new cluster)" : " seeds=" + joined(o.join))
            + node.keyring()
                .map(k -> " keyring=" + k.primaryKeyId() + " mode=" + k.mode().spelling())
                .orElse(""));
    KeyringFileWatcher watcher = null;
    Path keyFile = o.keyringFile;
    if (keyFile != null) {
      try {
        Keyring ring = node.keyring().orElseThrow();
        watcher =
            KeyringFileWatcher.start(
                keyFile,
                ring,
                o.keyringPoll,
                () ->
                    emit(
                        "KEYRING",
                        node.id(),
                        node.address().toString(),
                        "ONLINE",
                        "primary="
                            + ring.primaryKeyId()
                            + " keys="
                            + String.join(",", ring.keyIds())
                            + " mode="
                            + ring.mode().spelling()));
      } catch (IOException e) {
        err.println("gossip node: cannot watch the keyring file: " + e.getMessage());
        node.close();
        return 1;
      }
    }
    try {
      return serveJoined(node, o);
    } finally {
      if (watcher != null) {
        watcher.close();
      }
    }
  }

  /** {@code --wire memberlist}: a {@link SerfNode} in a Serf pool; see {@link #serve}. */
  private int serveMemberlist(Options o) {
    SerfNode serf;
    try {
      serf = o.configureSerf().listener(this::onEvent).handler(new EventPrinter()).start();
    } catch (TransportException e) {
      err.println("gossip node: cannot bind " + o.bind() + ": " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | IllegalStateException e) { // e.g. tags too large
      err.println("gossip node: invalid settings: " + e.getMessage());
      return 2;
    }
    serfNode = serf;
    GossipNode node = serf.node();
    emit(
        "STARTED",
        node.id(),
        node.address().toString(),
        "JOINING",
        "wire=memberlist profile="
            + o.profile
            + (o.join.isEmpty() ? " (new pool)" : " seeds=" + joined(o.join))
            + (o.encrypt != null ? " encrypted" : ""));
    if (!o.join.isEmpty()) {
      try {
        serf.join(o.join.stream().map(NodeAddress::toString).toArray(String[]::new))
            .get(o.joinTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause =
            e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        state.set(EXITING);
        serf.close();
        err.println("gossip node: could not join through " + joined(o.join) + ": " + cause);
        return 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        state.set(EXITING);
        serf.close();
        return 1;
      }
    }
    return serveJoined(node, o);
  }

  /** Prints the Serf user events a {@code --wire memberlist} node receives. */
  private final class EventPrinter implements UserMessageHandler {
    @Override
    public void onBroadcast(UserBroadcast event) {
      SerfNode serf = serfNode;
      if (serf == null) {
        return;
      }
      emit(
          "EVENT",
          serf.name(),
          serf.address().toString(),
          "ONLINE",
          "name="
              + TextRules.escape(event.topic())
              + " payload="
              + TextRules.escape(new String(event.payload(), StandardCharsets.UTF_8)));
    }
  }

  private int serveJoined(GossipNode node, Options o) {
    if (!awaitJoin(node, o)) {
      return 1;
    }
    emit("READY", node.id(), node.address().toString(), "ONLINE", "members=" + live(node));

    Thread hook = new Thread(() -> leaveOnShutdown(node), "gossip-node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    while (true) {
      try {
        if (o.summary.isZero()) {
          node.closeFuture().get();
        } else {
          node.closeFuture().get(o.summary.toMillis(), TimeUnit.MILLISECONDS);
        }
        return 0;
      } catch (TimeoutException e) {
        summary(node);
      } catch (InterruptedException e) { // an embedding caller (a test) stops the node
        Thread.currentThread().interrupt();
        if (state.compareAndSet(RUNNING, EXITING)) {
          Runtime.getRuntime().removeShutdownHook(hook);
        }
        closeNode(node);
        return 0;
      } catch (ExecutionException e) {
        return 0; // the close future never fails
      }
    }
  }

  private boolean awaitJoin(GossipNode node, Options o) {
    try {
      if (o.retryJoin) {
        // Retries until joined; the future fails only if the node is closed.
        node.joinFuture().get();
      } else {
        // The node's own join timeout fires first.
        node.joinFuture().get(o.joinTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
      }
      return true;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      state.set(EXITING);
      closeNode(node);
      err.println(
          cause instanceof JoinException && cause.getMessage() != null
              ? "gossip node: " + cause.getMessage() // names the seeds and the timeout
              : "gossip node: could not join through " + joined(o.join) + ": " + cause);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.set(EXITING);
      closeNode(node);
      return false;
    }
  }

  /** Closes the node, and Serf's layer with it in a Serf pool. */
  private void closeNode(GossipNode node) {
    SerfNode serf = serfNode;
    if (serf != null) {
      serf.close();
    } else {
      node.close();
    }
  }

  /** The shutdown hook: leave within a bound, then end the process with status 0. */
  private void leaveOnShutdown(GossipNode node) {
    if (!state.compareAndSet(RUNNING, LEAVING)) {
      return; // exiting because of an error: nothing to leave
    }
    emit("LEAVING", node.id(), node.address().toString(), "ONLINE", "timeout=5s");
    long began = System.nanoTime();
    SerfNode serf = serfNode;
    try {
      // In a Serf pool, Serf's leave intent goes first, so the agents list this node `left`.
      (serf != null ? serf.leave(LEAVE_TIMEOUT) : node.leave(LEAVE_TIMEOUT))
          .get(LEAVE_TIMEOUT.toMillis() + 3000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      err.println("gossip node: leave did not finish cleanly: " + e);
    } finally {
      if (serf != null) {
        serf.close();
      } else {
        node.close();
      }
    }
    emit(
        "LEFT",
        node.id(),
        node.address().toString(),
        "LEFT",
        "after=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + "ms");
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(0); // a signal would otherwise end the JVM with 130 or 143
  }

  // ===================================================================== output

  /**
   * Prints one line for {@code event}. Everything in it that another node chose (ids, addresses,
   * metadata, who made a claim) is escaped by {@link TextRules#escape}, so no value can end the
   * line or start a forged one.
   */
  void onEvent(ClusterEvent event) {
    if (event instanceof ClusterEvent.MemberConflict c) {
      NodeView n = c.node();
      emit(
          "CONFLICT",
          n.id(),
          n.address().toString(),
          n.status().name(),
          "claimed="
              + TextRules.escape(c.claimedAddress().toString())
              + " by="
              + TextRules.escape(c.claimedBy())
              + (c.local() ? " (this node)" : ""));
      return;
    }
    if (!(event instanceof ClusterEvent.MemberEvent e)) {
      return; // this program reports other members; its own join and leave are logged
    }
    NodeView n = e.node();
    String details =
        e.kind() == ClusterEvent.Kind.JOINED || e.kind() == ClusterEvent.Kind.METADATA_CHANGED
            ? metadata(n.metadata())
            : "was=" + e.previousStatus();
    emit(e.kind().name(), n.id(), n.address().toString(), e.status().name(), details);
  }

  private void summary(GossipNode node) {
    Map<NodeStatus, Integer> counts = new EnumMap<>(NodeStatus.class);
    List<NodeView> members;
    NodeStats st;
    try {
      members = node.members();
      st = node.stats();
    } catch (IllegalStateException e) {
      return; // closing
    }
    for (NodeView m : members) {
      counts.merge(m.status(), 1, Integer::sum);
    }
    emit(
        "SUMMARY",
        node.id(),
        node.address().toString(),
        node.self().status().name(),
        String.format(
            Locale.ROOT,
            "members=%d online=%d suspect=%d failed=%d left=%d sent=%d received=%d drops=%d",
            members.size(),
            counts.getOrDefault(NodeStatus.ONLINE, 0),
            counts.getOrDefault(NodeStatus.SUSPECT, 0),
            counts.getOrDefault(NodeStatus.FAILED, 0),
            counts.getOrDefault(NodeStatus.LEFT, 0),
            st.core().messagesSent(),
            st.core().messagesReceived(),
            st.totalDrops()));
  }

  private void emit(String kind, String id, String address, String status, String details) {
    String line =
        String.format(
            Locale.ROOT,
            "%s %-16s %s %s %s%s",
            LocalTime.now(ZoneId.systemDefault()).format(TIME),
            kind,
            TextRules.escape(id),
            TextRules.escape(address),
            status,
            details.isEmpty() ? "" : " " + details);
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private static long live(GossipNode node) {
    return node.members().stream().filter(m -> m.status().isAlive()).count();
  }

  private static String metadata(Map<String, String> meta) {
    return new TreeMap<>(meta)
        .entrySet().stream()
            .map(e -> TextRules.escape(e.getKey()) + "=" + TextRules.escape(e.getValue()))
            .collect(Collectors.joining(" "));
  }

  private static String joined(List<NodeAddress> seeds) {
    return seeds.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
