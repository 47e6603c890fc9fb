package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each named job on one live member, its owner: the rendezvous-hash winner for the job's name
 * among the {@code ONLINE} and {@code SUSPECT} members of the group (every member, or those with a
 * role). Every node schedules the same jobs; each runs the due times of the jobs it owns in its
 * view, so a job moves when its owner fails, leaves or a better owner joins. Every run, failed task
 * and skipped due time is reported to the listeners ({@link JobRun}) and counted.
 *
 * <p>Two modes, with the guarantees measured in the simulator (docs/cluster.md):
 *
 * <ul>
 *   <li>{@link Mode#AT_LEAST_ONCE}: a node runs a due time when it owns the job in its view. When
 *       it takes a job over from an owner that is no longer {@code ONLINE} in its view, it also
 *       runs the due times of the last {@link Builder#catchUp} (those the failed owner may have
 *       missed while it was being detected). Every due time runs at least once while some member is
 *       up, on each side of a partition; duplicates happen around owner changes and during
 *       partitions.
 *   <li>{@link Mode#AT_MOST_ONCE}: the quorum mode. A node runs a due time only if its view holds a
 *       majority of the group's last known configuration (as in {@link QuorumLeaderElection}) and
 *       it has owned the job with that majority since {@link Builder#takeoverDelay} before the due
 *       time (a lease), and not after a gap in its ticks (a pause). At most one run per due time
 *       while views disagree for less than the takeover delay; due times fall in the gaps (no owner
 *       with a lease) and are not made up.
 * </ul>
 *
 * <p>Call {@link #tick} regularly (every 100 ms, say, and at least as often as the shortest
 * interval): due times are checked only there. Tasks run on the executor (by default a pool the
 * scheduler owns, one thread per running task), never on the ticking thread; a task still running
 * at its next due time makes that due time {@link JobRun.Outcome#SKIPPED_STILL_RUNNING}.
 * Thread-safe.
 */
public final class JobScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);

  /** The most due times of one job handled in one tick; older ones are skipped and counted. */
  static final int MAX_DUE_PER_TICK = 100;

  /** The delivery guarantee. */
  public enum Mode {
    /** Quorum and lease: at most one run per due time; missed due times are not made up. */
    AT_MOST_ONCE,
    /** Every due time runs at least once while a member is up; duplicates are possible. */
    AT_LEAST_ONCE
  }

  private final String localId;
  private final MemberSource source;
  private final Predicate<NodeView> inGroup;
  private final Mode mode;
  private final QuorumView quorum;
  private final LeaseClock clock;
  private final @Nullable ExecutorService ownedExecutor;
  private final java.util.concurrent.Executor executor;
  private final long takeoverMillis;
  private final long catchUpMillis;
  private final long maxGapNanos;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<Consumer<JobRun>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final Map<JobRun.Outcome, AtomicLong> outcomes = new EnumMap<>(JobRun.Outcome.class);
  private final AtomicLong missed = new AtomicLong();
  private boolean ticked;
  private long lastTick;
  private volatile boolean hasQuorum;
  private volatile boolean closed;

  /** One scheduled job and this node's state for it. */
  private static final class Job {
    final String name;
    final JobSchedule schedule;
    final JobTask task;
    final long hash;
    final long registered;
    final AtomicBoolean running = new AtomicBoolean();
    long nextDue;
    boolean evaluated;
    boolean owned;
    long ownedSince;
    @Nullable String lastOwner;
    @Nullable NodeView owner;

    Job(String name, JobSchedule schedule, JobTask task, long now) {
      this.name = name;
      this.schedule = schedule;
      this.task = task;
      this.hash = Hash64.hash(name.getBytes(StandardCharsets.UTF_8), 0);
      this.registered = now;
      this.nextDue = schedule.nextAfter(now);
    }
  }

  /** A due time to start, decided under the lock and started outside it. */
  private record Due(Job job, long at, boolean catchUp) {}

  private JobScheduler(Builder b) {
    this.localId = b.localId;
    this.source = b.source;
    this.inGroup = b.inGroup;
    this.mode = b.mode;
    this.quorum = b.settings.quorumView(b.inGroup, b.localId);
    this.clock = b.settings.clock;
    java.util.concurrent.Executor given = b.executor;
    if (given == null) {
      AtomicLong threads = new AtomicLong();
      this.ownedExecutor =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "gossip-job-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      this.executor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
      this.executor = given;
    }
    this.takeoverMillis = b.settings.takeoverDelay.toMillis();
    this.catchUpMillis = b.catchUp.toMillis();
    this.maxGapNanos = b.settings.maxTickGap.toNanos();
    for (JobRun.Outcome o : JobRun.Outcome.values()) {
      outcomes.put(o, new AtomicLong());
    }
  }

  /** A builder for the scheduler of node {@code localId}, whose view {@code source} holds. */
  public static Builder builder(MemberSource source, String localId) {
    return new Builder(source, localId);
  }

  /** The delivery guarantee. */
  public Mode mode() {
    return mode;
  }

  /**
   * Schedules a job on every node that calls this with the same name (each node of the cluster
   * should): the job's owner runs {@code task} at each due time of {@code schedule} after now.
   *
   * @throws IllegalArgumentException when the name is empty or a job of that name is scheduled
   * @throws IllegalStateException when the scheduler is closed
   */
  public void schedule(String name, JobSchedule schedule, JobTask task) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(task, "task");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("job name must not be empty");
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("job scheduler is closed");
      }
      if (jobs.containsKey(name)) {
        throw new IllegalArgumentException("job '" + name + "' is already scheduled");
      }
      jobs.put(name, new Job(name, schedule, task, clock.epochMillis()));
    }
  }

  /** Removes a job (a run in progress finishes); returns whether it was scheduled. */
  public synchronized boolean cancel(String name) {
    return jobs.remove(name) != null;
  }

  /** The names of the scheduled jobs, in the order they were scheduled. */
  public synchronized List<String> jobs() {
    return List.copyOf(jobs.keySet());
  }

  /** The owner of job {@code name} in the local view at the last tick; empty when none. */
  public synchronized Optional<NodeView> owner(String name) {
    Job j = jobs.get(name);
    return j == null ? Optional.empty() : Optional.ofNullable(j.owner);
  }

  /** Whether the local node owned job {@code name} at the last tick (with a quorum if needed). */
  public synchronized boolean ownsNow(String name) {
    Job j = jobs.get(name);
    return j != null && j.owned;
  }

  /** Whether the local view held a quorum at the last tick (always true at least once). */
  public boolean hasQuorum() {
    return mode == Mode.AT_LEAST_ONCE || hasQuorum;
  }

  /** The last known configuration the quorum is computed on (at-most-once mode). */
  public synchronized Set<String> configuration() {
    return quorum.configuration();
  }

  /** Removes a member from the configuration, as {@link QuorumLeaderElection#forget}. */
  public synchronized boolean forget(String id) {
    return quorum.forget(Objects.requireNonNull(id, "id"));
  }

  /**
   * Calls {@code listener} with every due time this node handled, from the executor's thread for a
   * task that started, from the ticking thread otherwise. A listener that throws is counted.
   */
  public void addListener(Consumer<JobRun> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops calling {@code listener}; returns whether it was registered. */
  public boolean removeListener(Consumer<JobRun> listener) {
    return listeners.remove(listener);
  }

  /** How many due times this node handled with {@code outcome}, since creation. */
  public long count(JobRun.Outcome outcome) {
    return Objects.requireNonNull(outcomes.get(outcome)).get();
  }

  /**
   * How many due times this node owned but did not start: inside the lease after a takeover
   * (at-most-once mode), or beyond {@value #MAX_DUE_PER_TICK} due times in one tick.
   */
  public long missed() {
    return missed.get();
  }

  /** How many times a listener threw, since creation. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /** Stops scheduling; shuts down the executor if the scheduler created it. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Job j : jobs.values()) {
        j.owned = false;
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
  }

  /** Re-reads the membership and the clocks, and starts the due tasks this node owns. */
  public void tick() {
    List<Due> due = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      evaluate(due);
    }
    for (Due d : due) {
      start(d);
    }
  }

  private void evaluate(List<Due> due) {
    long nowNanos = clock.nanoTime();
    long now = clock.epochMillis();
    boolean paused = mode == Mode.AT_MOST_ONCE && ticked && nowNanos - lastTick > maxGapNanos;
    ticked = true;
    lastTick = nowNanos;
    List<NodeView> members = source.members();
    quorum.update(members, nowNanos);
    boolean q = mode == Mode.AT_LEAST_ONCE || quorum.hasQuorum();
    hasQuorum = q;
    List<NodeView> live = new ArrayList<>();
    Set<String> online = new HashSet<>();
    for (NodeView m : members) {
      if (!inGroup.test(m)) {
        continue;
      }
      if (QuorumView.alive(m, localId)) {
        live.add(m);
      }
      if (QuorumView.online(m, localId)) {
        online.add(m.id());
      }
    }
    RendezvousHash hrw = RendezvousHash.of(live);
    for (Job j : jobs.values()) {
      NodeView owner = hrw.ownerOfHash(j.hash).orElse(null);
      j.owner = owner;
      boolean mine = q && !paused && owner != null && owner.id().equals(localId);
      boolean first = !j.evaluated;
      j.evaluated = true;
      if (!mine) {
        if (j.owned) {
          LOG.atDebug()
              .setMessage("job released")
              .addKeyValue("job", j.name)
              .addKeyValue("owner", owner == null ? "none" : owner.id())
              .log();
        }
        j.owned = false;
        j.lastOwner = owner == null ? null : owner.id();
        if (j.nextDue <= now) {
          j.nextDue = j.schedule.nextAfter(now);
        }
        continue;
      }
      boolean catchUp = false;
      if (!j.owned) {
        j.owned = true;
        j.ownedSince = now;
        String prev = j.lastOwner;
        if (mode == Mode.AT_LEAST_ONCE
            && !first
            && prev != null
            && !prev.equals(localId)
            && !online.contains(prev)) {
          long from = Math.max(now - catchUpMillis, j.registered);
          j.nextDue = j.schedule.nextAfter(from - 1);
          catchUp = true;
          LOG.atInfo()
              .setMessage("job taken over from a failed owner; catching up")
              .addKeyValue("job", j.name)
              .addKeyValue("from", prev)
              .addKeyValue("sinceMs", now - from)
              .log();
        } else if (j.nextDue <= now && !first) {
          j.nextDue = j.schedule.nextAfter(now); // due before this node owned the job
        }
      }
      j.lastOwner = localId;
      int n = 0;
      while (j.nextDue <= now && n < MAX_DUE_PER_TICK) {
        long at = j.nextDue;
        j.nextDue = j.schedule.nextAfter(at);
        n++;
        if (mode == Mode.AT_MOST_ONCE && at < j.ownedSince + takeoverMillis) {
          missed.incrementAndGet(); // inside the lease: the previous owner may have run it
          continue;
        }
        due.add(new Due(j, at, catchUp && at < j.ownedSince));
      }
      if (j.nextDue <= now) {
        long skipped = 0;
        while (j.nextDue <= now && skipped < 1_000_000) {
          j.nextDue = j.schedule.nextAfter(j.nextDue);
          skipped++;
        }
        missed.addAndGet(skipped);
        LOG.atWarn()
            .setMessage("job fell behind; due times skipped")
            .addKeyValue("job", j.name)
            .addKeyValue("skipped", skipped)
            .log();
      }
    }
  }

  private void start(Due d) {
    Job j = d.job();
    Instant scheduled = Instant.ofEpochMilli(d.at());
    Instant started = Instant.ofEpochMilli(clock.epochMillis());
    if (!j.running.compareAndSet(false, true)) {
      LOG.atWarn()
          .setMessage("job still running at its next due time; due time skipped")
          .addKeyValue("job", j.name)
          .addKeyValue("scheduled", scheduled)
          .log();
      report(
          new JobRun(
              j.name,
              localId,
              scheduled,
              started,
              Duration.ZERO,
              JobRun.Outcome.SKIPPED_STILL_RUNNING,
              d.catchUp(),
              null));
      return;
    }
    try {
      executor.execute(() -> run(d, scheduled, started));
    } catch (RejectedExecutionException e) {
      j.running.set(false);
      LOG.atWarn()
          .setMessage("job rejected by the executor")
          .addKeyValue("job", j.name)
          .addKeyValue("scheduled", scheduled)
          .log();
      report(
          new JobRun(
              j.name,
              localId,
              scheduled,
              started,
              Duration.ZERO,
              JobRun.Outcome.REJECTED,
              d.catchUp(),
              String.valueOf(e.getMessage())));
    }
  }

  private void run(Due d, Instant scheduled, Instant started) {
    Job j = d.job();
    long t0 = clock.nanoTime();
    JobRun.Outcome outcome = JobRun.Outcome.SUCCEEDED;
    String error = null;
    try {
      j.task.run(scheduled);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      outcome = JobRun.Outcome.FAILED;
      error = e.getClass().getName() + ": " + e.getMessage();
      LOG.atWarn()
          .setMessage("job failed")
          .addKeyValue("job", j.name)
          .addKeyValue("scheduled", scheduled)
          .setCause(e)
          .log();
    } finally {
      j.running.set(false);
    }
    Duration took = Duration.ofNanos(Math.max(0, clock.nanoTime() - t0));
    report(new JobRun(j.name, localId, scheduled, started, took, outcome, d.catchUp(), error));
  }

  private void report(JobRun r) {
    Objects.requireNonNull(outcomes.get(r.outcome())).incrementAndGet();
    for (Consumer<JobRun> l : listeners) {
      try {
        l.accept(r);
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
      }
    }
  }

  /** Options of a {@link JobScheduler}; each setter checks its value. */
  public static final class Builder {
    private final MemberSource source;
    private final String localId;
    private Predicate<NodeView> inGroup = m -> true;
    private Mode mode = Mode.AT_MOST_ONCE;
    private final QuorumSettings settings = new QuorumSettings();
    private Duration catchUp = Duration.ofSeconds(60);
    private java.util.concurrent.@Nullable Executor executor;

    private Builder(MemberSource source, String localId) {
      this.source = Objects.requireNonNull(source, "source");
      this.localId = Objects.requireNonNull(localId, "localId");
    }

    /** The delivery guarantee (default {@link Mode#AT_MOST_ONCE}). */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Only members with this role own jobs and count towards the quorum (default: all). */
    public Builder role(String role) {
      Objects.requireNonNull(role, "role");
      this.inGroup = m -> role.equals(m.metadata().get(NodeView.ROLE));
      return this;
    }

    /** As {@link QuorumLeaderElection.Builder#expectedSize} (at-most-once mode). */
    public Builder expectedSize(int n) {
      settings.expectedSize(n);
      return this;
    }

    /** As {@link QuorumLeaderElection.Builder#forgetRemovedMembers} (at-most-once mode). */
    public Builder forgetRemovedMembers(boolean v) {
      settings.forgetRemoved = v;
      return this;
    }

    /**
     * At-most-once mode: how long a node must own a job, with a quorum, before a due time it runs
     * (default 15 s). As {@link QuorumLeaderElection.Builder#takeoverDelay}.
     */
    public Builder takeoverDelay(Duration d) {
      settings.takeoverDelay(d);
      return this;
    }

    /**
     * At-least-once mode: how far back a node that takes a job over from a failed owner runs the
     * due times (default 60 s). Longer than the time to declare a member {@code FAILED}, else due
     * times during the detection are lost; longer also means more duplicates.
     */
    public Builder catchUp(Duration d) {
      Objects.requireNonNull(d, "catchUp");
      if (d.isNegative()) {
        throw new IllegalArgumentException("catchUp must be >= 0, got " + d);
      }
      this.catchUp = d;
      return this;
    }

    /** At-most-once mode: a longer gap between ticks is a pause (default 2 s). */
    public Builder maxTickGap(Duration d) {
      settings.maxTickGap(d);
      return this;
    }

    /**
     * A member counts towards the quorum only if the local node heard from it directly within this
     * window (default 10 s). Longer than the longest silence between two live members: with SWIM,
     * about {@code 2 × (N − 1)} probe intervals for a cluster of N nodes (8 s for 5 nodes with the
     * {@code lan} profile). Shorter than the takeover delay: a leader cut off from the majority
     * gives up within it, before anyone takes over.
     */
    public Builder freshness(Duration d) {
      settings.freshness(d);
      return this;
    }

    /** The clock (default {@link LeaseClock#system()}); its {@code nanoTime} must be the core's. */
    public Builder clock(LeaseClock clock) {
      settings.clock(clock);
      return this;
    }

    /**
     * Where tasks run (default: a pool of daemon threads the scheduler creates and shuts down on
     * close). {@code Runnable::run} runs them on the ticking thread (the simulator does).
     */
    public Builder executor(java.util.concurrent.Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The scheduler; call {@link JobScheduler#tick} regularly.
     *
     * @throws IllegalStateException when the takeover delay is not longer than the largest tick gap
     *     and the freshness window (at-most-once mode)
     */
    public JobScheduler build() {
      if (mode == Mode.AT_MOST_ONCE) {
        settings.checkLease();
      }
      return new JobScheduler(this);
    }
  }
}
