package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/**
 * The suspicion timer of one member (Lifeguard): starts at the maximum timeout and shrinks with
 * each independent confirmation towards the minimum.
 */
final class Suspicion {
  final Member member;
  final long incarnation;
  final long start;
  private final long min;
  private final long max;
  private final int k;
  private final String accuser;

  /** The distinct confirmers so far, at most {@code k}; allocated by the first confirmation. */
  private String @Nullable [] confirmers;

  private int confirmations;
  private long deadline;

  /** Position in {@link SuspicionTimers}, or -1 when not queued there. */
  int heapIndex = -1;

  /** Order among suspicions with the same deadline: the one queued first expires first. */
  long seq;

  Suspicion(
      Member member, long incarnation, String accuser, long start, long min, long max, int k) {
    this.member = member;
    this.incarnation = incarnation;
    this.accuser = accuser;
    this.start = start;
    this.min = min;
    this.max = max;
    this.k = k;
    this.deadline = start + ProtocolMath.suspicionTimeoutNanos(min, max, k, 0);
  }

  /**
   * Records a confirmation from {@code from}; returns true when it was new (and so shortened the
   * timer and is worth re-gossiping).
   */
  boolean confirm(String from) {
    if (confirmations >= k || from.equals(accuser)) {
      return false;
    }
    if (confirmers == null) {
      confirmers = new String[k];
    }
    for (int i = 0; i < confirmations; i++) {
      if (confirmers[i].equals(from)) {
        return false;
      }
    }
    confirmers[confirmations++] = from;
    deadline = start + ProtocolMath.suspicionTimeoutNanos(min, max, k, confirmations);
    return true;
  }

  long deadline() {
    return deadline;
  }

  int confirmations() {
    return confirmations;
  }
}
