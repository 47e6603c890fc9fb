package io.libgossip.cluster;

import io.libgossip.core.NodeView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader per named group that leads only while its view holds a majority of the group's last
 * known configuration, with terms that are comparable between nodes.
 *
 * <ul>
 *   <li><b>Configuration</b>: the members of the group ever seen alive in the local view, minus
 *       those seen {@code LEFT} and those {@link #forget forgotten} (and, with {@link
 *       Builder#forgetRemovedMembers}, those reaped from the table after the reconnect timeout). A
 *       failure does not shrink it. The quorum is {@code max(size, expectedSize) / 2 + 1}.
 *   <li><b>Candidate</b>: the rendezvous-hash winner for the group's name among the group's {@code
 *       ONLINE} and {@code SUSPECT} members in the local view.
 *   <li><b>Leader</b>: the local node claims leadership when it has been the candidate, with at
 *       least a quorum of the configuration {@code ONLINE} in its view, for the whole {@link
 *       Builder#takeoverDelay} (a lease: the previous leader, cut off from the majority, meanwhile
 *       sees its quorum go and steps down). It steps down at once when it stops being the candidate
 *       or loses the quorum, and when {@link #tick} was not called for longer than {@link
 *       Builder#maxTickGap} (a pause: its view may be stale).
 *   <li><b>Term</b>: a new leader takes one more than the highest term published by any member of
 *       its view (tombstones included) and than any term it held, and publishes it in its metadata
 *       under {@code "term." + group}. Two leaders that hold the same term would both have claimed
 *       while neither saw the other's term.
 * </ul>
 *
 * <p><b>Guarantee.</b> This is not consensus: views are eventually consistent, so two nodes may
 * both claim for as long as their views disagree for more than the takeover delay. Measured in the
 * simulator (docs/cluster.md): no term held by two nodes, and no instant with two running leaders,
 * across seeded partitions, pauses and 5 % and 20 % loss. A side of a partition with at most half
 * of the configuration has no leader; with an even split neither side has one. Call {@link #tick}
 * regularly (every 100 ms, say): the state changes only there. Thread-safe.
 */
public final class QuorumLeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuorumLeaderElection.class);

  private final String group;
  private final String localId;
  private final String termKey;
  private final long groupHash;
  private final MemberSource source;
  private final Predicate<NodeView> inGroup;
  private final QuorumView quorum;
  private final LeaseClock clock;
  private final MetadataPublisher publisher;
  private final long takeoverNanos;
  private final long maxGapNanos;
  private final CopyOnWriteArrayList<Consumer<LeaderChange>> listeners =
      new CopyOnWriteArrayList<>();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private boolean ticked;
  private long lastTick;
  private boolean candidate;
  private long candidateSince;
  private volatile boolean leading;
  private volatile long term;
  private volatile long highestSeen;
  private volatile @Nullable NodeView leader;
  private volatile boolean hasQuorum;
  private volatile boolean closed;

  private QuorumLeaderElection(Builder b) {
    this.group = b.group;
    this.localId = b.localId;
    this.termKey = "term." + b.group;
    this.groupHash = Hash64.hash(b.group.getBytes(StandardCharsets.UTF_8), 0);
    this.source = b.source;
    this.inGroup = b.inGroup;
    this.quorum = b.settings.quorumView(b.inGroup, b.localId);
    this.clock = b.settings.clock;
    this.publisher = Objects.requireNonNull(b.publisher, "publisher");
    this.takeoverNanos = b.settings.takeoverDelay.toNanos();
    this.maxGapNanos = b.settings.maxTickGap.toNanos();
  }

  /**
   * A builder for an election named {@code group} among the members whose role ({@link
   * NodeView#ROLE}) is {@code group}, seen through {@code source} by the node {@code localId}.
   */
  public static Builder builder(MemberSource source, String localId, String group) {
    return new Builder(source, localId, group);
  }

  /** The group's name. */
  public String group() {
    return group;
  }

  /** The metadata key under which leaders publish their term: {@code "term." + group}. */
  public String termKey() {
    return termKey;
  }

  /** Whether the local node leads now (as of the last {@link #tick}). */
  public boolean isLeader() {
    return leading;
  }

  /**
   * The candidate of the local view when it holds a quorum (the local node when it leads); empty
   * without a quorum. Another node is shown as soon as it is the candidate, which may be before it
   * claims.
   */
  public Optional<NodeView> leader() {
    return Optional.ofNullable(leader);
  }

  /** The local node's term while it leads; otherwise the highest term seen in the view. */
  public long term() {
    return leading ? term : Math.max(term, highestSeen);
  }

  /** Whether the local view held a quorum of the configuration at the last tick. */
  public boolean hasQuorum() {
    return hasQuorum;
  }

  /** The last known configuration: the ids that count towards the quorum. */
  public synchronized Set<String> configuration() {
    return quorum.configuration();
  }

  /**
   * Removes a member from the configuration until it is seen alive again: for a member that failed
   * for good, so that the rest can form a majority without it. Forgetting a member that is in fact
   * alive on the other side of a partition can give each side a leader.
   */
  public synchronized boolean forget(String id) {
    return quorum.forget(Objects.requireNonNull(id, "id"));
  }

  /**
   * Calls {@code listener} after each change of {@link #leader()} or {@link #isLeader()}, on the
   * thread that calls {@link #tick}. A listener that throws is counted ({@link
   * #listenerFailures()}).
   */
  public void addListener(Consumer<LeaderChange> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Stops calling {@code listener}; returns whether it was registered. */
  public boolean removeListener(Consumer<LeaderChange> listener) {
    return listeners.remove(listener);
  }

  /** How many times a listener threw, since creation. */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /** How many times publishing the term threw (the claim went ahead), since creation. */
  public long publishFailures() {
    return publishFailures.get();
  }

  /** Stops the election: the local node no longer leads, later ticks do nothing. */
  @Override
  public void close() {
    LeaderChange change;
    synchronized (this) {
      closed = true;
      change = set(null, false);
    }
    fire(change);
  }

  /**
   * Re-reads the membership and the clock, and claims or gives up leadership. Call it regularly,
   * from one thread or several.
   */
  public void tick() {
    LeaderChange change;
    synchronized (this) {
      if (closed) {
        return;
      }
      change = evaluate();
    }
    fire(change);
  }

  private @Nullable LeaderChange evaluate() {
    long now = clock.nanoTime();
    long gap = ticked ? now - lastTick : 0;
    boolean paused = gap > maxGapNanos;
    ticked = true;
    lastTick = now;
    List<NodeView> members = source.members();
    quorum.update(members, now);
    boolean q = quorum.hasQuorum();
    hasQuorum = q;
    long seen = 0;
    List<NodeView> live = new ArrayList<>();
    for (NodeView m : members) {
      if (!inGroup.test(m)) {
        continue;
      }
      seen = Math.max(seen, publishedTerm(m));
      if (QuorumView.alive(m, localId)) {
        live.add(m);
      }
    }
    highestSeen = seen;
    NodeView winner = q ? RendezvousHash.of(live).ownerOfHash(groupHash).orElse(null) : null;
    boolean mine = winner != null && winner.id().equals(localId);
    if (paused) {
      LOG.atInfo()
          .setMessage("tick gap: leadership given up, lease starts again")
          .addKeyValue("group", group)
          .addKeyValue("gapMs", gap / 1_000_000)
          .log();
    }
    if (!mine || paused) {
      candidate = mine;
      candidateSince = now;
      return set(winner, false);
    }
    if (!candidate) {
      candidate = true;
      candidateSince = now;
    }
    if (leading) {
      return set(winner, true);
    }
    if (now - candidateSince < takeoverNanos) {
      return set(winner, false);
    }
    term = Math.max(term, seen) + 1;
    try {
      publisher.publish(termKey, Long.toString(term));
    } catch (RuntimeException e) {
      publishFailures.incrementAndGet();
      LOG.atWarn()
          .setMessage("could not publish the leader term")
          .addKeyValue("group", group)
          .addKeyValue("term", term)
          .setCause(e)
          .log();
    }
    LOG.atInfo()
        .setMessage("leadership gained")
        .addKeyValue("group", group)
        .addKeyValue("term", term)
        .addKeyValue("online", quorum.online())
        .addKeyValue("quorum", quorum.quorum())
        .log();
    return set(winner, true);
  }

  private @Nullable LeaderChange set(@Nullable NodeView next, boolean lead) {
    NodeView before = leader;
    boolean wasLeading = leading;
    leader = next;
    leading = lead;
    String nextId = next == null ? null : next.id();
    String beforeId = before == null ? null : before.id();
    if (Objects.equals(nextId, beforeId) && lead == wasLeading) {
      return null;
    }
    if (wasLeading && !lead) {
      LOG.atInfo()
          .setMessage("leadership lost")
          .addKeyValue("group", group)
          .addKeyValue("term", term)
          .log();
    }
    return new LeaderChange(group, term(), next, before, lead, wasLeading);
  }

  private void fire(@Nullable LeaderChange change) {
    if (change == null) {
      return;
    }
    for (Consumer<LeaderChange> l : listeners) {
      try {
        l.accept(change);
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
      }
    }
  }

  private long publishedTerm(NodeView m) {
    String v = m.metadata().get(termKey);
    if (v == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(v));
    } catch (NumberFormatException e) {
      return 0; // not a term: ignored
    }
  }

  /** Options of a {@link QuorumLeaderElection}; each setter checks its value. */
  public static final class Builder {
    private final MemberSource source;
    private final String localId;
    private final String group;
    private Predicate<NodeView> inGroup;
    private final QuorumSettings settings = new QuorumSettings();
    private @Nullable MetadataPublisher publisher;

    private Builder(MemberSource source, String localId, String group) {
      this.source = Objects.requireNonNull(source, "source");
      this.localId = Objects.requireNonNull(localId, "localId");
      this.group = Objects.requireNonNull(group, "group");
      if (group.isEmpty()) {
        throw new IllegalArgumentException("group must not be empty");
      }
      this.inGroup = m -> group.equals(m.metadata().get(NodeView.ROLE));
    }

    /** Which members belong to the group, whatever their status (default: role {@code group}). */
    public Builder members(Predicate<NodeView> inGroup) {
      this.inGroup = Objects.requireNonNull(inGroup, "inGroup");
      return this;
    }

    /**
     * The smallest configuration size the quorum is computed on (default 0: the known configuration
     * only). Set it to the group's intended size so that a node that started during a partition,
     * and knows only its side, cannot find a majority there.
     */
    public Builder expectedSize(int n) {
      settings.expectedSize(n);
      return this;
    }

    /**
     * Whether members reaped from the table (a {@code FAILED} member after the reconnect timeout)
     * leave the configuration (default false). True lets the survivors of permanent failures regain
     * a majority by themselves, but a partition longer than the reconnect timeout then gives each
     * side a leader.
     */
    public Builder forgetRemovedMembers(boolean v) {
      settings.forgetRemoved = v;
      return this;
    }

    /**
     * How long the local node must be the candidate with a quorum before it claims (default 15 s).
     * Longer than the {@link #freshness} window, so that a leader cut off from the majority has
     * given up before another member claims.
     */
    public Builder takeoverDelay(Duration d) {
      settings.takeoverDelay(d);
      return this;
    }

    /**
     * A gap between two ticks longer than this is taken as a pause of the local node (default 2 s):
     * it gives up leadership and starts its lease again.
     */
    public Builder maxTickGap(Duration d) {
      settings.maxTickGap(d);
      return this;
    }

    /**
     * A member counts towards the quorum only if the local node heard from it directly within this
     * window (default 10 s). Longer than the longest silence between two live members: with SWIM,
     * about {@code 2 × (N − 1)} probe intervals for a cluster of N nodes (8 s for 5 nodes with the
     * {@code lan} profile). Shorter than the takeover delay: a leader cut off from the majority
     * gives up within it, before anyone takes over.
     */
    public Builder freshness(Duration d) {
      settings.freshness(d);
      return this;
    }

    /** The clock (default {@link LeaseClock#system()}); its {@code nanoTime} must be the core's. */
    public Builder clock(LeaseClock clock) {
      settings.clock(clock);
      return this;
    }

    /** How the local node publishes its term in its metadata (required). */
    public Builder publisher(MetadataPublisher publisher) {
      this.publisher = Objects.requireNonNull(publisher, "publisher");
      return this;
    }

    /**
     * The election; call {@link QuorumLeaderElection#tick} regularly.
     *
     * @throws IllegalStateException without a {@link #publisher}, or when the takeover delay is not
     *     longer than the largest tick gap
     */
    public QuorumLeaderElection build() {
      if (publisher == null) {
        throw new IllegalStateException("a MetadataPublisher is required (publisher(...))");
      }
      settings.checkLease();
      return new QuorumLeaderElection(this);
    }
  }
}
