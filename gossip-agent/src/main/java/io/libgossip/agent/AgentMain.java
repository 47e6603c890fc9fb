package io.libgossip.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.libgossip.net.GossipNode;
import io.libgossip.net.JoinException;
import io.libgossip.net.KeyringMode;
import io.libgossip.net.TransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The agent program, {@code ./gossip agent}: runs an {@link Agent} in the foreground until {@code
 * SIGTERM}/{@code SIGINT} or {@code POST /v1/leave}, then leaves the cluster gracefully and exits
 * 0. Prints one line on stdout once it serves: {@code agent ready id=ID gossip=HOST:PORT
 * http=http://HOST:PORT}.
 *
 * <p>Exit status: 0 after a leave, 1 when it cannot bind, read a file or join, 2 for a usage error
 * (a bad option, value or config key).
 */
public final class AgentMain {
  private static final int RUNNING = 0;
  private static final int LEAVING = 1;
  private static final int EXITING = 2;

  private final PrintStream out;
  private final PrintStream err;
  private final AtomicInteger state = new AtomicInteger(RUNNING);

  /** Thrown for a usage error: the message is printed on one line and the exit status is 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /** The command line; every option's long name is also a config-file key. */
  @Command(
      name = "gossip agent",
      mixinStandardHelpOptions = true,
      versionProvider = AgentMain.Version.class,
      sortOptions = false,
      usageHelpWidth = 100,
      customSynopsis = "./gossip agent --bind HOST:PORT [--http HOST:PORT] [OPTIONS]",
      description = {
        "",
        "Runs a gossip node with an HTTP/JSON API, an event stream, Prometheus metrics and a",
        "dashboard (docs/agent.md). SIGTERM or Ctrl-C leaves the cluster gracefully.",
        ""
      },
      footer = {
        "",
        "Config file: JSON or YAML (.json, .yaml, .yml); each key is an option's long name",
        "(bind, http, join: [..], meta: {k: v}, respond: {name: text}, http-token-file, ...).",
        "Options on the command line override the file.",
        "",
        "Examples:",
        "  ./gossip agent --bind 127.0.0.1:7946 --http 127.0.0.1:8946 --id a",
        "  ./gossip agent --bind 127.0.0.1:7947 --http 127.0.0.1:8947 --id b --join 127.0.0.1:7946",
        "  ./gossip agent --config agent.yaml",
        "",
        "Exit status: 0 after a graceful leave, 1 if it cannot bind, read a file or join,",
        "2 for a usage error (bad or missing option, value or config key)."
      })
  static final class Options {
    @Option(
        names = "--config",
        order = 1,
        paramLabel = "FILE",
        description = "read options from a JSON or YAML file")
    @Nullable String config;

    @Option(
        names = "--bind",
        order = 10,
        paramLabel = "HOST:PORT",
        description = "gossip address to listen on (UDP and TCP); port 0 picks one (required)")
    @Nullable String bind;

    @Option(
        names = "--http",
        order = 11,
        paramLabel = "HOST:PORT",
        description =
            "HTTP API address (default 127.0.0.1:8946); port 0 picks one; not loopback: needs a token"
                + " or client certificates")
    @Nullable String http;

    @Option(
        names = "--id",
        order = 12,
        paramLabel = "ID",
        description = "node id (default: derived from the address)")
    @Nullable String id;

    @Option(
        names = "--join",
        order = 20,
        paramLabel = "HOST:PORT[,HOST:PORT...]",
        description =
            "seeds to join through (repeatable; port default 7946); without it: a new cluster")
    List<String> join = new ArrayList<>();

    @Option(
        names = "--retry-join",
        order = 21,
        description = "keep trying to join (backoff 1s doubling to 30s) instead of exiting 1")
    boolean retryJoin;

    @Option(
        names = "--join-timeout",
        order = 22,
        paramLabel = "DURATION",
        description = "how long to wait for a seed to answer, e.g. 500ms, 5s (default 5s)")
    @Nullable String joinTimeout;

    @Option(
        names = "--meta",
        order = 30,
        arity = "1..*",
        paramLabel = "KEY=VALUE",
        description = "metadata (repeatable)")
    List<String> meta = new ArrayList<>();

    @Option(
        names = "--profile",
        order = 40,
        paramLabel = "lan|wan|local",
        description = "protocol timing preset (default lan)")
    @Nullable String profile;

    @Option(
        names = "--transport",
        order = 41,
        paramLabel = "udp|tcp|hybrid",
        description = "gossip transport (default hybrid)")
    @Nullable String transport;

    @Option(
        names = "--advertise",
        order = 42,
        paramLabel = "HOST[:PORT]",
        description = "address other nodes should use (NAT, containers)")
    @Nullable String advertise;

    @Option(
        names = "--cluster",
        order = 43,
        paramLabel = "NAME",
        description = "cluster name; nodes of other clusters are ignored")
    @Nullable String cluster;

    @Option(
        names = "--keyring",
        order = 50,
        paramLabel = "FILE",
        description =
            "seal packets with AES-256-GCM using the keys in FILE (./gossip keygen --out FILE); /v1/keys saves changes to it")
    @Nullable String keyring;

    @Option(
        names = "--keyring-mode",
        order = 51,
        paramLabel = "MODE",
        description =
            "send-plaintext, send-sealed or required (default: the file's mode line, else required)")
    @Nullable String keyringMode;

    @Option(
        names = "--tls-cert",
        order = 60,
        paramLabel = "FILE",
        description =
            "TLS on TCP connections: certificate chain (PEM); needs --tls-key and --tls-ca")
    @Nullable String tlsCert;

    @Option(
        names = "--tls-key",
        order = 61,
        paramLabel = "FILE",
        description = "TLS private key (PEM, unencrypted PKCS#8)")
    @Nullable String tlsKey;

    @Option(
        names = "--tls-ca",
        order = 62,
        paramLabel = "FILE",
        description = "CA certificates (PEM) peers' certificates must chain to")
    @Nullable String tlsCa;

    @Option(
        names = "--tls-require-client-auth",
        order = 63,
        description = "mutual TLS: peers must present a certificate for their id")
    boolean tlsRequireClientAuth;

    @Option(
        names = "--http-token",
        order = 70,
        paramLabel = "TOKEN",
        description =
            "bearer token every API request must carry, except /health, /ready and the"
                + " dashboard's static files")
    @Nullable String httpToken;

    @Option(
        names = "--http-token-file",
        order = 71,
        paramLabel = "FILE",
        description = "read the bearer token from FILE (first line)")
    @Nullable String httpTokenFile;

    @Option(
        names = "--http-max-body",
        order = 72,
        paramLabel = "BYTES",
        description = "largest request body (default 1048576); larger: 413")
    @Nullable String httpMaxBody;

    @Option(
        names = "--http-tls-cert",
        order = 73,
        paramLabel = "FILE",
        description = "serve the API over HTTPS: certificate chain (PEM); needs --http-tls-key")
    @Nullable String httpTlsCert;

    @Option(
        names = "--http-tls-key",
        order = 74,
        paramLabel = "FILE",
        description = "the API's HTTPS private key (PEM, unencrypted PKCS#8)")
    @Nullable String httpTlsKey;

    @Option(
        names = "--http-tls-ca",
        order = 75,
        paramLabel = "FILE",
        description =
            "API clients must present a certificate chaining to these CA certificates (PEM):"
                + " mutual TLS")
    @Nullable String httpTlsCa;

    @Option(
        names = "--ready-file",
        order = 80,
        paramLabel = "FILE",
        description =
            "once serving, write {\"id\",\"gossip\",\"http\",\"pid\"} as JSON to FILE (atomically)")
    @Nullable String readyFile;

    @Option(
        names = "--respond",
        order = 81,
        paramLabel = "NAME=TEXT",
        description = "answer queries named NAME with TEXT (repeatable)")
    List<String> respond = new ArrayList<>();

    @Option(
        names = "--leave-timeout",
        order = 82,
        paramLabel = "DURATION",
        description = "longest graceful leave on SIGTERM or POST /v1/leave (default 5s)")
    @Nullable String leaveTimeout;

    @Option(
        names = "--log-level",
        order = 90,
        paramLabel = "LEVEL",
        description = "error, warn, info, debug or trace (default info); logs go to stderr")
    @Nullable String logLevel;
  }

  /** The version, from the filtered {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = AgentMain.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        // no version known
      }
      return new String[] {
        "gossip agent " + p.getProperty("version", "unknown"),
        "JVM: "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }

  AgentMain(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the agent; see the class comment. */
  public static void main(String[] args) {
    AgentMain main = new AgentMain(System.out, System.err);
    int status = main.run(args);
    if (main.state.get() != LEAVING) {
      System.out.flush();
      System.exit(status);
    }
  }

  /** Parses {@code args}, runs the agent until it leaves; returns the exit status. */
  int run(String[] args) {
    Options o;
    AgentConfig config;
    try {
      String[] a = args.length == 1 && args[0].equals("help") ? new String[] {"--help"} : args;
      CommandLine first = commandLine(new Options());
      CommandLine.ParseResult pr = first.parseArgs(a);
      if (pr.isUsageHelpRequested()) {
        first.usage(out);
        return 0;
      }
      if (pr.isVersionHelpRequested()) {
        first.printVersionHelp(out);
        return 0;
      }
      Options given = first.getCommand();
      List<String> merged = new ArrayList<>();
      if (given.config != null) {
        Set<String> onCommandLine = new TreeSet<>();
        for (CommandLine.Model.OptionSpec s : pr.matchedOptions()) {
          onCommandLine.add(s.longestName());
        }
        merged.addAll(fileArgs(Path.of(given.config), first, onCommandLine));
      }
      merged.addAll(List.of(a));
      CommandLine second = commandLine(new Options());
      second.parseArgs(merged.toArray(new String[0]));
      o = second.getCommand();
      config = toConfig(o);
    } catch (CommandLine.ParameterException e) {
      err.println("gossip agent: " + e.getMessage() + " (see ./gossip agent --help)");
      return 2;
    } catch (UsageException e) {
      err.println("gossip agent: " + e.getMessage());
      return 2;
    }
    if (o.logLevel != null) {
      System.setProperty(
          "org.slf4j.simpleLogger.defaultLogLevel", o.logLevel.toLowerCase(Locale.ROOT));
    }
    return serve(config);
  }

  private static CommandLine commandLine(Options o) {
    CommandLine cl = new CommandLine(o);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** The options of a config file as command-line arguments, leaving out those given on it. */
  static List<String> fileArgs(Path file, CommandLine cl, Set<String> skip) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper mapper;
    if (name.endsWith(".json")) {
      mapper = new ObjectMapper();
    } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      mapper = new ObjectMapper(new YAMLFactory());
    } else {
      throw new UsageException("--config " + file + ": expected a .json, .yaml or .yml file");
    }
    JsonNode root;
    try {
      root = mapper.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UsageException(
          "--config " + file + ": cannot read it: " + firstLine(String.valueOf(e.getMessage())));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return List.of();
    }
    if (!root.isObject()) {
      throw new UsageException("--config " + file + ": expected an object of option names");
    }
    List<String> args = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      String flag = "--" + key;
      CommandLine.Model.OptionSpec spec = cl.getCommandSpec().findOption(flag);
      if (spec == null
          || !spec.longestName().equals(flag)
          || key.equals("config")
          || key.equals("help")
          || key.equals("version")) {
        throw new UsageException(
            "--config "
                + file
                + ": unknown key '"
                + key
                + "' (keys are option names, see ./gossip agent --help)");
      }
      if (skip.contains(flag)) {
        continue;
      }
      JsonNode v = e.getValue();
      boolean flagOnly = spec.arity().max() == 0;
      if (flagOnly) {
        if (!v.isBoolean()) {
          throw new UsageException(
              "--config " + file + ": key '" + key + "' must be true or false");
        }
        if (v.asBoolean()) {
          args.add(flag);
        }
      } else if (v.isArray()) {
        for (JsonNode x : v) {
          args.add(flag);
          args.add(scalar(file, key, x));
        }
      } else if (v.isObject()) {
        for (Map.Entry<String, JsonNode> kv : v.properties()) {
          args.add(flag);
          args.add(kv.getKey() + "=" + scalar(file, key, kv.getValue()));
        }
      } else {
        args.add(flag);
        args.add(scalar(file, key, v));
      }
    }
    return args;
  }

  private static String scalar(Path file, String key, JsonNode v) {
    if (v.isTextual() || v.isNumber() || v.isBoolean()) {
      return v.asText();
    }
    throw new UsageException(
        "--config "
            + file
            + ": key '"
            + key
            + "' must be a string, a number, a list or a map of strings");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Checks the options and makes the agent's settings. */
  static AgentConfig toConfig(Options o) {
    AgentConfig.Builder b = AgentConfig.builder();
    if (o.bind == null) {
      throw new UsageException("missing --bind HOST:PORT (the gossip address; port 0 picks one)");
    }
    b.bind(HostPort.parse("--bind", o.bind, -1, true));
    if (o.http != null) {
      b.http(HostPort.parse("--http", o.http, -1, true));
    }
    if (o.id != null) {
      if (o.id.isBlank() || o.id.chars().anyMatch(Character::isWhitespace)) {
        throw new UsageException("--id: must be non-empty without spaces, got '" + o.id + "'");
      }
      b.id(o.id);
    }
    for (String j : o.join) {
      b.join(HostPort.list("--join", j, GossipNode.DEFAULT_PORT));
    }
    b.retryJoin(o.retryJoin);
    if (o.joinTimeout != null) {
      b.joinTimeout(duration("--join-timeout", o.joinTimeout));
    }
    if (o.leaveTimeout != null) {
      b.leaveTimeout(duration("--leave-timeout", o.leaveTimeout));
    }
    b.meta(pairs("--meta", o.meta, "KEY=VALUE"));
    Map<String, String> respond = pairs("--respond", o.respond, "NAME=TEXT");
    respond.forEach(b::respond);
    if (o.profile != null) {
      if (!List.of("lan", "wan", "local").contains(o.profile)) {
        throw new UsageException("--profile: expected lan, wan or local, got '" + o.profile + "'");
      }
      b.profile(o.profile);
    }
    if (o.transport != null) {
      try {
        b.transport(TransportFactory.type(o.transport));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "--transport: expected udp, tcp or hybrid, got '" + o.transport + "'");
      }
    }
    if (o.advertise != null) {
      b.advertise(HostPort.parse("--advertise", o.advertise, 0, true));
    }
    if (o.cluster != null) {
      if (o.cluster.isBlank()) {
        throw new UsageException("--cluster: must not be empty");
      }
      b.cluster(o.cluster);
    }
    if (o.keyring != null) {
      b.keyring(readable("--keyring", o.keyring));
    }
    if (o.keyringMode != null) {
      try {
        b.keyringMode(KeyringMode.parse(o.keyringMode));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--keyring-mode: " + e.getMessage());
      }
    }
    b.tls(
        o.tlsCert == null ? null : readable("--tls-cert", o.tlsCert),
        o.tlsKey == null ? null : readable("--tls-key", o.tlsKey),
        o.tlsCa == null ? null : readable("--tls-ca", o.tlsCa));
    b.tlsRequireClientAuth(o.tlsRequireClientAuth);
    if (o.httpToken != null && o.httpTokenFile != null) {
      throw new UsageException("give --http-token or --http-token-file, not both");
    }
    if (o.httpToken != null) {
      if (o.httpToken.isBlank()) {
        throw new UsageException("--http-token: must not be empty");
      }
      b.httpToken(o.httpToken.trim());
    }
    if (o.httpTokenFile != null) {
      Path f = readable("--http-token-file", o.httpTokenFile);
      String token;
      try {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        token = lines.isEmpty() ? "" : lines.get(0).trim();
      } catch (IOException e) {
        throw new UsageException("--http-token-file: cannot read '" + f + "': " + e.getMessage());
      }
      if (token.isEmpty()) {
        throw new UsageException("--http-token-file: the first line of '" + f + "' is empty");
      }
      b.httpToken(token);
    }
    if (o.httpMaxBody != null) {
      long v;
      try {
        v = Long.parseLong(o.httpMaxBody.trim());
      } catch (NumberFormatException e) {
        v = -1;
      }
      if (v < 1024 || v > 64L << 20) {
        throw new UsageException(
            "--http-max-body: expected bytes from 1024 to 67108864, got '" + o.httpMaxBody + "'");
      }
      b.httpMaxBody((int) v);
    }
    b.httpTls(
        o.httpTlsCert == null ? null : readable("--http-tls-cert", o.httpTlsCert),
        o.httpTlsKey == null ? null : readable("--http-tls-key", o.httpTlsKey),
        o.httpTlsCa == null ? null : readable("--http-tls-ca", o.httpTlsCa));
    if (o.readyFile != null) {
      b.readyFile(Path.of(o.readyFile));
    }
    if (o.logLevel != null
        && !List.of("error", "warn", "info", "debug", "trace", "off")
            .contains(o.logLevel.toLowerCase(Locale.ROOT))) {
      throw new UsageException(
          "--log-level: expected error, warn, info, debug or trace, got '" + o.logLevel + "'");
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(String.valueOf(e.getMessage()));
    }
  }

  private static Map<String, String> pairs(String flag, List<String> values, String form) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : values) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(flag + ": expected " + form + ", got '" + pair + "'");
      }
      m.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return m;
  }

  private static Path readable(String flag, String v) {
    Path p = Path.of(v);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new UsageException(flag + ": cannot read file '" + v + "'");
    }
    return p;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  /** Parses {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or whole seconds. */
  static Duration duration(String flag, String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new UsageException(
          flag + ": expected a duration like 500ms, 5s or 2m, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    switch (unit) {
      case "ms":
        return Duration.ofMillis(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofSeconds(n);
    }
  }

  /** Starts the agent and serves until it leaves; returns the exit status. */
  private int serve(AgentConfig config) {
    Agent agent;
    try {
      agent = Agent.start(config);
    } catch (IllegalArgumentException e) {
      err.println("gossip agent: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("gossip agent: " + e.getMessage());
      return 1;
    }
    synchronized (out) {
      out.println(agent.readyLine());
      out.flush();
    }
    Thread hook = new Thread(() -> leaveOnShutdown(agent), "gossip-agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    agent
        .joined()
        .whenComplete(
            (v, e) -> {
              if (e != null && state.compareAndSet(RUNNING, EXITING)) {
                Throwable c =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                err.println(
                    "gossip agent: "
                        + (c instanceof JoinException ? c.getMessage() : "could not join: " + c));
                agent.close();
              }
            });
    try {
      agent.terminated().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      agent.close();
    } catch (ExecutionException e) {
      // never fails
    }
    if (state.get() == EXITING) {
      return 1;
    }
    state.compareAndSet(RUNNING, EXITING); // left through POST /v1/leave
    return 0;
  }

  /** The shutdown hook: leave within a bound, then end the process with status 0. */
  private void leaveOnShutdown(Agent agent) {
    if (!state.compareAndSet(RUNNING, LEAVING)) {
      return;
    }
    Duration t = agent.config.leaveTimeout();
    try {
      agent.leave(t).get(t.toMillis() + 3000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      err.println("gossip agent: leave did not finish cleanly: " + e);
    } finally {
      agent.close();
    }
    out.flush();
    err.flush();
    Runtime.getRuntime().halt(0);
  }
}
