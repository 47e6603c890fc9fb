package io.libgossip.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Direct application messages between members: one-way messages (best effort, or reliable with a
 * receipt), requests and their responses or refusals, and the outcomes of what this node sent (see
 * {@link GossipCore#send}, {@link GossipCore#request}, {@link GossipCore#respond}, {@link
 * GossipCore#reject} and {@link GossipCore#cancel}).
 *
 * <p>Every outcome is reported from a core call later than the one that started the send (a failure
 * found at once is reported from the next {@code tick}), so a runtime can register the id before
 * its outcome arrives.
 */
final class Messaging {
  private final SelfState self;
  private final MemberTable table;
  private final WireNegotiation wire;
  private final Effects effects;
  private final GossipConfig config;
  private final PendingTable pending;
  private final int packetBudget;

  Messaging(
      SelfState self,
      MemberTable table,
      WireNegotiation wire,
      Effects effects,
      GossipConfig config,
      PendingTable pending,
      int packetBudget) {
    this.self = self;
    this.table = table;
    this.wire = wire;
    this.effects = effects;
    this.config = config;
    this.pending = pending;
    this.packetBudget = packetBudget;
  }

  /** Where and at which version application data for a member goes, or why it cannot. */
  record Target(@Nullable NodeView view, int version, @Nullable MessageFailure failure) {}

  /** Resolves {@code memberId} to a live member that reads application messages. */
  Target resolve(String memberId) {
    Member m = table.get(memberId);
    if (m == null) {
      return new Target(null, 0, MessageFailure.UNKNOWN_MEMBER);
    }
    if (!m.status().isAlive()) {
      return new Target(null, 0, MessageFailure.MEMBER_NOT_LIVE);
    }
    NodeView view = m.view();
    int version = wire.userVersion(view);
    if (version < 0) {
      effects.drop(DropReason.PEER_TOO_OLD);
      return new Target(null, 0, MessageFailure.UNSUPPORTED_BY_PEER);
    }
    return new Target(view, version, null);
  }

  /** Whether {@code m} fits one best-effort packet. */
  boolean fitsPacket(GossipMessage m) {
    return WireSizes.messageSize(m, false, BinarySerializer.USER_VERSION) <= packetBudget;
  }

  /** Whether {@code m}, with {@code payloadBytes} of payload, may go over the reliable path. */
  boolean fitsReliable(GossipMessage m, int payloadBytes) {
    return payloadBytes <= config.maxUserPayloadBytes()
        && WireSizes.messageSize(m, false, BinarySerializer.USER_VERSION)
            <= config.maxMessageSize();
  }

  void checkOpen() {
    if (self.leaving()) {
      throw new IllegalStateException("node " + self.id + " has left; it sends no more messages");
    }
  }

  private void checkTargetId(String memberId) {
    Objects.requireNonNull(memberId, "memberId");
    if (memberId.equals(self.id)) {
      throw new IllegalArgumentException("a node does not send messages to itself: " + memberId);
    }
  }

  long send(String memberId, String topic, byte[] payload, Delivery delivery, long now) {
    checkTargetId(memberId);
    UserMessage.checkTopic(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(delivery, "delivery");
    checkOpen();
    if (delivery == Delivery.BEST_EFFORT) {
      UserMessage m =
          new UserMessage(
              self.id, self.address, 0, UserMessage.Kind.MESSAGE, false, topic, payload);
      if (!fitsPacket(m)) {
        throw new IllegalArgumentException(
            "a payload of "
                + payload.length
                + " bytes does not fit one packet of "
                + config.maxPacketSize()
                + " bytes: send it with Delivery.RELIABLE (sendReliable)");
      }
      Target t = resolve(memberId);
      NodeView view = t.view();
      if (view == null) {
        return pending.failLater(Objects.requireNonNull(t.failure()), memberId, now);
      }
      effects.sendAt(m, view, Delivery.BEST_EFFORT, t.version());
      return 0;
    }
    // reliable: an id whose receipt or failure the handler hears of
    PendingTable.Entry e =
        pending.add(PendingTable.Kind.SEND, memberId, now + config.messageTimeout().toNanos());
    UserMessage m =
        new UserMessage(
            self.id, self.address, e.id, UserMessage.Kind.MESSAGE, true, topic, payload);
    MessageFailure failure = null;
    Target t = null;
    if (!fitsReliable(m, payload.length)) {
      failure = MessageFailure.TOO_LARGE;
    } else {
      t = resolve(memberId);
      failure = t.failure();
    }
    if (failure != null || t == null || t.view() == null) {
      failNext(e, failure == null ? MessageFailure.UNKNOWN_MEMBER : failure, now);
      return e.id;
    }
    effects.sendAt(m, Objects.requireNonNull(t.view()), Delivery.RELIABLE, t.version());
    return e.id;
  }

  long request(String memberId, String topic, byte[] payload, Duration timeout, long now) {
    checkTargetId(memberId);
    UserMessage.checkTopic(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    checkTimeout(timeout);
    checkOpen();
    PendingTable.Entry e =
        pending.add(PendingTable.Kind.REQUEST, memberId, now + timeout.toNanos());
    UserMessage m =
        new UserMessage(
            self.id, self.address, e.id, UserMessage.Kind.REQUEST, false, topic, payload);
    Delivery delivery = Delivery.BEST_EFFORT;
    MessageFailure failure = null;
    if (!fitsPacket(m)) {
      m =
          new UserMessage(
              self.id, self.address, e.id, UserMessage.Kind.REQUEST, true, topic, payload);
      delivery = Delivery.RELIABLE;
      if (!fitsReliable(m, payload.length)) {
        failure = MessageFailure.TOO_LARGE;
      }
    }
    Target t = failure == null ? resolve(memberId) : null;
    if (t != null) {
      failure = t.failure();
    }
    if (failure != null || t == null || t.view() == null) {
      failNext(e, failure == null ? MessageFailure.UNKNOWN_MEMBER : failure, now);
      return e.id;
    }
    effects.sendAt(m, Objects.requireNonNull(t.view()), delivery, t.version());
    return e.id;
  }

  static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("timeout must be in (0, 1h], got " + timeout);
    }
  }

  /** Turns {@code e} into a failure reported from the next core call. */
  private void failNext(PendingTable.Entry e, MessageFailure failure, long now) {
    pending.failNow(e, failure, now);
  }

  void respond(String to, long requestId, byte[] payload, long now) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(payload, "payload");
    if (requestId == 0) {
      throw new IllegalArgumentException("requestId 0 is a one-way message; there is no request");
    }
    UserMessage m =
        new UserMessage(
            self.id, self.address, requestId, UserMessage.Kind.RESPONSE, false, "", payload);
    Delivery delivery = Delivery.BEST_EFFORT;
    if (!fitsPacket(m)) {
      m =
          new UserMessage(
              self.id, self.address, requestId, UserMessage.Kind.RESPONSE, true, "", payload);
      delivery = Delivery.RELIABLE;
      if (!fitsReliable(m, payload.length)) {
        throw new IllegalArgumentException(
            "a response of "
                + payload.length
                + " bytes exceeds GossipConfig.maxUserPayloadBytes "
                + config.maxUserPayloadBytes()
                + " or maxMessageSize "
                + config.maxMessageSize());
      }
    }
    sendIfLive(to, m, delivery);
  }

  void reject(String to, long requestId, long now) {
    Objects.requireNonNull(to, "to");
    if (requestId == 0) {
      throw new IllegalArgumentException("requestId 0 is a one-way message; there is no request");
    }
    sendIfLive(
        to,
        new UserMessage(
            self.id, self.address, requestId, UserMessage.Kind.REJECT, false, "", new byte[0]),
        Delivery.BEST_EFFORT);
  }

  /** Sends {@code m} to member {@code to}, or drops it when it is no longer a live member. */
  private void sendIfLive(String to, GossipMessage m, Delivery delivery) {
    Target t = resolve(to);
    NodeView view = t.view();
    if (view == null) {
      effects.drop(DropReason.UNDELIVERABLE_REPLY);
      return;
    }
    effects.sendAt(m, view, delivery, t.version());
  }

  /** The runtime could not hand over the message or request {@code id}. */
  void cancel(long id, MessageFailure reason) {
    Objects.requireNonNull(reason, "reason");
    PendingTable.Entry e = pending.get(id);
    if (e != null && (e.kind == PendingTable.Kind.SEND || e.kind == PendingTable.Kind.REQUEST)) {
      pending.remove(e);
      effects.deliver(h -> h.onSendFailed(id, reason));
    }
  }

  /** A direct message from another member. */
  Received onUser(UserMessage m, @Nullable Member sender, long now) {
    switch (m.kind()) {
      case MESSAGE:
      case REQUEST:
        {
          long requestId = m.kind() == UserMessage.Kind.REQUEST ? m.id() : 0;
          DirectMessage dm =
              new DirectMessage(
                  m.from(),
                  m.topic(),
                  m.payload(),
                  m.reliable() ? Delivery.RELIABLE : Delivery.BEST_EFFORT,
                  requestId);
          if (m.kind() == UserMessage.Kind.MESSAGE && m.id() != 0) {
            NodeView to = Member.replyTo(sender, m.fromAddress());
            int version = wire.userVersion(to);
            if (version > 0) {
              effects.sendAt(
                  new UserMessage(
                      self.id,
                      self.address,
                      m.id(),
                      UserMessage.Kind.RECEIPT,
                      false,
                      "",
                      new byte[0]),
                  to,
                  Delivery.RELIABLE,
                  version);
            }
          }
          effects.deliver(h -> h.onMessage(dm));
          return Received.Applied.of(0);
        }
      default:
        break;
    }
    PendingTable.Entry e = pending.get(m.id());
    PendingTable.Kind expected =
        m.kind() == UserMessage.Kind.RECEIPT ? PendingTable.Kind.SEND : PendingTable.Kind.REQUEST;
    if (e == null || e.kind != expected || !e.target.equals(m.from())) {
      effects.drop(DropReason.UNEXPECTED_REPLY);
      return new Received.Dropped(DropReason.UNEXPECTED_REPLY);
    }
    pending.remove(e);
    long id = e.id;
    switch (m.kind()) {
      case RESPONSE:
        effects.deliver(h -> h.onResponse(id, m.from(), m.payload()));
        break;
      case RECEIPT:
        effects.deliver(h -> h.onDelivered(id));
        break;
      default: // REJECT
        effects.deliver(h -> h.onSendFailed(id, MessageFailure.REJECTED));
        break;
    }
    return Received.Applied.of(0);
  }

  /** A due entry of kind SEND, REQUEST or FAILED: it failed (timeout, or the reason decided). */
  void expire(PendingTable.Entry e) {
    pending.remove(e);
    MessageFailure f = e.failure == null ? MessageFailure.TIMEOUT : e.failure;
    long id = e.id;
    effects.deliver(h -> h.onSendFailed(id, f));
  }

  /** Sends and requests to members that failed or left fail at once, not at their timeout. */
  void failDeparted() {
    for (PendingTable.Entry e : pending.all()) {
      if (e.kind == PendingTable.Kind.SEND || e.kind == PendingTable.Kind.REQUEST) {
        Member m = table.get(e.target);
        if (m == null || !m.status().isAlive()) {
          pending.remove(e);
          long id = e.id;
          effects.deliver(h -> h.onSendFailed(id, MessageFailure.MEMBER_NOT_LIVE));
        }
      }
    }
  }
}
