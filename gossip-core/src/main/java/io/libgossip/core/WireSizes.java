package io.libgossip.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exact sizes of messages and their parts in the binary format of {@link BinarySerializer}: the
 * one varint sizer and the one metadata sizer of libgossip.
 *
 * <p>Sizes taken with {@code ascii} are a guess found without reading the strings: the size the
 * part has if all its strings are ASCII and each host that {@link HostCodec#looksLikeIpv4 looks
 * like} an IPv4 address is one (then exact; otherwise smaller than exact). The one-pass writer
 * checks the guess as it writes.
 */
final class WireSizes {
  private WireSizes() {}

  /** The number of bytes {@code v} takes as an unsigned LEB128 varint (1 to 10). */
  static int varintSize(long v) {
    // 1 + floor((bit length - 1) / 7), with 0 taking one byte
    int bits = 64 - Long.numberOfLeadingZeros(v | 1);
    return (bits + 6) / 7;
  }

  /**
   * The exact number of bytes {@code update} takes inside a message, worked out once per claim. A
   * message's size is its size without updates, less one, plus {@link #varintSize(long)
   * varintSize(count)}, plus the sum of its updates' sizes.
   *
   * @throws IllegalArgumentException when its metadata breaks {@link WireLimits#entryProblem}
   */
  static int updateSize(MemberUpdate update) {
    int size = update.wireSize;
    if (size == 0) {
      size = checkedInt(updateSize(update, false));
      update.wireSize = size;
    }
    return size;
  }

  /** The size of {@code update}; with {@code ascii}, the guess described on the class. */
  private static long updateSize(MemberUpdate update, boolean ascii) {
    long size =
        1L
            + stringSize(update.id(), ascii)
            + addressSize(update.address(), ascii)
            + varintSize(update.incarnation());
    if (update.metadataVersion() != 0) {
      size += varintSize(update.metadataVersion());
    }
    if (update.configEpoch() != 0) {
      size += varintSize(update.configEpoch());
    }
    if (!Utf8.sameOnWire(update.from(), update.id())) {
      size += stringSize(update.from(), ascii);
    }
    return size + metadataSize(update.metadata(), ascii, update.id());
  }

  /**
   * The size of {@code message} at wire {@code version}; with {@code ascii}, the guess described on
   * the class.
   */
  static long messageSize(GossipMessage message, boolean ascii, int version) {
    Objects.requireNonNull(message, "message");
    if (version < BinarySerializer.USER_VERSION
        && message.type().code() >= UserCodec.FIRST_USER_TYPE) {
      throw new IllegalArgumentException(
          message.type()
              + " needs wire version "
              + BinarySerializer.USER_VERSION
              + ", not "
              + version);
    }
    long size =
        (long) BinarySerializer.headerBytes(version)
            + stringSize(message.from(), ascii)
            + addressSize(message.fromAddress(), ascii);
    if (message instanceof GossipMessage.Ping m) {
      size += varintSize(m.seq()) + stringSize(m.target(), ascii);
    } else if (message instanceof GossipMessage.Ack m) {
      size += varintSize(m.seq());
    } else if (message instanceof GossipMessage.PingReq m) {
      size +=
          varintSize(m.seq())
              + stringSize(m.target(), ascii)
              + addressSize(m.targetAddress(), ascii);
    } else if (message instanceof GossipMessage.Nack m) {
      size += varintSize(m.seq());
    } else if (message instanceof GossipMessage.PushPull m) {
      size += 1;
      if (BinarySerializer.hasRanges(m, version)) {
        size += 2L * m.updates().size(); // a range per update
      }
      if (BinarySerializer.hasAppState(m, version)) {
        size += bytesSize(m.appState());
      }
    } else if (message instanceof GossipMessage.BroadcastPull m) {
      size += pullFieldsSize(m);
    } else {
      size += userFieldsSize(message, ascii);
    }
    size += broadcastSectionSize(message.broadcasts()); // exact, also in the ASCII guess
    size += WireWriter.timingSize(message, version);
    List<MemberUpdate> updates = message.updates();
    int n = updates.size();
    size += varintSize(n);
    for (int i = 0; i < n; i++) {
      MemberUpdate u = updates.get(i);
      // A claim already sized (every queued claim is) counts exactly, which is what the guess
      // would give for an all-ASCII claim; for any other the one-pass write gives up anyway.
      size += ascii && u.wireSize == 0 ? updateSize(u, true) : updateSize(u);
    }
    return size;
  }

