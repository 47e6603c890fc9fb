package io.libgossip.core;

import io.libgossip.core.GossipMessage.Gossip;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Piggybacked dissemination: queued claims ride on every packet this node sends, as many as fit in
 * the packet's byte budget (the packet size less the runtime's per-packet overhead), and a gossip
 * round sends them to a few random members each gossip interval.
 */
final class Disseminator {
  /** Room kept for the update-count varint when packing a packet. */
  private static final int COUNT_RESERVE = 3;

  private final SelfState self;
  private final MemberTable table;
  private final BroadcastQueue<MemberUpdate> queue;
  private final Effects effects;
  private final BinarySerializer sizer;
  private final int headerReserve;
  private final int packetBudget;
  private final int retransmitMult;
  private final int gossipNodes;

  Disseminator(
      SelfState self,
      MemberTable table,
      BroadcastQueue<MemberUpdate> queue,
      Effects effects,
      GossipConfig config,
      int packetBudget) {
    this.self = self;
    this.table = table;
    this.queue = queue;
    this.effects = effects;
    this.sizer = BinarySerializer.forConfig(config);
    this.headerReserve = // a packet may go out at the newest version, whose header is longer
        BinarySerializer.headerBytes(config.wireVersions().max()) - BinarySerializer.HEADER_BYTES;
    this.packetBudget = packetBudget;
    this.retransmitMult = config.retransmitMult();
    this.gossipNodes = config.gossipNodes();
  }

  /** Sends {@code empty} to {@code to} with as many claims as fit (see {@link #pack}). */
  void send(
      GossipMessage empty, @Nullable Member peer, NodeView to, List<MemberUpdate> corrections) {
    effects.send(pack(empty, peer, corrections), to, Delivery.BEST_EFFORT);
  }

  /**
   * Sends {@code empty} to {@code to} with as many claims as fit in at most {@code limit} bytes
   * (see {@link #limitFor}); when even the message alone exceeds it, the message goes alone.
   */
  void send(
      GossipMessage empty,
      @Nullable Member peer,
      NodeView to,
      List<MemberUpdate> corrections,
      int limit) {
    effects.send(pack(empty, peer, corrections, limit), to, Delivery.BEST_EFFORT);
  }

  /**
   * The byte limit of a packet answering {@code request} toward {@code to}: a whole packet when
   * {@code peer} (may be null) is verified at {@code to}, else {@link AddressProof#REPLY_FACTOR}
   * times the request's encoded size, so that a forged source address draws no amplification.
   */
  int limitFor(@Nullable Member peer, NodeAddress to, GossipMessage request) {
    if (AddressProof.verifiedAt(peer, to)) {
      return Integer.MAX_VALUE;
    }
    return AddressProof.replyLimit(sizer.encodedSize(request));
  }

  /** The byte limit of a packet this node starts toward {@code peer} (a probe, a proof ping). */
  int limitFor(Member peer, GossipMessage bare) {
    return peer.verified ? Integer.MAX_VALUE : AddressProof.replyLimit(sizer.encodedSize(bare));
  }

  /** Sends a packet of queued claims to each of a few random members, while claims are queued. */
  void gossipRound(long now) {
    if (queue.isEmpty()) {
      return;
    }
    List<Member> targets = table.randomGossipTargets(gossipNodes, now);
    for (Member t : targets) {
      if (queue.isEmpty()) {
        break;
      }
      GossipMessage packed = pack(new Gossip(self.id, self.address, List.of()), t, List.of());
      if (!packed.updates().isEmpty()) {
        effects.send(packed, t.view(), Delivery.BEST_EFFORT);
      }
    }
  }

  /**
   * {@code empty} with as many claims as fit in one packet: first the {@code corrections} for its
   * recipient, or else, when the recipient {@code peer} (may be null) is suspected or failed in our
   * view, that claim, so it can refute at once (the buddy system); then queued claims, least sent
   * first.
   */
  GossipMessage pack(GossipMessage empty, @Nullable Member peer, List<MemberUpdate> corrections) {
    return pack(empty, peer, corrections, Integer.MAX_VALUE);
  }

  /** As {@link #pack(GossipMessage, Member, List)}, within {@code limit} bytes in all. */
  GossipMessage pack(
      GossipMessage empty, @Nullable Member peer, List<MemberUpdate> corrections, int limit) {
    List<MemberUpdate> prefix = List.of();
    int budget =
        Math.min(packetBudget, limit) - sizer.encodedSize(empty) - headerReserve - COUNT_RESERVE;
    if (budget <= 0) {
      return empty;
    }
    if (!corrections.isEmpty()) {
      List<MemberUpdate> fixes = new ArrayList<>(corrections.size());
      for (MemberUpdate c : corrections) {
        int size = c.wireSize();
        if (size <= budget) {
          fixes.add(c);
          budget -= size;
        }
      }
      prefix = fixes;
    } else if (peer != null && table.holds(peer) && peer.status() != NodeStatus.ONLINE) {
      MemberUpdate claim = peer.state;
      int size = claim.wireSize();
      if (size <= budget) {
        prefix = List.of(claim);
        budget -= size;
      }
    }
    List<MemberUpdate> updates =
        queue.take(budget, ProtocolMath.retransmitLimit(retransmitMult, table.liveCount()), prefix);
    if (updates.isEmpty()) {
      return empty;
    }
    return empty.withUpdates(updates);
  }

  /** Queues {@code claim} for dissemination, in place of any queued claim about its member. */
  void spread(MemberUpdate claim) {
    queue.add(claim);
  }

  /** Whether a claim about {@code id} is still waiting to be sent. */
  boolean isSpreading(String id) {
    return queue.contains(id);
  }

  int queued() {
    return queue.size();
  }

  /** Claims dropped because the queue was full. */
  long dropped() {
    return queue.dropped();
  }

  void clear() {
    queue.clear();
  }
}
