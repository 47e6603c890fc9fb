package io.libgossip.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One due time of a job on the node that owned it ({@link JobScheduler}): the task ran, failed, or
 * was not started.
 *
 * @param job the job's name
 * @param nodeId the node that owned the job at the due time
 * @param scheduled the due time (the schedule's time, the same on every node)
 * @param started when the node started the task, or tried to
 * @param took how long the task ran ({@link Duration#ZERO} when it did not run)
 * @param outcome what happened
 * @param catchUp whether the run made up for a due time missed while the previous owner was failing
 *     (at-least-once mode only)
 * @param error the exception's class and message when the task threw, else null
 */
public record JobRun(
    String job,
    String nodeId,
    Instant scheduled,
    Instant started,
    Duration took,
    Outcome outcome,
    boolean catchUp,
    @Nullable String error) {

  /** What happened to a due time on its owner. */
  public enum Outcome {
    /** The task returned normally. */
    SUCCEEDED,
    /** The task threw; {@link JobRun#error()} says what. */
    FAILED,
    /** Not started: the job's previous run on this node had not finished. */
    SKIPPED_STILL_RUNNING,
    /** Not started: the executor refused the task (it is shut down or saturated). */
    REJECTED
  }

  /** Checks that no field but the error is null. */
  public JobRun {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(scheduled, "scheduled");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(took, "took");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** Whether the task was started (it succeeded or failed). */
  public boolean ran() {
    return outcome == Outcome.SUCCEEDED || outcome == Outcome.FAILED;
  }
}
