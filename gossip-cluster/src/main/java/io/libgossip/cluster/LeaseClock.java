package io.libgossip.cluster;

/**
 * The time a {@link QuorumLeaderElection} or a {@link JobScheduler} reads, in one place: a
 * monotonic clock for leases and pause detection, and the wall clock for job schedules. Tests and
 * the simulator pass a virtual clock; {@link #system()} reads the JVM's clocks.
 */
public interface LeaseClock {
  /** A monotonic time in nanoseconds (only differences matter), like {@link System#nanoTime()}. */
  long nanoTime();

  /** The wall-clock time in milliseconds since the epoch: what job schedules are computed on. */
  long epochMillis();

  /** The JVM's clocks: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
  static LeaseClock system() {
    return new LeaseClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long epochMillis() {
        return System.currentTimeMillis();
      }

      @Override
      public String toString() {
        return "LeaseClock.system()";
      }
    };
  }
}
