package io.libgossip.memberlist;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes Serf messages: a type byte then a msgpack map with Go field names ({@code
 * LTime}, {@code Node}, ...). A relay is a type byte, a header map ({@code DestAddr}, {@code
 * DestName}), then the relayed message with its own type byte.
 */
public final class SerfCodec {
  private static final int MAX_RELAY_NESTING = 2;

  private SerfCodec() {}

  /**
   * Decodes a Serf message (the payload of a memberlist user message or push-pull user state).
   *
   * @param bytes the message, type byte first
   * @return the message
   * @throws MemberlistDecodeException if the bytes are not a valid Serf message
   */
  public static SerfMessage decode(WireBytes bytes) throws MemberlistDecodeException {
    byte[] b = bytes.unsafeArray();
    return decode(b, 0, b.length, 0);
  }

  private static SerfMessage decode(byte[] b, int off, int len, int depth)
      throws MemberlistDecodeException {
    if (len < 1) {
      throw new MemberlistDecodeException("empty Serf message");
    }
    int type = b[off] & 0xff;
    Msgpack.Reader r = new Msgpack.Reader(b, off + 1, len - 1);
    switch (type) {
      case 0 -> {
        Msgpack.Fields f = r.readMap("leave");
        return new SerfMessage.Leave(f.u64("LTime"), f.string("Node"), f.bool("Prune"));
      }
      case 1 -> {
        Msgpack.Fields f = r.readMap("join");
        return new SerfMessage.Join(f.u64("LTime"), f.string("Node"));
      }
      case 2 -> {
        return pushPull(r.readMap("push-pull"));
      }
      case 3 -> {
        Msgpack.Fields f = r.readMap("user event");
        return new SerfMessage.UserEvent(
            f.u64("LTime"), f.string("Name"), f.bytes("Payload"), f.bool("CC"));
      }
      case 4 -> {
        Msgpack.Fields f = r.readMap("query");
        List<WireBytes> filters = new ArrayList<>();
        for (Object o : f.list("Filters")) {
          if (!(o instanceof byte[] filter)) {
            throw new MemberlistDecodeException("query.Filters: expected bytes");
          }
          filters.add(WireBytes.wrap(filter));
        }
        return new SerfMessage.Query(
            f.u64("LTime"),
            f.u32("ID"),
            f.bytes("Addr"),
            f.u16("Port"),
            f.string("SourceNode"),
            filters,
            f.u32("Flags"),
            f.u8("RelayFactor"),
            f.integer("Timeout", Long.MIN_VALUE, Long.MAX_VALUE),
            f.string("Name"),
            f.bytes("Payload"));
      }
      case 5 -> {
        Msgpack.Fields f = r.readMap("query response");
        return new SerfMessage.QueryResponse(
            f.u64("LTime"), f.u32("ID"), f.string("From"), f.u32("Flags"), f.bytes("Payload"));
      }
      case 6 -> {
        Msgpack.Fields f = r.readMap("conflict response");
        Map<String, String> tags = new TreeMap<>();
        for (Map.Entry<String, Object> e : f.map("Tags").entrySet()) {
          if (!(e.getValue() instanceof byte[] v)) {
            throw new MemberlistDecodeException("conflict response tag is not a string");
          }
          tags.put(e.getKey(), WireBytes.wrap(v).asUtf8());
        }
        return new SerfMessage.ConflictResponse(
            f.string("Name"), f.bytes("Addr"), f.u16("Port"), tags);
      }
      case 7 -> {
        return new SerfMessage.KeyRequest(r.readMap("key request").bytes("Key"));
      }
      case 8 -> {
        Msgpack.Fields f = r.readMap("key response");
        return new SerfMessage.KeyResponse(
            f.bool("Result"),
            f.string("Message"),
            strings(f.list("Keys"), "key response.Keys"),
            f.string("PrimaryKey"));
      }
      case 9 -> {
        if (depth >= MAX_RELAY_NESTING) {
          throw new MemberlistDecodeException("relay nested too deep");
        }
        Msgpack.Fields h = r.readMap("relay header");
        Msgpack.Fields dest = h.fields("DestAddr");
        int at = r.position();
        SerfMessage inner = decode(b, at, off + len - at, depth + 1);
        return new SerfMessage.Relay(
            dest.bytes("IP"), (int) dest.integer("Port", 0, 0xffff), h.string("DestName"), inner);
      }
      default -> throw new MemberlistDecodeException("unknown Serf message type " + type);
    }
  }

