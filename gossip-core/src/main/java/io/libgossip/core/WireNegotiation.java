package io.libgossip.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which wire format version each message goes out at, and what the members speak.
 *
 * <p>Each member's range ({@link Member#wireVersions}) is learned from the version 3 header of the
 * messages it sends this node, and forgotten when the member fails or leaves (its next life may run
 * other software) or sends a join request without a range. A message goes to a member at the
 * highest version both speak when its range is known, and otherwise at this node's oldest version.
 * While a message is handled, whatever goes back to its sender goes at most at the version the
 * sender showed it speaks (its range, or this node's oldest for a message without one), so a node
 * restarted with older software can read the answers to its own requests.
 *
 * <p>Hearsay: a push-pull that goes out at version 3 or later carries the ranges its sender knows
 * of the members it lists, and its receiver takes those it does not know yet (of live members
 * only). A range a member's own header showed always replaces hearsay, hearsay never replaces a
 * known range, and a range learned by hearsay is forgotten like any other.
 *
 * <p>Discovery: a ping to a member whose range is unknown is preceded by a hello (at most {@link
 * #MAX_HELLOS} per member life), a ping with sequence number {@link #HELLO_SEQ} at this node's
 * newest version. A member that reads it learns this node's range and answers with an ack at the
 * same version, which teaches this node the member's range; a member that cannot read it drops it
 * (counted there as {@link DropReason#UNSUPPORTED_VERSION}).
 */
final class WireNegotiation {
  /** The sequence number of hellos and their acks; probes and relays count from 1. */
  static final long HELLO_SEQ = 0;

  /**
   * Hellos sent to one member per life at most: a member that answers none of them (it speaks only
   * older versions, or its runtime's format has no versions) is not asked again until it fails,
   * leaves or rejoins. Five unanswered tries at 20% loss each way miss a member that speaks version
   * 3 with probability about 10^-5, and any one answered hello in either direction suffices.
   */
  static final int MAX_HELLOS = 5;

  private final SelfState self;
  private final MemberTable table;
  private final WireVersions own;

  /** While a message is handled: its sender, the sender's address and range (null: none). */
  private @Nullable String replyTo;

  private @Nullable NodeAddress replyAddress;
  private @Nullable WireVersions replyVersions;
  private long hellosSent;
  private long rangesLearned;

  WireNegotiation(SelfState self, MemberTable table, WireVersions own) {
    this.self = self;
    this.table = table;
    this.own = own;
  }

  WireVersions own() {
    return own;
  }

  long hellosSent() {
    return hellosSent;
  }

  /** Before {@code message} is applied: learn the sender's range, cap what goes back to it. */
  void receiving(GossipMessage message, @Nullable WireVersions sender) {
    replyTo = message.from();
    replyAddress = message.fromAddress();
    replyVersions = sender;
    learn(message, sender);
  }

  /** After the message was applied: the sender may have become a member meanwhile (a join). */
  void received(GossipMessage message, @Nullable WireVersions sender) {
    learn(message, sender);
    if (message instanceof GossipMessage.PushPull p) {
      learnHearsay(p);
    }
    replyTo = null;
    replyAddress = null;
    replyVersions = null;
  }

  private void learn(GossipMessage message, @Nullable WireVersions sender) {
    Member m = table.get(message.from());
    if (m == null || !m.status().isAlive()) {
      return; // a packet sent before it failed or left says nothing of its next life
    }
    if (sender != null) {
      m.wireVersions = sender;
    } else if (message instanceof GossipMessage.PushPull p && p.join() && !p.reply()) {
      m.wireVersions = null; // it restarted, maybe with older software
      m.hellos = 0;
    }
  }

  /**
   * Ranges a push-pull reports of other members fill in the ranges this node does not know yet:
   * only of live members, never over a range already known (one a member's own header showed always
   * wins), and forgotten like any other range when the member fails, leaves or rejoins.
   */
  private void learnHearsay(GossipMessage.PushPull p) {
    for (Map.Entry<String, WireVersions> e : p.ranges().entrySet()) {
      Member m = table.get(e.getKey());
      if (m != null && m.wireVersions == null && m.status().isAlive()) {
        m.wireVersions = e.getValue();
        rangesLearned++;
      }
    }
  }

  /** While a message is handled: the range its header carried (null: none, or no message). */
  @Nullable WireVersions senderVersions() {
    return replyVersions;
  }

  long rangesLearned() {
    return rangesLearned;
  }

  /**
   * {@code message} as it goes out at {@code version}: a push-pull at version 3 or later carries
   * the ranges this node knows of the members it lists, its own included.
   */
  GossipMessage withRanges(GossipMessage message, int version) {
    if (version < BinarySerializer.RANGE_VERSION
        || !(message instanceof GossipMessage.PushPull p)
        || !p.ranges().isEmpty()) {
      return message;
    }
    Map<String, WireVersions> ranges = new HashMap<>();
    for (MemberUpdate u : p.updates()) {
      if (u.id().equals(self.id)) {
        ranges.put(u.id(), own);
      } else {
        Member m = table.get(u.id());
        WireVersions w = m == null ? null : m.wireVersions;
        if (w != null) {
          ranges.put(u.id(), w);
        }
      }
    }
    return new GossipMessage.PushPull(
        p.from(), p.fromAddress(), p.join(), p.reply(), p.updates(), ranges);
  }

  /** The version to write {@code target}'s message at. */
  int versionFor(NodeView target) {
    WireVersions known;
    if (replyTo != null
        && (target.hasId()
            ? replyTo.equals(target.id())
            : Objects.equals(target.address(), replyAddress))) {
      known = replyVersions;
    } else {
      known = rangeOf(target);
    }
    if (known == null) {
      return own.min();
    }
    return Math.max(own.min(), own.highestCommon(known));
  }

  /**
   * The version to send application data ({@link UserMessage} and the query messages) to {@code
   * target} at: the highest both speak when its range is known and reaches version 4, this node's
   * newest when the range is not known yet; -1 when either side speaks no version that carries
   * application data.
   */
  int userVersion(NodeView target) {
    if (own.max() < BinarySerializer.USER_VERSION) {
      return -1;
    }
    WireVersions known = null;
    if (replyTo != null
        && replyVersions != null
        && (target.hasId()
            ? replyTo.equals(target.id())
            : Objects.equals(target.address(), replyAddress))) {
      known = replyVersions;
    }
    if (known == null) {
      known = rangeOf(target);
    }
    if (known == null) {
      return own.max();
    }
    int v = own.highestCommon(known);
    return v >= BinarySerializer.USER_VERSION ? v : -1;
  }

  private @Nullable WireVersions rangeOf(NodeView target) {
    if (!target.hasId()) {
      return null;
    }
    Member m = table.get(target.id());
    return m == null ? null : m.wireVersions;
  }

  /**
   * The hello to send before {@code message}, or null: only before a ping (not a hello) to a member
   * whose range is unknown and that has had fewer than {@link #MAX_HELLOS}, and only when this node
   * speaks more than one version.
   */
  @Nullable GossipMessage helloBefore(GossipMessage message, NodeView target) {
    if (!(message instanceof GossipMessage.Ping ping) || ping.seq() == HELLO_SEQ) {
      return null;
    }
    return hello(target);
  }

  /**
   * The hello to send to {@code target} now, or null: only to a member whose range is unknown and
   * that has had fewer than {@link #MAX_HELLOS}, and only when this node speaks more than one
   * version. Sent on its own when a member comes back from {@code FAILED} or {@code LEFT} (a
   * restart at the same address, which needs no proof ping): until its range is known again, no
   * user broadcast goes to it (decision 056).
   */
  @Nullable GossipMessage hello(NodeView target) {
    if (own.max() == own.min() || !target.hasId()) {
      return null;
    }
    Member m = table.get(target.id());
    if (m == null || m.wireVersions != null || m.hellos >= MAX_HELLOS) {
      return null;
    }
    m.hellos++;
    hellosSent++;
    return new GossipMessage.Ping(self.id, self.address, HELLO_SEQ, target.id(), List.of());
  }

  /**
   * The highest version every live member speaks, this node included: members whose range is
   * unknown count as this node's oldest version.
   */
  int clusterVersion() {
    int v = own.max();
    for (Member m : table.all()) {
      if (m.status().isAlive()) {
        WireVersions w = m.wireVersions;
        int common = w == null ? own.min() : Math.max(own.min(), own.highestCommon(w));
        v = Math.min(v, common);
      }
    }
    return v;
  }
}
