package io.libgossip.core;

import java.util.HashSet;
import java.util.Set;

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
  private final Set<String> confirmers = new HashSet<>();
  private long deadline;
  boolean cancelled;

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
    if (confirmers.size() >= k || from.equals(accuser) || !confirmers.add(from)) {
      return false;
    }
    deadline = start + ProtocolMath.suspicionTimeoutNanos(min, max, k, confirmers.size());
    return true;
  }

  long deadline() {
    return deadline;
  }

  int confirmations() {
    return confirmers.size();
  }
}
