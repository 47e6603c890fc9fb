package io.libgossip.net;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link Transport}: an immutable, validated value. Start from {@link #builder()} or
 * from {@link #forConfig(GossipConfig)}, which takes the cluster name and size limits of a protocol
 * configuration.
 */
public final class TransportOptions {
  private final String bindHost;
  private final int bindPort;
  private final MessageSerializer serializer;
  private final List<PacketTransform> transforms;
  private final int packetOverhead;
  private final int maxDatagramSize;
  private final int maxMessageSize;
  private final int receiveBufferSize;
  private final Duration connectTimeout;
  private final Duration idleTimeout;
  private final int maxConnections;
  private final int maxInboundConnections;
  private final Limits limits;
  private final @Nullable EventLoopPool eventLoops;
  private final int ioThreads;
  private final @Nullable TlsOptions tls;

  private TransportOptions(Builder b) {
    bindHost = b.bindHost;
    bindPort = b.bindPort;
    serializer =
        b.serializer != null ? b.serializer : new BinarySerializer("default", b.maxMessageSize);
    transforms = List.copyOf(b.transforms);
    packetOverhead = PacketPipeline.overhead(transforms);
    maxDatagramSize = b.maxDatagramSize;
    maxMessageSize = b.maxMessageSize;
    receiveBufferSize = b.receiveBufferSize;
    connectTimeout = b.connectTimeout;
    idleTimeout = b.idleTimeout;
    maxConnections = b.maxConnections;
    maxInboundConnections = b.maxInboundConnections;
    limits = b.limits;
    eventLoops = b.eventLoops;
    ioThreads = b.ioThreads;
    tls = b.tls;
  }

  /**
   * A builder with the defaults: bind {@code 0.0.0.0:0}, binary serializer for cluster "default".
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder whose serializer (binary), maximum datagram size ({@link
   * GossipConfig#maxPacketSize()}) and maximum message size ({@link GossipConfig#maxMessageSize()})
   * come from {@code config}.
   */
  public static Builder forConfig(GossipConfig config) {
    Objects.requireNonNull(config, "config");
    return new Builder()
        .maxDatagramSize(config.maxPacketSize())
        .maxMessageSize(config.maxMessageSize())
        .serializer(BinarySerializer.forConfig(config));
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bindHost = bindHost;
    b.bindPort = bindPort;
    b.serializer = serializer;
    b.transforms = new ArrayList<>(transforms);
    b.maxDatagramSize = maxDatagramSize;
    b.maxMessageSize = maxMessageSize;
    b.receiveBufferSize = receiveBufferSize;
    b.connectTimeout = connectTimeout;
    b.idleTimeout = idleTimeout;
    b.maxConnections = maxConnections;
    b.maxInboundConnections = maxInboundConnections;
    b.limits = limits;
    b.eventLoops = eventLoops;
    b.ioThreads = ioThreads;
    b.tls = tls;
    return b;
  }

  /** Host or literal address to bind. Default {@code 0.0.0.0} (all IPv4 interfaces). */
  public String bindHost() {
    return bindHost;
  }

  /** Port to bind; 0 picks a free one. A hybrid binds UDP and TCP on the same number. */
  public int bindPort() {
    return bindPort;
  }

  /** Turns messages into bytes and back. */
  public MessageSerializer serializer() {
    return serializer;
  }

  /**
   * The packet transforms, applied in this order to every outbound datagram and frame payload after
   * the serializer, and in reverse order inbound. Default none.
   */
  public List<PacketTransform> transforms() {
    return transforms;
  }

  /** The sum of the transforms' {@link PacketTransform#overhead()}s: bytes added per packet. */
  public int packetOverhead() {
    return packetOverhead;
  }

  /**
   * Largest UDP payload in bytes, sent or received, transforms included. Larger outbound packets
   * are refused ({@code OVERSIZED}); a hybrid sends them over TCP. Default 1400, which fits a
   * 1500-byte Ethernet MTU.
   */
  public int maxDatagramSize() {
    return maxDatagramSize;
  }

  /** Largest TCP frame payload in bytes, sent or received. Default 16 MiB. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** The UDP socket's receive buffer ({@code SO_RCVBUF}) in bytes. Default 1 MiB. */
  public int receiveBufferSize() {
    return receiveBufferSize;
  }

  /** How long a TCP connect may take before sends through it fail. Default 5 s. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * A TCP connection that has neither delivered a non-empty frame nor carried one of ours for this
   * long is closed; empty frames and bytes of an unfinished frame do not count as traffic. Default
   * 60 s.
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Most outbound TCP connections kept at once; opening one more closes the least recently used.
   * Default 256.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Most accepted TCP connections open at once. When all are taken, a new connection takes the slot
   * of the oldest one that has not yet delivered a valid frame, or else of the one idle longest
   * ({@code CONNECTION_EVICTED}). Default 1024.
   */
  public int maxInboundConnections() {
    return maxInboundConnections;
  }

  /**
   * Most TCP connections with one peer IP address, counted separately inbound and outbound. An
   * inbound connection over it takes the slot of that address's oldest connection that has not
   * delivered a valid frame, or else of its connection idle longest; an outbound one closes the
   * least recently used connection to that address. Nodes that share an address (several per host,
   * behind NAT) all count against it. Default 128.
   */
  public int maxConnectionsPerPeer() {
    return limits.maxConnectionsPerPeer();
  }

  /**
   * How long a TCP frame may take to arrive once its first byte has: a connection with an
   * unfinished frame older than this is closed ({@code SLOW_READ}). The slowest sender that still
   * gets a frame of {@link #maxMessageSize()} through sends {@code maxMessageSize /
   * slowReadTimeout} bytes per second. Default 10 s.
   */
  public Duration slowReadTimeout() {
    return limits.slowReadTimeout();
  }

  /**
   * Most bytes that the buffers of unfinished inbound TCP frames may hold, over all connections: a
   * frame that would take more closes its connection ({@code MEMORY_BUDGET}). Each connection holds
   * at most one unfinished frame, whose buffer grows as its bytes arrive (never allocated at the
   * announced length), so one connection holds at most {@code maxMessageSize + 4}. Default 64 MiB,
   * or two frames of {@link #maxMessageSize()} if that is more.
   */
  public long inboundBufferBudget() {
    long v = limits.inboundBufferBudget();
    return v > 0 ? v : Math.max(64L << 20, 2L * (maxMessageSize + TcpTransport.LENGTH_BYTES));
  }

  /**
   * Most bytes of outbound TCP frames waiting on one connection (to open, or in its send buffer); a
   * send over it fails ({@code OVERLOAD}). Default 4 MiB, or one frame of {@link #maxMessageSize()}
   * if that is more.
   */
  public long maxPendingBytesPerConnection() {
    long v = limits.maxPendingBytesPerConnection();
    return v > 0 ? v : Math.max(4L << 20, maxMessageSize + (long) TcpTransport.LENGTH_BYTES);
  }

  /**
   * Most bytes of outbound TCP frames waiting over all connections; a send over it fails ({@code
   * OVERLOAD}). Default 64 MiB, or {@link #maxPendingBytesPerConnection()} if that is more.
   */
  public long maxPendingBytes() {
    long v = limits.maxPendingBytes();
    return v > 0 ? v : Math.max(64L << 20, maxPendingBytesPerConnection());
  }

  /**
   * Inbound datagrams and TCP frames accepted per second from one source IP address, sustained; 0
   * turns the limit off. Packets over it are dropped before they are decoded ({@code
   * RATE_LIMITED}). Default 1000, about 100 times what a node of a busy cluster receives from all
   * its peers together (so even peers that share one address stay under it).
   */
  public int inboundRatePerSource() {
    return limits.inboundRatePerSource();
  }

  /**
   * Inbound packets one source IP address may send at once above {@link #inboundRatePerSource()}.
   * Default 2000.
   */
  public int inboundBurstPerSource() {
    return limits.inboundBurstPerSource();
  }

  /**
   * Most source addresses whose rate is tracked at once; the least recently seen is forgotten first
   * (it comes back with a full burst). Default 4096.
   */
  public int maxTrackedSources() {
    return limits.maxTrackedSources();
  }

  /** A caller-owned pool to run on; empty when the transport makes its own. */
  public Optional<EventLoopPool> eventLoops() {
    return Optional.ofNullable(eventLoops);
  }

  /** Threads of the pool the transport creates when none is given. Default 1. */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * TLS for every TCP connection (and, with {@link TlsOptions#requireClientAuth()}, node identity
   * per connection); empty for plaintext TCP (the default). A UDP transport has no TCP.
   */
  public Optional<TlsOptions> tls() {
    return Optional.ofNullable(tls);
  }

  /** Builds {@link TransportOptions}; each setter validates its argument. */
  public static final class Builder {
    private String bindHost = "0.0.0.0";
    private int bindPort;
    private @Nullable MessageSerializer serializer;
    private List<PacketTransform> transforms = new ArrayList<>();
    private int maxDatagramSize = 1400;
    private int maxMessageSize = 16 * 1024 * 1024;
    private int receiveBufferSize = 1024 * 1024;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int maxConnections = 256;
    private int maxInboundConnections = 1024;
    private Limits limits = Limits.DEFAULTS;
    private @Nullable EventLoopPool eventLoops;
    private int ioThreads = 1;
    private @Nullable TlsOptions tls;

    private Builder() {}

    /** See {@link TransportOptions#bindHost()}. */
    public Builder bindHost(String v) {
      Objects.requireNonNull(v, "bindHost");
      if (v.isBlank()) {
        throw new IllegalArgumentException("bindHost must not be blank");
      }
      bindHost = v;
      return this;
    }

    /** See {@link TransportOptions#bindPort()}. */
    public Builder bindPort(int v) {
      range("bindPort", v, 0, 65535);
      bindPort = v;
      return this;
    }

    /** See {@link TransportOptions#serializer()}. */
    public Builder serializer(MessageSerializer v) {
      serializer = Objects.requireNonNull(v, "serializer");
      return this;
    }

    /**
     * See {@link TransportOptions#transforms()}; replaces the list.
     *
     * @throws IllegalArgumentException naming a transform whose overhead is negative
     */
    public Builder transforms(List<PacketTransform> v) {
      Objects.requireNonNull(v, "transforms");
      List<PacketTransform> copy = List.copyOf(v); // rejects null elements
      PacketPipeline.overhead(copy);
      transforms = new ArrayList<>(copy);
      return this;
    }

    /** See {@link TransportOptions#maxDatagramSize()}; in [64, 65507]. */
    public Builder maxDatagramSize(int v) {
      range("maxDatagramSize", v, 64, 65507);
      maxDatagramSize = v;
      return this;
    }

    /** See {@link TransportOptions#maxMessageSize()}; in [64, 2^30]. */
    public Builder maxMessageSize(int v) {
      range("maxMessageSize", v, 64, 1 << 30);
      maxMessageSize = v;
      return this;
    }

    /** See {@link TransportOptions#receiveBufferSize()}; in [4 KiB, 64 MiB]. */
    public Builder receiveBufferSize(int v) {
      range("receiveBufferSize", v, 4096, 64 * 1024 * 1024);
      receiveBufferSize = v;
      return this;
    }

    /** See {@link TransportOptions#connectTimeout()}; in [1 ms, 5 min]. */
    public Builder connectTimeout(Duration v) {
      duration("connectTimeout", v, Duration.ofMinutes(5));
      connectTimeout = v;
      return this;
    }

    /** See {@link TransportOptions#idleTimeout()}; in [1 ms, 1 day]. */
    public Builder idleTimeout(Duration v) {
      duration("idleTimeout", v, Duration.ofDays(1));
      idleTimeout = v;
      return this;
    }

    /** See {@link TransportOptions#maxConnections()}; in [1, 65536]. */
    public Builder maxConnections(int v) {
      range("maxConnections", v, 1, 65536);
      maxConnections = v;
      return this;
    }

    /** See {@link TransportOptions#maxInboundConnections()}; in [1, 65536]. */
    public Builder maxInboundConnections(int v) {
      range("maxInboundConnections", v, 1, 65536);
      maxInboundConnections = v;
      return this;
    }

    /** See {@link TransportOptions#maxConnectionsPerPeer()}; in [1, 65536]. */
    public Builder maxConnectionsPerPeer(int v) {
      range("maxConnectionsPerPeer", v, 1, 65536);
      limits = limits.withMaxConnectionsPerPeer(v);
      return this;
    }

    /** See {@link TransportOptions#slowReadTimeout()}; in [1 ms, 1 h]. */
    public Builder slowReadTimeout(Duration v) {
      duration("slowReadTimeout", v, Duration.ofHours(1));
      limits = limits.withSlowReadTimeout(v);
      return this;
    }

    /**
     * See {@link TransportOptions#inboundBufferBudget()}; in [4 KiB, 2^40], and at least {@code
     * maxMessageSize + 4} (checked by {@link #build()}).
     */
    public Builder inboundBufferBudget(long v) {
      range("inboundBufferBudget", v, 4096, 1L << 40);
      limits = limits.withInboundBufferBudget(v);
      return this;
    }

    /**
     * See {@link TransportOptions#maxPendingBytesPerConnection()}; in [4 KiB, 2^40], and at least
     * {@code maxMessageSize + 4} (checked by {@link #build()}).
     */
    public Builder maxPendingBytesPerConnection(long v) {
      range("maxPendingBytesPerConnection", v, 4096, 1L << 40);
      limits = limits.withMaxPendingBytesPerConnection(v);
      return this;
    }

    /**
     * See {@link TransportOptions#maxPendingBytes()}; in [4 KiB, 2^40], and at least {@code
     * maxPendingBytesPerConnection} (checked by {@link #build()}).
     */
    public Builder maxPendingBytes(long v) {
      range("maxPendingBytes", v, 4096, 1L << 40);
      limits = limits.withMaxPendingBytes(v);
      return this;
    }

    /** See {@link TransportOptions#inboundRatePerSource()}; in [0, 10,000,000], 0 is no limit. */
    public Builder inboundRatePerSource(int v) {
      range("inboundRatePerSource", v, 0, 10_000_000);
      limits = limits.withInboundRatePerSource(v);
      return this;
    }

    /** See {@link TransportOptions#inboundBurstPerSource()}; in [1, 10,000,000]. */
    public Builder inboundBurstPerSource(int v) {
      range("inboundBurstPerSource", v, 1, 10_000_000);
      limits = limits.withInboundBurstPerSource(v);
      return this;
    }

    /** See {@link TransportOptions#maxTrackedSources()}; in [1, 1,048,576]. */
    public Builder maxTrackedSources(int v) {
      range("maxTrackedSources", v, 1, 1 << 20);
      limits = limits.withMaxTrackedSources(v);
      return this;
    }

    /**
     * Runs the transport on {@code v}, which the caller owns and closes (after closing the
     * transport). {@code null} makes the transport create and own a pool.
     */
    public Builder eventLoops(@Nullable EventLoopPool v) {
      eventLoops = v;
      return this;
    }

    /** See {@link TransportOptions#ioThreads()}; in [1, 64]. */
    public Builder ioThreads(int v) {
      range("ioThreads", v, 1, 64);
      ioThreads = v;
      return this;
    }

    /** See {@link TransportOptions#tls()}; {@code null} for plaintext TCP. */
    public Builder tls(@Nullable TlsOptions v) {
      tls = v;
      return this;
    }

    /**
     * Validates the combination and builds.
     *
     * @throws IllegalArgumentException when {@code maxMessageSize < maxDatagramSize}, when the
     *     transforms' overhead leaves less than half of {@code maxDatagramSize} for the message,
     *     when an explicit {@code inboundBufferBudget} or {@code maxPendingBytesPerConnection}
     *     cannot hold one frame of {@code maxMessageSize}, or when an explicit {@code
     *     maxPendingBytes} is below the per-connection one
     */
    public TransportOptions build() {
      int overhead = PacketPipeline.overhead(transforms);
      if (overhead > maxDatagramSize / 2) {
        throw new IllegalArgumentException(
            "the transforms add "
                + overhead
                + " bytes per packet, more than half of maxDatagramSize ("
                + maxDatagramSize
                + ")");
      }
      if (maxMessageSize < maxDatagramSize) {
        throw new IllegalArgumentException(
            "maxMessageSize ("
                + maxMessageSize
                + ") must be at least maxDatagramSize ("
                + maxDatagramSize
                + ")");
      }
      long frame = maxMessageSize + (long) TcpTransport.LENGTH_BYTES;
      atLeastOneFrame("inboundBufferBudget", limits.inboundBufferBudget(), frame);
      atLeastOneFrame("maxPendingBytesPerConnection", limits.maxPendingBytesPerConnection(), frame);
      TransportOptions built = new TransportOptions(this);
      if (limits.maxPendingBytes() > 0
          && limits.maxPendingBytes() < built.maxPendingBytesPerConnection()) {
        throw new IllegalArgumentException(
            "maxPendingBytes ("
                + limits.maxPendingBytes()
                + ") must be at least maxPendingBytesPerConnection ("
                + built.maxPendingBytesPerConnection()
                + ")");
      }
      return built;
    }

    private static void atLeastOneFrame(String name, long v, long frame) {
      if (v > 0 && v < frame) {
        throw new IllegalArgumentException(
            name
                + " ("
                + v
                + ") must hold one frame of maxMessageSize plus its 4-byte length ("
                + frame
                + ")");
      }
    }

    private static void range(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], got " + v);
      }
    }

    private static void range(String name, int v, int min, int max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(
            name + " must be in [" + min + ", " + max + "], got " + v);
      }
    }

    private static void duration(String name, Duration v, Duration max) {
      Objects.requireNonNull(v, name);
      if (v.isNegative() || v.isZero() || v.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be in (0, " + max + "], got " + v);
      }
    }
  }

  /**
   * The resource bounds of issue 13, kept together so that the builder stays small: 0 in a byte
   * bound means "derived from maxMessageSize".
   */
  private record Limits(
      int maxConnectionsPerPeer,
      Duration slowReadTimeout,
      long inboundBufferBudget,
      long maxPendingBytesPerConnection,
      long maxPendingBytes,
      int inboundRatePerSource,
      int inboundBurstPerSource,
      int maxTrackedSources) {
    static final Limits DEFAULTS =
        new Limits(128, Duration.ofSeconds(10), 0, 0, 0, 1000, 2000, 4096);

    Limits withMaxConnectionsPerPeer(int v) {
      return new Limits(
          v,
          slowReadTimeout,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          inboundRatePerSource,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withSlowReadTimeout(Duration v) {
      return new Limits(
          maxConnectionsPerPeer,
          v,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          inboundRatePerSource,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withInboundBufferBudget(long v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          v,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          inboundRatePerSource,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withMaxPendingBytesPerConnection(long v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          inboundBufferBudget,
          v,
          maxPendingBytes,
          inboundRatePerSource,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withMaxPendingBytes(long v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          v,
          inboundRatePerSource,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withInboundRatePerSource(int v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          v,
          inboundBurstPerSource,
          maxTrackedSources);
    }

    Limits withInboundBurstPerSource(int v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          inboundRatePerSource,
          v,
          maxTrackedSources);
    }

    Limits withMaxTrackedSources(int v) {
      return new Limits(
          maxConnectionsPerPeer,
          slowReadTimeout,
          inboundBufferBudget,
          maxPendingBytesPerConnection,
          maxPendingBytes,
          inboundRatePerSource,
          inboundBurstPerSource,
          v);
    }
  }
}
