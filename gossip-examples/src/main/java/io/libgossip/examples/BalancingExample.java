package io.libgossip.examples;

import io.libgossip.cluster.MemberFilter;
import io.libgossip.cluster.MemberPicker;
import io.libgossip.cluster.MemberPickers;
import io.libgossip.cluster.MembershipTracker;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.NodeView;
import io.libgossip.core.TokenBucket;
import io.libgossip.core.TokenBuckets;
import io.libgossip.net.EventLoopPool;
import io.libgossip.net.GossipNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Load balancing over a live cluster: three workers publish their load in metadata; a client node
 * picks among them round-robin and by the power of two choices, follows a load change, limits its
 * requests per worker with token buckets, and stops picking a worker that crashed once it is
 * suspected.
 */
public final class BalancingExample {
  private static final int WORKERS = 3;
  private static final int PICKS = 3_000;
  private static final String[] LOADS = {"0.9", "0.2", "0.5"};

  private BalancingExample() {}

  /** Runs the example. */
  public static void main(String[] args) {
    run(System.out);
  }

  static void run(PrintStream out) {
    GossipConfig config = GossipConfig.local().toBuilder().clusterName("balancing-demo").build();
    List<GossipNode> nodes = new ArrayList<>();
    try (EventLoopPool pool = EventLoopPool.create(1, "balancing")) {
      try {
        nodes.add(node(config, pool, "client", Map.of(NodeView.ROLE, "client"), null));
        String seed = nodes.get(0).address().toString();
        for (int i = 1; i <= WORKERS; i++) {
          nodes.add(node(config, pool, "worker-" + i, workerMetadata(LOADS[i - 1]), seed));
        }
        // the client's view of the members, kept up to date by its events
        MembershipTracker tracker = new MembershipTracker();
        nodes.get(0).addListener(tracker, true);
        MemberFilter workers = MemberFilter.online().withRole("worker");
        MemberPicker roundRobin = MemberPickers.roundRobin(tracker, workers);
        MemberPickers.LoadAwarePicker twoChoices =
            MemberPickers.powerOfTwoChoices(tracker, workers, new SplittableRandom(7));
        Examples.waitUntil(
            WORKERS + " workers online",
            Duration.ofSeconds(10),
            () -> twoChoices.members().size() == WORKERS);
        out.printf("%d workers joined; loads: %s%n", WORKERS, loads(twoChoices.members()));

        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 2 * WORKERS; i++) {
          turns.add(roundRobin.pick().map(NodeView::id).orElse("-"));
        }
        out.println("round-robin: " + String.join(", ", turns));

        out.printf(
            "power of two choices, %,d picks: %s%n",
            PICKS, counts(twoChoices, twoChoices.members()));

        out.println("\n-- worker-3 now reports load 0.05");
        nodes.get(3).updateMetadata(workerMetadata("0.05"));
        Examples.waitUntil(
            "the client to see worker-3's new load",
            Duration.ofSeconds(10),
            () -> loadOf(twoChoices.members(), "worker-3").equals("0.05"));
        out.printf(
            "power of two choices, %,d picks: %s%n",
            PICKS, counts(twoChoices, twoChoices.members()));

        out.println("\n-- at most 20 requests at once, then 50 per second, to each worker");
        TokenBuckets<String> limits = new TokenBuckets<>(20, TokenBucket.nanosPerToken(50), 1024);
        int sent = 0;
        int limited = 0;
        long now = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          Optional<NodeView> w = twoChoices.pick();
          if (w.isPresent() && limits.tryTake(w.get().id(), now)) {
            sent++;
          } else {
            limited++;
          }
        }
        out.printf("200 requests in one burst: %d sent, %d refused by the limit%n", sent, limited);

        out.println("\n-- worker-2 crashes (no leave)");
        long crashed = System.nanoTime();
        nodes.get(2).close();
        Examples.waitUntil(
            "the client to stop picking worker-2",
            Duration.ofSeconds(15),
            () -> twoChoices.members().stream().noneMatch(m -> m.id().equals("worker-2")));
        out.printf(
            "after %d ms the client holds worker-2 %s; picks skip it%n",
            (System.nanoTime() - crashed) / 1_000_000, statusOf(tracker, "worker-2"));
        out.printf(
            "power of two choices, %,d picks: %s%n",
            PICKS, counts(twoChoices, twoChoices.members()));
      } finally {
        nodes.forEach(GossipNode::close);
      }
    }
    out.println("\ndone");
  }

  private static GossipNode node(
      GossipConfig config,
      EventLoopPool pool,
      String id,
      Map<String, String> metadata,
      @Nullable String seed) {
    GossipNode.Builder b =
        GossipNode.builder()
            .id(id)
            .bind("127.0.0.1", 0)
            .config(config)
            .eventLoops(pool)
            .metadata(metadata);
    if (seed != null) {
      b.seeds(seed);
    }
    return b.start();
  }

  private static Map<String, String> workerMetadata(String load) {
    return Map.of(NodeView.ROLE, "worker", MemberPickers.LOAD_KEY, load);
  }

  /** How often {@code picker} picks each of {@code members} in {@link #PICKS} picks. */
  private static String counts(MemberPicker picker, List<NodeView> members) {
    TreeMap<String, Integer> counts = new TreeMap<>();
    members.forEach(m -> counts.put(m.id(), 0));
    for (int i = 0; i < PICKS; i++) {
      picker.pick().ifPresent(m -> counts.merge(m.id(), 1, Integer::sum));
    }
    StringBuilder s = new StringBuilder();
    counts.forEach(
        (id, n) ->
            s.append(s.length() == 0 ? "" : ", ")
                .append(String.format("%s (load %s) %,d", id, loadOf(members, id), n)));
    return s.toString();
  }

  private static String loads(List<NodeView> members) {
    StringBuilder s = new StringBuilder();
    for (NodeView m : members) {
      s.append(s.length() == 0 ? "" : ", ").append(m.id()).append('=').append(load(m));
    }
    return s.toString();
  }

  private static String loadOf(List<NodeView> members, String id) {
    return members.stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .map(BalancingExample::load)
        .orElse("?");
  }

  private static String load(NodeView m) {
    return m.metadata().getOrDefault(MemberPickers.LOAD_KEY, "?");
  }

  private static String statusOf(MembershipTracker tracker, String id) {
    return tracker.members().stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .map(m -> m.status().toString())
        .orElse("gone");
  }
}
