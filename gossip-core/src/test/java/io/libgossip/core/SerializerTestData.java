package io.libgossip.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Messages for serializer tests: fixed examples, a seeded random generator, hand-built bytes. */
final class SerializerTestData {
  private SerializerTestData() {}

  static final String CLUSTER = "test-cluster";

  static final NodeAddress ADDR_A = new NodeAddress("10.0.0.1", 7946);
  static final NodeAddress ADDR_B = new NodeAddress("node-b.example", 7947);

  static MemberUpdate online(String id, NodeAddress address, Map<String, String> metadata) {
    return new MemberUpdate(id, address, NodeStatus.ONLINE, 3, metadata, 2, 1, id);
  }

  /** One message of every type, with and without updates. */
  static List<GossipMessage> examples() {
    MemberUpdate a = online("a", ADDR_A, Map.of("zone", "eu-1", "role", "web"));
    MemberUpdate b = new MemberUpdate("b", ADDR_B, NodeStatus.SUSPECT, 7, Map.of(), 0, 0, "a");
    MemberUpdate c =
        new MemberUpdate(
            "c", new NodeAddress("::1", 0), NodeStatus.FAILED, 0xFFFF_FFFFL, Map.of(), 9, 4, "b");
    MemberUpdate d = new MemberUpdate("d", ADDR_A, NodeStatus.LEFT, 1, Map.of(), 0, 0, "d");
    List<MemberUpdate> all = List.of(a, b, c, d);
    return List.of(
        new GossipMessage.Ping("a", ADDR_A, 1, "b", List.of()),
        new GossipMessage.Ping("a", ADDR_A, 300, "b", all),
        new GossipMessage.Ack("b", ADDR_B, 1, List.of(b)),
        new GossipMessage.PingReq("a", ADDR_A, 42, "c", ADDR_B, List.of(c)),
        new GossipMessage.Nack("b", ADDR_B, 42, List.of()),
        new GossipMessage.Gossip("a", ADDR_A, all),
        new GossipMessage.PushPull("a", ADDR_A, true, false, all),
        new GossipMessage.PushPull("b", ADDR_B, false, true, List.of(a, b)),
        new GossipMessage.PushPull("b", ADDR_B, false, false, List.of()));
  }

  /** The same message with no updates. */
  static GossipMessage withoutUpdates(GossipMessage m) {
    return withUpdates(m, List.of());
  }

  /** The same message carrying {@code updates}. */
  static GossipMessage withUpdates(GossipMessage m, List<MemberUpdate> updates) {
    if (m instanceof GossipMessage.Ping) {
      GossipMessage.Ping p = (GossipMessage.Ping) m;
      return new GossipMessage.Ping(p.from(), p.fromAddress(), p.seq(), p.target(), updates);
    } else if (m instanceof GossipMessage.Ack) {
      GossipMessage.Ack a = (GossipMessage.Ack) m;
      return new GossipMessage.Ack(a.from(), a.fromAddress(), a.seq(), updates);
    } else if (m instanceof GossipMessage.PingReq) {
      GossipMessage.PingReq r = (GossipMessage.PingReq) m;
      return new GossipMessage.PingReq(
          r.from(), r.fromAddress(), r.seq(), r.target(), r.targetAddress(), updates);
    } else if (m instanceof GossipMessage.Nack) {
      GossipMessage.Nack n = (GossipMessage.Nack) m;
      return new GossipMessage.Nack(n.from(), n.fromAddress(), n.seq(), updates);
    } else if (m instanceof GossipMessage.Gossip) {
      return new GossipMessage.Gossip(m.from(), m.fromAddress(), updates);
    } else {
      GossipMessage.PushPull p = (GossipMessage.PushPull) m;
      return new GossipMessage.PushPull(p.from(), p.fromAddress(), p.join(), p.reply(), updates);
    }
  }

  /** Generates random valid messages, deterministically from a seed. */
  static final class Generator {
    private final SplittableRandom rnd;

    Generator(long seed) {
      this.rnd = new SplittableRandom(seed);
    }

