package io.libgossip.memberlist;

import io.libgossip.memberlist.MemberlistMessage.Ack;
import io.libgossip.memberlist.MemberlistMessage.Alive;
import io.libgossip.memberlist.MemberlistMessage.Dead;
import io.libgossip.memberlist.MemberlistMessage.Err;
import io.libgossip.memberlist.MemberlistMessage.IndirectPing;
import io.libgossip.memberlist.MemberlistMessage.Nack;
import io.libgossip.memberlist.MemberlistMessage.NodeState;
import io.libgossip.memberlist.MemberlistMessage.Ping;
import io.libgossip.memberlist.MemberlistMessage.PushNodeState;
import io.libgossip.memberlist.MemberlistMessage.PushPull;
import io.libgossip.memberlist.MemberlistMessage.Suspect;
import io.libgossip.memberlist.MemberlistMessage.User;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes single messages: a type byte, then a msgpack map whose keys are the Go field
 * names ({@code SeqNo}, {@code Node}, ...). Push-pull is a header map ({@code Nodes}, {@code
 * UserStateLen}, {@code Join}), that many node-state maps, then the raw user state. A user message
 * is the raw bytes after the type byte in a packet; on a stream it is preceded by a {@code
 * UserMsgLen} header map.
 */
final class MessageCodec {
  private MessageCodec() {}

  /** Encodes a message with its type byte; user messages in their packet form. */
  static byte[] encode(MemberlistMessage msg) {
    Msgpack.Writer w = new Msgpack.Writer().raw(msg.type());
    if (msg instanceof Ping p) {

      int n = 2 + (p.sourceAddr().isEmpty() ? 0 : 1) + (p.sourcePort() == 0 ? 0 : 1);
      n += p.sourceNode().isEmpty() ? 0 : 1;
      w.mapHeader(n).key("SeqNo").integer(p.seqNo()).key("Node").str(p.node());
      if (!p.sourceAddr().isEmpty()) {
        w.key("SourceAddr").bytes(p.sourceAddr());
      }
      if (p.sourcePort() != 0) {
        w.key("SourcePort").integer(p.sourcePort());
      }
      if (!p.sourceNode().isEmpty()) {
        w.key("SourceNode").str(p.sourceNode());
      }
    } else if (msg instanceof IndirectPing p) {

      int n = 5 + (p.sourceAddr().isEmpty() ? 0 : 1) + (p.sourcePort() == 0 ? 0 : 1);
      n += p.sourceNode().isEmpty() ? 0 : 1;
      w.mapHeader(n).key("SeqNo").integer(p.seqNo()).key("Target").bytes(p.target());
      w.key("Port").integer(p.port()).key("Node").str(p.node()).key("Nack").bool(p.nack());
      if (!p.sourceAddr().isEmpty()) {
        w.key("SourceAddr").bytes(p.sourceAddr());
      }
      if (p.sourcePort() != 0) {
        w.key("SourcePort").integer(p.sourcePort());
      }
      if (!p.sourceNode().isEmpty()) {
        w.key("SourceNode").str(p.sourceNode());
      }
    } else if (msg instanceof Ack a) {

      w.mapHeader(2).key("SeqNo").integer(a.seqNo()).key("Payload");
      if (a.payload().isEmpty()) {
        w.nil();
      } else {
        w.bytes(a.payload());
      }
    } else if (msg instanceof Nack n) {
      w.mapHeader(1).key("SeqNo").integer(n.seqNo());
    } else if (msg instanceof Suspect s) {
      w.mapHeader(3)
          .key("Incarnation")
          .integer(s.incarnation())
          .key("Node")
          .str(s.node())
          .key("From")
          .str(s.from());
    } else if (msg instanceof Dead d) {
      w.mapHeader(3)
          .key("Incarnation")
          .integer(d.incarnation())
          .key("Node")
          .str(d.node())
          .key("From")
          .str(d.from());
    } else if (msg instanceof Alive a) {
      w.mapHeader(6)
          .key("Incarnation")
          .integer(a.incarnation())
          .key("Node")
          .str(a.node())
          .key("Addr")
          .bytes(a.addr())
          .key("Port")
          .integer(a.port())
          .key("Meta")
          .bytes(a.meta())
          .key("Vsn")
          .bytes(a.versions().toBytes());
    } else if (msg instanceof PushPull pp) {

      w.mapHeader(3)
          .key("Nodes")
          .integer(pp.nodes().size())
          .key("UserStateLen")
          .integer(pp.userState().length())
          .key("Join")
          .bool(pp.join());
      for (PushNodeState s : pp.nodes()) {
        w.mapHeader(7)
            .key("Name")
            .str(s.name())
            .key("Addr")
            .bytes(s.addr())
            .key("Port")
            .integer(s.port())
            .key("Meta")
            .bytes(s.meta())
            .key("Incarnation")
            .integer(s.incarnation())
            .key("State")
            .integer(s.state().ordinal())
            .key("Vsn")
            .bytes(s.versions().toBytes());
      }
      w.raw(pp.userState().unsafeArray());
    } else if (msg instanceof User u) {
      w.raw(u.payload().unsafeArray());
    } else {
      MemberlistMessage.Err e = (MemberlistMessage.Err) msg;
      w.mapHeader(1).key("Error").str(e.error());
    }
    return w.toByteArray();
  }

