package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobSchedulerTest {
  private static final Duration TAKEOVER = Duration.ofSeconds(5);
  private static final JobSchedule EVERY_SECOND = JobSchedule.every(Duration.ofSeconds(1));

  private final FakeClock clock = new FakeClock(1_000_000);
  private final List<JobRun> runs = new CopyOnWriteArrayList<>();

  private static List<NodeView> nodes(NodeStatus... statuses) {
    List<NodeView> out = new ArrayList<>();
    for (int i = 0; i < statuses.length; i++) {
      out.add(Views.member("n" + i, statuses[i], Map.of()));
    }
    return out;
  }

  private JobScheduler scheduler(ListSource src, String id, JobScheduler.Mode mode) {
    JobScheduler s =
        JobScheduler.builder(src, id)
            .mode(mode)
            .clock(clock)
            .executor(Runnable::run)
            .takeoverDelay(TAKEOVER)
            .freshness(Duration.ofSeconds(3))
            .maxTickGap(Duration.ofSeconds(1))
            .catchUp(Duration.ofSeconds(30))
            .build();
    s.addListener(runs::add);
    return s;
  }

  private void run(Duration d, JobScheduler... schedulers) {
    for (long t = 0; t < d.toMillis(); t += 100) {
      clock.advance(Duration.ofMillis(100));
      for (JobScheduler s : schedulers) {
        s.tick();
      }
    }
  }

  private static String ownerOf(ListSource src, String job) {
    JobScheduler probe =
        JobScheduler.builder(src, "probe").mode(JobScheduler.Mode.AT_LEAST_ONCE).build();
    probe.schedule(job, EVERY_SECOND, t -> {});
    probe.tick();
    String id = probe.owner(job).orElseThrow().id();
    probe.close();
    return id;
  }

  @Test
  void onlyTheOwnerRunsAndOnlyAfterItsLeaseInAtMostOnceMode() {
    ListSource src =
        new ListSource(nodes(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    List<JobScheduler> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JobScheduler s = scheduler(src, "n" + i, JobScheduler.Mode.AT_MOST_ONCE);
      s.schedule("report", EVERY_SECOND, t -> {});
      all.add(s);
    }
    String owner = ownerOf(src, "report");
    run(Duration.ofSeconds(20), all.toArray(JobScheduler[]::new));
    assertThat(runs).extracting(JobRun::nodeId).containsOnly(owner);
    // due times inside the first 5 s lease are missed, the 15 after run once each
    assertThat(runs).hasSizeBetween(14, 16);
    assertThat(runs.stream().map(JobRun::scheduled).distinct().count()).isEqualTo(runs.size());
    assertThat(runs).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(JobRun.Outcome.SUCCEEDED));
    JobScheduler atOwner = all.get(Integer.parseInt(owner.substring(1)));
    assertThat(atOwner.missed()).isBetween(4L, 6L);
    assertThat(atOwner.ownsNow("report")).isTrue();
  }

  @Test
  void withoutAQuorumNothingRunsInAtMostOnceMode() {
    ListSource src =
        new ListSource(nodes(NodeStatus.ONLINE, NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    JobScheduler s = scheduler(src, "n0", JobScheduler.Mode.AT_MOST_ONCE);
    s.tick();
    src.set(nodes(NodeStatus.ONLINE, NodeStatus.FAILED, NodeStatus.FAILED));
    s.schedule("a", EVERY_SECOND, t -> {});
    s.schedule("b", EVERY_SECOND, t -> {});
    run(Duration.ofSeconds(20), s);
    assertThat(s.hasQuorum()).isFalse();
    assertThat(runs).isEmpty();
  }

  @Test
  void aTakeoverFromAFailedOwnerCatchesUpInAtLeastOnceMode() {
    ListSource src = new ListSource(nodes(NodeStatus.ONLINE, NodeStatus.ONLINE), clock);
    String owner = ownerOf(src, "job");
    String other = owner.equals("n0") ? "n1" : "n0";
    JobScheduler s = scheduler(src, other, JobScheduler.Mode.AT_LEAST_ONCE);
    s.schedule("job", EVERY_SECOND, t -> {});
    run(Duration.ofSeconds(10), s);
    assertThat(runs).isEmpty();
    // the owner crashed 8 s ago and is FAILED now
    src.set(
        List.of(
            Views.member(owner, NodeStatus.FAILED, Map.of()),
            Views.member(other, NodeStatus.ONLINE, Map.of())));
    run(Duration.ofMillis(100), s);
    assertThat(runs).hasSizeGreaterThanOrEqualTo(10);
    assertThat(runs.get(0).catchUp()).isTrue();
    assertThat(runs).extracting(JobRun::nodeId).containsOnly(other);
  }

  @Test
  void aThrowingTaskIsAFailedRunAndTheScheduleGoesOn() {
    ListSource src = new ListSource(nodes(NodeStatus.ONLINE), clock);
    JobScheduler s = scheduler(src, "n0", JobScheduler.Mode.AT_LEAST_ONCE);
    s.schedule(
        "bad",
        EVERY_SECOND,
        t -> {
          throw new java.io.IOException("disk full");
        });
    s.addListener(
        r -> {
          throw new IllegalStateException("bad listener");
        });
    run(Duration.ofSeconds(5), s);
    assertThat(runs).hasSizeBetween(4, 5);
    assertThat(runs).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(JobRun.Outcome.FAILED));
    assertThat(runs.get(0).error()).isEqualTo("java.io.IOException: disk full");
    assertThat(s.count(JobRun.Outcome.FAILED)).isEqualTo(runs.size());
    assertThat(s.listenerFailures()).isEqualTo(runs.size());
  }

  @Test
  void aBlockingTaskSkipsItsNextDueTimesWithoutBlockingTheScheduler() throws Exception {
    ListSource src = new ListSource(nodes(NodeStatus.ONLINE), clock);
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      JobScheduler s =
          JobScheduler.builder(src, "n0")
              .mode(JobScheduler.Mode.AT_LEAST_ONCE)
              .clock(clock)
              .executor(pool)
              .build();
      s.addListener(runs::add);
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(1);
      List<Instant> fast = new CopyOnWriteArrayList<>();
      s.schedule(
          "stuck",
          EVERY_SECOND,
          t -> {
            started.countDown();
            release.await();
          });
      s.schedule("fast", EVERY_SECOND, fast::add);
      clock.advance(Duration.ofMillis(1100));
      s.tick();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 3; i++) {
        int done = i + 1;
        awaitTrue(() -> s.count(JobRun.Outcome.SUCCEEDED) == done); // "fast" finished
        clock.advance(Duration.ofSeconds(1));
        s.tick(); // returns although "stuck" still runs
      }
      assertThat(s.count(JobRun.Outcome.SKIPPED_STILL_RUNNING)).isEqualTo(3);
      release.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(fast).hasSize(4);
      assertThat(s.count(JobRun.Outcome.SUCCEEDED)).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Polls {@code condition} for up to 10 s (a task on another thread). */
  private static void awaitTrue(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition within 10 s").isNegative();
      Thread.sleep(5);
    }
  }

  @Test
  void aShutDownExecutorGivesRejectedRuns() {
    ListSource src = new ListSource(nodes(NodeStatus.ONLINE), clock);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    pool.shutdown();
    JobScheduler s =
        JobScheduler.builder(src, "n0")
            .mode(JobScheduler.Mode.AT_LEAST_ONCE)
            .clock(clock)
            .executor(pool)
            .build();
    s.schedule("j", EVERY_SECOND, t -> {});
    run(Duration.ofSeconds(3), s);
    assertThat(s.count(JobRun.Outcome.REJECTED)).isBetween(2L, 3L);
    assertThat(s.count(JobRun.Outcome.SUCCEEDED)).isZero();
  }

  @Test
  void badJobsAndOptionsAreRefusedWithAMessage() {
    ListSource src = new ListSource(nodes(NodeStatus.ONLINE), clock);
    JobScheduler s = scheduler(src, "n0", JobScheduler.Mode.AT_MOST_ONCE);
    s.schedule("j", EVERY_SECOND, t -> {});
    assertThatThrownBy(() -> s.schedule("j", EVERY_SECOND, t -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job 'j' is already scheduled");
    assertThatThrownBy(() -> s.schedule("", EVERY_SECOND, t -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.schedule("c", JobSchedule.cron("61 * * * *"), t -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minute");
    assertThat(s.cancel("j")).isTrue();
    assertThat(s.jobs()).isEmpty();
    s.close();
    assertThatThrownBy(() -> s.schedule("k", EVERY_SECOND, t -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                JobScheduler.builder(src, "n0")
                    .takeoverDelay(Duration.ofSeconds(1))
                    .maxTickGap(Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JobScheduler.builder(src, "n0").catchUp(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
