package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/**
 * Which unknown members the table takes in: at most {@link GossipConfig#maxMembers()} in all, and
 * at most {@link GossipConfig#maxNewMembersPerMessage()} from one unsolicited message (gossip, or a
 * push-pull this node did not ask for). The answer to a state exchange this node started is bounded
 * by the table cap only: it remembers the exchanges it started (the last {@link #MAX_PENDING}) and
 * takes each answer once.
 *
 * <p>An exchange started towards a known member is answered by that member (its id or its address);
 * one started towards an address alone (a seed) may be answered by whichever node listens there, so
 * any answer takes it when no other matches.
 */
final class MemberAdmission {
  /** Exchanges remembered as started; older ones are forgotten. */
  static final int MAX_PENDING = 16;

  private final MemberTable table;
  private final Effects effects;
  private final int maxMembers;
  private final int perMessage;

  /** Unknown members the message being handled may still introduce. */
  private int budget;

  /** The exchanges started and not yet answered, a ring of {@link #MAX_PENDING}. */
  private final @Nullable NodeView[] pending = new NodeView[MAX_PENDING];

  private int next;

  MemberAdmission(MemberTable table, Effects effects, GossipConfig config) {
    this.table = table;
    this.effects = effects;
    this.maxMembers = config.maxMembers();
    this.perMessage = config.maxNewMembersPerMessage();
    this.budget = perMessage;
  }

  /** A message arrives that this node did not ask for: the per-message bound applies. */
  void unsolicited() {
    budget = perMessage;
  }

  /**
   * A push-pull answer from {@code from} at {@code fromAddress} arrives: when it answers an
   * exchange this node started, it may fill the table; otherwise the per-message bound applies.
   */
  void answer(String from, NodeAddress fromAddress) {
    budget = takePending(from, fromAddress) ? Integer.MAX_VALUE : perMessage;
  }

  /** This node sent a state exchange request (or a join) to {@code to}. */
  void started(NodeView to) {
    pending[next] = to;
    next = (next + 1) % MAX_PENDING;
  }

  /**
   * Whether the table may take one more unknown member now; when not, the claim is counted as
   * dropped ({@link DropReason#TABLE_FULL} or {@link DropReason#NEW_MEMBER_LIMIT}).
   */
  boolean admit() {
    if (table.size() + 1 >= maxMembers) { // this node counts as one
      effects.drop(DropReason.TABLE_FULL);
      return false;
    }
    if (budget <= 0) {
      effects.drop(DropReason.NEW_MEMBER_LIMIT);
      return false;
    }
    budget--;
    return true;
  }

  private boolean takePending(String from, NodeAddress fromAddress) {
    int addressOnly = -1;
    for (int i = 0; i < MAX_PENDING; i++) {
      NodeView p = pending[i];
      if (p == null) {
        continue;
      }
      if ((!p.id().isEmpty() && p.id().equals(from)) || p.address().equals(fromAddress)) {
        pending[i] = null;
        return true;
      }
      if (p.id().isEmpty() && addressOnly < 0) {
        addressOnly = i;
      }
    }
    if (addressOnly >= 0) {
      pending[addressOnly] = null;
      return true;
    }
    return false;
  }
}