  /**
   * Decodes one message (type byte first) from {@code buf[off, off+len)}.
   *
   * @param stream whether the bytes came from a stream (push-pull, error and the user-message
   *     header are stream-only)
   * @param maxNodes most push-pull node states accepted
   */
  static MemberlistMessage decode(byte[] buf, int off, int len, boolean stream, int maxNodes)
      throws MemberlistDecodeException {
    if (len < 1) {
      throw new MemberlistDecodeException("empty message");
    }
    int type = buf[off] & 0xff;
    Msgpack.Reader r = new Msgpack.Reader(buf, off + 1, len - 1);
    switch (type) {
      case MemberlistMessage.PING -> {
        Msgpack.Fields f = r.readMap("ping");
        return new Ping(
            f.u32("SeqNo"),
            f.string("Node"),
            f.bytes("SourceAddr"),
            f.u16("SourcePort"),
            f.string("SourceNode"));
      }
      case MemberlistMessage.INDIRECT_PING -> {
        Msgpack.Fields f = r.readMap("indirect ping");
        return new IndirectPing(
            f.u32("SeqNo"),
            f.bytes("Target"),
            f.u16("Port"),
            f.string("Node"),
            f.bool("Nack"),
            f.bytes("SourceAddr"),
            f.u16("SourcePort"),
            f.string("SourceNode"));
      }
      case MemberlistMessage.ACK -> {
        Msgpack.Fields f = r.readMap("ack");
        return new Ack(f.u32("SeqNo"), f.bytes("Payload"));
      }
      case MemberlistMessage.NACK -> {
        return new Nack(r.readMap("nack").u32("SeqNo"));
      }
      case MemberlistMessage.SUSPECT -> {
        Msgpack.Fields f = r.readMap("suspect");
        return new Suspect(f.u32("Incarnation"), f.string("Node"), f.string("From"));
      }
      case MemberlistMessage.DEAD -> {
        Msgpack.Fields f = r.readMap("dead");
        return new Dead(f.u32("Incarnation"), f.string("Node"), f.string("From"));
      }
      case MemberlistMessage.ALIVE -> {
        Msgpack.Fields f = r.readMap("alive");
        return new Alive(
            f.u32("Incarnation"),
            f.string("Node"),
            f.bytes("Addr"),
            f.u16("Port"),
            f.bytes("Meta"),
            Versions.fromBytes(f.bytes("Vsn")));
      }
      case MemberlistMessage.USER -> {
        if (!stream) {
          return new User(WireBytes.wrap(r.rawBytes(r.remaining())));
        }
        long n = r.readMap("user message header").integer("UserMsgLen", 0, Integer.MAX_VALUE);
        return new User(WireBytes.wrap(r.rawBytes((int) n)));
      }
      case MemberlistMessage.ERR -> {
        return new Err(r.readMap("err").string("Error"));
      }
      case MemberlistMessage.PUSH_PULL -> {
        if (!stream) {
          throw new MemberlistDecodeException("push-pull is not valid in a packet");
        }
        return pushPull(r, maxNodes);
      }
      default -> throw new MemberlistDecodeException("unknown or misplaced message type " + type);
    }
  }

  private static PushPull pushPull(Msgpack.Reader r, int maxNodes)
      throws MemberlistDecodeException {
    Msgpack.Fields h = r.readMap("push-pull header");
    long nodes = h.integer("Nodes", 0, Integer.MAX_VALUE);
    long userLen = h.integer("UserStateLen", 0, Integer.MAX_VALUE);
    boolean join = h.bool("Join");
    if (nodes > maxNodes || nodes > r.remaining()) {
      throw new MemberlistDecodeException(
          "push-pull header announces " + nodes + " nodes: over the limit or the input");
    }
    List<PushNodeState> states = new ArrayList<>((int) nodes);
    for (int i = 0; i < nodes; i++) {
      Msgpack.Fields f = r.readMap("push node state");
      int state = f.u8("State");
      if (state >= NodeState.values().length) {
        throw new MemberlistDecodeException("unknown node state " + state);
      }
      states.add(
          new PushNodeState(
              f.string("Name"),
              f.bytes("Addr"),
              f.u16("Port"),
              f.bytes("Meta"),
              f.u32("Incarnation"),
              NodeState.values()[state],
              Versions.fromBytes(f.bytes("Vsn"))));
    }
    return new PushPull(join, states, WireBytes.wrap(r.rawBytes((int) userLen)));
  }

  /** Encodes a user message in its stream form (with the length header map). */
  static byte[] encodeStreamUser(User u) {
    return new Msgpack.Writer()
        .raw(MemberlistMessage.USER)
        .mapHeader(1)
        .key("UserMsgLen")
        .integer(u.payload().length())
        .raw(u.payload().unsafeArray())
        .toByteArray();
  }
}
