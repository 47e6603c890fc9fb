package io.libgossip.examples;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import io.libgossip.net.NodeStats;
import io.libgossip.net.TransportType;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The libgossip demo, {@code ./gossip demo}: five real nodes on 127.0.0.1 form a cluster, spread a
 * metadata change, detect a crashed node and see a graceful leave, printing the membership as it
 * changes and how long each step took.
 *
 * <p>Every phase waits a bounded time. When a phase does not reach its goal the demo prints what it
 * expected and what it saw, and exits with status 1; otherwise it prints a summary and exits with
 * status 0. It takes about 10 s on an idle machine; since every wait is bounded, even a failing run
 * ends within two minutes.
 */
public final class Demo {
  static final int SIZE = 5;
  private static final Duration POLL = Duration.ofMillis(50);

  private final PrintStream out;
  private final GossipConfig config;
  private final long start = System.nanoTime();
  private final ConcurrentLinkedQueue<Seen> inbox = new ConcurrentLinkedQueue<>();
  private final List<Seen> history = Collections.synchronizedList(new ArrayList<>());
  private final List<GossipNode> nodes = new ArrayList<>();
  private final Set<String> stopped = Collections.synchronizedSet(new HashSet<>());
  private final Map<String, String> results = new LinkedHashMap<>();
  private boolean printEvents;

  /** One event as one node saw it, with the time it arrived. */
  private record Seen(long nanos, String observer, ClusterEvent event) {
    String member() {
      return event.node().id();
    }
  }