  /**
   * The exact number of bytes {@code metadata} takes on the wire: the entry count, then each key
   * and value as a string.
   *
   * @throws IllegalArgumentException when an entry breaks {@link WireLimits#entryProblem}
   */
  static long metadataSize(Map<String, String> metadata) {
    return metadataSize(metadata, false, "");
  }

  /**
   * The size of {@code metadata} of member {@code id} (empty when unknown); with {@code ascii}, the
   * guess described on the class, whose key lengths are lower bounds: a non-ASCII key beyond the
   * bound is caught by the exact pass.
   */
  private static long metadataSize(Map<String, String> metadata, boolean ascii, String id) {
    long size = varintSize(metadata.size());
    if (metadata.isEmpty()) {
      return size;
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      int k = ascii ? e.getKey().length() : Utf8.length(e.getKey());
      int v = ascii ? e.getValue().length() : Utf8.length(e.getValue());
      String problem = WireLimits.entryProblem(k, v);
      if (problem != null) {
        throw new IllegalArgumentException(
            problem
                + " (key '"
                + e.getKey()
                + "'"
                + (id.isEmpty() ? "" : " of member '" + id + "'")
                + ")");
      }
      size += varintSize(k) + k + varintSize(v) + v;
    }
    return size;
  }

  /** The exact size of a user broadcast section: 0 when empty, else the count and the items. */
  static long broadcastSectionSize(List<BroadcastItem> items) {
    int n = items.size();
    if (n == 0) {
      return 0;
    }
    long size = varintSize(n);
    for (int i = 0; i < n; i++) {
      size += broadcastItemSize(items.get(i));
    }
    return size;
  }

  /** The exact number of bytes {@code item} takes in a user broadcast section. */
  static int broadcastItemSize(BroadcastItem item) {
    String key = item.key();
    return 1
        + stringSize(item.origin(), false)
        + varintSize(item.life())
        + varintSize(item.seq())
        + stringSize(item.topic(), false)
        + (key == null ? 0 : stringSize(key, false))
        + varintSize(item.size())
        + item.payload().length;
  }

  /** The exact size of a broadcast pull's type fields. */
  static long pullFieldsSize(GossipMessage.BroadcastPull m) {
    long size = 1L + stringSize(m.origin(), false) + varintSize(m.life()) + varintSize(m.seq());
    if (m.reply() && !m.missing()) {
      size += varintSize(m.body().length) + (long) m.body().length;
    }
    return size;
  }

  /** The size of the type fields of the application message types (version 4). */
  private static long userFieldsSize(GossipMessage message, boolean ascii) {
    if (message instanceof UserMessage m) {
      return varintSize(m.id()) + 1L + stringSize(m.topic(), ascii) + bytesSize(m.payload());
    } else if (message instanceof QueryMessage m) {
      long size =
          varintSize(m.id())
              + 1L
              + stringSize(m.name(), ascii)
              + varintSize(m.timeoutMillis())
              + varintSize(m.filters().size());
      for (Map.Entry<String, String> f : m.filters().entrySet()) {
        size += stringSize(f.getKey(), ascii) + stringSize(f.getValue(), ascii);
      }
      return size + bytesSize(m.payload());
    } else if (message instanceof QueryReplyMessage m) {
      return varintSize(m.queryId()) + 1L + bytesSize(m.payload());
    }
    return 0; // GOSSIP: no type fields
  }

  /** The size of {@code bytes} as a varint length and the bytes. */
  static long bytesSize(byte[] bytes) {
    return varintSize(bytes.length) + (long) bytes.length;
  }

  static int stringSize(String s, boolean ascii) {
    int len = ascii ? s.length() : Utf8.length(s);
    return varintSize(len) + len;
  }

  static int addressSize(NodeAddress a, boolean ascii) {
    String host = a.host();
    // the address knows whether it is IPv4 (parsed once); the ASCII guess also takes a host that
    // merely looks like one for one, and the write checks it
    int hostSize;
    if (a.ipv4() >= 0 || (ascii && HostCodec.looksLikeIpv4(host))) {
      hostSize = 1 + 4;
    } else if (HostCodec.rawIpv6(host)) {
      hostSize = 1 + 16;
    } else {
      int len = ascii ? host.length() : Utf8.length(host);
      hostSize = varintSize(len + HostCodec.HOST_NAME_BIAS) + len;
    }
    return hostSize + 2;
  }

  /** {@code size} as an int, with room for the caller's arithmetic. */
  static int checkedInt(long size) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("message too large to encode: " + size + " bytes");
    }
    return (int) size;
  }
}
