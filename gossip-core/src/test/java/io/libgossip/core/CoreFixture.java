package io.libgossip.core;

import io.libgossip.core.GossipMessage.Ack;
import io.libgossip.core.GossipMessage.Gossip;
import io.libgossip.core.GossipMessage.Ping;
import io.libgossip.core.RecordingOutbox.Sent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One {@link GossipCore} driven by hand: a fake clock, a recording outbox and listener, builders
 * for claims and messages from imaginary peers, and an optional auto-responder that acks the core's
 * pings on behalf of peers that are not {@link #silent}.
 */
final class CoreFixture {
  static final long MS = 1_000_000L;
  static final long SEC = 1_000 * MS;
  static final String SELF = "self";
  static final NodeAddress SELF_ADDR = addr(SELF);

  final GossipConfig config;
  final RecordingOutbox outbox;
  final RecordingListener listener = new RecordingListener();
  final GossipCore core;

  /** The fake clock: an arbitrary origin, so that nothing depends on time starting at zero. */
  long now = 1_000 * SEC;

  /** Whether the core's pings are acked on behalf of peers that are not silent. */
  boolean autoAck = true;

  /**
   * Whether every member is taken as verified at its address after each call (as if it had answered
   * a probe there), so that tests of other behaviour see no proof pings; tests of {@code
   * AddressProof} turn it off.
   */
  boolean autoVerify = true;

  /** Peers that never answer a ping. */
  final Set<String> silent = new HashSet<>();

  private int responded;

  CoreFixture(GossipConfig config, long seed, Consumer<GossipCore.Builder> customize) {
    this.config = oneVersion(config);
    this.outbox = new RecordingOutbox(() -> now);
    GossipCore.Builder b =
        GossipCore.builder()
            .id(SELF)
            .address(SELF_ADDR)
            .config(this.config)
            .random(new SplittableRandom(seed))
            .outbox(outbox)
            .listener(listener);
    customize.accept(b);
    this.core = b.build();
    core.tick(now);
  }

  /**
   * {@code config} speaking only its oldest wire version when it speaks the default range: the
   * fixtures' peers never say which versions they speak, so a core of the default range would send
   * a version hello before every probe. The negotiation has its own tests ({@code
   * WireNegotiationTest}); a test that wants it sets the versions through its customizer.
   */
  static GossipConfig oneVersion(GossipConfig config) {
    WireVersions v = config.wireVersions();
    return v.equals(WireVersions.SUPPORTED)
        ? config.toBuilder().wireVersions(new WireVersions(v.min(), v.min())).build()
        : config;
  }

  /**
   * Feeds the core's loss estimate enough round trips answered in time that a failed probe accuses
   * at once and an expired suspicion fails at once, as on a settled lossless network (decision 058;
   * a fresh node confirms first).
   */
  CoreFixture noLossSeen() {
    for (int i = 0; i < LossEstimate.MIN_SAMPLES; i++) {
      core.loss.sample(false, 0);
    }
    return this;
  }

  static CoreFixture create() {
    return new CoreFixture(GossipConfig.lan(), 1, b -> {});
  }

  static CoreFixture create(GossipConfig config) {
    return new CoreFixture(config, 1, b -> {});
  }

  static CoreFixture create(GossipConfig config, long seed) {
    return new CoreFixture(config, seed, b -> {});
  }

  /** A fixture whose core already knows {@code peers} as ONLINE at incarnation 0. */
  static CoreFixture withPeers(String... peers) {
    CoreFixture f = create();
    f.addPeers(peers);
    return f;
  }

  static NodeAddress addr(String id) {
    return new NodeAddress(id + ".test", 7946);
  }

  // ---- claims

  static MemberUpdate online(String id, long incarnation) {
    return new MemberUpdate(id, addr(id), NodeStatus.ONLINE, incarnation, Map.of(), 0, 0, id);
  }

  static MemberUpdate online(
      String id, long incarnation, Map<String, String> metadata, long metadataVersion) {
    return new MemberUpdate(
        id, addr(id), NodeStatus.ONLINE, incarnation, metadata, metadataVersion, 0, id);
  }

  static MemberUpdate suspect(String id, long incarnation, String accuser) {
    return new MemberUpdate(id, addr(id), NodeStatus.SUSPECT, incarnation, Map.of(), 0, 0, accuser);
  }

  static MemberUpdate failed(String id, long incarnation, String accuser) {
    return new MemberUpdate(id, addr(id), NodeStatus.FAILED, incarnation, Map.of(), 0, 0, accuser);
  }

  static MemberUpdate left(String id, long incarnation) {
    return new MemberUpdate(id, addr(id), NodeStatus.LEFT, incarnation, Map.of(), 0, 0, id);
  }

  static MemberUpdate claim(String id, NodeStatus status, long incarnation) {
    String from = status == NodeStatus.ONLINE || status == NodeStatus.LEFT ? id : "accuser";
    return new MemberUpdate(id, addr(id), status, incarnation, Map.of(), 0, 0, from);
  }

  // ---- inbound

  void receive(GossipMessage message) {
    core.handleMessage(message, now);
    respond();
  }

  /** A gossip packet from {@code from} carrying {@code updates}. */
  void gossip(String from, MemberUpdate... updates) {
    receive(new Gossip(from, addr(from), List.of(updates)));
  }

  /** Makes the core know each of {@code ids} as ONLINE at incarnation 0. */
  void addPeers(String... ids) {
    // in messages of at most maxNewMembersPerMessage (128 by default) unknown members each
    int per = core.config().maxNewMembersPerMessage();
    for (int first = 0; first < ids.length; first += per) {
      List<MemberUpdate> updates = new ArrayList<>();
      for (int i = first; i < Math.min(ids.length, first + per); i++) {
        updates.add(online(ids[i], 0));
      }
      receive(new Gossip(ids[0], addr(ids[0]), updates));
    }
  }

  /** Raises the core's local health score by {@code times} refutations. */
  void hurtHealth(int times) {
    for (int i = 0; i < times; i++) {
      gossip("accuser", suspect(SELF, core.self().incarnation(), "accuser"));
    }
  }

  // ---- time

  /** Ticks at {@code t} (which must not be before the current time). */
  void tickAt(long t) {
    if (t - now < 0) {
      throw new IllegalArgumentException("time runs forward: " + t + " < " + now);
    }
    now = t;
    core.tick(now);
    respond();
  }

  /** Ticks at every deadline up to and including {@code t}, then sets the clock to {@code t}. */
  void runUntil(long t) {
    int guard = 0;
    while (core.nextDeadline() - t <= 0) {
      if (++guard > 1_000_000) {
        throw new AssertionError("core does not advance its deadline at " + now);
      }
      tickAt(Math.max(now, core.nextDeadline()));
    }
    now = Math.max(now, t);
  }

  void advance(long nanos) {
    runUntil(now + nanos);
  }

  /**
   * Runs until the core sends something matching {@code filter}, at most {@code limit} nanoseconds;
   * returns the first such send.
   */
  Sent runUntilSent(Predicate<Sent> filter, long limit) {
    int mark = outbox.mark();
    long until = now + limit;
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
  Sent nextPing() {
    return runUntilSent(s -> s.is(Ping.class), 30 * SEC);
  }

  /** Acks every new ping whose target is an answering peer. */
  private void respond() {
    if (autoVerify) {
      for (Member m : core.table.all()) {
        m.verified = true;
      }
    }
    if (!autoAck) {
      responded = outbox.size();
      return;
    }
    while (responded < outbox.size()) {
      Sent s = outbox.get(responded++);
      if (s.message() instanceof Ping) {
        Ping p = (Ping) s.message();
        if (!silent.contains(p.target()) && !p.target().equals(SELF)) {
          core.handleMessage(new Ack(p.target(), addr(p.target()), p.seq(), List.of()), now);
        }
      }
    }
  }

  // ---- queries

  NodeStatus status(String id) {
    return core.statusOf(id);
  }

  NodeView view(String id) {
    return core.findNode(id).orElseThrow(() -> new AssertionError("unknown member " + id));
  }

  int health() {
    return core.stats().localHealth();
  }
}
