package io.libgossip.cluster;

import java.time.Instant;

/** The work of a scheduled job ({@link JobScheduler#schedule}). */
@FunctionalInterface
public interface JobTask {
  /**
   * Runs the job for the due time {@code scheduled}; an exception is reported as a {@link
   * JobRun.Outcome#FAILED} run and does not stop the schedule.
   */
  void run(Instant scheduled) throws Exception;
}
