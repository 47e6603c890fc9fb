package io.libgossip.memberlist;

import java.util.List;
import java.util.Objects;

/**
 * One memberlist message, as carried after its type byte. The type numbers are part of the protocol
 * ({@link #type()}); framing (label, encryption, CRC, compound) is {@link WireCodec}'s.
 */
public sealed interface MemberlistMessage {
  /** Type byte of a ping. */
  int PING = 0;

  /** Type byte of an indirect ping request. */
  int INDIRECT_PING = 1;

  /** Type byte of an ack. */
  int ACK = 2;

  /** Type byte of a suspect broadcast. */
  int SUSPECT = 3;

  /** Type byte of an alive broadcast. */
  int ALIVE = 4;

  /** Type byte of a dead broadcast. */
  int DEAD = 5;

  /** Type byte of a push-pull exchange (streams only). */
  int PUSH_PULL = 6;

  /** Type byte of a compound packet. */
  int COMPOUND = 7;

  /** Type byte of a user (delegate) message. */
  int USER = 8;

  /** Type byte of a compressed message. */
  int COMPRESS = 9;

  /** Type byte of an encrypted stream message. */
  int ENCRYPT = 10;

  /** Type byte of a nack. */
  int NACK = 11;

  /** Type byte of a CRC-prefixed packet. */
  int HAS_CRC = 12;

  /** Type byte of an error response (streams only). */
  int ERR = 13;

  /** First byte of a label header. */
  int HAS_LABEL = 244;

  /**
   * The message's type byte.
   *
   * @return the type number on the wire
   */
  int type();

  /**
   * Protocol and delegate version ranges a node speaks: {@code Vsn} on the wire, six bytes.
   *
   * @param protocolMin lowest memberlist protocol version understood
   * @param protocolMax highest memberlist protocol version understood
   * @param protocolCur memberlist protocol version spoken
   * @param delegateMin lowest delegate (Serf) protocol version understood
   * @param delegateMax highest delegate protocol version understood
   * @param delegateCur delegate protocol version spoken
   */
  record Versions(
      int protocolMin,
      int protocolMax,
      int protocolCur,
      int delegateMin,
      int delegateMax,
      int delegateCur) {
    /**
     * What a {@code serf agent} 0.9 announces: memberlist protocol 1..5 speaking 2, Serf (delegate)
     * protocol 2..5 speaking 5.
     */
    public static final Versions SERF_DEFAULT = new Versions(1, 5, 2, 2, 5, 5);

    WireBytes toBytes() {
      return WireBytes.wrap(
          new byte[] {
            (byte) protocolMin,
            (byte) protocolMax,
            (byte) protocolCur,
            (byte) delegateMin,
            (byte) delegateMax,
            (byte) delegateCur
          });
    }

    static Versions fromBytes(WireBytes b) {
      byte[] v = b.unsafeArray();
      int[] u = new int[6];
      for (int i = 0; i < 6 && i < v.length; i++) {
        u[i] = v[i] & 0xff;
      }
      return new Versions(u[0], u[1], u[2], u[3], u[4], u[5]);
    }
  }

  /** A member's state in a push-pull exchange. */
  enum NodeState {
    /** Alive (0). */
    ALIVE,
    /** Suspected of failure (1). */
    SUSPECT,
    /** Declared dead (2). */
    DEAD,
    /** Left gracefully (3). */
    LEFT
  }

  /**
   * A direct probe.
   *
   * @param seqNo sequence number the ack echoes
   * @param node name of the intended recipient ("" for any)
   * @param sourceAddr reply IP address (empty: reply to the packet's source)
   * @param sourcePort reply port (0: reply to the packet's source)
   * @param sourceNode name of the sender
   */
  record Ping(long seqNo, String node, WireBytes sourceAddr, int sourcePort, String sourceNode)
      implements MemberlistMessage {
    /** Validates the fields. */
    public Ping {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(sourceAddr, "sourceAddr");
      Objects.requireNonNull(sourceNode, "sourceNode");
    }

    @Override
    public int type() {
      return PING;
    }
  }

