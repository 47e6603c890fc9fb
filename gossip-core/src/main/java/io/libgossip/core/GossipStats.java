package io.libgossip.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counters and gauges of one node, as of the moment {@link GossipCore#stats()} was called.
 *
 * <p>Immutable. {@link #EMPTY} stands for a node that has not started: every figure zero, no drops.
 */
public final class GossipStats {

  /** A node that has not started: every counter and gauge zero, no drops. */
  public static final GossipStats EMPTY = builder().build();

  private final int knownNodes;
  private final int onlineNodes;
  private final int suspectNodes;
  private final int failedNodes;
  private final int leftNodes;
  private final long messagesSent;
  private final long messagesReceived;
  private final long bytesSent;
  private final long bytesReceived;
  private final Map<DropReason, Long> drops;
  private final long lastTickNanos;
  private final long incarnation;
  private final int localHealth;
  private final int queuedUpdates;
  private final long probes;
  private final long suspicionsRaised;
  private final long probesWidened;
  private final long refutations;
  private final long listenerErrors;

  private GossipStats(Builder b) {
    this.knownNodes = b.knownNodes;
    this.onlineNodes = b.onlineNodes;
    this.suspectNodes = b.suspectNodes;
    this.failedNodes = b.failedNodes;
    this.leftNodes = b.leftNodes;
    this.messagesSent = b.messagesSent;
    this.messagesReceived = b.messagesReceived;
    this.bytesSent = b.bytesSent;
    this.bytesReceived = b.bytesReceived;
    this.drops = Map.copyOf(b.drops);
    this.lastTickNanos = b.lastTickNanos;
    this.incarnation = b.incarnation;
    this.localHealth = b.localHealth;
    this.queuedUpdates = b.queuedUpdates;
    this.probes = b.probes;
    this.suspicionsRaised = b.suspicionsRaised;
    this.probesWidened = b.probesWidened;
    this.refutations = b.refutations;
    this.listenerErrors = b.listenerErrors;
  }

  static Builder builder() {
    return new Builder();
  }

  /** Members in the table, including this node and tombstones. */
  public int knownNodes() {
    return knownNodes;
  }

  /** Members {@code ONLINE}, including this node. */
  public int onlineNodes() {
    return onlineNodes;
  }

  /** Members {@code SUSPECT}. */
  public int suspectNodes() {
    return suspectNodes;
  }

  /** {@code FAILED} tombstones. */
  public int failedNodes() {
    return failedNodes;
  }

  /** {@code LEFT} tombstones. */
  public int leftNodes() {
    return leftNodes;
  }

  /** Messages handed to the outbox. */
  public long messagesSent() {
    return messagesSent;
  }

  /** Messages given to {@code handleMessage}, accepted or not. */
  public long messagesReceived() {
    return messagesReceived;
  }

  /** Bytes the runtime reported sending ({@link GossipCore#recordBytesSent}). */
  public long bytesSent() {
    return bytesSent;
  }

  /** Bytes the runtime reported receiving ({@link GossipCore#recordBytesReceived}). */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** Messages or updates dropped, by reason (only non-zero reasons appear). */
  public Map<DropReason, Long> drops() {
    return drops;
  }

  /** How long the last {@code tick} took, measured with the builder's ticker (0 without one). */
  public long lastTickNanos() {
    return lastTickNanos;
  }

  /** This node's current incarnation. */
  public long incarnation() {
    return incarnation;
  }

  /** Lifeguard's local health score: 0 is healthy, higher stretches this node's timeouts. */
  public int localHealth() {
    return localHealth;
  }

  /** Updates waiting in the broadcast queue. */
  public int queuedUpdates() {
    return queuedUpdates;
  }

  /** Probes started by this node. */
  public long probes() {
    return probes;
  }

  /** Members this node suspected after its own failed probe. */
  public long suspicionsRaised() {
    return suspicionsRaised;
  }

  /**
   * Probes this node widened because it could not yet tell whether packets are being lost: a second
   * direct ping and more relays at once, before any suspicion (decision 058).
   */
  public long probesWidened() {
    return probesWidened;
  }

  /** Times this node refuted a suspicion of itself. */
  public long refutations() {
    return refutations;
  }

  /**
   * Invocations of this core's own {@link GossipListener} (or of its {@link ProtocolObserver}) that
   * threw. A runtime that fans events out to listeners of its own counts their failures itself:
   * {@code GossipNode}'s {@code NodeStats.listenerFailures()} is the one figure for a node, and
   * includes this one.
   */
  public long listenerErrors() {
    return listenerErrors;
  }

  /** Total drops over all reasons. */
  public long messagesDropped() {
    long sum = 0;
    for (long v : drops.values()) {
      sum += v;
    }
    return sum;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GossipStats)) {
      return false;
    }
    GossipStats s = (GossipStats) o;
    return knownNodes == s.knownNodes
        && onlineNodes == s.onlineNodes
        && suspectNodes == s.suspectNodes
        && failedNodes == s.failedNodes
        && leftNodes == s.leftNodes
        && messagesSent == s.messagesSent
        && messagesReceived == s.messagesReceived
        && bytesSent == s.bytesSent
        && bytesReceived == s.bytesReceived
        && drops.equals(s.drops)
        && lastTickNanos == s.lastTickNanos
        && incarnation == s.incarnation
        && localHealth == s.localHealth
        && queuedUpdates == s.queuedUpdates
        && probes == s.probes
        && suspicionsRaised == s.suspicionsRaised
        && probesWidened == s.probesWidened
        && refutations == s.refutations
        && listenerErrors == s.listenerErrors;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        knownNodes,
        onlineNodes,
        suspectNodes,
        failedNodes,
        leftNodes,
        messagesSent,
        messagesReceived,
        bytesSent,
        bytesReceived,
        drops,
        lastTickNanos,
        incarnation,
        localHealth,
        queuedUpdates,
        probes,
        suspicionsRaised,
        probesWidened,
        refutations,
        listenerErrors);
  }

  @Override
  public String toString() {
    return "GossipStats["
        + "knownNodes="
        + knownNodes
        + ", onlineNodes="
        + onlineNodes
        + ", suspectNodes="
        + suspectNodes
        + ", failedNodes="
        + failedNodes
        + ", leftNodes="
        + leftNodes
        + ", messagesSent="
        + messagesSent
        + ", messagesReceived="
        + messagesReceived
        + ", bytesSent="
        + bytesSent
        + ", bytesReceived="
        + bytesReceived
        + ", drops="
        + drops
        + ", lastTickNanos="
        + lastTickNanos
        + ", incarnation="
        + incarnation
        + ", localHealth="
        + localHealth
        + ", queuedUpdates="
        + queuedUpdates
        + ", probes="
        + probes
        + ", suspicionsRaised="
        + suspicionsRaised
        + ", probesWidened="
        + probesWidened
        + ", refutations="
        + refutations
        + ", listenerErrors="
        + listenerErrors
        + "]";
  }

  /** Collects the figures of one snapshot; used by the core. */
  static final class Builder {
    private int knownNodes;
    private int onlineNodes;
    private int suspectNodes;
    private int failedNodes;
    private int leftNodes;
    private long messagesSent;
    private long messagesReceived;
    private long bytesSent;
    private long bytesReceived;
    private final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    private long lastTickNanos;
    private long incarnation;
    private int localHealth;
    private int queuedUpdates;
    private long probes;
    private long suspicionsRaised;
    private long probesWidened;
    private long refutations;
    private long listenerErrors;

    private Builder() {}

    Builder nodes(int known, int online, int suspect, int failed, int left) {
      this.knownNodes = known;
      this.onlineNodes = online;
      this.suspectNodes = suspect;
      this.failedNodes = failed;
      this.leftNodes = left;
      return this;
    }

    Builder traffic(long messagesSent, long messagesReceived, long bytesSent, long bytesReceived) {
      this.messagesSent = messagesSent;
      this.messagesReceived = messagesReceived;
      this.bytesSent = bytesSent;
      this.bytesReceived = bytesReceived;
      return this;
    }

    /** Adds {@code count} drops for {@code reason}; zero counts are not recorded. */
    Builder drop(DropReason reason, long count) {
      if (count != 0) {
        drops.merge(reason, count, Long::sum);
      }
      return this;
    }

    Builder self(long incarnation, int localHealth, long lastTickNanos) {
      this.incarnation = incarnation;
      this.localHealth = localHealth;
      this.lastTickNanos = lastTickNanos;
      return this;
    }

    Builder protocol(
        int queuedUpdates,
        long probes,
        long suspicionsRaised,
        long refutations,
        long listenerErrors) {
      this.queuedUpdates = queuedUpdates;
      this.probes = probes;
      this.suspicionsRaised = suspicionsRaised;
      this.refutations = refutations;
      this.listenerErrors = listenerErrors;
      return this;
    }

    Builder probesWidened(long probesWidened) {
      this.probesWidened = probesWidened;
      return this;
    }

    GossipStats build() {
      return new GossipStats(this);
    }
  }
}