    GossipMessage message() {
      String from = id();
      NodeAddress fromAddress = address();
      List<MemberUpdate> updates = updates();
      switch (rnd.nextInt(6)) {
        case 0:
          return new GossipMessage.Ping(from, fromAddress, seq(), id(), updates);
        case 1:
          return new GossipMessage.Ack(from, fromAddress, seq(), updates);
        case 2:
          return new GossipMessage.PingReq(from, fromAddress, seq(), id(), address(), updates);
        case 3:
          return new GossipMessage.Nack(from, fromAddress, seq(), updates);
        case 4:
          return new GossipMessage.Gossip(from, fromAddress, updates);
        default:
          return new GossipMessage.PushPull(
              from, fromAddress, rnd.nextBoolean(), rnd.nextBoolean(), updates);
      }
    }

    List<MemberUpdate> updates() {
      int r = rnd.nextInt(100);
      int n = r < 20 ? 0 : r < 95 ? rnd.nextInt(1, 9) : rnd.nextInt(9, 140);
      List<MemberUpdate> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(update());
      }
      return list;
    }

    MemberUpdate update() {
      NodeStatus[] statuses = {
        NodeStatus.ONLINE, NodeStatus.SUSPECT, NodeStatus.FAILED, NodeStatus.LEFT
      };
      String id = id();
      int claimant = rnd.nextInt(3);
      return new MemberUpdate(
          id,
          address(),
          statuses[rnd.nextInt(statuses.length)],
          edgy(MemberUpdate.MAX_INCARNATION),
          metadata(),
          edgy(Long.MAX_VALUE),
          edgy(Long.MAX_VALUE),
          claimant == 0 ? id : id());
    }

    Map<String, String> metadata() {
      int n = rnd.nextInt(4) == 0 ? rnd.nextInt(1, 7) : 0;
      Map<String, String> m = new HashMap<>();
      for (int i = 0; i < n; i++) {
        // keys are never empty (WireLimits.entryProblem); values may be
        m.put(text(1, rnd.nextInt(4) == 0 ? 255 : 12), string(0, rnd.nextInt(8) == 0 ? 600 : 20));
      }
      return m;
    }

    String id() {
      return text(1, rnd.nextInt(20) == 0 ? 255 : 16);
    }

    NodeAddress address() {
      String host;
      switch (rnd.nextInt(5)) {
        case 0:
          host = rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + ".1";
          break;
        case 1:
          // canonical unless the group is 0 ("fe80::0" is written "fe80::")
          host = "fe80::" + Integer.toHexString(rnd.nextInt(0x10000));
          break;
        case 2:
          host = ipv6();
          break;
        case 3:
          {
            // IP-like text that is not canonical, so goes out as a name
            String[] odd = {"010.0.0.1", "FE80::1", "0:0:0:0:0:0:0:1", "::ffff:10.0.0.1", "1.2.3"};
            host = odd[rnd.nextInt(odd.length)];
            break;
          }
        default:
          host = text(1, rnd.nextInt(20) == 0 ? 255 : 30);
      }
      int port = rnd.nextInt(10) == 0 ? (rnd.nextBoolean() ? 0 : 0xFFFF) : rnd.nextInt(0x10000);
      return new NodeAddress(host, port);
    }