  /**
   * A request to probe {@code target} on the sender's behalf.
   *
   * @param seqNo sequence number
   * @param target target IP address
   * @param port target port
   * @param node target name
   * @param nack whether a nack is wanted when the target does not answer
   * @param sourceAddr reply IP address
   * @param sourcePort reply port
   * @param sourceNode name of the sender
   */
  record IndirectPing(
      long seqNo,
      WireBytes target,
      int port,
      String node,
      boolean nack,
      WireBytes sourceAddr,
      int sourcePort,
      String sourceNode)
      implements MemberlistMessage {
    @Override
    public int type() {
      return INDIRECT_PING;
    }
  }

  /**
   * An answer to a ping.
   *
   * @param seqNo the ping's sequence number
   * @param payload delegate payload (Serf: network coordinates), may be empty
   */
  record Ack(long seqNo, WireBytes payload) implements MemberlistMessage {
    @Override
    public int type() {
      return ACK;
    }
  }

  /**
   * Tells the requester of an indirect ping that the target did not answer.
   *
   * @param seqNo the request's sequence number
   */
  record Nack(long seqNo) implements MemberlistMessage {
    @Override
    public int type() {
      return NACK;
    }
  }

  /**
   * {@code from} suspects {@code node} at {@code incarnation}.
   *
   * @param incarnation incarnation suspected
   * @param node suspected node
   * @param from suspecting node
   */
  record Suspect(long incarnation, String node, String from) implements MemberlistMessage {
    @Override
    public int type() {
      return SUSPECT;
    }
  }

  /**
   * {@code node} is alive at {@code incarnation} (also a join announcement).
   *
   * @param incarnation incarnation
   * @param node node name
   * @param addr IP address (4 or 16 bytes)
   * @param port gossip port
   * @param meta node metadata (Serf: encoded tags)
   * @param versions protocol and delegate versions
   */
  record Alive(
      long incarnation, String node, WireBytes addr, int port, WireBytes meta, Versions versions)
      implements MemberlistMessage {
    @Override
    public int type() {
      return ALIVE;
    }
  }

  /**
   * {@code node} is dead at {@code incarnation}; when {@code from} equals {@code node} it left.
   *
   * @param incarnation incarnation
   * @param node dead node
   * @param from declaring node
   */
  record Dead(long incarnation, String node, String from) implements MemberlistMessage {
    @Override
    public int type() {
      return DEAD;
    }
  }

  /**
   * One member in a push-pull exchange.
   *
   * @param name node name
   * @param addr IP address
   * @param port gossip port
   * @param meta metadata
   * @param incarnation incarnation
   * @param state state
   * @param versions protocol and delegate versions
   */
  record PushNodeState(
      String name,
      WireBytes addr,
      int port,
      WireBytes meta,
      long incarnation,
      NodeState state,
      Versions versions) {}

  /**
   * A full state exchange over a stream: the header's node count and user state length are derived
   * from {@code nodes} and {@code userState}.
   *
   * @param join whether this is a join rather than a periodic anti-entropy run
   * @param nodes every member the sender knows
   * @param userState delegate state (Serf: its own push-pull message), may be empty
   */
  record PushPull(boolean join, List<PushNodeState> nodes, WireBytes userState)
      implements MemberlistMessage {
    /** Copies the list. */
    public PushPull {
      nodes = List.copyOf(nodes);
    }

    @Override
    public int type() {
      return PUSH_PULL;
    }
  }

  /**
   * A delegate message: the raw bytes after the type byte (Serf: a Serf message).
   *
   * @param payload the delegate's bytes
   */
  record User(WireBytes payload) implements MemberlistMessage {
    @Override
    public int type() {
      return USER;
    }
  }

  /**
   * An error reported by the remote end of a stream.
   *
   * @param error the message
   */
  record Err(String error) implements MemberlistMessage {
    @Override
    public int type() {
      return ERR;
    }
  }
}
