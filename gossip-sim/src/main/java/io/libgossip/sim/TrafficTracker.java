package io.libgossip.sim;

import io.libgossip.core.GossipMessage;

/**
 * Counts messages and bytes the cores send, packets the network drops and why, and the integral of
 * the running-node count over time; from join convergence on, the same over the traffic window,
 * which gives the steady-state rates per node and second.
 */
final class TrafficTracker {
  /** The message kinds per-kind byte counts are kept for: the wire's message types, in order. */
  static final String[] KINDS = kinds();

  private static String[] kinds() {
    GossipMessage.MessageType[] types = GossipMessage.MessageType.values();
    String[] names = new String[types.length];
    for (GossipMessage.MessageType t : types) {
      names[t.ordinal()] = t.name().toLowerCase(java.util.Locale.ROOT);
    }
    return names;
  }

  private long messagesSent;
  private long bytesSent;
  private long messagesDelivered;
  private long droppedLoss;
  private long droppedPartition;
  private long droppedUnreachable;

  private long liveNanos;
  private long liveNanosAt;

  private boolean windowOpen;
  private long windowStart;
  private long windowMessages0;
  private long windowBytes0;
  private long windowLiveNanos0;

  private final long[] kindBytes = new long[KINDS.length];
  private final long[] windowKindBytes0 = new long[KINDS.length];
  private final long[] kindMessages = new long[KINDS.length];
  private final long[] windowKindMessages0 = new long[KINDS.length];

  /** A core handed a message of {@code size} encoded bytes to its outbox. */
  void sent(GossipMessage m, int size) {
    messagesSent++;
    bytesSent += size;
    kindBytes[m.type().ordinal()] += size;
    kindMessages[m.type().ordinal()]++;
  }

  /** A message was handed to a core's {@code handleMessage}. */
  void delivered() {
    messagesDelivered++;
  }

  /** A best-effort packet was lost at random. */
  void lostToLoss() {
    droppedLoss++;
  }

  /** A packet was cut by a partition. */
  void lostToPartition() {
    droppedPartition++;
  }

  /** A packet went to an address with no running node, or to a node in a past life. */
  void unreachable() {
    droppedUnreachable++;
  }

  /**
   * Adds {@code liveCount × (now - last call)} to the running-node integral; call it before the
   * count changes.
   */
  void accountLive(long now, int liveCount) {
    liveNanos += (long) liveCount * (now - liveNanosAt);
    liveNanosAt = now;
  }

  /** Opens the traffic window at the first join convergence; later calls do nothing. */
  void openWindow(long now, int liveCount) {
    if (windowOpen) {
      return;
    }
    accountLive(now, liveCount);
    windowOpen = true;
    windowStart = now;
    windowMessages0 = messagesSent;
    windowBytes0 = bytesSent;
    windowLiveNanos0 = liveNanos;
    System.arraycopy(kindBytes, 0, windowKindBytes0, 0, KINDS.length);
    System.arraycopy(kindMessages, 0, windowKindMessages0, 0, KINDS.length);
  }

  void report(SimMetrics.Builder b, long now, int liveCount) {
    accountLive(now, liveCount);
    b.messagesSent(messagesSent)
        .bytesSent(bytesSent)
        .messagesDelivered(messagesDelivered)
        .droppedLoss(droppedLoss)
        .droppedPartition(droppedPartition)
        .droppedUnreachable(droppedUnreachable);
    long[] windowKind = kindBytes.clone();
    long[] windowKindMessages = kindMessages.clone();
    if (windowOpen) {
      for (int i = 0; i < KINDS.length; i++) {
        windowKind[i] -= windowKindBytes0[i];
        windowKindMessages[i] -= windowKindMessages0[i];
      }
    }
    b.windowBytesByKind(windowKind).windowMessagesByKind(windowKindMessages);
    if (windowOpen) {
      b.window(
          windowStart,
          messagesSent - windowMessages0,
          bytesSent - windowBytes0,
          liveNanos - windowLiveNanos0);
    } else {
      b.window(0, messagesSent, bytesSent, liveNanos);
    }
  }
}
