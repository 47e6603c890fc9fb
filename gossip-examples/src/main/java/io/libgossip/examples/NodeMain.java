package io.libgossip.examples;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import io.libgossip.net.JoinException;
import io.libgossip.net.NodeStats;
import io.libgossip.net.TransportException;
import io.libgossip.net.TransportFactory;
import io.libgossip.net.TransportType;
import java.io.PrintStream;
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
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

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
  static final String USAGE =
      String.join(
          "\n",
          "Usage: ./gossip node --bind HOST:PORT [options]",
          "",
          "Runs one gossip node in the foreground; Ctrl-C leaves the cluster gracefully.",
          "",
          "Options:",
          "  --bind HOST:PORT         address to listen on (UDP and/or TCP); port 0 picks one",
          "  --join HOST:PORT,...     seeds to join through; without it the node starts a cluster",
          "  --meta KEY=VALUE ...     metadata (repeatable, or several pairs after one --meta)",
          "  --id ID                  node id (default: derived from the address)",
          "  --profile lan|wan|local  protocol timing preset (default lan)",
          "  --transport udp|tcp|hybrid  (default hybrid)",
          "  --advertise HOST:PORT    address other nodes should use (NAT, containers)",
          "  --cluster NAME           cluster name; nodes of other clusters are ignored",
          "  --summary SECONDS        print a summary line this often; 0 turns it off (default 10)",
          "",
          "Exit status: 0 after a graceful leave, 1 if it cannot bind or join, 2 for bad arguments.",
          "Library logs go to stderr at WARN; set LIBGOSSIP_LOG_LEVEL=INFO or DEBUG for more.");

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(5);

  private static final int RUNNING = 0;
  private static final int LEAVING = 1;
  private static final int EXITING = 2;

  private final PrintStream out;
  private final PrintStream err;
  private final AtomicInteger state = new AtomicInteger(RUNNING);

  /** Parsed command line. */
  record Options(
      NodeAddress bind,
      List<NodeAddress> join,
      Map<String, String> meta,
      @Nullable String id,
      String profile,
      TransportType transport,
      @Nullable NodeAddress advertise,
      @Nullable String cluster,
      Duration summary) {}

  /** A bad command line; the message names the flag. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
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
    Options o;
    try {
      for (String a : args) {
        if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
          out.println(USAGE);
          return 0;
        }
      }
      o = parse(args);
    } catch (UsageException e) {
      err.println("gossip node: " + e.getMessage() + " (see ./gossip node --help)");
      return 2;
    }

    GossipConfig.Builder cfg = GossipConfig.profile(o.profile()).toBuilder();
    if (o.cluster() != null) {
      cfg.clusterName(o.cluster());
    }
    GossipNode.Builder b =
        GossipNode.builder()
            .bind(o.bind().host(), o.bind().port())
            .config(cfg.build())
            .transport(o.transport())
            .metadata(o.meta())
            .seeds(o.join())
            .listener(this::onEvent);
    if (o.id() != null) {
      b.id(o.id());
    }
    if (o.advertise() != null) {
      b.advertise(o.advertise().host(), o.advertise().port());
    }
    GossipNode node;
    try {
      node = b.start();
    } catch (TransportException e) {
      err.println("gossip node: cannot bind " + o.bind() + ": " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) { // e.g. metadata larger than the profile allows
      err.println("gossip node: invalid settings: " + e.getMessage());
      return 2;
    }
    emit(
        "STARTED",
        node.id(),
        node.address().toString(),
        "JOINING",
        "transport="
            + lower(o.transport().name())
            + " profile="
            + o.profile()
            + (o.join().isEmpty() ? " (new cluster)" : " seeds=" + joined(o.join())));
    if (!awaitJoin(node, o)) {
      return 1;
    }
    emit("READY", node.id(), node.address().toString(), "ONLINE", "members=" + live(node));

    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> leaveOnShutdown(node), "gossip-node-shutdown"));
    while (true) {
      try {
        if (o.summary().isZero()) {
          node.closeFuture().get();
        } else {
          node.closeFuture().get(o.summary().toMillis(), TimeUnit.MILLISECONDS);
        }
        return 0;
      } catch (TimeoutException e) {
        summary(node);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        node.close();
        return 0;
      } catch (ExecutionException e) {
        return 0; // the close future never fails
      }
    }
  }

  private boolean awaitJoin(GossipNode node, Options o) {
    try {
      node.joinFuture().get(30, TimeUnit.SECONDS); // the node's own join timeout fires first
      return true;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      state.set(EXITING);
      node.close();
      err.println(
          cause instanceof JoinException && cause.getMessage() != null
              ? "gossip node: " + cause.getMessage() // names the seeds and the timeout
              : "gossip node: could not join through " + joined(o.join()) + ": " + cause);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state.set(EXITING);
      node.close();
      return false;
    }
  }

  /** The shutdown hook: leave within a bound, then end the process with status 0. */
  private void leaveOnShutdown(GossipNode node) {
    if (!state.compareAndSet(RUNNING, LEAVING)) {
      return; // exiting because of an error: nothing to leave
    }
    emit("LEAVING", node.id(), node.address().toString(), "ONLINE", "timeout=5s");
    long began = System.nanoTime();
    try {
      node.leave(LEAVE_TIMEOUT).get(LEAVE_TIMEOUT.toMillis() + 3000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      err.println("gossip node: leave did not finish cleanly: " + e);
    } finally {
      node.close();
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

  private void onEvent(ClusterEvent event) {
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
            id,
            address,
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
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
  }

  private static String joined(List<NodeAddress> seeds) {
    return seeds.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  // ===================================================================== arguments

  /** Parses the command line; the exception's message names the offending flag. */
  static Options parse(String[] args) throws UsageException {
    NodeAddress bind = null;
    List<NodeAddress> join = new ArrayList<>();
    Map<String, String> meta = new LinkedHashMap<>();
    String id = null;
    String profile = "lan";
    TransportType transport = TransportFactory.DEFAULT_TYPE;
    NodeAddress advertise = null;
    String cluster = null;
    Duration summary = Duration.ofSeconds(10);
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (!flag.startsWith("--")) {
        throw new UsageException("unexpected argument '" + flag + "'");
      }
      String value;
      int eq = flag.indexOf('=');
      if (eq > 0) { // --flag=value
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      } else {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          throw new UsageException(flag + " needs a value");
        }
        value = args[++i];
      }
      switch (flag) {
        case "--bind" -> bind = address(flag, value, true);
        case "--join" -> {
          for (String s : value.split(",", -1)) {
            if (!s.isBlank()) {
              join.add(address(flag, s.trim(), false));
            }
          }
          if (join.isEmpty()) {
            throw new UsageException(
                "--join: expected HOST:PORT[,HOST:PORT...], got '" + value + "'");
          }
        }
        case "--meta" -> {
          putMeta(meta, value);
          while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
            putMeta(meta, args[++i]);
          }
        }
        case "--id" -> {
          if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new UsageException("--id: must be non-empty without spaces, got '" + value + "'");
          }
          id = value;
        }
        case "--profile" -> {
          if (!List.of("lan", "wan", "local").contains(value)) {
            throw new UsageException("--profile: expected lan, wan or local, got '" + value + "'");
          }
          profile = value;
        }
        case "--transport" -> {
          try {
            transport = TransportFactory.type(value);
          } catch (IllegalArgumentException e) {
            throw new UsageException(
                "--transport: expected udp, tcp or hybrid, got '" + value + "'");
          }
        }
        case "--advertise" -> advertise = address(flag, value, false);
        case "--cluster" -> {
          if (value.isBlank()) {
            throw new UsageException("--cluster: must not be empty");
          }
          cluster = value;
        }
        case "--summary" -> {
          try {
            long s = Long.parseLong(value);
            if (s < 0 || s > 86_400) {
              throw new NumberFormatException();
            }
            summary = Duration.ofSeconds(s);
          } catch (NumberFormatException e) {
            throw new UsageException(
                "--summary: expected whole seconds from 0 to 86400, got '" + value + "'");
          }
        }
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    if (bind == null) {
      throw new UsageException("--bind HOST:PORT is required");
    }
    return new Options(
        bind, List.copyOf(join), meta, id, profile, transport, advertise, cluster, summary);
  }

  private static NodeAddress address(String flag, String value, boolean needPort)
      throws UsageException {
    try {
      NodeAddress a = NodeAddress.parse(value, needPort ? -1 : GossipNode.DEFAULT_PORT);
      if (!needPort && a.port() == 0 && !flag.equals("--advertise")) {
        throw new IllegalArgumentException("port 0 cannot be reached");
      }
      return a;
    } catch (IllegalArgumentException e) {
      throw new UsageException(flag + ": expected HOST:PORT, got '" + value + "'");
    }
  }

  private static void putMeta(Map<String, String> meta, String pair) throws UsageException {
    int eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageException("--meta: expected KEY=VALUE, got '" + pair + "'");
    }
    meta.put(pair.substring(0, eq), pair.substring(eq + 1));
  }
}
