package io.libgossip.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.UserBroadcast;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The replicated map on its own: merge laws, tombstones, bounds, bad input, subscriptions. */
class ClusterConfigTest {
  private static final long T0 = 1_700_000_000_000L;
  private final AtomicLong wall = new AtomicLong(T0);

  private ClusterConfig config(String id) {
    return ClusterConfig.builder(id).wallClock(wall::get).build();
  }

  private static UserBroadcast broadcast(ConfigEntry e) {
    return new UserBroadcast(
        "peer", 1, ClusterConfig.DEFAULT_TOPIC, null, ConfigCodec.broadcast(e));
  }

  private static ConfigEntry randomEntry(RandomGenerator r) {
    String key = "k" + r.nextInt(6);
    // few distinct times, counters and writers: many equal stamps, to exercise the tie breaks
    ConfigStamp stamp = new ConfigStamp(T0 + r.nextInt(4), r.nextInt(3), "w" + r.nextInt(3));
    byte[] value = r.nextInt(4) == 0 ? null : new byte[] {(byte) r.nextInt(3)};
    return new ConfigEntry(key, stamp, value);
  }

  /** For each key, the entry that beats every other: what any merge order must end with. */
  private static Map<String, ConfigEntry> reference(List<ConfigEntry> entries) {
    Map<String, ConfigEntry> out = new HashMap<>();
    for (ConfigEntry e : entries) {
      out.merge(e.key(), e, (a, b) -> b.beats(a) ? b : a);
    }
    return out;
  }

  private static void assertSame(
      Map<String, ConfigEntry> a, Map<String, ConfigEntry> b, Object why) {
    assertThat(a.keySet()).as("%s", why).isEqualTo(b.keySet());
    a.forEach((k, e) -> assertThat(e.sameAs(b.get(k))).as("%s: key %s", why, k).isTrue());
  }

  private byte[] union(byte[]... states) {
    ClusterConfig c = config("u");
    for (byte[] s : states) {
      c.appState().mergeRemoteState("x", s, false);
    }
    return c.appState().localState(false);
  }

  private Map<String, ConfigEntry> entriesOf(byte[] state) {
    ClusterConfig c = config("v");
    c.appState().mergeRemoteState("x", state, false);
    return c.entries();
  }

  @Test
  void mergeIsCommutativeAssociativeAndIdempotentOverSeededRandomHistories() {
    for (long seed = 0; seed < 300; seed++) {
      RandomGenerator r = new SplittableRandom(seed);
      List<ConfigEntry> all = new ArrayList<>();
      ClusterConfig[] nodes = {config("x"), config("y"), config("z")};
      for (int i = 0; i < 40; i++) {
        ConfigEntry e = randomEntry(r);
        all.add(e);
        // each entry reaches one or more of the three, in random order
        for (ClusterConfig n : nodes) {
          if (r.nextInt(3) == 0) {
            n.onBroadcast(broadcast(e));
          }
        }
        nodes[r.nextInt(3)].onBroadcast(broadcast(e));
      }
      byte[] x = nodes[0].appState().localState(false);
      byte[] y = nodes[1].appState().localState(false);
      byte[] z = nodes[2].appState().localState(false);
      String why = "seed " + seed;
      assertSame(entriesOf(union(x, y)), entriesOf(union(y, x)), why + " commutative");
      Map<String, ConfigEntry> left = entriesOf(union(union(x, y), z));
      assertSame(left, entriesOf(union(x, union(y, z))), why + " associative");
      assertSame(left, reference(all), why + " the largest entry of each key");
      assertSame(entriesOf(union(x, x)), nodes[0].entries(), why + " idempotent");
      long applied = nodes[0].stats().applied();
      nodes[0].appState().mergeRemoteState("x", x, false);
      assertThat(nodes[0].stats().applied()).as(why).isEqualTo(applied);
      // delivering the entries one by one in a shuffled order gives the same map
      List<ConfigEntry> shuffled = new ArrayList<>(all);
      for (int i = shuffled.size() - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        ConfigEntry t = shuffled.get(i);
        shuffled.set(i, shuffled.get(j));
        shuffled.set(j, t);
      }
      ClusterConfig one = config("o");
      shuffled.forEach(e -> one.onBroadcast(broadcast(e)));
      assertSame(one.entries(), left, why + " any order");
    }
  }

