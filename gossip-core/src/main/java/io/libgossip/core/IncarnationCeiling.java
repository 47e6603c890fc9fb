package io.libgossip.core;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The highest incarnation this node believes of a member now, so that no claim can push a member
 * out of incarnations (decision 032).
 *
 * <p><b>With a wall clock</b> ({@link GossipCore.Builder#wallClockAtStart}): a node starts at its
 * <i>generation</i>, the whole seconds from {@link #EPOCH} to its start, and every node believes of
 * any member at most the seconds from {@link #EPOCH} to now (its wall clock at start plus the
 * monotonic time since) plus {@link GossipConfig#maxIncarnationLead()}. A forged claim can push a
 * member at most up to that ceiling, which rises by one every second, so the member can always
 * refute it: its refutation (one above) is believed within about a second.
 *
 * <p><b>Without a wall clock</b>: each member's ceiling starts where it was first seen (its
 * incarnation then) and rises from there by one a second, plus the lead; this node's own ceiling
 * starts at its starting incarnation. A member first seen through a forged claim is believed at up
 * to {@code MAX_INCARNATION - lead} until it is forgotten.
 *
 * <p>It also times the re-announcement of this node's claim when it had to go above the ceiling (a
 * refutation of a claim at the ceiling, or metadata changed faster than one per second): others
 * believe it only once their ceiling has risen to it.
 */
final class IncarnationCeiling {
  /** Incarnation 0 of the wall-clock generation: 2025-01-01T00:00:00Z. */
  static final Instant EPOCH = Instant.ofEpochSecond(1_735_689_600L);

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final boolean wallClock;
  private final long wallAtStartNanos; // nanoseconds from EPOCH to the wall clock at start
  private final long lead;
  private final long selfOrigin;
  private boolean anchored;
  private long startNanos;
  private boolean respreadPending;
  private long respreadAt;

  /**
   * @param wallAtStart the node's wall clock when it started, or null when it has none
   * @param leadSeconds {@link GossipConfig#maxIncarnationLead()} in seconds
   * @param selfIncarnation the incarnation this node starts at
   */
  IncarnationCeiling(@Nullable Instant wallAtStart, long leadSeconds, long selfIncarnation) {
    this.wallClock = wallAtStart != null;
    this.wallAtStartNanos =
        wallAtStart == null
            ? 0
            : (wallAtStart.getEpochSecond() - EPOCH.getEpochSecond()) * NANOS_PER_SECOND
                + wallAtStart.getNano();
    this.lead = leadSeconds;
    this.selfOrigin = selfIncarnation;
  }

  /**
   * The generation of a node started at {@code wall}: whole seconds since {@link #EPOCH}.
   *
   * @throws IllegalArgumentException when {@code wall} is before {@link #EPOCH} or so late that
   *     fewer than {@code leadSeconds} incarnations would be left
   */
  static long generation(Instant wall, long leadSeconds) {
    long g = wall.getEpochSecond() - EPOCH.getEpochSecond();
    if (g < 0 || g > MemberUpdate.MAX_INCARNATION - leadSeconds) {
      throw new IllegalArgumentException(
          "wallClockAtStart must be between "
              + EPOCH
              + " and "
              + EPOCH.plusSeconds(MemberUpdate.MAX_INCARNATION - leadSeconds)
              + " (is the clock set?), got "
              + wall);
    }
    return g;
  }

  /** The core first started at {@code now}: the monotonic origin of the elapsed time. */
  void anchor(long now) {
    if (!anchored) {
      anchored = true;
      startNanos = now;
    }
  }

  /** Whether the ceiling follows a wall clock. */
  boolean wallClock() {
    return wallClock;
  }

  /** Whole seconds the wall clock estimate has advanced since start (0 before the anchor). */
  private long elapsedSeconds(long now) {
    return anchored ? Math.max(0, now - startNanos) / NANOS_PER_SECOND : 0;
  }

  /** The wall-clock ceiling: seconds from EPOCH to now, plus the lead. */
  private long wallCeiling(long now) {
    long sinceStart = anchored ? Math.max(0, now - startNanos) : 0;
    return capped((wallAtStartNanos + sinceStart) / NANOS_PER_SECOND + lead);
  }

  private static long capped(long v) {
    return Math.min(v, MemberUpdate.MAX_INCARNATION);
  }

  /** The highest incarnation believed now of member {@code m}, or of a member not known (null). */
  long forMember(@Nullable Member m, long now) {
    if (wallClock) {
      return wallCeiling(now);
    }
    if (m == null) {
      return MemberUpdate.MAX_INCARNATION - lead; // first sight: room left to refute
    }
    return capped(m.incarnationOrigin + elapsedSeconds(now) + lead);
  }

  /** The highest incarnation believed now of a claim about this node. */
  long forSelf(long now) {
    return wallClock ? wallCeiling(now) : capped(selfOrigin + elapsedSeconds(now) + lead);
  }

  /**
   * The origin of a member first seen at {@code incarnation} now: its ceiling is this plus the
   * elapsed seconds plus the lead (used without a wall clock).
   */
  long originOf(long incarnation, long now) {
    return incarnation - elapsedSeconds(now);
  }

  /**
   * This node's claim went to {@code incarnation}, above the one it had, at {@code now}: when that
   * may be above a peer's ceiling, spread it again once the peers believe it, a second after it is
   * within this node's own ceiling (whose clock may run a little ahead of theirs).
   */
  void raised(long incarnation, long now) {
    long over = incarnation - forSelf(now);
    if (over < 0) {
      return;
    }
    long at = now + (over + 1) * NANOS_PER_SECOND;
    if (!respreadPending || at - respreadAt > 0) {
      respreadPending = true;
      respreadAt = at;
    }
  }

  /** The earliest of {@code deadline} and a pending re-announcement. */
  long earliestDeadline(long deadline) {
    return respreadPending && respreadAt - deadline < 0 ? respreadAt : deadline;
  }

  /** Whether the claim should be spread again at {@code now}; clears the pending re-spread. */
  boolean respreadDue(long now) {
    if (respreadPending && now - respreadAt >= 0) {
      respreadPending = false;
      return true;
    }
    return false;
  }
}
