package io.libgossip.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything one node says to another. Each message names its sender and the sender's address, and
 * carries piggybacked {@link MemberUpdate}s (membership news rides on every packet).
 *
 * <p>The model maps onto HashiCorp memberlist: {@link Ping}/{@link Ack}/{@link PingReq}/{@link
 * Nack} are its sequence-numbered {@code ping}, {@code ack}, {@code indirect ping} and {@code
 * nack}; {@link Gossip} is a compound of broadcasts; {@link PushPull} is its push-pull state
 * exchange.
 */
public sealed interface GossipMessage
    permits GossipMessage.Ping,
        GossipMessage.Ack,
        GossipMessage.PingReq,
        GossipMessage.Nack,
        GossipMessage.Gossip,
        GossipMessage.PushPull,
        GossipMessage.BroadcastPull,
        UserMessage,
        QueryMessage,
        QueryReplyMessage {

  /** The sender's id. */
  String from();

  /** The sender's address. */
  NodeAddress fromAddress();

  /** Piggybacked updates (for {@link PushPull}: the sender's full state). */
  List<MemberUpdate> updates();

  /** The wire type of this message. */
  MessageType type();

  /** A copy of this message carrying {@code updates} instead of its own. */
  GossipMessage withUpdates(List<MemberUpdate> updates);

  /**
   * Piggybacked user broadcasts (wire version 4 and later); only pings, acks, indirect probes,
   * nacks and gossip carry them, and only when sent to a member that reads version 4.
   */
  default List<BroadcastItem> broadcasts() {
    return List.of();
  }

  /**
   * A copy of this message carrying {@code broadcasts} instead of its own.
   *
   * @throws IllegalArgumentException when {@code broadcasts} is not empty and this type of message
   *     carries none
   */
  default GossipMessage withBroadcasts(List<BroadcastItem> broadcasts) {
    if (broadcasts.isEmpty()) {
      return this;
    }
    throw new IllegalArgumentException(type() + " carries no broadcasts");
  }

  /** Wire type codes. The numbers are part of the wire format and never change. */
  enum MessageType {
    /** {@link Ping}. */
    PING(1),
    /** {@link Ack}. */
    ACK(2),
    /** {@link PingReq}. */
    PING_REQ(3),
    /** {@link Nack}. */
    NACK(4),
    /** {@link Gossip}. */
    GOSSIP(5),
    /** {@link PushPull}. */
    PUSH_PULL(6),
    /** {@link UserMessage}, from wire version 4. */
    USER(7),
    /** {@link QueryMessage}, from wire version 4. */
    QUERY(8),
    /** {@link QueryReplyMessage}, from wire version 4. */
    QUERY_REPLY(9),
    /** {@link BroadcastPull} (wire version 4 and later). */
    BROADCAST_PULL(10);

    private final int code;

    MessageType(int code) {
      this.code = code;
    }

    /** The byte that identifies this type on the wire. */
    public int code() {
      return code;
    }

    /** The type for a wire code, or {@code null} when the code is unknown. */
    public static @Nullable MessageType fromCode(int code) {
      for (MessageType t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * A direct probe: "are you {@code target}?". Answered by an {@link Ack} with the same {@code
   * seq}. Carries {@code target} so a different node now at the same address does not answer. A
   * probe ping carries its sender's wall clock ({@code timing}) when clock-offset estimation is on
   * and the target speaks wire version 5; otherwise {@code timing} is null.
   */
  record Ping(
      String from,
      NodeAddress fromAddress,
      long seq,
      String target,
      List<MemberUpdate> updates,
      List<BroadcastItem> broadcasts,
      @Nullable ProbeTiming timing)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public Ping {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      MemberUpdate.checkId(target, "target");
      updates = List.copyOf(updates);
      broadcasts = List.copyOf(broadcasts);
      if (timing != null && !timing.isPingTiming()) {
        throw new IllegalArgumentException(
            "a ping's timing carries only its origin, got " + timing);
      }
    }

    /** A Ping without timing. */
    public Ping(
        String from,
        NodeAddress fromAddress,
        long seq,
        String target,
        List<MemberUpdate> updates,
        List<BroadcastItem> broadcasts) {
      this(from, fromAddress, seq, target, updates, broadcasts, null);
    }

    /** A Ping without broadcasts. */
    public Ping(
        String from, NodeAddress fromAddress, long seq, String target, List<MemberUpdate> updates) {
      this(from, fromAddress, seq, target, updates, List.of());
    }

    @Override
    public MessageType type() {
      return MessageType.PING;
    }

    @Override
    public Ping withUpdates(List<MemberUpdate> updates) {
      return new Ping(from, fromAddress, seq, target, updates, broadcasts, timing);
    }

    @Override
    public Ping withBroadcasts(List<BroadcastItem> broadcasts) {
      return new Ping(from, fromAddress, seq, target, updates, broadcasts, timing);
    }

    /** This ping carrying {@code timing} (null: none). */
    public Ping withTiming(@Nullable ProbeTiming timing) {
      return new Ping(from, fromAddress, seq, target, updates, broadcasts, timing);
    }
  }

  /**
   * The answer to a {@link Ping} (or, relayed, to a {@link PingReq}) with the same {@code seq}. The
   * answer to a ping with {@code timing} carries the NTP-style timestamps (and the responder's
   * network coordinate, when on); otherwise {@code timing} is null.
   */
  record Ack(
      String from,
      NodeAddress fromAddress,
      long seq,
      List<MemberUpdate> updates,
      List<BroadcastItem> broadcasts,
      @Nullable ProbeTiming timing)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public Ack {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      updates = List.copyOf(updates);
      broadcasts = List.copyOf(broadcasts);
    }

    /** An Ack without timing. */
    public Ack(
        String from,
        NodeAddress fromAddress,
        long seq,
        List<MemberUpdate> updates,
        List<BroadcastItem> broadcasts) {
      this(from, fromAddress, seq, updates, broadcasts, null);
    }

    /** An Ack without broadcasts. */
    public Ack(String from, NodeAddress fromAddress, long seq, List<MemberUpdate> updates) {
      this(from, fromAddress, seq, updates, List.of());
    }

    @Override
    public MessageType type() {
      return MessageType.ACK;
    }

    @Override
    public Ack withUpdates(List<MemberUpdate> updates) {
      return new Ack(from, fromAddress, seq, updates, broadcasts, timing);
    }

    @Override
    public Ack withBroadcasts(List<BroadcastItem> broadcasts) {
      return new Ack(from, fromAddress, seq, updates, broadcasts, timing);
    }

    /** This ack carrying {@code timing} (null: none). */
    public Ack withTiming(@Nullable ProbeTiming timing) {
      return new Ack(from, fromAddress, seq, updates, broadcasts, timing);
    }
  }

  /**
   * An indirect probe request: "please ping {@code target} at {@code targetAddress} for me and
   * relay its ack with my {@code seq}". The helper answers with a {@link Nack} if the target does
   * not answer in time (Lifeguard), so the requester can tell a dead target from its own trouble.
   */
  record PingReq(
      String from,
      NodeAddress fromAddress,
      long seq,
      String target,
      NodeAddress targetAddress,
      List<MemberUpdate> updates,
      List<BroadcastItem> broadcasts)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public PingReq {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      MemberUpdate.checkId(target, "target");
      Objects.requireNonNull(targetAddress, "targetAddress");
      updates = List.copyOf(updates);
      broadcasts = List.copyOf(broadcasts);
    }

    /** A PingReq without broadcasts. */
    public PingReq(
        String from,
        NodeAddress fromAddress,
        long seq,
        String target,
        NodeAddress targetAddress,
        List<MemberUpdate> updates) {
      this(from, fromAddress, seq, target, targetAddress, updates, List.of());
    }

    @Override
    public MessageType type() {
      return MessageType.PING_REQ;
    }

    @Override
    public PingReq withUpdates(List<MemberUpdate> updates) {
      return new PingReq(from, fromAddress, seq, target, targetAddress, updates, broadcasts);
    }

    @Override
    public PingReq withBroadcasts(List<BroadcastItem> broadcasts) {
      return new PingReq(from, fromAddress, seq, target, targetAddress, updates, broadcasts);
    }
  }

  /** An indirect prober's "I could not reach the target" for the request with {@code seq}. */
  record Nack(
      String from,
      NodeAddress fromAddress,
      long seq,
      List<MemberUpdate> updates,
      List<BroadcastItem> broadcasts)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public Nack {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      updates = List.copyOf(updates);
      broadcasts = List.copyOf(broadcasts);
    }

    /** A Nack without broadcasts. */
    public Nack(String from, NodeAddress fromAddress, long seq, List<MemberUpdate> updates) {
      this(from, fromAddress, seq, updates, List.of());
    }

    @Override
    public MessageType type() {
      return MessageType.NACK;
    }

    @Override
    public Nack withUpdates(List<MemberUpdate> updates) {
      return new Nack(from, fromAddress, seq, updates, broadcasts);
    }

    @Override
    public Nack withBroadcasts(List<BroadcastItem> broadcasts) {
      return new Nack(from, fromAddress, seq, updates, broadcasts);
    }
  }

  /** A packet of membership updates sent on the gossip interval. */
  record Gossip(
      String from,
      NodeAddress fromAddress,
      List<MemberUpdate> updates,
      List<BroadcastItem> broadcasts)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public Gossip {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      updates = List.copyOf(updates);
      broadcasts = List.copyOf(broadcasts);
    }

    /** A Gossip without broadcasts. */
    public Gossip(String from, NodeAddress fromAddress, List<MemberUpdate> updates) {
      this(from, fromAddress, updates, List.of());
    }

    @Override
    public MessageType type() {
      return MessageType.GOSSIP;
    }

    @Override
    public Gossip withUpdates(List<MemberUpdate> updates) {
      return new Gossip(from, fromAddress, updates, broadcasts);
    }

    @Override
    public Gossip withBroadcasts(List<BroadcastItem> broadcasts) {
      return new Gossip(from, fromAddress, updates, broadcasts);
    }
  }

  /**
   * A full-state exchange (anti-entropy). {@code updates} holds the sender's whole table, including
   * itself and tombstones. A request ({@code reply == false}) is answered with the receiver's
   * state; {@code join} marks the request a node sends when it joins. {@code ranges} holds the wire
   * version ranges the sender knows of members among {@code updates}, by member id (entries for
   * other ids are dropped); only wire format version 3 and later carry them, so a push-pull sent at
   * an older version arrives without. {@code appState} holds the sender's application state ({@link
   * AppState#localState}), empty for none; only wire format version 4 and later carry it.
   */
  @SuppressWarnings("ArrayRecordComponent") // equals and hashCode compare appState by content
  record PushPull(
      String from,
      NodeAddress fromAddress,
      boolean join,
      boolean reply,
      List<MemberUpdate> updates,
      Map<String, WireVersions> ranges,
      byte[] appState)
      implements GossipMessage {
    private static final byte[] NO_STATE = new byte[0];

    /** Checks the fields, copies the updates and keeps the ranges of members among them. */
    public PushPull {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      updates = List.copyOf(updates);
      ranges = rangesOf(updates, ranges);
      appState = appState.length == 0 ? NO_STATE : appState;
    }

    /** A push-pull without application state. */
    public PushPull(
        String from,
        NodeAddress fromAddress,
        boolean join,
        boolean reply,
        List<MemberUpdate> updates,
        Map<String, WireVersions> ranges) {
      this(from, fromAddress, join, reply, updates, ranges, NO_STATE);
    }

    /** A push-pull without ranges. */
    public PushPull(
        String from,
        NodeAddress fromAddress,
        boolean join,
        boolean reply,
        List<MemberUpdate> updates) {
      this(from, fromAddress, join, reply, updates, Map.of(), NO_STATE);
    }

    private static Map<String, WireVersions> rangesOf(
        List<MemberUpdate> updates, Map<String, WireVersions> ranges) {
      if (ranges.isEmpty()) {
        return Map.of();
      }
      Map<String, WireVersions> kept = new HashMap<>();
      for (MemberUpdate u : updates) {
        WireVersions w = ranges.get(u.id());
        if (w != null) {
          kept.put(u.id(), w);
        }
      }
      return Map.copyOf(kept);
    }

    @Override
    public MessageType type() {
      return MessageType.PUSH_PULL;
    }

    @Override
    public PushPull withUpdates(List<MemberUpdate> updates) {
      return new PushPull(from, fromAddress, join, reply, updates, ranges, appState);
    }

    /** This push-pull without its ranges (nor its application state): what version 2 reads. */
    public PushPull withoutRanges() {
      return ranges.isEmpty() && appState.length == 0
          ? this
          : new PushPull(from, fromAddress, join, reply, updates);
    }

    /** This push-pull carrying {@code state} as its application state. */
    public PushPull withAppState(byte[] state) {
      return new PushPull(from, fromAddress, join, reply, updates, ranges, state);
    }

    /** This push-pull without its application state: what version 3 reads. */
    public PushPull withoutAppState() {
      return appState.length == 0 ? this : withAppState(NO_STATE);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof PushPull m
          && from.equals(m.from)
          && fromAddress.equals(m.fromAddress)
          && join == m.join
          && reply == m.reply
          && updates.equals(m.updates)
          && ranges.equals(m.ranges)
          && java.util.Arrays.equals(appState, m.appState);
    }

    @Override
    public int hashCode() {
      return Objects.hash(from, fromAddress, join, reply, updates, ranges)
          + 31 * java.util.Arrays.hashCode(appState);
    }

    @Override
    public String toString() {
      return "PushPull[from="
          + from
          + ", fromAddress="
          + fromAddress
          + ", join="
          + join
          + ", reply="
          + reply
          + ", updates="
          + updates
          + ", ranges="
          + ranges
          + (appState.length == 0 ? "" : ", appState=" + appState.length + " bytes")
          + "]";
    }
  }

  /**
   * The body of a large user broadcast, asked for and sent over {@link Delivery#RELIABLE} (wire
   * version 4 and later). A request ({@code reply == false}, empty {@code body}) asks its receiver
   * for the body of broadcast {@code seq} of {@code origin}'s {@code life}, whose announcement it
   * heard; the reply carries the body, or is {@code missing} when the receiver does not hold it.
   *
   * @param from the sender's id
   * @param fromAddress the sender's address
   * @param reply whether this answers a request
   * @param missing in a reply: the sender does not hold the body ({@code body} is then empty)
   * @param origin the broadcast's origin
   * @param life the origin's life
   * @param seq the broadcast's number in that life
   * @param body the payload in a reply, otherwise empty; not copied
   * @param updates piggybacked claims
   */
  @SuppressWarnings("ArrayRecordComponent") // equals compares bodies by content
  record BroadcastPull(
      String from,
      NodeAddress fromAddress,
      boolean reply,
      boolean missing,
      String origin,
      long life,
      long seq,
      byte[] body,
      List<MemberUpdate> updates)
      implements GossipMessage {
    /** Checks the fields and copies the updates. */
    public BroadcastPull {
      MemberUpdate.checkId(from, "from");
      Objects.requireNonNull(fromAddress, "fromAddress");
      MemberUpdate.checkId(origin, "origin");
      Objects.requireNonNull(body, "body");
      if (life < 0 || seq < 1) {
        throw new IllegalArgumentException(
            "life must be at least 0 and seq at least 1, got " + life + " and " + seq);
      }
      if ((!reply || missing) && body.length != 0) {
        throw new IllegalArgumentException("only a reply that is not missing carries a body");
      }
      if (missing && !reply) {
        throw new IllegalArgumentException("only a reply can be missing");
      }
      updates = List.copyOf(updates);
    }

    @Override
    public MessageType type() {
      return MessageType.BROADCAST_PULL;
    }

    @Override
    public BroadcastPull withUpdates(List<MemberUpdate> updates) {
      return new BroadcastPull(from, fromAddress, reply, missing, origin, life, seq, body, updates);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof BroadcastPull p
          && reply == p.reply
          && missing == p.missing
          && life == p.life
          && seq == p.seq
          && from.equals(p.from)
          && fromAddress.equals(p.fromAddress)
          && origin.equals(p.origin)
          && java.util.Arrays.equals(body, p.body)
          && updates.equals(p.updates);
    }

    @Override
    public int hashCode() {
      return Objects.hash(from, fromAddress, reply, missing, origin, life, seq, updates) * 31
          + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
      return "BroadcastPull{from="
          + from
          + (reply ? (missing ? ", missing" : ", reply of " + body.length + " bytes") : ", request")
          + ", origin="
          + origin
          + ", life="
          + life
          + ", seq="
          + seq
          + ", updates="
          + updates
          + "}";
    }
  }
}