    /** IPv6 text with zero groups often: uncompressed or in RFC 5952 form, by chance. */
    private String ipv6() {
      byte[] b = new byte[16];
      for (int g = 0; g < 8; g++) {
        if (rnd.nextInt(3) != 0) {
          int v = rnd.nextInt(0x10000);
          b[2 * g] = (byte) (v >>> 8);
          b[2 * g + 1] = (byte) v;
        }
      }
      if (rnd.nextInt(4) == 0) {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < 8; g++) {
          sb.append(g > 0 ? ":" : "")
              .append(Integer.toHexString((b[2 * g] & 0xFF) << 8 | (b[2 * g + 1] & 0xFF)));
        }
        return sb.toString();
      }
      return HostCodec.formatIpv6(b, 0);
    }

    /** Any 64-bit sequence number, small ones most often, negative ones included. */
    long seq() {
      switch (rnd.nextInt(5)) {
        case 0:
          return rnd.nextLong();
        case 1:
          return rnd.nextBoolean() ? -1L : Long.MIN_VALUE;
        default:
          return rnd.nextLong(1 << 20);
      }
    }

    /** A value in [0, max], with 0, max and varint length boundaries often. */
    long edgy(long max) {
      switch (rnd.nextInt(6)) {
        case 0:
          return 0;
        case 1:
          return max;
        case 2:
          {
            long boundary = 1L << (7 * rnd.nextInt(1, 9));
            long v = boundary - 1 + rnd.nextInt(2);
            return Math.min(v, max);
          }
        default:
          return rnd.nextLong(max) + (rnd.nextBoolean() ? 1 : 0);
      }
    }

    /**
     * A string of {@code minBytes} to about {@code maxBytes} bytes of UTF-8 (never more), mixing
     * ASCII, 2-, 3- and 4-byte characters.
     */
    String string(int minBytes, int maxBytes) {
      return string(minBytes, maxBytes, false);
    }

    /**
     * As {@link #string(int, int)}, but printable: what an id, a host or a metadata key may hold
     * ({@link TextRules}).
     */
    String text(int minBytes, int maxBytes) {
      return string(minBytes, maxBytes, true);
    }

    private String string(int minBytes, int maxBytes, boolean printable) {
      int target = rnd.nextInt(minBytes, maxBytes + 1);
      boolean asciiOnly = rnd.nextBoolean();
      StringBuilder sb = new StringBuilder();
      int bytes = 0;
      while (bytes < target) {
        int cp = asciiOnly ? rnd.nextInt(0x20, 0x7F) : codePoint();
        if (printable && WireLimits.forbidden(cp)) {
          cp = '~';
        }
        int len = Character.toString(cp).getBytes(StandardCharsets.UTF_8).length;
        if (bytes + len > target) {
          cp = rnd.nextInt(0x20, 0x7F);
          len = 1;
        }
        sb.appendCodePoint(cp);
        bytes += len;
      }
      return sb.toString();
    }

    private int codePoint() {
      switch (rnd.nextInt(5)) {
        case 0:
          return rnd.nextInt(0x80, 0x800);
        case 1:
          {
            int cp = rnd.nextInt(0x800, 0x10000);
            return Character.isSurrogate((char) cp) ? 0x20AC : cp;
          }
        case 2:
          return rnd.nextInt(0x10000, 0x110000);
        default:
          return rnd.nextInt(0, 0x80);
      }
    }
  }

  /** Builds raw packets by hand, for inputs the encoder would never write. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A valid header for {@link #CLUSTER} and the given type code. */
    static Bytes header(int typeCode) {
      return header(typeCode, CLUSTER);
    }

    static Bytes header(int typeCode, String cluster) {
      int h = BinarySerializer.clusterHash(cluster);
      return new Bytes()
          .raw(0x4C, 0x47, BinarySerializer.VERSION, typeCode, h >>> 24, h >>> 16, h >>> 8, h);
    }

    Bytes raw(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Bytes varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
      return this;
    }

    Bytes str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    /** An address whose host is written as a name (tag = UTF-8 length + 1), port 2 bytes. */
    Bytes address(String host, int port) {
      byte[] b = host.getBytes(StandardCharsets.UTF_8);
      varint(b.length + 1L);
      out.write(b, 0, b.length);
      return port(port);
    }

    /** An address whose host is the IPv4 address {@code a.b.c.d}. */
    Bytes ipv4(int a, int b, int c, int d, int port) {
      return raw(HostCodec.HOST_IPV4, a, b, c, d).port(port);
    }

    /** A port: 2 bytes, big-endian. */
    Bytes port(int port) {
      return raw(port >>> 8, port);
    }

    /**
     * An update with the given flags byte and incarnation, a name host "h", none of the optional
     * fields and no metadata.
     */
    Bytes update(String id, int flags, long incarnation) {
      return raw(flags).str(id).address("h", 1).varint(incarnation).varint(0);
    }

    byte[] build() {
      return out.toByteArray();
    }
  }
}
