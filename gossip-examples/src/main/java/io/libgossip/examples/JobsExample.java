package io.libgossip.examples;

import io.libgossip.cluster.JobRun;
import io.libgossip.cluster.JobSchedule;
import io.libgossip.cluster.JobScheduler;
import io.libgossip.cluster.MetadataPublisher;
import io.libgossip.cluster.PolledMembers;
import io.libgossip.cluster.QuorumLeaderElection;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeView;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A quorum leader and single-owner jobs over three nodes on loopback: each node runs a {@link
 * QuorumLeaderElection} and an at-most-once {@link JobScheduler} with the same two jobs; one node
 * leads and each job runs on one node; then the leader is killed (closed without leaving) and
 * leadership and its job move to the survivors, which still hold two of the three members of the
 * configuration.
 */
public final class JobsExample {
  private static final int NODES = 3;
  private static final Duration FRESHNESS = Duration.ofSeconds(3);
  private static final Duration TAKEOVER = Duration.ofSeconds(4);
  private static final Duration EVERY = Duration.ofSeconds(1);

  private JobsExample() {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  /** One node with its election and scheduler. */
  private record Member(GossipNode node, QuorumLeaderElection election, JobScheduler scheduler) {}

  static void run(PrintStream out) {
    long start = System.nanoTime();
    GossipConfig config = GossipConfig.local().toBuilder().clusterName("jobs-demo").build();
    List<Member> members = new ArrayList<>();
    Map<String, String> lastRunner = new ConcurrentHashMap<>();
    Set<String> quiet = ConcurrentHashMap.newKeySet(); // nodes shut down: their events not shown
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "jobs-example-ticker");
              t.setDaemon(true);
              return t;
            });
    try (EventLoopPool pool = EventLoopPool.create(1, "jobs")) {
      try {
        for (int i = 0; i < NODES; i++) {
          GossipNode.Builder b =
              GossipNode.builder()
                  .id("node-" + i)
                  .bind("127.0.0.1", 0)
                  .config(config)
                  .eventLoops(pool)
                  .metadata(NodeView.ROLE, "worker");
          if (i > 0) {
            b.seeds(members.get(0).node().address().toString());
          }
          GossipNode node = b.start();
          members.add(member(node, out, start, lastRunner, quiet));
        }
        ticker.scheduleWithFixedDelay(
            () -> {
              for (Member m : members) {
                if (m.node().isRunning()) {
                  m.election().tick();
                  m.scheduler().tick();
                }
              }
            },
            100,
            100,
            TimeUnit.MILLISECONDS);

        Examples.waitUntil("a leader", Duration.ofSeconds(20), () -> leader(members) != null);
        Examples.waitUntil(
            "both jobs to run", Duration.ofSeconds(10), () -> lastRunner.size() == 2);
        Member leader = Objects.requireNonNull(leader(members));
        out.printf(
            "%s leads (term %d); report runs on %s, cleanup on %s%n",
            leader.node().id(),
            leader.election().term(),
            lastRunner.get("report"),
            lastRunner.get("cleanup"));

        String victim = leader.node().id();
        Member killed = leader;
        out.printf("%n-- the leader, %s, is killed (closed without leaving)%n", victim);
        quiet.add(victim);
        killed.scheduler().close();
        killed.election().close();
        killed.node().close();
        lastRunner.values().removeIf(victim::equals);
        Examples.waitUntil(
            "both jobs to run on the survivors",
            Duration.ofSeconds(40),
            () -> lastRunner.size() == 2);
        Examples.waitUntil(
            "a leader among the survivors",
            Duration.ofSeconds(20),
            () -> {
              Member l = leader(members);
              return l != null && !l.node().id().equals(victim);
            });
        Member now = Objects.requireNonNull(leader(members));
        out.printf(
            "%s leads (term %d); report runs on %s, cleanup on %s%n",
            now.node().id(),
            now.election().term(),
            lastRunner.get("report"),
            lastRunner.get("cleanup"));
        members.forEach(m -> quiet.add(m.node().id()));
      } finally {
        ticker.shutdownNow();
        for (Member m : members) {
          m.scheduler().close();
          m.election().close();
          m.node().close();
        }
      }
    }
    out.println("\ndone");
  }

  private static Member member(
      GossipNode node,
      PrintStream out,
      long start,
      Map<String, String> lastRunner,
      Set<String> quiet) {
    // the node's current table, read at each tick: the quorum needs fresh lastSeenNanos
    PolledMembers view = PolledMembers.of(node::members);
    QuorumLeaderElection election =
        QuorumLeaderElection.builder(view, node.id(), "worker")
            .freshness(FRESHNESS)
            .takeoverDelay(TAKEOVER)
            .expectedSize(NODES)
            .publisher(
                MetadataPublisher.merging(() -> node.self().metadata(), node::updateMetadata))
            .build();
    election.addListener(
        c -> {
          if ((c.gained() || c.lost()) && !quiet.contains(node.id())) {
            out.printf(
                "%5.1f s  %s %s leadership (term %d)%n",
                seconds(start), node.id(), c.gained() ? "gained" : "lost", c.term());
          }
        });
    JobScheduler scheduler =
        JobScheduler.builder(view, node.id())
            .role("worker")
            .mode(JobScheduler.Mode.AT_MOST_ONCE)
            .freshness(FRESHNESS)
            .takeoverDelay(TAKEOVER)
            .expectedSize(NODES)
            .build();
    scheduler.addListener(
        (JobRun r) -> {
          String before = lastRunner.put(r.job(), r.nodeId());
          if (!r.nodeId().equals(before)) {
            out.printf(
                "%5.1f s  job %s runs on %s now (due %s, %s)%n",
                seconds(start),
                r.job(),
                r.nodeId(),
                r.scheduled(),
                r.outcome().name().toLowerCase(Locale.ROOT));
          }
        });
    scheduler.schedule("report", JobSchedule.every(EVERY), at -> {});
    scheduler.schedule("cleanup", JobSchedule.every(EVERY), at -> {});
    return new Member(node, election, scheduler);
  }

  private static @Nullable Member leader(List<Member> members) {
    for (Member m : members) {
      if (m.node().isRunning() && m.election().isLeader()) {
        return m;
      }
    }
    return null;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
