package io.libgossip.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The SWIM membership state machine of one node (IMPLEMENTATION IN PROGRESS: API is final).
 *
 * <p>Single-threaded: call every method from one thread. Time is the {@code now} argument
 * (monotonic nanoseconds, any origin); randomness comes only from the injected generator. Call
 * {@link #tick(long)} right after building and then again no later than {@link #nextDeadline()}.
 */
public final class GossipCore {

  /** A builder; {@code id}, {@code address} and {@code outbox} are required. */
  public static Builder builder() {
    return new Builder();
  }

  GossipCore(Builder b) {
    throw new UnsupportedOperationException("in progress");
  }

  /** Runs every timer that is due at {@code now}: probes, probe timeouts, gossip, push-pull, suspicion. */
  public void tick(long now) {}

  /** Sends a full-state push-pull to every live member now (expensive; for small clusters). */
  public void tickFullBroadcast(long now) {}

  /** Applies one inbound message. Never throws for any well-formed message content. */
  public void handleMessage(GossipMessage message, long now) {}

  /** Introduces the node at {@code address}: a push-pull state exchange with it. */
  public void meet(NodeAddress address, long now) {}

  /** Joins a cluster through seeds: a join push-pull with each. */
  public void join(Collection<NodeAddress> seeds, long now) {}

  /** Whether a push-pull answer has come back since {@link #join}, or the node knows any peer. */
  public boolean hasJoined() {
    return false;
  }

  /** Leaves gracefully: announces {@code LEFT} and stops probing. */
  public void leave(long now) {}

  /** Whether the {@code LEFT} announcement has been sent as many times as an update needs. */
  public boolean leaveSpread() {
    return false;
  }

  /** Replaces this node's metadata and spreads it. */
  public void updateMetadata(Map<String, String> metadata, long now) {}

  /** This node as it presents itself. */
  public NodeView self() {
    return null;
  }

  /** Every member in the table, this node first, tombstones included. */
  public List<NodeView> members() {
    return List.of();
  }

  /** The member with {@code id}, if known. */
  public Optional<NodeView> findNode(String id) {
    return Optional.empty();
  }

  /** Number of members in the table, this node and tombstones included. */
  public int size() {
    return 0;
  }

  /** Removes tombstones older than the configured timeout; returns how many were removed. */
  public int cleanupExpired(long now) {
    return 0;
  }

  /** Forgets every member but this node and clears all timers and queues. */
  public void reset(long now) {}

  /** Counters and gauges. */
  public GossipStats stats() {
    return null;
  }

  /** The time at which {@link #tick(long)} must next be called. */
  public long nextDeadline() {
    return 0;
  }

  /** Counts bytes the runtime sent on this node's behalf. */
  public void recordBytesSent(long bytes) {}

  /** Counts bytes the runtime received for this node. */
  public void recordBytesReceived(long bytes) {}

  /** Counts a packet the runtime dropped (undecodable, unroutable, ...). */
  public void recordDrop(DropReason reason) {}

  /** Builds a {@link GossipCore}. */
  public static final class Builder {
    String id;
    NodeAddress address;
    Map<String, String> metadata = Map.of();
    long configEpoch;
    long incarnation;
    GossipConfig config = GossipConfig.lan();
    RandomGenerator random;
    Outbox outbox;
    GossipListener listener = e -> {};
    LongSupplier ticker = () -> 0L;

    Builder() {}

    /** This node's unique id (memberlist's node name). Required. */
    public Builder id(String v) {
      id = v;
      return this;
    }

    /** Where this node listens, as others should reach it. Required. */
    public Builder address(NodeAddress v) {
      address = v;
      return this;
    }

    /** Initial metadata. */
    public Builder metadata(Map<String, String> v) {
      metadata = v;
      return this;
    }

    /** Application-defined configuration epoch. */
    public Builder configEpoch(long v) {
      configEpoch = v;
      return this;
    }

    /** Initial incarnation (0 for a fresh node). */
    public Builder incarnation(long v) {
      incarnation = v;
      return this;
    }

    /** Protocol settings; default {@link GossipConfig#lan()}. */
    public Builder config(GossipConfig v) {
      config = v;
      return this;
    }

    /** The only source of randomness; seed it for reproducible runs. */
    public Builder random(RandomGenerator v) {
      random = v;
      return this;
    }

    /** Where outgoing messages go. Required. */
    public Builder outbox(Outbox v) {
      outbox = v;
      return this;
    }

    /** Receives membership events. */
    public Builder listener(GossipListener v) {
      listener = v;
      return this;
    }

    /** Measures tick durations for {@link GossipStats#lastTickNanos()}; optional. */
    public Builder ticker(LongSupplier v) {
      ticker = v;
      return this;
    }

    /** Validates and builds. */
    public GossipCore build() {
      return new GossipCore(this);
    }
  }
}