  private static List<String> strings(List<Object> list, String what)
      throws MemberlistDecodeException {
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof byte[] s)) {
        throw new MemberlistDecodeException(what + ": expected strings");
      }
      out.add(WireBytes.wrap(s).asUtf8());
    }
    return out;
  }

  private static SerfMessage.PushPull pushPull(Msgpack.Fields f) throws MemberlistDecodeException {
    Map<String, Long> status = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : f.map("StatusLTimes").entrySet()) {
      if (!(e.getValue() instanceof Long t) || t < 0) {
        throw new MemberlistDecodeException("push-pull.StatusLTimes: expected a time");
      }
      status.put(e.getKey(), t);
    }
    List<SerfMessage.UserEvents> events = new ArrayList<>();
    for (Object o : f.list("Events")) {
      if (o == Msgpack.NIL) {
        continue;
      }
      if (!(o instanceof Map<?, ?> m)) {
        throw new MemberlistDecodeException("push-pull.Events: expected maps");
      }
      @SuppressWarnings("unchecked")
      Msgpack.Fields ev = new Msgpack.Fields("push-pull.Events", (Map<String, Object>) m);
      List<Map.Entry<String, WireBytes>> list = new ArrayList<>();
      for (Object e : ev.list("Events")) {
        if (!(e instanceof Map<?, ?> em)) {
          throw new MemberlistDecodeException("push-pull.Events.Events: expected maps");
        }
        @SuppressWarnings("unchecked")
        Msgpack.Fields one = new Msgpack.Fields("user event", (Map<String, Object>) em);
        list.add(Map.entry(one.string("Name"), one.bytes("Payload")));
      }
      events.add(new SerfMessage.UserEvents(ev.u64("LTime"), list));
    }
    return new SerfMessage.PushPull(
        f.u64("LTime"),
        status,
        strings(f.list("LeftMembers"), "push-pull.LeftMembers"),
        f.u64("EventLTime"),
        events,
        f.u64("QueryLTime"));
  }

  /**
   * Decodes one of a query's filters.
   *
   * @param filter the filter bytes, type byte first
   * @return the filter
   * @throws MemberlistDecodeException if the bytes are not a node or tag filter
   */
  public static SerfMessage.Filter decodeFilter(WireBytes filter) throws MemberlistDecodeException {
    byte[] b = filter.unsafeArray();
    if (b.length < 1) {
      throw new MemberlistDecodeException("empty query filter");
    }
    Msgpack.Reader r = new Msgpack.Reader(b, 1, b.length - 1);
    switch (b[0]) {
      case 0 -> {
        Object v = r.read();
        if (v == Msgpack.NIL) {
          return new SerfMessage.NodeFilter(List.of());
        }
        if (!(v instanceof List<?> l)) {
          throw new MemberlistDecodeException("node filter: expected an array");
        }
        @SuppressWarnings("unchecked")
        List<Object> names = (List<Object>) l;
        return new SerfMessage.NodeFilter(strings(names, "node filter"));
      }
      case 1 -> {
        Msgpack.Fields f = r.readMap("tag filter");
        return new SerfMessage.TagFilter(f.string("Tag"), f.string("Expr"));
      }
      default -> throw new MemberlistDecodeException("unknown query filter type " + (b[0] & 0xff));
    }
  }

  /**
   * Encodes a query filter as Serf does: a type byte (0 nodes, 1 tag) then msgpack.
   *
   * @param filter the filter
   * @return the bytes for {@link SerfMessage.Query#filters()}
   */
  public static WireBytes encodeFilter(SerfMessage.Filter filter) {
    Msgpack.Writer w = new Msgpack.Writer();
    if (filter instanceof SerfMessage.NodeFilter n) {
      w.raw(0).arrayHeader(n.nodes().size());
      for (String node : n.nodes()) {
        w.str(node);
      }
    } else if (filter instanceof SerfMessage.TagFilter t) {
      w.raw(1).mapHeader(2).key("Tag").str(t.tag()).key("Expr").str(t.expr());
    }
    return WireBytes.wrap(w.toByteArray());
  }

  /**
   * The answer to Serf's name-conflict query from a node that does not know the member asked about:
   * the conflict response type byte then msgpack nil, as Serf encodes a nil member.
   *
   * @return the bytes
   */
  public static WireBytes encodeUnknownConflictMember() {
    return WireBytes.wrap(new byte[] {6, (byte) 0xc0});
  }

  /**
   * Encodes any Serf message (the payload of a memberlist user message, or for {@link
   * SerfMessage.PushPull} the push-pull user state), field names and order as Serf's Go structs.
   *
   * @param msg the message
   * @return the bytes, type byte first
   */
  public static WireBytes encode(SerfMessage msg) {
    Msgpack.Writer w = new Msgpack.Writer();
    write(w, msg);
    return WireBytes.wrap(w.toByteArray());
  }

  private static void write(Msgpack.Writer w, SerfMessage msg) {
    w.raw(msg.type());
    if (msg instanceof SerfMessage.Join j) {
      w.mapHeader(2).key("LTime").integer(j.ltime()).key("Node").str(j.node());
    } else if (msg instanceof SerfMessage.Leave l) {
      w.mapHeader(3).key("LTime").integer(l.ltime()).key("Node").str(l.node());
      w.key("Prune").bool(l.prune());
    } else if (msg instanceof SerfMessage.UserEvent e) {
      w.mapHeader(4).key("LTime").integer(e.ltime()).key("Name").str(e.name());
      w.key("Payload").bytes(e.payload()).key("CC").bool(e.coalesce());
    } else if (msg instanceof SerfMessage.QueryResponse q) {
      w.mapHeader(5).key("LTime").integer(q.ltime()).key("ID").integer(q.id());
      w.key("From").str(q.from()).key("Flags").integer(q.flags());
      w.key("Payload").bytes(q.payload());
    } else if (msg instanceof SerfMessage.Query q) {
      w.mapHeader(11).key("LTime").integer(q.ltime()).key("ID").integer(q.id());
      w.key("Addr").bytes(q.addr()).key("Port").integer(q.port());
      w.key("SourceNode").str(q.sourceNode()).key("Filters").arrayHeader(q.filters().size());
      for (WireBytes f : q.filters()) {
        w.bytes(f);
      }
      w.key("Flags").integer(q.flags()).key("RelayFactor").integer(q.relayFactor());
      w.key("Timeout").integer(q.timeoutNanos()).key("Name").str(q.name());
      w.key("Payload").bytes(q.payload());
    } else if (msg instanceof SerfMessage.PushPull p) {
      w.mapHeader(6).key("LTime").integer(p.ltime());
      w.key("StatusLTimes").mapHeader(p.statusLTimes().size());
      for (Map.Entry<String, Long> e : new TreeMap<>(p.statusLTimes()).entrySet()) {
        w.str(e.getKey()).integer(e.getValue());
      }
      w.key("LeftMembers").arrayHeader(p.leftMembers().size());
      for (String name : p.leftMembers()) {
        w.str(name);
      }
      w.key("EventLTime").integer(p.eventLTime()).key("Events").arrayHeader(p.events().size());
      for (SerfMessage.UserEvents ev : p.events()) {
        w.mapHeader(2).key("LTime").integer(ev.ltime()).key("Events");
        w.arrayHeader(ev.events().size());
        for (Map.Entry<String, WireBytes> e : ev.events()) {
          w.mapHeader(2).key("Name").str(e.getKey()).key("Payload").bytes(e.getValue());
        }
      }
      w.key("QueryLTime").integer(p.queryLTime());
    } else if (msg instanceof SerfMessage.ConflictResponse c) {
      w.mapHeader(5).key("Name").str(c.name()).key("Addr").bytes(c.addr());
      w.key("Port").integer(c.port()).key("Tags").mapHeader(c.tags().size());
      for (Map.Entry<String, String> e : new TreeMap<>(c.tags()).entrySet()) {
        w.str(e.getKey()).str(e.getValue());
      }
      w.key("Status").integer(1); // StatusAlive
    } else if (msg instanceof SerfMessage.KeyRequest k) {
      w.mapHeader(1).key("Key").bytes(k.key());
    } else if (msg instanceof SerfMessage.KeyResponse k) {
      w.mapHeader(4).key("Result").bool(k.result()).key("Message").str(k.message());
      w.key("Keys").arrayHeader(k.keys().size());
      for (String key : k.keys()) {
        w.str(key);
      }
      w.key("PrimaryKey").str(k.primaryKey());
    } else if (msg instanceof SerfMessage.Relay r) {
      w.mapHeader(2).key("DestAddr").mapHeader(3).key("IP").bytes(r.destAddr());
      w.key("Port").integer(r.destPort()).key("Zone").str("").key("DestName").str(r.destName());
      write(w, r.inner());
    }
  }
}
