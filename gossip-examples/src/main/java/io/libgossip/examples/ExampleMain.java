package io.libgossip.examples;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one of the examples by name, {@code ./gossip example NAME [ARGS...]}: {@code
 * simple-cluster}, {@code seed-cluster}, {@code advanced-cluster}, {@code messaging} or {@code
 * network}.
 */
public final class ExampleMain {
  /** The examples by name, with a one-line description, in the order they are listed. */
  static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

  /** An example: its main method, what it shows and its arguments. */
  record Example(Consumer<String[]> main, String description, String args) {}

  static {
    EXAMPLES.put(
        "simple-cluster",
        new Example(SimpleCluster::main, "N nodes in one JVM form a full mesh (default 5)", "[N]"));
    EXAMPLES.put(
        "seed-cluster",
        new Example(
            ExampleMain::seedCluster,
            "join through a seed; with options, one real node per process",
            "[--bind H:P --seeds H:P,... --id ID --role R ...]"));
    EXAMPLES.put(
        "advanced-cluster",
        new Example(
            AdvancedCluster::main,
            "metadata, listeners, a graceful leave, a crash and statistics",
            ""));
    EXAMPLES.put(
        "messaging",
        new Example(
            MessagingExample::main,
            "broadcast, request/response, a query and a 1 MiB reliable message between 3 nodes",
            ""));
    EXAMPLES.put(
        "hashing",
        new Example(
            HashingExample::main,
            "consistent hashing over 4 live nodes: key owners, and what moves when one leaves",
            ""));
    EXAMPLES.put(
        "balancing",
        new Example(
            BalancingExample::main,
            "load balancing over 3 live workers: round-robin, power of two choices on published"
                + " loads, per-worker rate limits, a crashed worker skipped",
            ""));
    EXAMPLES.put(
        "config",
        new Example(
            ConfigExample::main,
            "configuration sync over 3 live nodes: writes, subscriptions, a remove, a restart",
            ""));
    EXAMPLES.put(
        "jobs",
        new Example(
            JobsExample::main,
            "a quorum leader and single-owner jobs over 3 nodes; a node is killed, both move",
            ""));
    EXAMPLES.put(
        "timing",
        new Example(
            TimingExample::main,
            "clock offsets and Vivaldi coordinates between 3 nodes; one clock runs 250 ms ahead",
            ""));
    EXAMPLES.put(
        "serf",
        new Example(
            SerfExample::main,
            "two libgossip nodes in a HashiCorp Serf pool with a real serf agent: events, a query,"
                + " a leave",
            ""));
    EXAMPLES.put(
        "network",
        new Example(
            NetworkExample::main,
            "the transports (UDP, TCP, hybrid) and serializers (binary, JSON) directly",
            ""));
  }

  private ExampleMain() {}

  /** Runs the example named by {@code args[0]} with the remaining arguments. */
  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.print(usage());
      System.exit(args.length == 0 ? 2 : 0);
    }
    Example example = EXAMPLES.get(args[0]);
    if (example == null) {
      System.err.println(
          "gossip example: unknown example '"
              + args[0]
              + "'; expected one of "
              + String.join(", ", EXAMPLES.keySet()));
      System.exit(2);
      return;
    }
    example.main().accept(Arrays.copyOfRange(args, 1, args.length));
    System.out.flush();
    System.exit(0);
  }

  /** The list of examples, as {@code ./gossip example help} prints it. */
  static String usage() {
    StringBuilder sb = new StringBuilder("Usage: ./gossip example NAME [ARGS...]\n\nExamples:\n");
    EXAMPLES.forEach(
        (name, e) -> {
          sb.append(String.format(Locale.ROOT, "  %-17s %s%n", name, e.description()));
          if (!e.args().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "  %-17s args: %s%n", "", e.args()));
          }
        });
    sb.append("\nSources: gossip-examples/src/main/java/io/libgossip/examples/\n");
    return sb.toString();
  }

  private static void seedCluster(String[] args) {
    try {
      SeedCluster.main(args);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
