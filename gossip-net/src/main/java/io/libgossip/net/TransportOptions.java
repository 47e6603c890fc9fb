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

  /** A TCP connection with no traffic for this long is closed. Default 60 s. */
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

  /** Most accepted TCP connections open at once; more are closed on accept. Default 1024. */
  public int maxInboundConnections() {
    return maxInboundConnections;
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
     * @throws IllegalArgumentException when {@code maxMessageSize < maxDatagramSize}, or when the
     *     transforms' overhead leaves less than half of {@code maxDatagramSize} for the message
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
      return new TransportOptions(this);
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
}
