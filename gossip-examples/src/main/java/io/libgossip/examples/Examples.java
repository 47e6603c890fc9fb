package io.libgossip.examples;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** Small helpers the examples share: waiting for a condition and printing a membership table. */
final class Examples {
  private Examples() {}

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code timeout}. */
  static void waitUntil(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  /** How many members {@code node} sees {@code ONLINE}, itself included. */
  static long online(GossipNode node) {
    return node.members().stream().filter(m -> m.status() == NodeStatus.ONLINE).count();
  }

  /** Whether every node sees {@code expected} members online. */
  static boolean converged(Collection<GossipNode> nodes, int expected) {
    return nodes.stream().allMatch(n -> online(n) == expected);
  }

  /** Prints {@code node}'s view of the cluster as a table. */
  static void printMembers(PrintStream out, GossipNode node) {
    out.printf("%nMembers as seen by %s:%n", node.id());
    out.printf("  %-12s %-22s %-8s %5s  %s%n", "ID", "ADDRESS", "STATUS", "INC", "METADATA");
    for (NodeView m : node.members()) {
      Map<String, String> sorted = new TreeMap<>(m.metadata());
      out.printf(
          "  %-12s %-22s %-8s %5d  %s%n", m.id(), m.address(), m.status(), m.incarnation(), sorted);
    }
  }
}
