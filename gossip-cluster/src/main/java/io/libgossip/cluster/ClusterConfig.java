package io.libgossip.cluster;

import io.libgossip.core.AppState;
import io.libgossip.core.DirectMessage;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.MessageHandler;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A replicated configuration map: String keys, byte[] values, the same on every live member once
 * the writes have spread. A state-based CRDT, a last-writer-wins map: each write carries a {@link
 * ConfigStamp} from a hybrid logical clock, and for every key the write with the largest stamp wins
 * on every node, whatever order the writes arrive in. Removes are writes too (tombstones), purged
 * after {@link Builder#tombstoneLifetime}.
 *
 * <p><b>How it spreads.</b> Each write is applied locally, then sent as a user broadcast on {@link
 * #topic()} (through the {@link ConfigBroadcaster} given to {@link #attach}); and the whole map
 * rides in every push-pull anti-entropy exchange ({@link #appState()}), so a node that missed
 * broadcasts (loss, a partition, a restart: a restarted node starts empty) catches up. Wire it to a
 * node in three places: {@link #appState()} as the node's {@code AppState} (or a section of a
 * {@link CompositeAppState}), {@link #onBroadcast} from the node's broadcast handler, and {@link
 * #attach} with the node's broadcast method.
 *
 * <p><b>Guarantee.</b> A write is acknowledged when {@link #put} or {@link #remove} returns: it is
 * applied here and handed to the broadcaster. Unless a write with a larger stamp to the same key
 * overwrites it, every node that stays live ends up with it, provided the writer stayed live until
 * the write reached one other live member (a broadcast or one anti-entropy exchange). Nodes that
 * have seen the same writes hold the same map. There is no read-your-writes across nodes, no
 * transaction over several keys and no quorum: during a partition each side reads and writes its
 * own copy, and after the heal the larger stamp wins key by key. A deleted key can come back if a
 * node that holds its old value is cut off for longer than the tombstone lifetime.
 *
 * <p><b>Bounds.</b> At most {@link Builder#maxEntries} entries and {@link Builder#maxBytes} bytes
 * (the encoded size of the entries, tombstones included); a local write over either fails with
 * {@link ConfigFullException}; a remote entry over them is dropped and counted ({@link
 * Stats#overBound()}), and so is a remote state that is larger. Malformed remote bytes are counted
 * ({@link Stats#malformed()}), never thrown.
 *
 * <p><b>Threads.</b> Thread-safe: reads and writes from any thread; the node calls {@link
 * #appState()} on its event loop and {@link #onBroadcast} on its handler thread. Listeners run on
 * the {@linkplain Builder#listenerExecutor listener executor}, one change at a time in the order
 * this node applied them; by default that is the thread that applied the change (a writer, the
 * broadcast handler's thread or the thread running the anti-entropy hook), so give a {@code
 * GossipNode} an executor of its own to keep listeners off its event loop.
 */
public final class ClusterConfig {
  /** The default broadcast topic. */
  public static final String DEFAULT_TOPIC = "libgossip.config";

  /** The longest key, in bytes of UTF-8. */
  public static final int MAX_KEY_BYTES = ConfigCodec.MAX_KEY_BYTES;

  /** Changes that may wait for a slow listener executor; more are dropped and counted. */
  static final int MAX_PENDING_CHANGES = 65_536;

  private final String nodeId;
  private final String topic;
  private final LongSupplier wallMillis;
  private final HybridClock clock;
  private final int maxEntries;
  private final int maxBytes;
  private final int maxValueBytes;
  private final long tombstoneLifetimeMillis;
  private final Executor listenerExecutor;

  private final Object lock = new Object();
  private final HashMap<String, ConfigEntry> map = new HashMap<>();
  private int bytes;
  private int tombstones;
  private byte @Nullable [] encoded; // the state last encoded, until the map changes

  private final Object eventLock = new Object();
  private final ArrayDeque<ConfigChange> pending = new ArrayDeque<>();
  private boolean draining;
  private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();

  private volatile @Nullable ConfigBroadcaster broadcaster;

  private final Counters counters = new Counters();
  private final AppState appState = new State();

  private ClusterConfig(Builder b) {
    this.nodeId = b.nodeId;
    this.topic = b.topic;
    this.wallMillis = b.wallMillis;
    this.clock = new HybridClock(b.wallMillis, b.nodeId);
    this.maxEntries = b.maxEntries;
    this.maxBytes = b.maxBytes;
    this.maxValueBytes = b.maxValueBytes;
    this.tombstoneLifetimeMillis = b.tombstoneLifetime.toMillis();
    this.listenerExecutor = b.listenerExecutor;
  }

  /**
   * A builder for the config of node {@code nodeId} (the node's gossip id: the stamps' tie break).
   */
  public static Builder builder(String nodeId) {
    return new Builder(nodeId);
  }

  // ------------------------------------------------------------------------------- wiring

  /**
   * Sends this node's writes through {@code b} from now on. Writes made before (or while none is
   * attached) are applied locally and spread by anti-entropy only.
   */
  public void attach(ConfigBroadcaster b) {
    broadcaster = Objects.requireNonNull(b, "broadcaster");
  }

  /**
   * The anti-entropy hook: give it to the node ({@code GossipNode.Builder.appState}, {@code
   * GossipCore.Builder.appState}) or to a {@link CompositeAppState} section. It sends the whole map
   * in every push-pull exchange and merges the peer's.
   */
  public AppState appState() {
    return appState;
  }

  /**
   * Applies a broadcast if it is on {@link #topic()}: call it from the node's broadcast handler.
   * Returns whether it was this config's (true also when it was malformed and dropped).
   */
  public boolean onBroadcast(UserBroadcast b) {
    if (!b.topic().equals(topic)) {
      return false;
    }
    ConfigEntry e = ConfigCodec.decodeBroadcast(b.payload(), maxValueBytes);
    synchronized (lock) {
      if (e == null) {
        counters.malformed++;
        return true;
      }
      counters.broadcastsReceived++;
      mergeRemote(e, now());
    }
    dispatch();
    return true;
  }

  /**
   * A {@link MessageHandler} for a {@code GossipCore} that applies this config's broadcasts and
   * hands everything else to {@code next}.
   */
  public MessageHandler messageHandler(MessageHandler next) {
    return new Handler(Objects.requireNonNull(next, "next"));
  }

  /** A {@link MessageHandler} for a {@code GossipCore} that applies this config's broadcasts. */
  public MessageHandler messageHandler() {
    return messageHandler(new MessageHandler() {});
  }

  /** The broadcast topic of this config's writes. */
  public String topic() {
    return topic;
  }

  /** The id of the node this config runs on. */
  public String nodeId() {
    return nodeId;
  }

  // ------------------------------------------------------------------------------- writes

  /**
   * Sets {@code key} to {@code value} (copied) on every node, unless a write with a larger stamp
   * replaces it. Returns once applied here and handed to the broadcaster.
   *
   * @return the write's stamp
   * @throws IllegalArgumentException when the key is empty, over {@link #MAX_KEY_BYTES} bytes or
   *     not valid UTF-8, or the value is over {@link Builder#maxValueBytes}
   * @throws ConfigFullException when the map would exceed its bounds
   */
  public ConfigStamp put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length > maxValueBytes) {
      throw new IllegalArgumentException(
          "value of key " + key + " is " + value.length + " bytes, over the " + maxValueBytes);
    }
    return write(key, value.clone());
  }

  /** {@link #put(String, byte[])} with {@code value} as UTF-8. */
  public ConfigStamp put(String key, String value) {
    return put(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Removes {@code key} on every node: a tombstone that beats every write with a smaller stamp,
   * including writes this node has not seen yet, kept for the tombstone lifetime.
   *
   * @return the remove's stamp
   * @throws IllegalArgumentException for a bad key (see {@link #put})
   * @throws ConfigFullException when the key is not in the map and the tombstone would exceed the
   *     bounds
   */
  public ConfigStamp remove(String key) {
    return write(key, null);
  }

  private ConfigStamp write(String key, byte @Nullable [] value) {
    ConfigCodec.checkText(Objects.requireNonNull(key, "key"), "key", MAX_KEY_BYTES);
    ConfigEntry e;
    byte[] payload;
    synchronized (lock) {
      long now = now();
      purge(now);
      ConfigEntry cur = map.get(key);
      ConfigEntry probe = new ConfigEntry(key, clock.last(), value);
      int delta = probe.encodedSize() - (cur == null ? 0 : cur.encodedSize());
      int count = map.size() + (cur == null ? 1 : 0);
      if (count > maxEntries || (long) bytes + delta > maxBytes) {
        throw new ConfigFullException(
            "config of "
                + nodeId
                + " is full: writing "
                + key
                + " needs "
                + count
                + " entries and "
                + (bytes + delta)
                + " bytes, the bounds are "
                + maxEntries
                + " and "
                + maxBytes
                + " (tombstones count until purged)");
      }
      e = new ConfigEntry(key, clock.now(), value);
      apply(cur, e, true);
      counters.writes++;
      payload = ConfigCodec.broadcast(e);
    }
    dispatch();
    send(key, payload);
    return e.stamp();
  }

  private void send(String key, byte[] payload) {
    ConfigBroadcaster b = broadcaster;
    if (b == null) {
      return;
    }
    try {
      b.broadcast(topic, payload, "k" + Long.toHexString(Hash64.hash(key)));
      counters.broadcastsSent++;
    } catch (RuntimeException ex) {
      counters.broadcastFailures++;
    }
  }

  // ------------------------------------------------------------------------------- reads

  /** The value of {@code key} (a copy), or null when it has none. */
  public byte @Nullable [] get(String key) {
    synchronized (lock) {
      ConfigEntry e = map.get(key);
      byte[] v = e == null ? null : e.value();
      return v == null ? null : v.clone();
    }
  }

  /** The value of {@code key} as UTF-8 text. */
  public Optional<String> getString(String key) {
    byte[] v = get(key);
    return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
  }

  /** The stamp of the write that set or removed {@code key}, while this node holds it. */
  public Optional<ConfigStamp> stamp(String key) {
    synchronized (lock) {
      ConfigEntry e = map.get(key);
      return e == null ? Optional.empty() : Optional.of(e.stamp());
    }
  }

  /** Every key with a value, and its value (copies), sorted by key. */
  public SortedMap<String, byte[]> snapshot() {
    TreeMap<String, byte[]> out = new TreeMap<>();
    synchronized (lock) {
      map.forEach(
          (k, e) -> {
            byte[] v = e.value();
            if (v != null) {
              out.put(k, v.clone());
            }
          });
    }
    return Collections.unmodifiableSortedMap(out);
  }

  /** Every key with a value, and its value as UTF-8 text, sorted by key. */
  public SortedMap<String, String> snapshotStrings() {
    TreeMap<String, String> out = new TreeMap<>();
    snapshot().forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return Collections.unmodifiableSortedMap(out);
  }

  /** How many keys have a value. */
  public int size() {
    synchronized (lock) {
      return map.size() - tombstones;
    }
  }

  /** Every entry, tombstones included (for tests). */
  Map<String, ConfigEntry> entries() {
    synchronized (lock) {
      return Map.copyOf(map);
    }
  }

  // ------------------------------------------------------------------------------- listeners

  /** Calls {@code l} after every change of any key. */
  public ConfigSubscription addListener(ConfigListener l) {
    return register(new Sub(0, "", l));
  }

  /** Calls {@code l} after every change of {@code key}. */
  public ConfigSubscription subscribe(String key, ConfigListener l) {
    return register(new Sub(1, Objects.requireNonNull(key, "key"), l));
  }

  /** Calls {@code l} after every change of a key that starts with {@code prefix}. */
  public ConfigSubscription subscribePrefix(String prefix, ConfigListener l) {
    return register(new Sub(2, Objects.requireNonNull(prefix, "prefix"), l));
  }

  private ConfigSubscription register(Sub s) {
    Objects.requireNonNull(s.listener, "listener");
    subs.add(s);
    return () -> subs.remove(s);
  }

  /** A listener and what it wants: 0 every key, 1 one key, 2 a prefix. */
  private record Sub(int kind, String match, ConfigListener listener) {
    boolean wants(String key) {
      return switch (kind) {
        case 0 -> true;
        case 1 -> key.equals(match);
        default -> key.startsWith(match);
      };
    }
  }

  private void dispatch() {
    synchronized (eventLock) {
      if (pending.isEmpty() || draining) {
        return;
      }
    }
    try {
      listenerExecutor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      synchronized (eventLock) {
        counters.listenerDrops += pending.size();
        pending.clear();
      }
    }
  }

  private void drain() {
    synchronized (eventLock) {
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      while (true) {
        ConfigChange c;
        synchronized (eventLock) {
          c = pending.poll();
          if (c == null) {
            draining = false;
            return;
          }
        }
        for (Sub s : subs) {
          if (s.wants(c.key())) {
            try {
              s.listener.onChange(c);
            } catch (RuntimeException e) {
              counters.listenerFailures.incrementAndGet();
            }
          }
        }
      }
    } catch (Error e) {
      synchronized (eventLock) {
        draining = false;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------------------- the merge

  private long now() {
    return wallMillis.getAsLong();
  }

  /** Applies a remote entry under the lock. */
  private void mergeRemote(ConfigEntry in, long now) {
    clock.observe(in.stamp());
    ConfigEntry cur = map.get(in.key());
    if (cur != null && !in.beats(cur)) {
      counters.stale++;
      return;
    }
    if (in.tombstone() && expired(in, now)) {
      // a delete older than the tombstone lifetime still deletes, but is not kept
      if (cur != null) {
        removeEntry(cur);
        if (!cur.tombstone()) {
          event(cur.key(), cur.value(), null, in.stamp(), false);
        }
        counters.applied++;
      } else {
        counters.stale++;
      }
      return;
    }
    int delta = in.encodedSize() - (cur == null ? 0 : cur.encodedSize());
    int count = map.size() + (cur == null ? 1 : 0);
    if (count > maxEntries || (long) bytes + delta > maxBytes) {
      counters.overBound++;
      return;
    }
    apply(cur, in, false);
    counters.applied++;
  }

  private void apply(@Nullable ConfigEntry cur, ConfigEntry e, boolean local) {
    if (cur != null) {
      removeEntry(cur);
    }
    map.put(e.key(), e);
    bytes += e.encodedSize();
    if (e.tombstone()) {
      tombstones++;
    }
    encoded = null;
    byte[] old = cur == null ? null : cur.value();
    if (!Arrays.equals(old, e.value())) {
      event(e.key(), old, e.value(), e.stamp(), local);
    }
  }

  private void removeEntry(ConfigEntry cur) {
    map.remove(cur.key());
    bytes -= cur.encodedSize();
    if (cur.tombstone()) {
      tombstones--;
    }
    encoded = null;
  }

  private void event(
      String key, byte @Nullable [] old, byte @Nullable [] now, ConfigStamp stamp, boolean local) {
    if (subs.isEmpty()) {
      return;
    }
    ConfigChange c =
        new ConfigChange(
            key, old == null ? null : old.clone(), now == null ? null : now.clone(), stamp, local);
    synchronized (eventLock) {
      if (pending.size() >= MAX_PENDING_CHANGES) {
        counters.listenerDrops++;
      } else {
        pending.add(c);
      }
    }
  }

  private boolean expired(ConfigEntry tombstone, long now) {
    return now - tombstone.stamp().wallMillis() > tombstoneLifetimeMillis;
  }

  /** Drops the tombstones older than the lifetime; under the lock. */
  private void purge(long now) {
    if (tombstones == 0) {
      return;
    }
    List<ConfigEntry> old =
        map.values().stream().filter(e -> e.tombstone() && expired(e, now)).toList();
    for (ConfigEntry e : old) {
      removeEntry(e);
      counters.purged++;
    }
  }

  /** Drops the tombstones older than the lifetime now (it also happens on writes and exchanges). */
  public void purgeExpired() {
    synchronized (lock) {
      purge(now());
    }
  }

  private final class State implements AppState {
    @Override
    public byte[] localState(boolean join) {
      synchronized (lock) {
        purge(now());
        if (map.isEmpty()) {
          return new byte[0];
        }
        byte[] s = encoded;
        if (s == null) {
          s = ConfigCodec.state(map.values(), bytes);
          encoded = s;
        }
        counters.statesSent++;
        return s;
      }
    }

    @Override
    public void mergeRemoteState(String from, byte[] state, boolean join) {
      ConfigCodec.Decoded d = ConfigCodec.decodeState(state, maxEntries, maxBytes, maxValueBytes);
      List<ConfigEntry> entries = d.entries();
      if (entries == null) {
        synchronized (lock) {
          if (d.overBound()) {
            counters.overBound++;
          } else {
            counters.malformed++;
          }
        }
        return;
      }
      synchronized (lock) {
        counters.statesMerged++;
        long now = now();
        for (ConfigEntry e : entries) {
          mergeRemote(e, now);
        }
        purge(now);
      }
      dispatch();
    }
  }

  // ------------------------------------------------------------------------------- stats

  /** Counters, guarded by the lock (listener counters by the event lock; read racily). */
  private static final class Counters {
    long writes;
    long broadcastsSent;
    long broadcastFailures;
    long broadcastsReceived;
    long statesSent;
    long statesMerged;
    long applied;
    long stale;
    long malformed;
    long overBound;
    long purged;
    final AtomicLong listenerFailures = new AtomicLong();
    long listenerDrops;
  }

  /**
   * What this config holds and has done.
   *
   * @param entries keys with a value
   * @param tombstones removed keys whose tombstone is kept
   * @param bytes the encoded size of every entry (what {@link Builder#maxBytes} bounds)
   * @param writes local puts and removes
   * @param broadcastsSent writes handed to the broadcaster
   * @param broadcastFailures writes the broadcaster refused (they spread by anti-entropy)
   * @param broadcastsReceived well-formed broadcasts received
   * @param statesSent anti-entropy states sent
   * @param statesMerged anti-entropy states received and merged
   * @param applied remote entries that changed the map
   * @param stale remote entries that lost to what this node held
   * @param malformed remote broadcasts or states dropped as malformed
   * @param overBound remote entries or states dropped because of the bounds
   * @param purged tombstones purged after their lifetime
   * @param listenerFailures listener calls that threw
   * @param listenerDrops changes not delivered to listeners (queue full or executor refused)
   */
  public record Stats(
      int entries,
      int tombstones,
      int bytes,
      long writes,
      long broadcastsSent,
      long broadcastFailures,
      long broadcastsReceived,
      long statesSent,
      long statesMerged,
      long applied,
      long stale,
      long malformed,
      long overBound,
      long purged,
      long listenerFailures,
      long listenerDrops) {}

  /** A snapshot of the counters. */
  public Stats stats() {
    synchronized (lock) {
      Counters c = counters;
      long drops;
      synchronized (eventLock) {
        drops = c.listenerDrops;
      }
      return new Stats(
          map.size() - tombstones,
          tombstones,
          bytes,
          c.writes,
          c.broadcastsSent,
          c.broadcastFailures,
          c.broadcastsReceived,
          c.statesSent,
          c.statesMerged,
          c.applied,
          c.stale,
          c.malformed,
          c.overBound,
          c.purged,
          c.listenerFailures.get(),
          drops);
    }
  }

  @Override
  public String toString() {
    return "ClusterConfig[" + nodeId + ", " + stats() + "]";
  }

  // ------------------------------------------------------------------------------- adapters

  /** Applies config broadcasts, hands the rest to the next handler. */
  private final class Handler implements MessageHandler {
    private final MessageHandler next;

    Handler(MessageHandler next) {
      this.next = next;
    }

    @Override
    public void onBroadcast(UserBroadcast broadcast) {
      if (!ClusterConfig.this.onBroadcast(broadcast)) {
        next.onBroadcast(broadcast);
      }
    }

    @Override
    public void onMessage(DirectMessage message) {
      next.onMessage(message);
    }

    @Override
    public void onQuery(QueryRequest query) {
      next.onQuery(query);
    }

    @Override
    public void onResponse(long requestId, String from, byte[] payload) {
      next.onResponse(requestId, from, payload);
    }

    @Override
    public void onSendFailed(long id, MessageFailure failure) {
      next.onSendFailed(id, failure);
    }

    @Override
    public void onDelivered(long id) {
      next.onDelivered(id);
    }

    @Override
    public void onQueryResponse(QueryResponse response) {
      next.onQueryResponse(response);
    }

    @Override
    public void onQueryDone(QueryResult result) {
      next.onQueryDone(result);
    }
  }

  // ------------------------------------------------------------------------------- builder

  /** Builds a {@link ClusterConfig}; every option is checked when set. */
  public static final class Builder {
    private final String nodeId;
    private String topic = DEFAULT_TOPIC;
    private LongSupplier wallMillis = System::currentTimeMillis;
    private int maxEntries = 10_000;
    private int maxBytes = 512 * 1024;
    private int maxValueBytes = 64 * 1024;
    private Duration tombstoneLifetime = Duration.ofHours(1);
    private Executor listenerExecutor = Runnable::run;

    private Builder(String nodeId) {
      ConfigCodec.checkText(
          Objects.requireNonNull(nodeId, "nodeId"), "nodeId", ConfigCodec.MAX_WRITER_BYTES);
      this.nodeId = nodeId;
    }

    /**
     * The broadcast topic (printable, 1 to 64 bytes); default {@value #DEFAULT_TOPIC}. Every member
     * must use the same; two configs on one node need two topics (and two {@link CompositeAppState}
     * sections).
     */
    public Builder topic(String v) {
      ConfigCodec.checkText(Objects.requireNonNull(v, "topic"), "topic", 64);
      if (v.chars().anyMatch(c -> c <= ' ' || Character.isISOControl(c))) {
        throw new IllegalArgumentException("topic must be printable, without spaces, got " + v);
      }
      topic = v;
      return this;
    }

    /**
     * The physical clock of the stamps, in milliseconds since the epoch; default {@link
     * System#currentTimeMillis()}. A clock ahead of the others makes this node's writes win over
     * later ones made elsewhere for as long as it is ahead; a clock that goes back is absorbed by
     * the hybrid clock.
     */
    public Builder wallClock(LongSupplier v) {
      wallMillis = Objects.requireNonNull(v, "wallClock");
      return this;
    }

    /**
     * The most entries, tombstones included, 1 to 16,777,216; default 10,000. Every member should
     * use the same bounds (a member with smaller ones drops what does not fit, and the maps stay
     * different).
     */
    public Builder maxEntries(int v) {
      if (v < 1 || v > 1 << 24) {
        throw new IllegalArgumentException("maxEntries must be in [1, 16777216], got " + v);
      }
      maxEntries = v;
      return this;
    }

    /**
     * The most bytes the entries take encoded (key, value, stamp, 16 to 20 bytes of framing),
     * tombstones included, 64 to 1 GiB; default 512 KiB. The whole map rides in every push-pull
     * exchange: keep it (plus 6 bytes) under {@code GossipConfig.maxAppStateBytes()} (1 MiB by
     * default), or the node leaves it out and counts it.
     */
    public Builder maxBytes(int v) {
      if (v < 64 || v > 1 << 30) {
        throw new IllegalArgumentException("maxBytes must be in [64, 1 GiB], got " + v);
      }
      maxBytes = v;
      return this;
    }

    /** The largest value, 0 to 16 MiB; default 64 KiB. */
    public Builder maxValueBytes(int v) {
      if (v < 0 || v > 16 << 20) {
        throw new IllegalArgumentException("maxValueBytes must be in [0, 16 MiB], got " + v);
      }
      maxValueBytes = v;
      return this;
    }

    /**
     * How long a remove's tombstone is kept, from its stamp's time, at least 1 s; default 1 hour. A
     * node cut off (partitioned, paused) for longer than this that still holds the removed value
     * brings it back when it reconnects. Tombstones count against the bounds while kept.
     */
    public Builder tombstoneLifetime(Duration v) {
      Objects.requireNonNull(v, "tombstoneLifetime");
      if (v.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("tombstoneLifetime must be at least 1 s, got " + v);
      }
      tombstoneLifetime = v;
      return this;
    }

    /**
     * Where listeners run; default the thread that applied the change. Changes go to it one at a
     * time; at most 65,536 may wait (more are dropped and counted).
     */
    public Builder listenerExecutor(Executor v) {
      listenerExecutor = Objects.requireNonNull(v, "listenerExecutor");
      return this;
    }

    /** Builds the config, empty. */
    public ClusterConfig build() {
      if (maxValueBytes > maxBytes) {
        maxValueBytes = maxBytes;
      }
      return new ClusterConfig(this);
    }
  }
}