  @Test
  void aLaterWriteWinsOnEveryNodeWhateverTheOrder() {
    ClusterConfig a = config("a");
    ClusterConfig b = config("b");
    ConfigStamp first = a.put("color", "red");
    wall.addAndGet(5);
    ConfigStamp second = b.put("color", "blue");
    assertThat(second.isAfter(first)).isTrue();
    a.appState().mergeRemoteState("b", b.appState().localState(false), false);
    b.appState().mergeRemoteState("a", a.appState().localState(false), false);
    assertThat(a.getString("color")).contains("blue");
    assertThat(b.getString("color")).contains("blue");
    assertThat(b.stats().stale()).isEqualTo(1);
    // a write after seeing the other's orders after it even if the local clock is behind
    wall.addAndGet(-1_000);
    ConfigStamp third = a.put("color", "green");
    assertThat(third.isAfter(second)).isTrue();
  }

  @Test
  void aRemoveIsATombstoneThatBeatsOlderWritesAndIsPurgedAfterItsLifetime() {
    ClusterConfig a =
        ClusterConfig.builder("a")
            .wallClock(wall::get)
            .tombstoneLifetime(Duration.ofSeconds(10))
            .build();
    ClusterConfig b =
        ClusterConfig.builder("b")
            .wallClock(wall::get)
            .tombstoneLifetime(Duration.ofSeconds(10))
            .build();
    a.put("k", "v");
    byte[] withValue = a.appState().localState(false);
    wall.addAndGet(1);
    a.remove("k");
    assertThat(a.get("k")).isNull();
    assertThat(a.stats().tombstones()).isEqualTo(1);
    // the old value arriving late does not bring the key back while the tombstone is kept
    a.appState().mergeRemoteState("b", withValue, false);
    assertThat(a.get("k")).isNull();
    b.appState().mergeRemoteState("a", a.appState().localState(false), false);
    assertThat(b.get("k")).isNull();
    assertThat(b.stats().tombstones()).isEqualTo(1);

    wall.addAndGet(10_001);
    assertThat(a.appState().localState(false)).isEmpty(); // purged when the state is sent
    assertThat(a.stats().purged()).isEqualTo(1);
    assertThat(a.stats().tombstones()).isZero();
    // the documented caveat: a node that still held the value past the lifetime brings it back
    a.appState().mergeRemoteState("c", withValue, false);
    assertThat(a.getString("k")).contains("v");
  }

  @Test
  void anExpiredTombstoneStillDeletesAnOlderValueButIsNotKept() {
    ClusterConfig a =
        ClusterConfig.builder("a")
            .wallClock(wall::get)
            .tombstoneLifetime(Duration.ofSeconds(10))
            .build();
    a.onBroadcast(
        broadcast(new ConfigEntry("k", new ConfigStamp(T0 - 60_000, 0, "b"), new byte[] {1})));
    assertThat(a.get("k")).isNotNull();
    a.onBroadcast(broadcast(new ConfigEntry("k", new ConfigStamp(T0 - 30_000, 0, "b"), null)));
    assertThat(a.get("k")).isNull();
    assertThat(a.entries()).isEmpty();
  }

