package io.libgossip.core;

import java.util.SplittableRandom;

/**
 * The core's units as {@link GossipCore} wires them, for tests that drive one unit directly: a
 * recording outbox and listener, a seeded generator, this node "self". The core is built but not
 * started, so no random draw or send happens until a test makes one.
 */
final class Units {
  static final String SELF = CoreFixture.SELF;

  final GossipConfig config;
  final RecordingOutbox outbox = new RecordingOutbox();
  final RecordingListener listener = new RecordingListener();
  final GossipCore core;
  final SelfState self;
  final SuspicionTimers suspicions;
  final Awareness awareness;
  final Schedule schedule;
  final MemberTable table;
  final BroadcastQueue<MemberUpdate> queue;
  final Disseminator disseminator;
  final ClaimRules claims;
  final FailureDetector detector;
  final AntiEntropy antiEntropy;
  final AddressProof proofs;
  final LossEstimate loss;

  Units(GossipConfig config, long seed, int packetOverhead) {
    this.config = config;
    this.core =
        GossipCore.builder()
            .id(SELF)
            .address(CoreFixture.SELF_ADDR)
            .config(CoreFixture.oneVersion(config))
            .random(new SplittableRandom(seed))
            .outbox(outbox)
            .listener(listener)
            .packetOverhead(packetOverhead)
            .build();
    this.self = core.self;
    this.suspicions = core.suspicions;
    this.awareness = core.awareness;
    this.schedule = core.schedule;
    this.table = core.table;
    this.queue = core.broadcasts;
    this.disseminator = core.disseminator;
    this.claims = core.claims;
    this.detector = core.detector;
    this.antiEntropy = core.antiEntropy;
    this.proofs = core.proofs;
    this.loss = core.loss;
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
      member(id).verified = true; // as if it had answered a probe at its address
      member(id).proof = null; // and its proof ping
    }
    proofs.checkOverdue(0); // the loss estimate takes those answers as answered in time
    queue.clear();
    outbox.clear();
    listener.clear();
    return this;
  }

  /**
   * Feeds the loss estimate enough round trips answered in time (long before any test time) that a
   * failed probe accuses at once, as on a lossless network after the start (decision 058).
   */
  Units noLossSeen() {
    for (int i = 0; i < LossEstimate.MIN_SAMPLES; i++) {
      loss.sample(false, 0);
    }
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
