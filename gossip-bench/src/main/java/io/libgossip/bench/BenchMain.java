package io.libgossip.bench;

import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./gossip bench}: {@code jmh [JMH args...]} runs the JMH benchmarks (default: all, with
 * short settings); {@code sizes} prints the bytes on the wire of each benchmark message.
 */
public final class BenchMain {
  /** JMH settings used when {@code jmh} is given no arguments: 1 fork, 2×1 s warm-up, 3×1 s. */
  static final List<String> DEFAULT_JMH_ARGS =
      List.of("-f", "1", "-wi", "2", "-w", "1s", "-i", "3", "-r", "1s");

  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
      usage(System.out);
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "jmh":
        org.openjdk.jmh.Main.main(
            rest.length == 0 ? DEFAULT_JMH_ARGS.toArray(new String[0]) : rest);
        return;
      case "sizes":
        printSizes(System.out);
        return;
      default:
        System.err.println("gossip bench: unknown command '" + args[0] + "'");
        usage(System.err);
        System.exit(2);
    }
  }

  static void usage(PrintStream out) {
    out.println("Usage: ./gossip bench jmh [JMH args...]   run the JMH benchmarks");
    out.println("         (default: " + String.join(" ", DEFAULT_JMH_ARGS) + ";");
    out.println("          try: jmh -h, jmh -l, jmh SerializerBenchmark -prof gc)");
    out.println("       ./gossip bench sizes               bytes on the wire per message");
    out.println("Not yet: real-cluster scale runs and simulator sweeps.");
  }

  /** Prints the encoded size of each serializer benchmark message in each format. */
  static void printSizes(PrintStream out) {
    for (String message : List.of("ping8", "pushPull1000")) {
      GossipMessage msg = SerializerBenchmark.message(message);
      int binary = size("binary", msg);
      int json = size("json", msg);
      out.printf(
          "%-13s binary %8d B   json %8d B   json/binary %.2fx%n",
          message, binary, json, (double) json / binary);
    }
  }

  private static int size(String format, GossipMessage msg) {
    MessageSerializer s = SerializerBenchmark.serializer(format);
    return s.encode(msg).length;
  }
}