  @Test
  void localWritesOverTheBoundsFailWithAClearExceptionAndChangeNothing() {
    ClusterConfig c = ClusterConfig.builder("a").wallClock(wall::get).maxEntries(3).build();
    c.put("a", "1");
    c.put("b", "2");
    c.put("c", "3");
    assertThatThrownBy(() -> c.put("d", "4"))
        .isInstanceOf(ConfigFullException.class)
        .hasMessageContaining("needs 4 entries")
        .hasMessageContaining("bounds are 3");
    assertThat(c.size()).isEqualTo(3);
    c.put("a", "one"); // an existing key can change
    c.remove("b"); // and be removed: the tombstone still counts
    assertThatThrownBy(() -> c.put("d", "4")).isInstanceOf(ConfigFullException.class);
    assertThatThrownBy(() -> c.remove("d")).isInstanceOf(ConfigFullException.class);

    ClusterConfig small = ClusterConfig.builder("a").wallClock(wall::get).maxBytes(100).build();
    small.put("k", new byte[60]);
    assertThatThrownBy(() -> small.put("k2", new byte[60]))
        .isInstanceOf(ConfigFullException.class)
        .hasMessageContaining("bounds are 10000 and 100");
    assertThat(small.stats().bytes()).isLessThanOrEqualTo(100);
    assertThatThrownBy(
            () -> ClusterConfig.builder("a").maxValueBytes(10).build().put("k", new byte[11]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over the 10");
  }

  @Test
  void remoteEntriesAndStatesOverTheBoundsAreDroppedAndCounted() {
    ClusterConfig big = config("big");
    for (int i = 0; i < 10; i++) {
      big.put("key-" + i, "v" + i);
    }
    byte[] state = big.appState().localState(false);
    ClusterConfig small = ClusterConfig.builder("s").wallClock(wall::get).maxEntries(5).build();
    small.appState().mergeRemoteState("big", state, false);
    assertThat(small.size()).isZero();
    assertThat(small.stats().overBound()).isEqualTo(1); // the whole state: 10 entries > 5

    ClusterConfig six = ClusterConfig.builder("s").wallClock(wall::get).maxEntries(6).build();
    six.put("mine", "x");
    ClusterConfig five = ClusterConfig.builder("f").wallClock(wall::get).maxEntries(6).build();
    for (int i = 0; i < 6; i++) {
      five.put("key-" + i, "v");
    }
    six.appState().mergeRemoteState("f", five.appState().localState(false), false);
    assertThat(six.size()).isEqualTo(6); // one of the new keys did not fit
    assertThat(six.stats().overBound()).isEqualTo(1);
    assertThat(six.stats().entries()).isLessThanOrEqualTo(6);

    ClusterConfig tiny = ClusterConfig.builder("t").wallClock(wall::get).maxBytes(64).build();
    tiny.appState().mergeRemoteState("big", state, false);
    assertThat(tiny.stats().overBound()).isEqualTo(1);
    assertThat(tiny.size()).isZero();
  }

  @Test
  void malformedBroadcastsAndStatesAreCountedNeverThrownAndChangeNothing() {
    ClusterConfig src = config("src");
    src.put("alpha", "1");
    src.put("beta", new byte[300]);
    src.remove("gamma");
    byte[] state = src.appState().localState(false);
    byte[] one = ConfigCodec.broadcast(src.entries().get("alpha"));
    ClusterConfig c = config("c");
    c.put("mine", "x");
    Map<String, ConfigEntry> before = c.entries();
    long expected = 0;
    RandomGenerator r = new SplittableRandom(7);
    // every truncation
    for (int len = 0; len < state.length; len++) {
      c.appState().mergeRemoteState("bad", Arrays.copyOf(state, len), false);
      expected++;
    }
    for (int len = 0; len < one.length; len++) {
      assertThat(c.onBroadcast(bad(Arrays.copyOf(one, len)))).isTrue();
      expected++;
    }
    // trailing bytes, a wrong version, a wrong kind
    c.appState().mergeRemoteState("bad", Arrays.copyOf(state, state.length + 1), false);
    c.onBroadcast(bad(Arrays.copyOf(one, one.length + 3)));
    byte[] v2 = state.clone();
    v2[0] = 2;
    c.appState().mergeRemoteState("bad", v2, false);
    c.appState().mergeRemoteState("bad", one, false); // a broadcast is not a state
    expected += 4;
    assertThat(c.stats().malformed()).isEqualTo(expected);
    // random corruption: anything may happen except an exception or a bad entry
    for (int i = 0; i < 5_000; i++) {
      byte[] s = state.clone();
      for (int k = 0; k < 1 + r.nextInt(4); k++) {
        s[r.nextInt(s.length)] = (byte) r.nextInt(256);
      }
      c.appState().mergeRemoteState("fuzz", s, false);
      byte[] junk = new byte[r.nextInt(64)];
      r.nextBytes(junk);
      c.onBroadcast(bad(junk));
    }
    assertThat(c.entries().get("mine").sameAs(before.get("mine"))).isTrue();
    assertThat(c.stats().entries()).isLessThanOrEqualTo(10_000);
    assertThat(c.onBroadcast(new UserBroadcast("p", 1, "other.topic", null, one))).isFalse();
  }

  private static UserBroadcast bad(byte[] payload) {
    return new UserBroadcast("bad", 1, ClusterConfig.DEFAULT_TOPIC, null, payload);
  }

  @Test
  void keysAreCheckedWithAClearMessage() {
    ClusterConfig c = config("a");
    assertThatThrownBy(() -> c.put("", "v")).hasMessageContaining("key must not be empty");
    assertThatThrownBy(() -> c.put("x".repeat(256), "v")).hasMessageContaining("at most 255 bytes");
    assertThatThrownBy(() -> c.put("a\uD800b", "v")).hasMessageContaining("unpaired surrogate");
    c.put("é".repeat(127), "v"); // 254 bytes
    c.put("κλειδί/🔑", "v");
    assertThat(c.size()).isEqualTo(2);
    assertThatThrownBy(() -> ClusterConfig.builder("a").topic("has space"))
        .hasMessageContaining("printable");
  }

  @Test
  void subscriptionsGetTheChangesOfTheirKeyPrefixOrEveryKeyWithOldAndNewValues() {
    ClusterConfig c = config("a");
    List<String> exact = new ArrayList<>();
    List<String> prefix = new ArrayList<>();
    List<String> every = new ArrayList<>();
    ConfigSubscription s1 = c.subscribe("db.url", ch -> exact.add(describe(ch)));
    c.subscribePrefix("db.", ch -> prefix.add(describe(ch)));
    c.addListener(ch -> every.add(describe(ch)));
    c.addListener(
        ch -> {
          throw new IllegalStateException("a listener that throws");
        });
    c.put("db.url", "jdbc:a");
    c.put("db.user", "sa");
    c.put("cache.ttl", "30");
    c.put("db.url", "jdbc:a"); // the same value: no change
    c.put("db.url", "jdbc:b");
    c.remove("db.user");
    c.remove("nothing"); // no visible change
    // a remote write
    ClusterConfig b = config("b");
    wall.addAndGet(10);
    b.put("db.url", "jdbc:c");
    c.appState().mergeRemoteState("b", b.appState().localState(false), false);
    s1.close();
    c.put("db.url", "jdbc:d");

    assertThat(exact)
        .containsExactly(
            "db.url: null -> jdbc:a local",
            "db.url: jdbc:a -> jdbc:b local",
            "db.url: jdbc:b -> jdbc:c remote");
    assertThat(prefix)
        .containsExactly(
            "db.url: null -> jdbc:a local",
            "db.user: null -> sa local",
            "db.url: jdbc:a -> jdbc:b local",
            "db.user: sa -> null local",
            "db.url: jdbc:b -> jdbc:c remote",
            "db.url: jdbc:c -> jdbc:d local");
    assertThat(every).hasSize(7).contains("cache.ttl: null -> 30 local");
    assertThat(c.stats().listenerFailures()).isEqualTo(7);
  }

  private static String describe(ConfigChange ch) {
    return ch.key()
        + ": "
        + ch.oldString().orElse("null")
        + " -> "
        + ch.newString().orElse("null")
        + (ch.local() ? " local" : " remote");
  }

  @Test
  void listenersOnAnExecutorGetEveryChangeInOrderOneAtATime() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      ClusterConfig c =
          ClusterConfig.builder("a").wallClock(wall::get).listenerExecutor(pool).build();
      List<String> seen = new ArrayList<>(); // not synchronized: calls must not overlap
      AtomicLong inside = new AtomicLong();
      AtomicLong overlaps = new AtomicLong();
      c.addListener(
          ch -> {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            seen.add(ch.newString().orElse("-"));
            inside.decrementAndGet();
          });
      for (int i = 0; i < 2_000; i++) {
        c.put("k", Integer.toString(i));
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(overlaps.get()).isZero();
      assertThat(seen).hasSize(2_000);
      for (int i = 0; i < 2_000; i++) {
        assertThat(seen.get(i)).isEqualTo(Integer.toString(i));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writesGoToTheBroadcasterWithAStableKeyAndAFailingBroadcastIsCounted() {
    ClusterConfig a = config("a");
    a.put("before", "attach"); // applied, not broadcast
    List<String> sent = new ArrayList<>();
    ClusterConfig b = config("b");
    a.attach(
        (topic, payload, key) -> {
          sent.add(topic + " " + key);
          b.onBroadcast(new UserBroadcast("a", sent.size(), topic, key, payload));
        });
    a.put("x", "1");
    a.put("x", "2");
    a.remove("x");
    assertThat(sent).hasSize(3).allMatch(s -> s.equals(sent.get(0)));
    assertThat(sent.get(0)).startsWith("libgossip.config k");
    assertThat(b.get("x")).isNull();
    assertThat(b.stats().tombstones()).isEqualTo(1);
    assertThat(b.get("before")).isNull();
    a.attach(
        (topic, payload, key) -> {
          throw new IllegalStateException("node closed");
        });
    a.put("y", "still applied");
    assertThat(a.getString("y")).contains("still applied");
    assertThat(a.stats().broadcastFailures()).isEqualTo(1);
    assertThat(a.stats().broadcastsSent()).isEqualTo(3);
  }

  @Test
  void theSizeAccountingMatchesTheEncodedState() {
    RandomGenerator r = new SplittableRandom(3);
    ClusterConfig c = config("node-with-a-long-id-é");
    for (int i = 0; i < 500; i++) {
      String k = "key-" + r.nextInt(50) + "-ü";
      if (r.nextInt(4) == 0) {
        c.remove(k);
      } else {
        byte[] v = new byte[r.nextInt(40)];
        c.put(k, v);
      }
      wall.addAndGet(r.nextInt(3));
    }
    byte[] s = c.appState().localState(false);
    assertThat(s.length).isEqualTo(ConfigCodec.STATE_OVERHEAD + c.stats().bytes());
    assertSame(entriesOf(s), c.entries(), "round trip");
  }

  @SuppressWarnings("unused")
  private static byte @Nullable [] utf8(@Nullable String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
