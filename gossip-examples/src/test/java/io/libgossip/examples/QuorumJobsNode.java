package io.libgossip.examples;

import io.libgossip.cluster.JobSchedule;
import io.libgossip.cluster.JobScheduler;
import io.libgossip.cluster.MetadataPublisher;
import io.libgossip.cluster.PolledMembers;
import io.libgossip.cluster.QuorumLeaderElection;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node of {@link MultiProcessQuorumJobsTest}, in its own JVM: {@code ID PORT [SEED]}. It runs a
 * quorum leader election of group {@code worker} and an at-most-once scheduler of {@link #JOBS}
 * jobs due every second, ticked every 100 ms, and prints one line per event: {@code READY id},
 * {@code LEADER id term}, {@code FOLLOWER id term}, {@code RUN job dueMillis id}.
 */
public final class QuorumJobsNode {
  static final int JOBS = 6;

  private QuorumJobsNode() {}

  /** Runs until the process is killed. */
  public static void main(String[] args) throws Exception {
    String id = args[0];
    int port = Integer.parseInt(args[1]);
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", port)
            .config(GossipConfig.local().toBuilder().clusterName("quorum-jobs").build())
            .metadata(NodeView.ROLE, "worker");
    if (args.length > 2) {
      b.seeds(args[2]);
    }
    GossipNode node = b.start();
    PolledMembers view = PolledMembers.of(node::members);
    QuorumLeaderElection election =
        QuorumLeaderElection.builder(view, id, "worker")
            .freshness(Duration.ofSeconds(3))
            .takeoverDelay(Duration.ofSeconds(4))
            .expectedSize(3)
            .publisher(
                MetadataPublisher.merging(() -> node.self().metadata(), node::updateMetadata))
            .build();
    election.addListener(
        c -> {
          if (c.gained()) {
            print("LEADER " + id + " " + c.term());
          } else if (c.lost()) {
            print("FOLLOWER " + id + " " + c.term());
          }
        });
    JobScheduler scheduler =
        JobScheduler.builder(view, id)
            .role("worker")
            .mode(JobScheduler.Mode.AT_MOST_ONCE)
            .freshness(Duration.ofSeconds(3))
            .takeoverDelay(Duration.ofSeconds(4))
            .expectedSize(3)
            .build();
    scheduler.addListener(
        r -> {
          if (r.ran()) {
            print("RUN " + r.job() + " " + r.scheduled().toEpochMilli() + " " + id);
          }
        });
    for (int k = 0; k < JOBS; k++) {
      scheduler.schedule("job-" + k, JobSchedule.every(Duration.ofSeconds(1)), at -> {});
    }
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ticker.scheduleWithFixedDelay(
        () -> {
          election.tick();
          scheduler.tick();
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
    print("READY " + id);
    new CountDownLatch(1).await(); // until killed
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
