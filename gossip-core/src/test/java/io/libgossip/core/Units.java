package io.libgossip.core;

import static io.libgossip.core.CoreFixture.addr;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The core's units wired as {@link GossipCore} wires them, without the facade, so that each unit's
 * test drives it directly: a recording outbox and listener, a seeded generator, this node "self".
 */
final class Units {
  static final String SELF = CoreFixture.SELF;

  final GossipConfig config;
  final RecordingOutbox outbox = new RecordingOutbox();
  final RecordingListener listener = new RecordingListener();
  final SelfState self = new SelfState(SELF, addr(SELF), 0, Map.of(), 0);
  final SuspicionTimers suspicions = new SuspicionTimers();
  final Effects effects = new Effects(outbox, listener);
  final Awareness awareness;
  final Schedule schedule;
  final MemberTable table;
  final BroadcastQueue<MemberUpdate> queue;
  final Disseminator disseminator;
  final ClaimRules claims;
  final FailureDetector detector;
  final AntiEntropy antiEntropy;

  Units(GossipConfig config, long seed, int packetOverhead) {
    SplittableRandom random = new SplittableRandom(seed);
    this.config = config;
    this.awareness = new Awareness(config.awarenessMaxMultiplier());
    this.schedule = new Schedule(config, random);
    this.table =
        new MemberTable(
            random,
            self,
            suspicions,
            config.gossipToTheDeadTime().toNanos(),
            config.tombstoneTimeout().toNanos());
    this.queue = new BroadcastQueue<>(config.maxQueuedUpdates());
    this.disseminator =
        new Disseminator(
            self, table, queue, effects, config, config.maxPacketSize() - packetOverhead);
    this.claims = new ClaimRules(self, table, suspicions, queue, awareness, effects, config);
    this.detector =
        new FailureDetector(
            self, table, claims, suspicions, awareness, disseminator, effects, config);
    this.antiEntropy =
        new AntiEntropy(self, table, claims, disseminator, schedule, effects, random, config);
  }

  Units() {
    this(GossipConfig.lan(), 1, 0);
  }

  /**
   * Makes each of {@code ids} an ONLINE member at incarnation 0, then empties queue and records.
   */
  Units withMembers(String... ids) {
    for (String id : ids) {
      claims.applyGossip(CoreFixture.online(id, 0), 0);
    }
    queue.clear();
    outbox.clear();
    listener.clear();
    return this;
  }

  Member member(String id) {
    Member m = table.get(id);
    if (m == null) {
      throw new AssertionError("unknown member " + id);
    }
    return m;
  }
}
