package io.libgossip.testkit;

import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.testkit.RecordingOutbox.Sent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One {@link GossipCore} driven by hand: a fake clock, a {@link RecordingOutbox} and a {@link
 * RecordingListener}, builders for claims and messages from imaginary peers, and an auto-responder
 * that acks the core's pings on behalf of every peer that is not {@linkplain #silence silenced}.
 *
 * <p>The core's id is {@link #SELF} and its address {@code addr(SELF)}, unless the customizer
 * passed to {@link #create(GossipConfig, long, Consumer)} sets others. The clock starts at an
 * arbitrary origin ({@link #START}), so that nothing depends on time starting at zero, and only
 * moves when the test moves it. The core has ticked once at that time when the fixture is returned.
 *
 * <pre>{@code
 * CoreFixture f = CoreFixture.withPeers("a", "b");
 * f.silence("a");
 * f.advance(Duration.ofSeconds(30));
 * assertThat(f.status("a")).isEqualTo(NodeStatus.FAILED);
 * }</pre>
 *
 * <p>Failed expectations ({@link #runUntilSent}, {@link #view}) throw {@link AssertionError}, as a
 * test assertion would.
 */
public final class CoreFixture {
  /** One millisecond in the core's nanosecond time base. */
  public static final long MS = 1_000_000L;

  /** One second in the core's nanosecond time base. */
  public static final long SEC = 1_000 * MS;

  /** The time on the fake clock when the fixture is created. */
  public static final long START = 1_000 * SEC;

  /** The default id of the core under test. */
  public static final String SELF = "self";

  private final GossipConfig config;
  private final RecordingOutbox outbox;
  private final RecordingListener listener = new RecordingListener();
  private final GossipCore core;
  private final Set<String> silent = new HashSet<>();
  private long now = START;
  private boolean autoAck = true;
  private int responded;

  private CoreFixture(GossipConfig config, long seed, Consumer<GossipCore.Builder> customize) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(customize, "customize");
    this.outbox = new RecordingOutbox(() -> now);
    GossipCore.Builder b =
        GossipCore.builder()
            .id(SELF)
            .address(addr(SELF))
            .config(config)
            .random(new SplittableRandom(seed))
            .outbox(outbox)
            .listener(listener);
    customize.accept(b);
    this.core = b.build();
    core.tick(now);
  }

  /** A core with the {@link GossipConfig#lan()} settings and seed 1. */
  public static CoreFixture create() {
    return create(GossipConfig.lan());
  }

  /** A core with {@code config} and seed 1. */
  public static CoreFixture create(GossipConfig config) {
    return create(config, 1);
  }

  /** A core with {@code config} whose randomness is seeded with {@code seed}. */
  public static CoreFixture create(GossipConfig config, long seed) {
    return create(config, seed, b -> {});
  }

  /**
   * A core with {@code config} and {@code seed}, built after {@code customize} has adjusted the
   * builder (metadata, incarnation, packet overhead, another id ...). The outbox and listener must
   * stay the fixture's for its queries to work.
   */
  public static CoreFixture create(
      GossipConfig config, long seed, Consumer<GossipCore.Builder> customize) {
    return new CoreFixture(config, seed, customize);
  }

  /** A default core that already knows each of {@code peers} as {@code ONLINE} at incarnation 0. */
  public static CoreFixture withPeers(String... peers) {
    CoreFixture f = create();
    f.addPeers(peers);
    return f;
  }

  /** The address the fixture gives the member {@code id}: {@code <id>.test:7946}. */
  public static NodeAddress addr(String id) {
    return new NodeAddress(id + ".test", 7946);
  }

  // ---- claims from imaginary peers

  /** {@code id} claims to be {@code ONLINE} at {@code incarnation}, without metadata. */
  public static MemberUpdate online(String id, long incarnation) {
    return new MemberUpdate(id, addr(id), NodeStatus.ONLINE, incarnation, Map.of(), 0, 0, id);
  }

  /** {@code id} claims to be {@code ONLINE} at {@code incarnation} with this metadata version. */
  public static MemberUpdate online(
      String id, long incarnation, Map<String, String> metadata, long metadataVersion) {
    return new MemberUpdate(
        id, addr(id), NodeStatus.ONLINE, incarnation, metadata, metadataVersion, 0, id);
  }

  /** {@code accuser} suspects {@code id} at {@code incarnation}. */
  public static MemberUpdate suspect(String id, long incarnation, String accuser) {
    return new MemberUpdate(id, addr(id), NodeStatus.SUSPECT, incarnation, Map.of(), 0, 0, accuser);
  }

  /** {@code accuser} declares {@code id} failed at {@code incarnation}. */
  public static MemberUpdate failed(String id, long incarnation, String accuser) {
    return new MemberUpdate(id, addr(id), NodeStatus.FAILED, incarnation, Map.of(), 0, 0, accuser);
  }

  /** {@code id} announces that it leaves, at {@code incarnation}. */
  public static MemberUpdate left(String id, long incarnation) {
    return new MemberUpdate(id, addr(id), NodeStatus.LEFT, incarnation, Map.of(), 0, 0, id);
  }

  // ---- the fixture's parts

  /** The core under test. */
  public GossipCore core() {
    return core;
  }

  /** Everything the core sent. */
  public RecordingOutbox outbox() {
    return outbox;
  }

  /** Everything the core reported. */
  public RecordingListener listener() {
    return listener;
  }

  /** The settings the core was built with. */
  public GossipConfig config() {
    return config;
  }

  /** The fake clock's time, in the core's nanoseconds. */
  public long now() {
    return now;
  }

  // ---- peers' behaviour

  /**
   * Whether the core's pings are acked on behalf of the peers they target (default true). Turned
   * off, every probe goes unanswered unless the test answers it.
   */
  public void autoAck(boolean on) {
    autoAck = on;
  }

  /** Makes each of {@code peers} stop answering pings, as a crashed or partitioned node would. */
  public void silence(String... peers) {
    silent.addAll(Arrays.asList(peers));
  }

  /** Makes each of {@code peers} answer pings again. */
  public void unsilence(String... peers) {
    silent.removeAll(Arrays.asList(peers));
  }

  // ---- inbound

  /** Hands {@code message} to the core at the current time, then acks any new pings. */
  public void receive(GossipMessage message) {
    core.handleMessage(message, now);
    respond();
  }

  /** A gossip packet from {@code from} carrying {@code updates}. */
  public void gossip(String from, MemberUpdate... updates) {
    receive(new Gossip(from, addr(from), List.of(updates)));
  }

  /** Makes the core learn each of {@code ids} as {@code ONLINE} at incarnation 0, in one packet. */
  public void addPeers(String... ids) {
    if (ids.length == 0) {
      return;
    }
    List<MemberUpdate> updates = new ArrayList<>();
    for (String id : ids) {
      updates.add(online(id, 0));
    }
    receive(new Gossip(ids[0], addr(ids[0]), updates));
  }

  // ---- time

  /**
   * Moves the clock to {@code t} and ticks the core there.
   *
   * @throws IllegalArgumentException when {@code t} is before the current time
   */
  public void tickAt(long t) {
    if (t - now < 0) {
      throw new IllegalArgumentException("time runs forward: " + t + " < " + now);
    }
    now = t;
    core.tick(now);
    respond();
  }

  /**
   * Ticks at every deadline the core asks for up to and including {@code t}, then sets the clock
   * there.
   */
  public void runUntil(long t) {
    int guard = 0;
    while (core.nextDeadline() - t <= 0) {
      if (++guard > 1_000_000) {
        throw new AssertionError("the core does not move its deadline past " + now);
      }
      tickAt(Math.max(now, core.nextDeadline()));
    }
    now = Math.max(now, t);
  }

  /** Runs the core for {@code nanos} of fake time. */
  public void advance(long nanos) {
    runUntil(now + nanos);
  }

  /** Runs the core for {@code duration} of fake time. */
  public void advance(Duration duration) {
    advance(duration.toNanos());
  }

  /**
   * Runs until the core sends something matching {@code filter}, for at most {@code limitNanos} of
   * fake time, and returns the first such send.
   *
   * @throws AssertionError when nothing matching was sent in time
   */
  public Sent runUntilSent(Predicate<Sent> filter, long limitNanos) {
    int mark = outbox.mark();
    long until = now + limitNanos;
    while (true) {
      for (Sent s : outbox.since(mark)) {
        if (filter.test(s)) {
          return s;
        }
      }
      mark = outbox.mark();
      long d = core.nextDeadline();
      if (d - until > 0) {
        throw new AssertionError("nothing matching was sent before " + until);
      }
      tickAt(Math.max(now, d));
    }
  }

  /** Runs until the core starts its next probe (at most 30 s) and returns the ping. */
  public Sent nextPing() {
    return runUntilSent(s -> s.is(Ping.class), 30 * SEC);
  }

  /** Acks every new ping whose target answers. */
  private void respond() {
    if (!autoAck) {
      responded = outbox.size();
      return;
    }
    String self = core.self().id();
    while (responded < outbox.size()) {
      Sent s = outbox.get(responded++);
      if (s.message() instanceof Ping p
          && !silent.contains(p.target())
          && !p.target().equals(self)) {
        core.handleMessage(new Ack(p.target(), addr(p.target()), p.seq(), List.of()), now);
      }
    }
  }

  // ---- queries

  /** The status the core gives {@code id} ({@link NodeStatus#UNKNOWN} if it does not know it). */
  public NodeStatus status(String id) {
    return core.statusOf(id);
  }

  /**
   * The core's view of the member {@code id}.
   *
   * @throws AssertionError when the core does not know it
   */
  public NodeView view(String id) {
    return core.findNode(id).orElseThrow(() -> new AssertionError("unknown member " + id));
  }
}
