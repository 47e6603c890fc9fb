package io.libgossip.agent.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The operator command line: {@code ./gossip members | meta | join | leave | force-leave | event |
 * query | monitor | keys}, each one call to a running agent's HTTP API (see docs/cli.md).
 *
 * <p>The agent's URL comes from {@code --http URL}, else the environment variable {@code
 * GOSSIP_HTTP_ADDR}, else {@code http://127.0.0.1:8946}; its bearer token from {@code --token},
 * else {@code GOSSIP_HTTP_TOKEN}. Output is an aligned table or a few lines of text; {@code --json}
 * prints the API's JSON instead.
 *
 * <p>Exit status: 0 ok; 1 when the agent answered an error or cannot be reached (one line on
 * stderr: the agent's message and code, or {@code gossip: cannot reach the agent at URL: REASON});
 * 2 for a usage error (an unknown command or option, a bad value: one line naming it and where to
 * find help).
 */
public final class OperatorCli implements Closeable {
  /** The environment variable with the agent's URL. */
  public static final String ENV_ADDR = "GOSSIP_HTTP_ADDR";

  /** The environment variable with the agent's bearer token. */
  public static final String ENV_TOKEN = "GOSSIP_HTTP_TOKEN";

  /** The environment variable with a file whose first line is the agent's bearer token. */
  public static final String ENV_TOKEN_FILE = "GOSSIP_HTTP_TOKEN_FILE";

  /** The environment variable with the CA certificates (PEM) an HTTPS agent's must chain to. */
  public static final String ENV_CA = "GOSSIP_HTTP_CA";

  /** The environment variable with the client certificate chain (PEM) for an mTLS agent. */
  public static final String ENV_CERT = "GOSSIP_HTTP_CLIENT_CERT";

  /** The environment variable with the client certificate's private key (PEM, PKCS#8). */
  public static final String ENV_KEY = "GOSSIP_HTTP_CLIENT_KEY";

  /** The agent's URL when neither {@code --http} nor {@code GOSSIP_HTTP_ADDR} names one. */
  public static final String DEFAULT_ADDR = "http://127.0.0.1:8946";

  static final String EXIT_CODES =
      "Exit status: 0 ok, 1 the agent answered an error or cannot be reached, 2 usage error.";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * A command line printing to {@code out} and {@code err}, reading {@code GOSSIP_HTTP_ADDR} and
   * {@code GOSSIP_HTTP_TOKEN} from {@code env}.
   */
  public OperatorCli(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
  }

  /** Runs the command in {@code args} and exits with its status; Ctrl-C ends a monitor cleanly. */
  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    OperatorCli cli = new OperatorCli(out, err, System.getenv());
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              cli.close();
              try {
                // Lets a monitor or query notice the close and finish its output.
                done.await(2, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              out.flush();
            },
            "gossip-cli-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int status;
    try {
      status = cli.run(args);
    } finally {
      done.countDown();
    }
    out.flush();
    err.flush();
    System.exit(status);
  }

  /**
   * Parses {@code args} (the command first, e.g. {@code members --json}), runs it and returns the
   * exit status.
   */
  public int run(String... args) {
    return commandLine().execute(args);
  }

  /**
   * Ends the commands running on this instance: a {@code monitor} or {@code query} stops reading
   * and returns 0. Safe to call from another thread or a shutdown hook.
   */
  @Override
  public void close() {
    closed = true;
    for (Closeable c : open) {
      try {
        c.close();
      } catch (IOException | RuntimeException e) {
        // closing to stop a reader: nothing to report
      }
    }
  }

  boolean closed() {
    return closed;
  }

  /** Registers a stream that {@link #close()} closes; returns it. */
  <T extends Closeable> T track(T c) {
    open.add(c);
    if (closed) {
      try {
        c.close();
      } catch (IOException e) {
        // closed anyway
      }
    }
    return c;
  }

  void untrack(Closeable c) {
    open.remove(c);
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  Map<String, String> env() {
    return env;
  }

  ObjectMapper json() {
    return json;
  }

  /** Prints {@code node} as indented JSON. */
  void printJson(JsonNode node) {
    try {
      out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot print JSON", e);
    }
    out.flush();
  }

  /** Prints {@code lines}. */
  void print(List<String> lines) {
    for (String l : lines) {
      out.println(l);
    }
    out.flush();
  }

  /** A new empty JSON object. */
  ObjectNode object() {
    return json.createObjectNode();
  }

  /** The root command: {@code gossip COMMAND}. */
  @Command(
      name = "gossip",
      mixinStandardHelpOptions = false,
      usageHelpWidth = 100,
      synopsisSubcommandLabel = "COMMAND",
      header = "Operate a running libgossip agent over its HTTP API",
      description = {""},
      footer = {
        "",
        "The agent's URL: --http URL, else $GOSSIP_HTTP_ADDR, else " + DEFAULT_ADDR + ".",
        "Its bearer token: --token TOKEN or --token-file FILE, else $GOSSIP_HTTP_TOKEN or"
            + " $GOSSIP_HTTP_TOKEN_FILE.",
        "HTTPS: --ca-file FILE ($GOSSIP_HTTP_CA) to trust the agent's certificate; --client-cert"
            + " FILE --client-key FILE ($GOSSIP_HTTP_CLIENT_CERT, $GOSSIP_HTTP_CLIENT_KEY) when it"
            + " requires client certificates.",
        "Each command takes --help.",
        "",
        EXIT_CODES
      })
  static final class Root extends Base {
    Root(OperatorCli cli) {
      super(cli);
    }

    @Override
    public Integer call() {
      throw missingCommand("members, meta, join, leave, force-leave, event, query, monitor, keys");
    }
  }

  CommandLine commandLine() {
    CommandLine root = new CommandLine(new Root(this));
    root.addSubcommand(new MembersCommand(this));
    CommandLine meta = new CommandLine(new MetaCommand(this));
    meta.addSubcommand(new MetaCommand.SetKeys(this));
    meta.addSubcommand(new MetaCommand.GetKeys(this));
    meta.addSubcommand(new MetaCommand.DeleteKey(this));
    root.addSubcommand(meta);
    root.addSubcommand(new ClusterCommands.Join(this));
    root.addSubcommand(new ClusterCommands.Leave(this));
    root.addSubcommand(new ClusterCommands.ForceLeave(this));
    root.addSubcommand(new ClusterCommands.Event(this));
    root.addSubcommand(new QueryCommand(this));
    root.addSubcommand(new MonitorCommand(this));
    CommandLine keys = new CommandLine(new KeysCommand(this));
    keys.addSubcommand(new KeysCommand.ListKeys(this));
    keys.addSubcommand("install", KeysCommand.Change.of(this, "install"));
    keys.addSubcommand("use", KeysCommand.Change.of(this, "use"));
    keys.addSubcommand("remove", KeysCommand.Change.of(this, "remove"));
    root.addSubcommand(keys);

    root.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    root.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    root.setUnmatchedOptionsAllowedAsOptionParameters(false);
    root.setOverwrittenOptionsAllowed(true);
    root.setCaseInsensitiveEnumValuesAllowed(true);
    root.setParameterExceptionHandler(OperatorCli::usageError);
    root.setExecutionExceptionHandler(
        (e, cl, parsed) -> {
          if (e instanceof CliException) {
            err.println("gossip: " + e.getMessage());
          } else {
            err.println("gossip: internal error: " + e);
          }
          err.flush();
          return 1;
        });
    return root;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ");
    List<String> unmatched =
        e instanceof UnmatchedArgumentException u ? u.getUnmatched() : List.of();
    if (!cl.getSubcommands().isEmpty()
        && !unmatched.isEmpty()
        && !unmatched.get(0).startsWith("-")) {
      line.append("unknown command '")
          .append(unmatched.get(0))
          .append("' (one of ")
          .append(String.join(", ", cl.getSubcommands().keySet()))
          .append(')');
    } else {
      line.append(e.getMessage());
      if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        line.append(" (did you mean: ").append(String.join(", ", u.getSuggestions())).append("?)");
      }
    }
    line.append("; see ./").append(name).append(" --help");
    err.println(Text.safe(line.toString()));
    err.flush();
    return CommandLine.ExitCode.USAGE;
  }
}