  /** A phase that did not reach its goal. */
  private static final class PhaseFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PhaseFailed(String message) {
      super(message);
    }
  }

  private Demo(PrintStream out, GossipConfig config) {
    this.out = out;
    this.config = config;
  }

  /** Runs the demo and exits with its status. */
  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println(
          "gossip demo: takes no arguments (got '"
              + String.join(" ", args)
              + "'); try ./gossip node");
      System.exit(2);
    }
    int status = run(System.out);
    System.out.flush();
    System.exit(status);
  }

  /** Runs the demo, printing to {@code out}; returns 0 when every phase passed, 1 otherwise. */
  static int run(PrintStream out) {
    GossipConfig config = GossipConfig.local().toBuilder().clusterName("libgossip-demo").build();
    return new Demo(out, config).run();
  }

  private int run() {
    EventLoopPool pool = EventLoopPool.create(2, "demo");
    try {
      out.printf(
          "libgossip demo: %d nodes on 127.0.0.1, UDP + TCP (hybrid), profile 'local'"
              + " (probe every %s, suspicion at least %s, retransmit multiplier %d)%n",
          SIZE,
          seconds(config.probeInterval()),
          seconds(config.probeInterval().multipliedBy(config.suspicionMult())),
          config.retransmitMult());
      formCluster(pool);
      spreadMetadata();
      detectCrash();
      gracefulLeave();
      summary();
      return 0;
    } catch (PhaseFailed e) {
      drain();
      out.println();
      out.println("DEMO FAILED " + e.getMessage());
      printTable("membership when it failed");
      return 1;
    } finally {
      for (GossipNode n : nodes) {
        n.close();
      }
      pool.close();
    }
  }

  // ===================================================================== phases

  private void formCluster(EventLoopPool pool) {
    phase(1, "start " + SIZE + " nodes; node-2..node-" + SIZE + " join through node-1");
    String[] roles = {"seed", "web", "web", "cache", "batch"};
    List<CompletableFuture<Void>> joins = new ArrayList<>();
    long began = System.nanoTime();
    for (int i = 0; i < SIZE; i++) {
      String id = "node-" + (i + 1);
      GossipNode.Builder b =
          GossipNode.builder()
              .id(id)
              .bind("127.0.0.1", 0)
              .transport(TransportType.HYBRID)
              .config(config)
              .eventLoops(pool)
              .metadata("role", roles[i % roles.length])
              .metadata("version", "1.0")
              .listener(e -> onEvent(id, e));
      if (i > 0) {
        b.seeds(nodes.get(0).address().toString());
      }
      GossipNode node = b.start();
      nodes.add(node);
      joins.add(node.joinFuture());
      line("  %-7s listening on %-16s role=%s", id, node.address(), roles[i % roles.length]);
    }
    try {
      CompletableFuture.allOf(joins.toArray(new CompletableFuture<?>[0])).get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new PhaseFailed(
          "in phase 1 (join): expected every node to join through node-1; seen: "
              + cause.getMessage());
    } catch (TimeoutException e) {
      throw new PhaseFailed(
          "in phase 1 (join): expected every node to join through node-1 within 15 s; seen: "
              + "some joins still pending");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PhaseFailed("in phase 1 (join): interrupted");
    }
    line("  all %d joins acknowledged after %s", SIZE, since(began));
    String[] last = {""};
    long took =
        waitFor(
            "phase 1 (membership)",
            "every node to see all " + SIZE + " members ONLINE",
            Duration.ofSeconds(20),
            () -> {
              String counts =
                  nodes.stream()
                      .map(n -> n.id() + " " + count(n, NodeStatus.ONLINE) + "/" + SIZE)
                      .collect(Collectors.joining("  "));
              if (!counts.equals(last[0])) {
                last[0] = counts;
                line("  online: %s", counts);
              }
              boolean done = nodes.stream().allMatch(n -> count(n, NodeStatus.ONLINE) == SIZE);
              return done ? null : counts;
            },
            began);
    result("cluster formed", "every node sees " + SIZE + " members ONLINE after " + ms(took));
    printTable("membership");
    printEvents = true;
  }

  private void spreadMetadata() {
    GossipNode node3 = nodes.get(2);
    Map<String, String> updated = new TreeMap<>(node3.self().metadata());
    updated.put("version", "1.1");
    phase(2, "node-3 changes its metadata to " + updated);
    long began = System.nanoTime();
    node3.updateMetadata(updated);
    List<GossipNode> others = others(node3);
    waitFor(
        "phase 2 (metadata)",
        "all " + others.size() + " other nodes to see node-3's metadata " + updated,
        Duration.ofSeconds(10),
        () -> {
          List<String> behind = new ArrayList<>();
          for (GossipNode o : others) {
            Map<String, String> seen = view(o, "node-3").map(NodeView::metadata).orElse(Map.of());
            if (!seen.equals(updated)) {
              behind.add(o.id() + " sees " + new TreeMap<>(seen));
            }
          }
          return behind.isEmpty() ? null : String.join("; ", behind);
        },
        began);
    long last = lastEventAt(others, "node-3", ClusterEvent.Kind.METADATA_CHANGED, began);
    long first = firstEventAt(others, "node-3", ClusterEvent.Kind.METADATA_CHANGED, began);
    result(
        "metadata spread",
        "node-3's change reached all "
            + others.size()
            + " other nodes in "
            + ms(last - began)
            + " (first after "
            + ms(first - began)
            + ")");
  }

  private void detectCrash() {
    GossipNode victim = nodes.get(4);
    String vid = victim.id();
    phase(3, vid + " crashes: its sockets close without a word (close(), no leave)");
    List<GossipNode> watchers = others(victim);
    long killed = System.nanoTime();
    victim.close();
    stopped.add(vid);
    line("  %s is down; waiting for the failure detector", vid);
    waitFor(
        "phase 3 (crash detection)",
        "node-1..node-4 to see " + vid + " FAILED",
        Duration.ofSeconds(30),
        () -> expectStatus(watchers, vid, NodeStatus.FAILED),
        killed);
    List<String> lines = new ArrayList<>();
    long firstSuspect = Long.MAX_VALUE;
    long lastSuspect = 0;
    long lastFailed = 0;
    for (GossipNode w : watchers) {
      OptionalLong s = eventAt(w.id(), vid, ClusterEvent.Kind.SUSPECTED, killed);
      OptionalLong f = eventAt(w.id(), vid, ClusterEvent.Kind.FAILED, killed);
      long fAt = f.orElse(System.nanoTime());
      lastFailed = Math.max(lastFailed, fAt - killed);
      if (s.isPresent()) {
        firstSuspect = Math.min(firstSuspect, s.getAsLong() - killed);
        lastSuspect = Math.max(lastSuspect, s.getAsLong() - killed);
      }
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-7s SUSPECT after %-9s FAILED after %s",
              w.id(),
              s.isPresent() ? ms(s.getAsLong() - killed) + "," : "(skipped),",
              ms(fAt - killed)));
    }
    if (firstSuspect == Long.MAX_VALUE) {
      throw new PhaseFailed(
          "in phase 3 (crash detection): expected "
              + vid
              + " to be SUSPECT before FAILED; seen: no node reported SUSPECT");
    }
    line("  detection times, measured from the crash:");
    lines.forEach(this::line);
    result("crash: first SUSPECT", ms(firstSuspect) + " after the crash");
    result("crash: all FAILED", ms(lastFailed) + " after the crash");
  }

  private void gracefulLeave() {
    GossipNode leaver = nodes.get(3);
    String lid = leaver.id();
    phase(4, lid + " leaves gracefully (leave(5 s))");
    List<GossipNode> watchers =
        others(leaver).stream().filter(n -> !stopped.contains(n.id())).collect(Collectors.toList());
    long began = System.nanoTime();
    CompletableFuture<Void> left = leaver.leave(Duration.ofSeconds(5));
    waitFor(
        "phase 4 (graceful leave)",
        watchers.stream().map(GossipNode::id).collect(Collectors.joining(", "))
            + " to see "
            + lid
            + " LEFT, and "
            + lid
            + " to finish leaving",
        Duration.ofSeconds(25),
        () -> {
          String m = expectStatus(watchers, lid, NodeStatus.LEFT);
          if (m == null && !left.isDone()) {
            return lid + " is still leaving";
          }
          return m;
        },
        began);
    stopped.add(lid);
    long leaveDone = System.nanoTime() - began;
    List<String> failed = observersOf(lid, ClusterEvent.Kind.FAILED);
    if (!failed.isEmpty()) {
      throw new PhaseFailed(
          "in phase 4 (graceful leave): expected "
              + lid
              + " to be LEFT and never FAILED; seen: FAILED at "
              + String.join(", ", failed));
    }
    List<String> suspected = observersOf(lid, ClusterEvent.Kind.SUSPECTED);
    long last = lastEventAt(watchers, lid, ClusterEvent.Kind.LEFT, began);
    result(
        "graceful leave",
        lid
            + " LEFT everywhere after "
            + ms(last - began)
            + ", never FAILED; leave() returned after "
            + ms(leaveDone)
            + (suspected.isEmpty()
                ? ""
                : " (suspected first by "
                    + String.join(", ", suspected)
                    + ": the leave missed it)"));
  }

  private void summary() {
    drain();
    printEvents = false;
    printTable("final membership");
    out.println();
    long falseSuspicions =
        snapshot().stream()
            .filter(s -> s.event().kind() == ClusterEvent.Kind.SUSPECTED)
            .filter(s -> !s.member().equals("node-5") && !s.member().equals("node-4"))
            .count();
    long sent = 0;
    long received = 0;
    long bytes = 0;
    long drops = 0;
    for (GossipNode n : nodes) {
      NodeStats st = n.stats();
      sent += st.core().messagesSent();
      received += st.core().messagesReceived();
      bytes += st.transport().bytesOut();
      drops += st.totalDrops();
    }
    result("healthy nodes wrongly suspected", Long.toString(falseSuspicions));
    result(
        "traffic (all nodes)",
        String.format(
            Locale.ROOT,
            "%d messages sent, %d received, %.1f KiB sent, %d dropped",
            sent,
            received,
            bytes / 1024.0,
            drops));
    out.println();
    out.println("Summary");
    results.forEach((k, v) -> out.printf("  %-34s %s%n", k + ":", v));
    out.println();
    out.printf("demo passed in %s%n", seconds(System.nanoTime() - start));
  }

  // ===================================================================== waiting and checking

  /**
   * Polls {@code mismatch} until it returns null (the goal is reached); it returns a description of
   * what is seen otherwise. Returns the nanoseconds since {@code began}.
   */
  private long waitFor(
      String phase, String expected, Duration timeout, Supplier<String> mismatch, long began) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      drain();
      String seen = mismatch.get();
      if (seen == null) {
        drain();
        return System.nanoTime() - began;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new PhaseFailed(
            "in "
                + phase
                + ":\n  expected: "
                + expected
                + " within "
                + seconds(timeout)
                + "\n  seen:     "
                + seen);
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PhaseFailed("in " + phase + ": interrupted");
      }
    }
  }

  /** Null when every watcher sees {@code id} with {@code status}, else what they see. */
  private @Nullable String expectStatus(List<GossipNode> watchers, String id, NodeStatus status) {
    List<String> wrong = new ArrayList<>();
    for (GossipNode w : watchers) {
      String seen = view(w, id).map(v -> v.status().name()).orElse("unknown");
      if (!seen.equals(status.name())) {
        wrong.add(w.id() + " sees " + seen);
      }
    }
    return wrong.isEmpty() ? null : String.join(", ", wrong);
  }

  private static Optional<NodeView> view(GossipNode observer, String id) {
    return observer.findNode(id);
  }

  private static long count(GossipNode node, NodeStatus status) {
    return node.members().stream().filter(m -> m.status() == status).count();
  }

  private List<GossipNode> others(GossipNode node) {
    return nodes.stream().filter(n -> n != node).collect(Collectors.toList());
  }

  // ===================================================================== events

  private void onEvent(String observer, ClusterEvent event) {
    if (!(event instanceof ClusterEvent.MemberEvent)) {
      return; // the demo follows what nodes see of each other
    }
    Seen s = new Seen(System.nanoTime(), observer, event);
    history.add(s);
    inbox.add(s);
  }

  private List<Seen> snapshot() {
    synchronized (history) {
      return new ArrayList<>(history);
    }
  }

  /** Prints the events that arrived since the last call, one line per member and change. */
  private void drain() {
    Map<String, List<Seen>> groups = new LinkedHashMap<>();
    for (Seen s; (s = inbox.poll()) != null; ) {
      String key = s.member() + " " + s.event().kind() + " " + describe(s.event());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    if (!printEvents) {
      return;
    }
    for (List<Seen> g : groups.values()) {
      Seen first = g.get(0);
      String observers =
          g.stream().map(Seen::observer).distinct().collect(Collectors.joining(", "));
      out.printf(
          Locale.ROOT,
          "[%6.2fs]   %-7s %-24s seen by %s%n",
          (first.nanos() - start) / 1e9,
          first.member(),
          describe(first.event()),
          observers);
    }
  }

  private static String describe(ClusterEvent e) {
    if (e.kind() == ClusterEvent.Kind.METADATA_CHANGED) {
      return "metadata " + new TreeMap<>(e.node().metadata());
    }
    ClusterEvent.MemberEvent m = (ClusterEvent.MemberEvent) e;
    return m.previousStatus() + " -> " + m.status();
  }

  /** The nodes that reported {@code kind} about {@code member} at any time. */
  private List<String> observersOf(String member, ClusterEvent.Kind kind) {
    return snapshot().stream()
        .filter(s -> s.member().equals(member) && s.event().kind() == kind)
        .map(Seen::observer)
        .distinct()
        .collect(Collectors.toList());
  }

  private OptionalLong eventAt(String observer, String member, ClusterEvent.Kind kind, long after) {
    return snapshot().stream()
        .filter(s -> s.observer().equals(observer) && s.member().equals(member))
        .filter(s -> s.event().kind() == kind && s.nanos() - after >= 0)
        .mapToLong(Seen::nanos)
        .findFirst();
  }

  private long firstEventAt(
      List<GossipNode> observers, String member, ClusterEvent.Kind kind, long after) {
    long best = Long.MAX_VALUE;
    for (GossipNode o : observers) {
      OptionalLong t = eventAt(o.id(), member, kind, after);
      if (t.isPresent()) {
        best = Math.min(best, t.getAsLong());
      }
    }
    return best == Long.MAX_VALUE ? System.nanoTime() : best;
  }

  private long lastEventAt(
      List<GossipNode> observers, String member, ClusterEvent.Kind kind, long after) {
    long worst = after;
    for (GossipNode o : observers) {
      worst = Math.max(worst, eventAt(o.id(), member, kind, after).orElse(System.nanoTime()));
    }
    return worst;
  }

  // ===================================================================== printing

  private void phase(int n, String title) {
    out.println();
    line("phase %d/4: %s", n, title);
  }

  private void line(String format, Object... args) {
    out.printf(
        Locale.ROOT,
        "[%6.2fs] %s%n",
        (System.nanoTime() - start) / 1e9,
        String.format(Locale.ROOT, format, args));
  }

  private void result(String what, String value) {
    results.put(what, value);
    line("  OK %s: %s", what, value);
  }

  /** Each running node's view of every member: one row per observer. */
  private void printTable(String title) {
    List<String> ids = nodes.stream().map(GossipNode::id).collect(Collectors.toList());
    out.printf("%n  %s (row: the node looking; column: the member it sees)%n", title);
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-9s", ""));
    ids.forEach(id -> head.append(String.format(Locale.ROOT, "%-9s", id)));
    out.println(head.toString().stripTrailing());
    for (GossipNode observer : nodes) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-9s", observer.id()));
      if (stopped.contains(observer.id()) || !observer.isRunning()) {
        row.append("(stopped)");
      } else {
        Map<String, NodeView> seen = new TreeMap<>();
        for (NodeView v : observer.members()) {
          seen.put(v.id(), v);
        }
        for (String id : ids) {
          NodeView v = seen.get(id);
          String cell = id.equals(observer.id()) ? "self" : v == null ? "-" : v.status().name();
          row.append(String.format(Locale.ROOT, "%-9s", cell));
        }
      }
      out.println(row.toString().stripTrailing());
    }
  }

  private static String ms(long nanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }

  private String since(long began) {
    return ms(System.nanoTime() - began);
  }

  private static String seconds(Duration d) {
    return seconds(d.toNanos());
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
