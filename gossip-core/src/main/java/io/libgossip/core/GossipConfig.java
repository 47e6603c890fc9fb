package io.libgossip.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Protocol settings: an immutable, validated value. Start from a profile ({@link #lan()}, {@link
 * #wan()}, {@link #local()}) and change what you need with {@link #toBuilder()}.
 *
 * <p>The profiles follow the values HashiCorp memberlist has proven in production. Every node of a
 * cluster should use the same timing settings; the cluster name must match for nodes to talk.
 */
public final class GossipConfig {
  private final String clusterName;
  private final Duration probeInterval;
  private final Duration probeTimeout;
  private final int indirectChecks;
  private final int confirmationChecks;
  private final int suspicionMult;
  private final int suspicionMaxTimeoutMult;
  private final int awarenessMaxMultiplier;
  private final Lifeguard lifeguard;
  private final int retransmitMult;
  private final Duration gossipInterval;
  private final int gossipNodes;
  private final Duration gossipToTheDeadTime;
  private final Duration pushPullInterval;
  private final Duration reconnectInterval;
  private final Duration tombstoneTimeout;
  private final Duration reconnectTimeout;
  private final int maxPacketSize;
  private final int maxMessageSize;
  private final int maxMetadataBytes;
  private final int maxQueuedUpdates;
  private final int maxMembers;
  private final int maxNewMembersPerMessage;
  private final WireVersions wireVersions;
  private final boolean clockOffsets;
  private final boolean coordinates;
  private final Duration maxIncarnationLead;
  private final int maxBroadcastBytes;
  private final long maxHeldBroadcastBytes;
  private final int broadcastPacketShare;
  // application messaging: direct messages, requests, queries, application state
  private final Duration messageTimeout;
  private final Duration queryTimeout;
  private final Duration queryRetryInterval;
  private final int queryRetries;
  private final int maxUserPayloadBytes;
  private final int maxPendingRequests;
  private final int maxAppStateBytes;
  private final java.util.Set<OverloadControl> overloadControl;

  private GossipConfig(Builder b) {
    this.clusterName = b.clusterName;
    this.probeInterval = b.probeInterval;
    this.probeTimeout = b.probeTimeout;
    this.indirectChecks = b.indirectChecks;
    this.confirmationChecks = b.confirmationChecks;
    this.suspicionMult = b.suspicionMult;
    this.suspicionMaxTimeoutMult = b.suspicionMaxTimeoutMult;
    this.awarenessMaxMultiplier = b.awarenessMaxMultiplier;
    this.lifeguard = b.lifeguard;
    this.retransmitMult = b.retransmitMult;
    this.gossipInterval = b.gossipInterval;
    this.gossipNodes = b.gossipNodes;
    this.gossipToTheDeadTime = b.gossipToTheDeadTime;
    this.pushPullInterval = b.pushPullInterval;
    this.reconnectInterval = b.reconnectInterval;
    this.tombstoneTimeout = b.tombstoneTimeout;
    this.reconnectTimeout = b.reconnectTimeout;
    this.maxPacketSize = b.maxPacketSize;
    this.maxMessageSize = b.maxMessageSize;
    this.maxMetadataBytes = b.maxMetadataBytes;
    this.maxQueuedUpdates = b.maxQueuedUpdates;
    this.maxMembers = b.maxMembers;
    this.maxNewMembersPerMessage = b.maxNewMembersPerMessage;
    this.clockOffsets = b.clockOffsets;
    this.coordinates = b.coordinates;
    // Clock offsets ride on version 5: a node left at the default range speaks it when they are on.
    this.wireVersions =
        b.clockOffsets && b.wireVersions.equals(WireVersions.SUPPORTED)
            ? WireVersions.WITH_TIMING
            : b.wireVersions;
    this.maxIncarnationLead = b.maxIncarnationLead;
    this.maxBroadcastBytes = b.maxBroadcastBytes;
    this.maxHeldBroadcastBytes = b.maxHeldBroadcastBytes;
    this.broadcastPacketShare = b.broadcastPacketShare;
    this.messageTimeout = b.messageTimeout;
    this.queryTimeout = b.queryTimeout;
    this.queryRetryInterval = b.queryRetryInterval;
    this.queryRetries = b.queryRetries;
    this.maxUserPayloadBytes = b.maxUserPayloadBytes;
    this.maxPendingRequests = b.maxPendingRequests;
    this.maxAppStateBytes = b.maxAppStateBytes;
    this.overloadControl = java.util.Collections.unmodifiableSet(b.overloadControl.clone());
  }

  /**
   * For a local-area network (one data centre): probe every 1 s with a 500 ms timeout, gossip every
   * 200 ms to 3 members, suspicion multiplier 4, push-pull every 30 s.
   */
  public static GossipConfig lan() {
    return new Builder().build();
  }

  /**
   * For members spread over a wide-area network: probe every 5 s with a 3 s timeout, gossip every
   * 500 ms to 4 members, suspicion multiplier 6, push-pull every 60 s.
   */
  public static GossipConfig wan() {
    return new Builder()
        .probeInterval(Duration.ofSeconds(5))
        .probeTimeout(Duration.ofSeconds(3))
        .suspicionMult(6)
        .gossipInterval(Duration.ofMillis(500))
        .gossipNodes(4)
        .gossipToTheDeadTime(Duration.ofSeconds(60))
        .pushPullInterval(Duration.ofSeconds(60))
        .reconnectInterval(Duration.ofSeconds(30))
        .queryRetryInterval(Duration.ofSeconds(1))
        .build();
  }

  /**
   * For members on one host or a very fast network (tests, the demo): probe every 1 s with a 200 ms
   * timeout, one indirect check, gossip every 100 ms, suspicion multiplier 3, push-pull every 15 s,
   * left members kept 60 s and failed ones 10 min. Unlike memberlist's local profile it keeps the
   * retransmit multiplier at 4: such clusters are small, where 2 sends per update can all go to
   * members that just died or left, and the extra sends cost next to nothing.
   */
  public static GossipConfig local() {
    return new Builder()
        .probeTimeout(Duration.ofMillis(200))
        .indirectChecks(1)
        .suspicionMult(3)
        .gossipInterval(Duration.ofMillis(100))
        .gossipToTheDeadTime(Duration.ofSeconds(15))
        .pushPullInterval(Duration.ofSeconds(15))
        .reconnectInterval(Duration.ofSeconds(5))
        .tombstoneTimeout(Duration.ofSeconds(60))
        .reconnectTimeout(Duration.ofMinutes(10))
        .build();
  }

  /** A profile by name: {@code lan}, {@code wan} or {@code local}. */
  public static GossipConfig profile(String name) {
    switch (Objects.requireNonNull(name, "name")) {
      case "lan":
        return lan();
      case "wan":
        return wan();
      case "local":
        return local();
      default:
        throw new IllegalArgumentException(
            "profile must be one of lan, wan, local; got '" + name + "'");
    }
  }

  /** A builder starting from the LAN profile. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Name of the cluster; its hash is in every packet and packets of other clusters are dropped. */
  public String clusterName() {
    return clusterName;
  }

  /** Time between probes of successive members (SWIM's protocol period). LAN: 1 s. */
  public Duration probeInterval() {
    return probeInterval;
  }

  /** How long a direct ping waits for its ack before indirect probes start. LAN: 500 ms. */
  public Duration probeTimeout() {
    return probeTimeout;
  }

  /** Members asked to probe a target indirectly when a direct ping fails. LAN: 3. */
  public int indirectChecks() {
    return indirectChecks;
  }

  /**
   * Extra relays asked when this node cannot tell packet loss from a failure; 0 turns this
   * confirmation off (plain SWIM with Lifeguard). While this node has seen signs of packet loss
   * (within the last 30 probe intervals a live member answered only after its probe timeout, or an
   * address proof went unanswered that long), or before it has had a few answers at all, a probe
   * whose direct ping goes unanswered is widened: a second direct ping, and indirect pings through
   * {@link #indirectChecks()} plus this many members. Under heavy loss (at least one in five recent
   * answers late) a failed probe is then not suspected at once: the member is probed again at once,
   * directly and through as many other members, for one probe timeout, and only a second failure
   * raises the suspicion. A suspicion that times out while loss is seen gets one such last probe of
   * the suspect before it is declared failed. A healthy member that an unlucky probe missed is then
   * not accused cluster-wide. On a settled network without loss nothing changes, so crashes are
   * detected as fast as before; under heavy loss a crash is suspected, and declared failed, up to
   * one (health-scaled) probe timeout later. Default: 3.
   */
  public int confirmationChecks() {
    return confirmationChecks;
  }

  /**
   * Scales the suspicion timeout: {@code suspicionMult × max(1, log10(N)) × probeInterval} is the
   * shortest a suspicion lasts. Higher is safer under loss and slower to detect. LAN: 4.
   */
  public int suspicionMult() {
    return suspicionMult;
  }

  /**
   * The longest suspicion timeout, as a multiple of the shortest; a fresh suspicion starts there
   * and shrinks with independent confirmations (Lifeguard). LAN: 6.
   */
  public int suspicionMaxTimeoutMult() {
    return suspicionMaxTimeoutMult;
  }

  /**
   * Upper bound of the local health multiplier (Lifeguard): probe timeouts and intervals stretch up
   * to {@code 1 + value}-fold while this node itself seems unhealthy. LAN: 8.
   */
  public int awarenessMaxMultiplier() {
    return awarenessMaxMultiplier;
  }

  /**
   * Which of Lifeguard's parts run (local health, dynamic suspicion, buddy system, nacks). Every
   * profile: {@link Lifeguard#full()}; switching parts off is for measuring them (decision 050).
   */
  public Lifeguard lifeguard() {
    return lifeguard;
  }

  /** An update is retransmitted {@code retransmitMult × ceil(log10(N + 1))} times. LAN: 4. */
  public int retransmitMult() {
    return retransmitMult;
  }

  /** Time between gossip rounds. LAN: 200 ms. */
  public Duration gossipInterval() {
    return gossipInterval;
  }

  /** Random members each gossip round sends to. LAN: 3. */
  public int gossipNodes() {
    return gossipNodes;
  }

  /** For how long a dead member still receives gossip (so it can learn it was declared dead). */
  public Duration gossipToTheDeadTime() {
    return gossipToTheDeadTime;
  }

  /**
   * Base interval of the periodic full-state exchange with a random member; scaled up for clusters
   * over 32 members. LAN: 30 s.
   */
  public Duration pushPullInterval() {
    return pushPullInterval;
  }

  /**
   * How often a push-pull is attempted with a random {@code FAILED} member, so that partitions
   * heal. LAN: 10 s.
   */
  public Duration reconnectInterval() {
    return reconnectInterval;
  }

  /**
   * How long {@code LEFT} members are remembered before removal, and the shortest time a {@code
   * FAILED} member is (see {@link #reconnectTimeout()}). A tombstone keeps stale claims from
   * bringing a gone member back. LAN: 5 min.
   */
  public Duration tombstoneTimeout() {
    return tombstoneTimeout;
  }

  /**
   * How long a {@code FAILED} member is remembered, and tried every {@link #reconnectInterval()} in
   * case it is alive on the other side of a partition, before removal. A partition that lasts
   * longer than this heals only through the seeds given to {@code join}. Longer heals longer
   * partitions by itself, at the cost of one small packet per reconnect interval per node while
   * members are failed, and of failed members' entries in every push-pull state. Memory stays
   * bounded: failed members older than {@link #tombstoneTimeout()} are removed oldest first once
   * there are more of them than the largest number of live members this node has seen (at least
   * 64). At least {@link #tombstoneTimeout()}. Default 24 h, as Serf; {@link #local()}: 10 min.
   */
  public Duration reconnectTimeout() {
    return reconnectTimeout;
  }

  /** Largest best-effort packet, in bytes; piggybacked updates are packed up to it. LAN: 1400. */
  public int maxPacketSize() {
    return maxPacketSize;
  }

  /** Largest message of any kind (push-pull states included), in bytes. Default: 16 MiB. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** Largest encoded metadata of one node, in bytes. Default: 512. */
  public int maxMetadataBytes() {
    return maxMetadataBytes;
  }

  /** Largest number of updates waiting in the broadcast queue. Default: 65536. */
  public int maxQueuedUpdates() {
    return maxQueuedUpdates;
  }

  /**
   * The parts of the overload control in dissemination that are on (see {@link OverloadControl}).
   * Default: {@link OverloadControl#defaults()}, every part but {@link
   * OverloadControl#DEFER_WHEN_SATURATED}.
   */
  public java.util.Set<OverloadControl> overloadControl() {
    return overloadControl;
  }

  /** Whether part {@code part} of the overload control is on. */
  boolean overload(OverloadControl part) {
    return overloadControl.contains(part);
  }

  /**
   * Largest payload of a user broadcast ({@link GossipCore#broadcast}), in bytes; a larger one is
   * refused with an {@link IllegalArgumentException}, and an announced one from another node is
   * dropped ({@link DropReason#BROADCAST_TOO_LARGE}). Payloads that fit in a packet ride on it;
   * larger ones are announced there and their body is pulled over the reliable path, so this is
   * also bounded by {@link #maxMessageSize()} less 1 KiB. In [0, 2^30]. Default: 1 MiB.
   */
  public int maxBroadcastBytes() {
    return maxBroadcastBytes;
  }

  /**
   * The most bytes of large user broadcast bodies this node holds, to serve the members that pull
   * them after hearing them announced; beyond it the oldest are forgotten first. Each body is held
   * for a minute at most. At least {@link #maxBroadcastBytes()}. Default: 64 MiB.
   */
  public long maxHeldBroadcastBytes() {
    return maxHeldBroadcastBytes;
  }

  /**
   * The share of each packet's piggyback room, in percent, that user broadcasts get when both they
   * and membership claims wait; the claims get the rest, and whichever class needs less than its
   * share leaves the remainder to the other. In [10, 90]. Default: 50.
   */
  public int broadcastPacketShare() {
    return broadcastPacketShare;
  }

  /**
   * The most members this node tracks, itself and members in every state ({@code FAILED} and {@code
   * LEFT} tombstones too) included. A claim about an unknown member beyond it is dropped and
   * counted as {@link DropReason#TABLE_FULL}: this bounds the memory forged claims can take (about
   * 1.5 KB per member with the largest ids, hosts and metadata). Default: 65536, room for a
   * 10,000-node cluster with as many departed members remembered, several times over.
   */
  public int maxMembers() {
    return maxMembers;
  }

  /**
   * The most unknown members one unsolicited message may introduce: gossip, and a push-pull this
   * node did not ask for. Claims about further unknown members in that message are dropped and
   * counted as {@link DropReason#NEW_MEMBER_LIMIT}; the sender's state still arrives through this
   * node's own exchanges. The answer to an exchange this node started (its join, its periodic
   * push-pull) is bounded by {@link #maxMembers()} only, so a node joining a large cluster learns
   * it at once. Default: 128.
   */
  public int maxNewMembersPerMessage() {
    return maxNewMembersPerMessage;
  }

  /**
   * How far ahead of the wall clock a member's incarnation may be believed: a claim above the
   * seconds from 2025-01-01T00:00:00Z to now plus this lead is dropped ({@link
   * DropReason#INCARNATION_AHEAD}), so that no claim can exhaust a member's incarnations (a node
   * given its wall clock starts at those seconds, see {@link GossipCore.Builder#wallClockAtStart}).
   * It must cover the clock skew between nodes plus how far a node's refutations and metadata
   * changes, one incarnation each, may run ahead of one per second; a node whose clock runs ahead
   * of a peer's by more is not believed by that peer until the peer's clock catches up. Without a
   * wall clock, a member's incarnation may rise by this much plus one per second from where it was
   * first seen. Between 1 minute and 365 days. Default: 1 h.
   */
  public Duration maxIncarnationLead() {
    return maxIncarnationLead;
  }

  /**
   * How long a reliable direct message ({@link GossipCore#send} with {@link Delivery#RELIABLE})
   * waits for the target's receipt before it fails with {@link MessageFailure#TIMEOUT}. Long enough
   * for the largest payload to cross the slowest link. Between 1 ms and 1 hour. Default: 5 s.
   */
  public Duration messageTimeout() {
    return messageTimeout;
  }

  /**
   * How long a query waits for answers when its {@link QueryOptions#timeout()} is not given. The
   * query ends earlier once every targeted member still alive has answered. Between 1 ms and 1
   * hour. Default: 5 s.
   */
  public Duration queryTimeout() {
    return queryTimeout;
  }

  /**
   * How often a query's origin sends it again to the targets that have neither acknowledged nor
   * answered it (up to {@link #queryRetries()} times): a lost query or answer then costs one
   * interval, not the timeout. Shorter finishes sooner under loss and sends more duplicates to slow
   * responders; about a few round trips. Between 1 ms and 1 hour. Default: 100 ms (LAN); {@link
   * #wan()}: 1 s.
   */
  public Duration queryRetryInterval() {
    return queryRetryInterval;
  }

  /**
   * How many times a query's origin sends it again to a target that has neither acknowledged nor
   * answered it. Between 0 and 100. Default: 8.
   */
  public int queryRetries() {
    return queryRetries;
  }

  /**
   * The largest payload of a direct message, request, response, query or query answer sent over the
   * reliable path, in bytes (the best-effort path is bounded by {@link #maxPacketSize()}); the
   * encoded message must also stay within {@link #maxMessageSize()}. A larger one fails with {@link
   * MessageFailure#TOO_LARGE} or an {@link IllegalArgumentException}. Between 0 and 2^30. Default:
   * 1 MiB.
   */
  public int maxUserPayloadBytes() {
    return maxUserPayloadBytes;
  }

  /**
   * The most reliable sends, requests and queries of this node waiting for their outcome at once;
   * one more is refused with an {@link IllegalStateException}. Bounds the memory of the pending
   * table (about 100 bytes an entry, plus a query's target sets). Between 1 and 2^20. Default:
   * 4096.
   */
  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  /**
   * The largest application state ({@link AppState#localState}) carried in one push-pull, in bytes.
   * A larger local state is left out of the exchange and counted as {@link
   * DropReason#APP_STATE_TOO_LARGE}, as is a larger state received; 0 turns the application state
   * off. The push-pull as a whole must also stay within {@link #maxMessageSize()}. Between 0 and
   * 2^30. Default: 1 MiB.
   */
  public int maxAppStateBytes() {
    return maxAppStateBytes;
  }

  /**
   * The binary wire format versions this node reads and writes. Default: {@link
   * WireVersions#SUPPORTED}, {@code [2, 4]}: the node talks to nodes that speak only version 2 and
   * speaks the highest version each peer also speaks. Narrow it only to pin a version during an
   * upgrade ({@code [2, 2]} behaves exactly as a node built before version 3).
   */
  public WireVersions wireVersions() {
    return wireVersions;
  }

  /**
   * Whether probe pings and acks carry NTP-style timestamps, so that each node estimates the
   * round-trip time to and the clock offset of every member it probes ({@link
   * GossipCore#timing(String, long)}). Needs wire version 5: with the default {@link
   * #wireVersions()} the node then speaks {@code [2, 5]}, and stamps only pings to members that
   * speak 5 too (older members never see a timestamp). Costs 8 bytes per ping and 25 per ack to
   * such members, and needs a wall clock given to the core. Default: false (the bytes on the wire
   * are those of version 4).
   */
  public boolean clockOffsets() {
    return clockOffsets;
  }

  /**
   * Whether this node keeps a Vivaldi network coordinate (Serf's model: 8 dimensions and a height),
   * sends it on its timed acks (44 bytes more) and moves it by every timed round trip, so that
   * {@link GossipCore#estimateRtt(String)} predicts the round-trip time to any member whose
   * coordinate it has heard. Needs {@link #clockOffsets()}. Default: false.
   */
  public boolean coordinates() {
    return coordinates;
  }

  // The protocol's formulas for a cluster of a given size. A node applies them with the number of
  // members it sees alive, itself included, at the moment it needs the value.

  /**
   * The shortest a suspicion lasts in a cluster of {@code clusterSize} live members: {@code
   * suspicionMult × max(1, log10(clusterSize)) × probeInterval}. A suspicion that enough
   * independent members confirm (Lifeguard) times out after this long. LAN, 100 members: 8 s.
   *
   * @param clusterSize live members, this node included; at least 1
   * @throws IllegalArgumentException if {@code clusterSize < 1}
   */
  public Duration suspicionTimeoutMin(int clusterSize) {
    requireClusterSize(clusterSize);
    return Duration.ofNanos(
        ProtocolMath.suspicionMinNanos(suspicionMult, clusterSize, probeInterval.toNanos()));
  }

  /**
   * The longest a suspicion lasts in a cluster of {@code clusterSize} live members: {@code
   * suspicionMaxTimeoutMult ×} {@link #suspicionTimeoutMin(int)}. A fresh, unconfirmed suspicion
   * starts here; a crashed member is declared {@code FAILED} at the latest this long after the
   * first member suspects it. LAN, 100 members: 48 s.
   *
   * @param clusterSize live members, this node included; at least 1
   * @throws IllegalArgumentException if {@code clusterSize < 1}
   */
  public Duration suspicionTimeoutMax(int clusterSize) {
    requireClusterSize(clusterSize);
    return Duration.ofNanos(
        ProtocolMath.suspicionMaxNanos(
            suspicionMult, suspicionMaxTimeoutMult, clusterSize, probeInterval.toNanos()));
  }

  /**
   * The suspicion timeout after {@code confirmations} independent members have confirmed a
   * suspicion (Lifeguard): from {@link #suspicionTimeoutMax(int)} with none down to {@link
   * #suspicionTimeoutMin(int)} with {@code suspicionMult - 2} or more, along {@code log(c + 1) /
   * log(suspicionMult - 1)}. In a cluster of fewer than {@code suspicionMult} members, too small to
   * provide that many confirmations, it is the minimum.
   *
   * @param clusterSize live members, this node included; at least 1
   * @param confirmations independent confirmations received; at least 0
   * @throws IllegalArgumentException if {@code clusterSize < 1} or {@code confirmations < 0}
   */
  public Duration suspicionTimeout(int clusterSize, int confirmations) {
    requireClusterSize(clusterSize);
    if (confirmations < 0) {
      throw new IllegalArgumentException("confirmations must be >= 0, got " + confirmations);
    }
    long probe = probeInterval.toNanos();
    return Duration.ofNanos(
        ProtocolMath.suspicionTimeoutNanos(
            ProtocolMath.suspicionMinNanos(suspicionMult, clusterSize, probe),
            ProtocolMath.suspicionMaxNanos(
                suspicionMult, suspicionMaxTimeoutMult, clusterSize, probe),
            ProtocolMath.suspicionConfirmationsNeeded(suspicionMult, clusterSize),
            confirmations));
  }

  /**
   * How many times each membership update is piggybacked before it retires, in a cluster of {@code
   * clusterSize} live members: {@code retransmitMult × ceil(log10(clusterSize + 1))}. LAN, 100
   * members: 12.
   *
   * @param clusterSize live members, this node included; at least 1
   * @throws IllegalArgumentException if {@code clusterSize < 1}
   */
  public int retransmitLimit(int clusterSize) {
    requireClusterSize(clusterSize);
    return ProtocolMath.retransmitLimit(retransmitMult, clusterSize);
  }

  /**
   * The periodic push-pull interval in a cluster of {@code clusterSize} live members: {@link
   * #pushPullInterval()} up to 32 members, then one more multiple of it per doubling, so that each
   * node's full-state traffic stays bounded. LAN, 100 members: 90 s.
   *
   * @param clusterSize live members, this node included; at least 1
   * @throws IllegalArgumentException if {@code clusterSize < 1}
   */
  public Duration pushPullInterval(int clusterSize) {
    requireClusterSize(clusterSize);
    return Duration.ofNanos(
        ProtocolMath.pushPullIntervalNanos(pushPullInterval.toNanos(), clusterSize));
  }

  private static void requireClusterSize(int clusterSize) {
    if (clusterSize < 1) {
      throw new IllegalArgumentException("clusterSize must be >= 1, got " + clusterSize);
    }
  }

  @Override
  public String toString() {
    return "GossipConfig{cluster="
        + clusterName
        + ", probe="
        + probeInterval.toMillis()
        + "ms/"
        + probeTimeout.toMillis()
        + "ms, indirect="
        + indirectChecks
        + ", suspicionMult="
        + suspicionMult
        + "x"
        + suspicionMaxTimeoutMult
        + ", gossip="
        + gossipInterval.toMillis()
        + "ms to "
        + gossipNodes
        + ", retransmitMult="
        + retransmitMult
        + ", pushPull="
        + pushPullInterval.toSeconds()
        + "s, confirmationChecks="
        + confirmationChecks
        + ", lifeguard="
        + lifeguard
        + "}";
  }

  /** Builds a {@link GossipConfig}; {@link #build()} validates every field. */
  public static final class Builder {
    private String clusterName = "default";
    private Duration probeInterval = Duration.ofSeconds(1);
    private Duration probeTimeout = Duration.ofMillis(500);
    private int indirectChecks = 3;
    private int confirmationChecks = 3;
    private int suspicionMult = 4;
    private int suspicionMaxTimeoutMult = 6;
    private int awarenessMaxMultiplier = 8;
    private Lifeguard lifeguard = Lifeguard.full();
    private int retransmitMult = 4;
    private Duration gossipInterval = Duration.ofMillis(200);
    private int gossipNodes = 3;
    private Duration gossipToTheDeadTime = Duration.ofSeconds(30);
    private Duration pushPullInterval = Duration.ofSeconds(30);
    private Duration reconnectInterval = Duration.ofSeconds(10);
    private Duration tombstoneTimeout = Duration.ofMinutes(5);
    private Duration reconnectTimeout = Duration.ofHours(24);
    private int maxPacketSize = 1400;
    private int maxMessageSize = 16 * 1024 * 1024;
    private int maxMetadataBytes = 512;
    private int maxQueuedUpdates = 65536;
    private java.util.EnumSet<OverloadControl> overloadControl =
        java.util.EnumSet.copyOf(OverloadControl.defaults());
    private int maxMembers = 65536;
    private int maxNewMembersPerMessage = 128;
    private WireVersions wireVersions = WireVersions.SUPPORTED;
    private boolean clockOffsets;
    private boolean coordinates;
    private Duration maxIncarnationLead = Duration.ofHours(1);
    private int maxBroadcastBytes = 1024 * 1024;
    private long maxHeldBroadcastBytes = 64L * 1024 * 1024;
    private int broadcastPacketShare = 50;
    private Duration messageTimeout = Duration.ofSeconds(5);
    private Duration queryTimeout = Duration.ofSeconds(5);
    private Duration queryRetryInterval = Duration.ofMillis(100);
    private int queryRetries = 8;
    private int maxUserPayloadBytes = 1 << 20;
    private int maxPendingRequests = 4096;
    private int maxAppStateBytes = 1 << 20;

    private Builder() {}

    private Builder(GossipConfig c) {
      clusterName = c.clusterName;
      probeInterval = c.probeInterval;
      probeTimeout = c.probeTimeout;
      indirectChecks = c.indirectChecks;
      confirmationChecks = c.confirmationChecks;
      suspicionMult = c.suspicionMult;
      suspicionMaxTimeoutMult = c.suspicionMaxTimeoutMult;
      awarenessMaxMultiplier = c.awarenessMaxMultiplier;
      lifeguard = c.lifeguard;
      retransmitMult = c.retransmitMult;
      gossipInterval = c.gossipInterval;
      gossipNodes = c.gossipNodes;
      gossipToTheDeadTime = c.gossipToTheDeadTime;
      pushPullInterval = c.pushPullInterval;
      reconnectInterval = c.reconnectInterval;
      tombstoneTimeout = c.tombstoneTimeout;
      reconnectTimeout = c.reconnectTimeout;
      maxPacketSize = c.maxPacketSize;
      maxMessageSize = c.maxMessageSize;
      maxMetadataBytes = c.maxMetadataBytes;
      maxQueuedUpdates = c.maxQueuedUpdates;
      overloadControl = java.util.EnumSet.noneOf(OverloadControl.class);
      overloadControl.addAll(c.overloadControl);
      maxMembers = c.maxMembers;
      maxNewMembersPerMessage = c.maxNewMembersPerMessage;
      wireVersions = c.wireVersions;
      clockOffsets = c.clockOffsets;
      coordinates = c.coordinates;
      maxIncarnationLead = c.maxIncarnationLead;
      maxBroadcastBytes = c.maxBroadcastBytes;
      maxHeldBroadcastBytes = c.maxHeldBroadcastBytes;
      broadcastPacketShare = c.broadcastPacketShare;
      messageTimeout = c.messageTimeout;
      queryTimeout = c.queryTimeout;
      queryRetryInterval = c.queryRetryInterval;
      queryRetries = c.queryRetries;
      maxUserPayloadBytes = c.maxUserPayloadBytes;
      maxPendingRequests = c.maxPendingRequests;
      maxAppStateBytes = c.maxAppStateBytes;
    }

    /** See {@link GossipConfig#clusterName()}. */
    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    /** See {@link GossipConfig#probeInterval()}. */
    public Builder probeInterval(Duration v) {
      probeInterval = v;
      return this;
    }

    /** See {@link GossipConfig#probeTimeout()}. */
    public Builder probeTimeout(Duration v) {
      probeTimeout = v;
      return this;
    }

    /** See {@link GossipConfig#indirectChecks()}. */
    public Builder indirectChecks(int v) {
      indirectChecks = v;
      return this;
    }

    /** See {@link GossipConfig#confirmationChecks()}; 0..16. */
    public Builder confirmationChecks(int v) {
      confirmationChecks = v;
      return this;
    }

    /** See {@link GossipConfig#suspicionMult()}. */
    public Builder suspicionMult(int v) {
      suspicionMult = v;
      return this;
    }

    /** See {@link GossipConfig#suspicionMaxTimeoutMult()}. */
    public Builder suspicionMaxTimeoutMult(int v) {
      suspicionMaxTimeoutMult = v;
      return this;
    }

    /** See {@link GossipConfig#awarenessMaxMultiplier()}. */
    public Builder awarenessMaxMultiplier(int v) {
      awarenessMaxMultiplier = v;
      return this;
    }

    /** See {@link GossipConfig#lifeguard()}. */
    public Builder lifeguard(Lifeguard v) {
      lifeguard = Objects.requireNonNull(v, "lifeguard");
      return this;
    }

    /** See {@link GossipConfig#retransmitMult()}. */
    public Builder retransmitMult(int v) {
      retransmitMult = v;
      return this;
    }

    /** See {@link GossipConfig#gossipInterval()}. */
    public Builder gossipInterval(Duration v) {
      gossipInterval = v;
      return this;
    }

    /** See {@link GossipConfig#gossipNodes()}. */
    public Builder gossipNodes(int v) {
      gossipNodes = v;
      return this;
    }

    /** See {@link GossipConfig#gossipToTheDeadTime()}. */
    public Builder gossipToTheDeadTime(Duration v) {
      gossipToTheDeadTime = v;
      return this;
    }

    /** See {@link GossipConfig#pushPullInterval()}. */
    public Builder pushPullInterval(Duration v) {
      pushPullInterval = v;
      return this;
    }

    /** See {@link GossipConfig#reconnectInterval()}. */
    public Builder reconnectInterval(Duration v) {
      reconnectInterval = v;
      return this;
    }

    /** See {@link GossipConfig#tombstoneTimeout()}. */
    public Builder tombstoneTimeout(Duration v) {
      tombstoneTimeout = v;
      return this;
    }

    /** See {@link GossipConfig#reconnectTimeout()}. */
    public Builder reconnectTimeout(Duration v) {
      reconnectTimeout = v;
      return this;
    }

    /** See {@link GossipConfig#maxPacketSize()}. */
    public Builder maxPacketSize(int v) {
      maxPacketSize = v;
      return this;
    }

    /** See {@link GossipConfig#maxMessageSize()}. */
    public Builder maxMessageSize(int v) {
      maxMessageSize = v;
      return this;
    }

    /** See {@link GossipConfig#maxMetadataBytes()}. */
    public Builder maxMetadataBytes(int v) {
      maxMetadataBytes = v;
      return this;
    }

    /** See {@link GossipConfig#maxBroadcastBytes()}. */
    public Builder maxBroadcastBytes(int v) {
      maxBroadcastBytes = v;
      return this;
    }

    /** See {@link GossipConfig#maxHeldBroadcastBytes()}. */
    public Builder maxHeldBroadcastBytes(long v) {
      maxHeldBroadcastBytes = v;
      return this;
    }

    /** See {@link GossipConfig#broadcastPacketShare()}. */
    public Builder broadcastPacketShare(int v) {
      broadcastPacketShare = v;
      return this;
    }

    /** See {@link GossipConfig#maxQueuedUpdates()}. */
    public Builder maxQueuedUpdates(int v) {
      maxQueuedUpdates = v;
      return this;
    }

    /**
     * See {@link GossipConfig#overloadControl()}: the parts that are on, e.g. {@link
     * OverloadControl#defaults()}, {@link OverloadControl#all()} or {@link OverloadControl#none()}.
     */
    public Builder overloadControl(java.util.Set<OverloadControl> parts) {
      java.util.Objects.requireNonNull(parts, "overloadControl");
      overloadControl = java.util.EnumSet.noneOf(OverloadControl.class);
      for (OverloadControl p : parts) {
        overloadControl.add(java.util.Objects.requireNonNull(p, "overloadControl part"));
      }
      return this;
    }

    /** See {@link GossipConfig#maxMembers()}. */
    public Builder maxMembers(int v) {
      maxMembers = v;
      return this;
    }

    /** See {@link GossipConfig#maxNewMembersPerMessage()}. */
    public Builder maxNewMembersPerMessage(int v) {
      maxNewMembersPerMessage = v;
      return this;
    }

    /** See {@link GossipConfig#wireVersions()}. */
    public Builder wireVersions(WireVersions v) {
      wireVersions = v;
      return this;
    }

    /** See {@link GossipConfig#clockOffsets()}. */
    public Builder clockOffsets(boolean v) {
      clockOffsets = v;
      return this;
    }

    /** See {@link GossipConfig#coordinates()}. */
    public Builder coordinates(boolean v) {
      coordinates = v;
      return this;
    }

    /** See {@link GossipConfig#maxIncarnationLead()}. */
    public Builder maxIncarnationLead(Duration v) {
      maxIncarnationLead = v;
      return this;
    }

    /** See {@link GossipConfig#messageTimeout()}. */
    public Builder messageTimeout(Duration v) {
      messageTimeout = v;
      return this;
    }

    /** See {@link GossipConfig#queryTimeout()}. */
    public Builder queryTimeout(Duration v) {
      queryTimeout = v;
      return this;
    }

    /** See {@link GossipConfig#queryRetryInterval()}. */
    public Builder queryRetryInterval(Duration v) {
      queryRetryInterval = v;
      return this;
    }

    /** See {@link GossipConfig#queryRetries()}. */
    public Builder queryRetries(int v) {
      queryRetries = v;
      return this;
    }

    /** See {@link GossipConfig#maxUserPayloadBytes()}. */
    public Builder maxUserPayloadBytes(int v) {
      maxUserPayloadBytes = v;
      return this;
    }

    /** See {@link GossipConfig#maxPendingRequests()}. */
    public Builder maxPendingRequests(int v) {
      maxPendingRequests = v;
      return this;
    }

    /** See {@link GossipConfig#maxAppStateBytes()}. */
    public Builder maxAppStateBytes(int v) {
      maxAppStateBytes = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the first invalid field and its value
     */
    public GossipConfig build() {
      if (clusterName == null
          || clusterName.isEmpty()
          || Utf8.length(clusterName) > WireLimits.MAX_CLUSTER_NAME_BYTES) {
        throw new IllegalArgumentException(
            "clusterName must be 1..255 bytes of UTF-8, got '" + clusterName + "'");
      }
      positive("probeInterval", probeInterval);
      positive("probeTimeout", probeTimeout);
      if (probeTimeout.compareTo(probeInterval) >= 0) {
        throw new IllegalArgumentException(
            "probeTimeout ("
                + probeTimeout.toMillis()
                + " ms) must be shorter than probeInterval ("
                + probeInterval.toMillis()
                + " ms)");
      }
      range("indirectChecks", indirectChecks, 0, 16);
      range("confirmationChecks", confirmationChecks, 0, 16);
      range("suspicionMult", suspicionMult, 1, 100);
      range("suspicionMaxTimeoutMult", suspicionMaxTimeoutMult, 1, 100);
      range("awarenessMaxMultiplier", awarenessMaxMultiplier, 1, 100);
      range("retransmitMult", retransmitMult, 1, 100);
      positive("gossipInterval", gossipInterval);
      range("gossipNodes", gossipNodes, 1, 64);
      nonNegative("gossipToTheDeadTime", gossipToTheDeadTime);
      positive("pushPullInterval", pushPullInterval);
      positive("reconnectInterval", reconnectInterval);
      positive("tombstoneTimeout", tombstoneTimeout);
      positive("reconnectTimeout", reconnectTimeout);
      if (reconnectTimeout.compareTo(tombstoneTimeout) < 0) {
        throw new IllegalArgumentException(
            "reconnectTimeout ("
                + reconnectTimeout
                + ") must be at least tombstoneTimeout ("
                + tombstoneTimeout
                + ")");
      }
      range("maxPacketSize", maxPacketSize, 512, 65507);
      range("maxMessageSize", maxMessageSize, maxPacketSize, 1 << 30);
      range("maxMetadataBytes", maxMetadataBytes, 0, maxPacketSize / 2);
      range("maxQueuedUpdates", maxQueuedUpdates, 16, 1 << 24);
      range("maxMembers", maxMembers, 2, 1 << 24);
      range("maxNewMembersPerMessage", maxNewMembersPerMessage, 1, 1 << 24);
      BinarySerializer.checkSupported(wireVersions);
      if (coordinates && !clockOffsets) {
        throw new IllegalArgumentException(
            "coordinates ride on the probe timestamps: turn clockOffsets on too");
      }
      if (clockOffsets
          && !wireVersions.equals(WireVersions.SUPPORTED)
          && wireVersions.max() < WireVersions.TIMING) {
        throw new IllegalArgumentException(
            "clockOffsets needs wire version "
                + WireVersions.TIMING
                + ", but wireVersions is "
                + wireVersions);
      }
      range("maxBroadcastBytes", maxBroadcastBytes, 0, 1 << 30);
      if (maxHeldBroadcastBytes < maxBroadcastBytes || maxHeldBroadcastBytes > (1L << 40)) {
        throw new IllegalArgumentException(
            "maxHeldBroadcastBytes must be in [maxBroadcastBytes = "
                + maxBroadcastBytes
                + ", 2^40], got "
                + maxHeldBroadcastBytes);
      }
      range("broadcastPacketShare", broadcastPacketShare, 10, 90);
      positive("maxIncarnationLead", maxIncarnationLead);
      if (maxIncarnationLead.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException(
            "maxIncarnationLead must be at least 1 minute, got " + maxIncarnationLead);
      }
      upToAnHour("messageTimeout", messageTimeout);
      upToAnHour("queryTimeout", queryTimeout);
      upToAnHour("queryRetryInterval", queryRetryInterval);
      range("queryRetries", queryRetries, 0, 100);
      range("maxUserPayloadBytes", maxUserPayloadBytes, 0, 1 << 30);
      range("maxPendingRequests", maxPendingRequests, 1, 1 << 20);
      range("maxAppStateBytes", maxAppStateBytes, 0, 1 << 30);
      return new GossipConfig(this);
    }

    private static void positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
      }
      if (d.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException(name + " must be at most 365 days, got " + d);
      }
    }

    private static void upToAnHour(String name, Duration d) {
      if (d == null
          || d.compareTo(Duration.ofMillis(1)) < 0
          || d.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(name + " must be between 1 ms and 1 hour, got " + d);
      }
    }

    private static void nonNegative(String name, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
      }
    }

    private static void range(String name, int v, int min, int max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], got " + v);
      }
    }
  }
}
