package io.libgossip.serf;

import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.MemberlistMessage;
import io.libgossip.memberlist.MemberlistMessage.Versions;
import io.libgossip.memberlist.SerfTags;
import io.libgossip.memberlist.WireBytes;
import io.libgossip.memberlist.WireCodec;
import io.libgossip.memberlist.WireConfig;
import io.libgossip.net.InboundHandler;
import io.libgossip.net.SendFailedException;
import io.libgossip.net.Transport;
import io.libgossip.net.TransportDropReason;
import io.libgossip.net.TransportException;
import io.libgossip.net.TransportOptions;
import io.libgossip.net.TransportStats;
import io.libgossip.net.TransportType;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that speaks HashiCorp memberlist's wire protocol, so that a {@link
 * io.libgossip.net.GossipNode} takes part in a memberlist (Serf, Consul, Nomad) gossip pool.
 *
 * <p>It listens on one port for UDP packets and TCP streams, as memberlist does, and translates the
 * core's messages both ways: ping, ack, indirect ping and nack; membership claims as alive, suspect
 * and dead broadcasts in compound packets (a leave is dead from the member itself); the state
 * exchange as memberlist's push-pull over a TCP connection that lives for one exchange. Node
 * metadata travels as Serf tags (at most 512 bytes encoded). Addresses are IP literals: bind (or
 * advertise) an IP address. What rides above membership (Serf's events, queries and clocks) comes
 * from and goes to the {@link MemberlistDelegate}; the core's own application messages, broadcasts
 * and queries have no memberlist form and are dropped and counted.
 *
 * <p>Use it through {@link io.libgossip.net.GossipNode.Builder#transportFactory}:
 *
 * <pre>{@code
 * MemberlistTransport transport = MemberlistTransport.builder().delegate(serfLayer).build();
 * GossipNode node = GossipNode.builder()
 *     .id("java-1")                              // the memberlist node name
 *     .bind("10.0.0.5", 7946)                    // an IP literal
 *     .config(GossipConfig.lan())                // memberlist's LAN timings
 *     .transportFactory(transport::withNodeOptions)
 *     .seeds(List.of(NodeAddress.parse("10.0.0.1:7946")))
 *     .start();
 * }</pre>
 *
 * <p>It runs on a one-thread event loop of its own (the node's core runs there too); the {@link
 * TransportOptions} it takes from the node supply the bind address and the UDP buffer size, while
 * framing (label, keys, limits) comes from its {@link WireConfig}. Thread-safe.
 */
public final class MemberlistTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(MemberlistTransport.class);

  /** Bytes a compound packet adds besides its parts: its type byte and part count. */
  private static final int COMPOUND_HEADER = 2;

  /** Bytes a compound adds per part: its 16-bit length. */
  private static final int PART_OVERHEAD = 2;

  /** memberlist's allowance for a user message in a compound: part length and type byte. */
  private static final int USER_OVERHEAD = 3;

  /** The largest datagram memberlist reads. */
  static final int MAX_UDP_READ = 65_536;

  private final WireConfig wire;
  private final @Nullable MemberlistDelegate delegate;
  private final Versions versions;
  private volatile int packetBudget;
  private final Duration streamTimeout;
  private final Duration replyTimeout;
  private final int maxStreams;
  private final Duration gossipInterval;
  private final int gossipNodes;
  private final int maxPeers;
  private final long streamBufferBudget;

  private volatile Codecs codecs;
  private volatile @Nullable InboundHandler handler;
  private volatile @Nullable NodeAddress local;
  private volatile String bindHost;
  private volatile int bindPort;
  private volatile int receiveBuffer = 1 << 20;
  private volatile MessageSerializer serializer =
      new io.libgossip.core.BinarySerializer("memberlist", 1 << 20);
  private final AtomicBoolean optionsTaken = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();

  private @Nullable EventLoopGroup group;
  private @Nullable EventLoop loop;
  private @Nullable Channel udp;
  private @Nullable Channel tcp;
  private @Nullable ScheduledFuture<?> gossipTask;

  // ---- confined to the loop
  private final MemberlistTranslator translator;
  private final Map<NodeAddress, Channel> replies = new HashMap<>();
  private final Map<Channel, Boolean> replyJoin = new HashMap<>();
  private final SplittableRandom random = new SplittableRandom();
  private int inboundStreams;
  private long bufferedStreamBytes;
  private int outboundStreams;

  // ---- counters
  private final LongAdder packetsIn = new LongAdder();
  private final LongAdder packetsOut = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder connectionsOpened = new LongAdder();
  private final LongAdder ignoredUserMessages = new LongAdder();
  private final LongAdder splitPackets = new LongAdder();
  private final AtomicLong openConnections = new AtomicLong();
  private final LongAdder[] drops = adders(DropReason.values().length);
  private final LongAdder[] transportDrops = adders(TransportDropReason.values().length);
  private final AtomicLong nextWarn = new AtomicLong(System.nanoTime());
  private final AtomicLong suppressed = new AtomicLong();

  /** The codecs of one keyring: with and without a CRC (memberlist adds one for protocol 5). */
  private record Codecs(WireCodec crc, WireCodec plain) {
    static Codecs of(WireConfig config) {
      return new Codecs(
          new WireCodec(withCrc(config, true)), new WireCodec(withCrc(config, false)));
    }

    private static WireConfig withCrc(WireConfig c, boolean crc) {
      return new WireConfig(
          c.label(),
          c.keyring(),
          c.encryptionVersion(),
          crc,
          c.maxPacketBytes(),
          c.maxStreamBytes(),
          c.maxPushNodes());
    }
  }

  private MemberlistTransport(Builder b) {
    this.wire = b.wire;
    this.delegate = b.delegate;
    this.versions = b.versions;
    this.packetBudget = b.packetBudget;
    this.streamTimeout = b.streamTimeout;
    this.replyTimeout = b.replyTimeout;
    this.maxStreams = b.maxStreams;
    this.gossipInterval = b.gossipInterval;
    this.gossipNodes = b.gossipNodes;
    this.maxPeers = b.maxPeers;
    this.streamBufferBudget = b.streamBufferBudget;
    this.bindHost = b.bindHost;
    this.bindPort = b.bindPort;
    this.codecs = Codecs.of(wire);
    this.translator =
        new MemberlistTranslator(
            versions,
            b.maxPendingProbes,
            TimeUnit.SECONDS.toNanos(30),
            maxPeers,
            System::nanoTime,
            this::drop);
  }

  /** A builder with memberlist's defaults: plaintext, Serf's versions, 1400-byte packets. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that {@code tags} (a node's metadata) fit memberlist's 512-byte metadata limit once
   * encoded as Serf tags.
   *
   * @param tags the metadata
   * @return the encoded size in bytes
   * @throws IllegalArgumentException naming the size when they do not fit
   */
  public static int checkTags(Map<String, String> tags) {
    try {
      return SerfTags.encode(tags).length();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "metadata does not fit memberlist's node metadata as Serf tags: " + e.getMessage(), e);
    }
  }

  /**
   * Takes the node's transport options, once, before {@link #start()}: the bind address and port,
   * the UDP receive buffer, and the largest packet sent (the node's {@code maxPacketSize}, which
   * replaces {@link Builder#packetBudget}); returns this transport. Meant as {@code
   * transportFactory(transport::withNodeOptions)}.
   *
   * @throws IllegalArgumentException when the options ask for TLS or packet transforms (framing and
   *     keys come from the {@link WireConfig}), or the bind host is not an IP literal
   * @throws IllegalStateException when options were taken already or the transport started
   */
  public MemberlistTransport withNodeOptions(TransportOptions options) {
    Objects.requireNonNull(options, "options");
    if (!optionsTaken.compareAndSet(false, true) || started.get()) {
      throw new IllegalStateException("a memberlist transport serves one node, started once");
    }
    if (options.tls().isPresent()) {
      throw new IllegalArgumentException(
          "memberlist has no TLS: encrypt with a keyring in the WireConfig instead");
    }
    if (!options.transforms().isEmpty()) {
      throw new IllegalArgumentException(
          "packet transforms do not apply in memberlist mode (the node's keyring too): set keys"
              + " and label in the WireConfig instead; got "
              + options.transforms().size()
              + " transform(s)");
    }
    checkIpLiteral(options.bindHost());
    bindHost = options.bindHost();
    bindPort = options.bindPort();
    receiveBuffer = options.receiveBufferSize();
    serializer = options.serializer();
    packetBudget = options.maxDatagramSize();
    return this;
  }

  private static void checkIpLiteral(String host) {
    if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
      throw new IllegalArgumentException(
          "memberlist carries IP addresses only: bind host '" + host + "' is not an IP literal");
    }
  }

  /**
   * Replaces the encryption keys, for every packet and stream from now on (and for decoding what
   * arrives). Thread-safe; {@code null} turns encryption off.
   */
  public synchronized void keyring(@Nullable Keyring keyring) {
    codecs = Codecs.of(wire.withKeyring(keyring));
    currentKeyring = keyring;
    log.atInfo()
        .setMessage("memberlist keyring replaced")
        .addKeyValue("keys", keyring == null ? 0 : keyring.keys().size())
        .log();
  }

  /** The encryption keys in use; null when plaintext. */
  public @Nullable Keyring keyring() {
    return currentKeyring;
  }

  private volatile @Nullable Keyring currentKeyring;

  /**
   * Sends one user message (memberlist type 8) to {@code target} in a packet of its own, best
   * effort (Serf sends query responses this way). Counted as a drop when it does not fit a packet
   * or the transport is not running.
   */
  public void sendUserMessage(NodeAddress target, byte[] message) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(message, "message");
    byte[] copy = message.clone();
    onLoop(
        () ->
            sendParts(
                target, List.of(new MemberlistMessage.User(WireBytes.of(copy))), List.of(), false));
  }

  /** Messages the core sent that memberlist cannot carry (dropped), so far. */
  public long unsupportedDrops() {
    return transportDrops[TransportDropReason.UNENCODABLE.ordinal()].sum();
  }

  /**
   * Packets sent beyond the first for one core message, because its parts did not fit one packet
   * once encoded (so far).
   */
  public long splitPackets() {
    return splitPackets.sum();
  }

  /** User messages received with no delegate to take them (ignored), so far. */
  public long ignoredUserMessages() {
    return ignoredUserMessages.sum();
  }

  // ================================================================================= Transport

  @Override
  public TransportType type() {
    return TransportType.HYBRID;
  }

  @Override
  @SuppressWarnings("deprecation") // NioEventLoopGroup, RCVBUF_ALLOCATOR: in both Netty 4.1 and 4.2
  public NodeAddress start() {
    if (stopped.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started or stopped");
    }
    checkIpLiteral(bindHost);
    EventLoopGroup g = new NioEventLoopGroup(1, new DefaultThreadFactory("memberlist", true));
    group = g;
    EventLoop l = g.next();
    loop = l;
    InetAddress ip;
    try {
      ip = InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(bindHost));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad bind host " + bindHost, e);
    }
    TransportException last = null;
    for (int attempt = 0; attempt < (bindPort == 0 ? 10 : 1); attempt++) {
      Channel u = null;
      try {
        ChannelFuture uf =
            new Bootstrap()
                .group(l)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, receiveBuffer)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_READ))
                .handler(new PacketHandler())
                .bind(new InetSocketAddress(ip, bindPort))
                .awaitUninterruptibly();
        if (!uf.isSuccess()) {
          throw new TransportException(
              "could not bind UDP to " + bindHost + ":" + bindPort + ": " + uf.cause(), uf.cause());
        }
        u = uf.channel();
        int port = ((InetSocketAddress) u.localAddress()).getPort();
        ChannelFuture tf =
            new ServerBootstrap()
                .group(l, l)
                .channel(NioServerSocketChannel.class)
                .childHandler(
                    new ChannelInitializer<SocketChannel>() {
                      @Override
                      protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new StreamHandler(null, null));
                      }
                    })
                .bind(new InetSocketAddress(ip, port))
                .awaitUninterruptibly();
        if (!tf.isSuccess()) {
          throw new TransportException(
              "could not bind TCP to " + bindHost + ":" + port + ": " + tf.cause(), tf.cause());
        }
        udp = u;
        tcp = tf.channel();
        NodeAddress bound = new NodeAddress(NetUtil.toAddressString(ip), port);
        local = bound;
        gossipTask =
            l.scheduleAtFixedRate(
                this::gossipDelegate,
                gossipInterval.toNanos(),
                gossipInterval.toNanos(),
                TimeUnit.NANOSECONDS);
        log.atInfo()
            .setMessage("memberlist transport started")
            .addKeyValue("address", bound)
            .addKeyValue("encrypted", wire.keyring() != null || currentKeyring != null)
            .addKeyValue("label", wire.label())
            .addKeyValue("versions", versions)
            .log();
        return bound;
      } catch (TransportException e) {
        last = e;
        if (u != null) {
          u.close().awaitUninterruptibly();
        }
      }
    }
    g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    throw Objects.requireNonNull(last);
  }

  @Override
  public NodeAddress localAddress() {
    NodeAddress a = local;
    if (a == null) {
      throw new IllegalStateException("not started");
    }
    return a;
  }

  @Override
  public EventLoop eventLoop() {
    EventLoop l = loop;
    if (l == null) {
      throw new IllegalStateException("not started");
    }
    return l;
  }

  @Override
  public void onMessage(InboundHandler handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  @Override
  public void send(GossipMessage message, NodeAddress target, Delivery delivery) {
    onLoop(() -> sendNow(message, target));
  }

  @Override
  public CompletableFuture<Void> sendAsync(
      GossipMessage message, NodeAddress target, Delivery delivery) {
    if (!carried(message)) {
      drop(
          TransportDropReason.UNENCODABLE,
          message.type()
              + " has no memberlist equivalent (the Serf layer carries events and"
              + " queries)");
      return CompletableFuture.failedFuture(
          new SendFailedException(
              TransportDropReason.UNENCODABLE,
              target,
              message.type() + " cannot be sent in memberlist mode"));
    }
    send(message, target, delivery);
    return CompletableFuture.completedFuture(null);
  }

  private static boolean carried(GossipMessage m) {
    return m instanceof GossipMessage.Ping
        || m instanceof GossipMessage.Ack
        || m instanceof GossipMessage.PingReq
        || m instanceof GossipMessage.Nack
        || m instanceof GossipMessage.Gossip
        || m instanceof GossipMessage.PushPull;
  }

  @Override
  public MessageSerializer serializer() {
    return serializer;
  }

  /**
   * What the core must leave free in each packet: half of it. The core sizes claims in its own
   * compact format, and their msgpack form is 1.5 to 2.2 times larger, so what the core packs in
   * the other half fills about one memberlist packet; what does not fit goes in another packet.
   */
  @Override
  public int packetOverhead() {
    return packetBudget / 2;
  }

  @Override
  public TransportStats stats() {
    Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      long v = drops[r.ordinal()].sum();
      if (v > 0) {
        d.put(r, v);
      }
    }
    Map<TransportDropReason, Long> t = new EnumMap<>(TransportDropReason.class);
    for (TransportDropReason r : TransportDropReason.values()) {
      long v = transportDrops[r.ordinal()].sum();
      if (v > 0) {
        t.put(r, v);
      }
    }
    return new TransportStats(
        packetsIn.sum(),
        packetsOut.sum(),
        bytesIn.sum(),
        bytesOut.sum(),
        d,
        t,
        connectionsOpened.sum(),
        (int) openConnections.get());
  }

  @Override
  public boolean isRunning() {
    return started.get() && !stopped.get();
  }

  @Override
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> t = gossipTask;
    if (t != null) {
      t.cancel(false);
    }
    EventLoopGroup g = group;
    Channel u = udp;
    Channel s = tcp;
    if (u != null) {
      u.close();
    }
    if (s != null) {
      s.close();
    }
    if (g != null) {
      var f = g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (loop == null || !loop.inEventLoop()) {
        f.awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
  }

  // ================================================================================== outbound

  private void onLoop(Runnable r) {
    EventLoop l = loop;
    if (l == null || stopped.get()) {
      drop(TransportDropReason.OVERLOAD, "transport not running");
      return;
    }
    if (l.inEventLoop()) {
      guarded(r);
    } else {
      try {
        l.execute(() -> guarded(r));
      } catch (RejectedExecutionException e) {
        drop(TransportDropReason.OVERLOAD, "transport shutting down");
      }
    }
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      drop(TransportDropReason.UNENCODABLE, "unexpected: " + e);
    }
  }

  private void sendNow(GossipMessage message, NodeAddress target) {
    if (stopped.get()) {
      return;
    }
    MemberlistTranslator.Outbound o;
    try {
      o = translator.outbound(message, target);
    } catch (IllegalArgumentException e) {
      drop(TransportDropReason.UNENCODABLE, e.getMessage());
      return;
    }
    GossipMessage.PushPull pp = o.pushPull();
    if (pp != null) {
      if (pp.reply()) {
        answerPushPull(pp, target);
      } else {
        startPushPull(pp, target);
      }
      return;
    }
    if (o.probe().isEmpty() && o.claims().isEmpty()) {
      return;
    }
    sendParts(target, o.probe(), o.claims(), true);
  }

  /**
   * Sends {@code first} and {@code claims} to {@code target}, with the delegate's broadcasts ahead
   * of them when {@code piggyback} and there is room, in as many packets as the budget needs.
   */
  private void sendParts(
      NodeAddress target,
      List<? extends MemberlistMessage> first,
      List<MemberlistMessage> claims,
      boolean piggyback) {
    WireCodec codec = codecFor(target);
    int budget = packetBudget - codec.packetOverhead() - COMPOUND_HEADER;
    List<MemberlistMessage> items = new ArrayList<>(first.size() + claims.size() + 2);
    List<Integer> sizes = new ArrayList<>();
    int used = 0;
    for (MemberlistMessage m : first) {
      int s = WireCodec.messageSize(m) + PART_OVERHEAD;
      used += s;
    }
    for (MemberlistMessage m : claims) {
      used += WireCodec.messageSize(m) + PART_OVERHEAD;
    }
    MemberlistDelegate d = delegate;
    if (piggyback && d != null && budget - used > 64) {
      for (byte[] b : delegateBroadcasts(d, budget - used)) {
        items.add(new MemberlistMessage.User(WireBytes.of(b)));
      }
    }
    items.addAll(first);
    items.addAll(claims);
    for (MemberlistMessage m : items) {
      sizes.add(WireCodec.messageSize(m) + PART_OVERHEAD);
    }
    List<MemberlistMessage> packet = new ArrayList<>();
    int size = 0;
    for (int i = 0; i < items.size(); i++) {
      int s = sizes.get(i);
      if (!packet.isEmpty() && (size + s > budget || packet.size() == 255)) {
        splitPackets.increment();
        writePacket(codec, packet, target);
        packet = new ArrayList<>();
        size = 0;
      }
      packet.add(items.get(i));
      size += s;
    }
    if (!packet.isEmpty()) {
      writePacket(codec, packet, target);
    }
  }

  private List<byte[]> delegateBroadcasts(MemberlistDelegate d, int limit) {
    try {
      List<byte[]> l = d.broadcasts(USER_OVERHEAD, limit);
      return l == null ? List.of() : l;
    } catch (RuntimeException e) {
      log.atWarn().setMessage("memberlist delegate failed to give broadcasts").setCause(e).log();
      return List.of();
    }
  }

  private WireCodec codecFor(NodeAddress target) {
    Codecs c = codecs;
    String name = translator.nameAt(target);
    return name != null && translator.versionsOf(name).protocolMax() >= 5 ? c.crc() : c.plain();
  }

  private void writePacket(WireCodec codec, List<MemberlistMessage> parts, NodeAddress target) {
    byte[] bytes;
    try {
      bytes = codec.encodePacket(parts);
    } catch (IllegalArgumentException e) {
      drop(TransportDropReason.UNENCODABLE, e.getMessage());
      return;
    }
    if (bytes.length > MAX_UDP_READ) {
      drop(TransportDropReason.OVERSIZED, "packet of " + bytes.length + " bytes");
      return;
    }
    InetSocketAddress remote = socketAddress(target);
    Channel u = udp;
    if (remote == null || u == null || !u.isActive()) {
      drop(TransportDropReason.SEND_FAILED, "cannot send to " + target);
      return;
    }
    int n = bytes.length;
    u.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), remote))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    packetsOut.increment();
                    bytesOut.add(n);
                  } else {
                    drop(TransportDropReason.SEND_FAILED, "UDP to " + target + ": " + f.cause());
                  }
                });
  }

  private @Nullable InetSocketAddress socketAddress(NodeAddress a) {
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(a.host());
    if (ip == null) {
      drop(TransportDropReason.UNENCODABLE, "address " + a + " is not an IP literal");
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), a.port());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Piggybacks the delegate's broadcasts on packets of their own, as memberlist's gossip does. */
  private void gossipDelegate() {
    MemberlistDelegate d = delegate;
    if (d == null || stopped.get()) {
      return;
    }
    try {
      for (NodeAddress peer : translator.livePeers(gossipNodes, random)) {
        WireCodec codec = codecFor(peer);
        int budget = packetBudget - codec.packetOverhead() - COMPOUND_HEADER;
        List<byte[]> msgs = delegateBroadcasts(d, budget);
        if (msgs.isEmpty()) {
          return;
        }
        List<MemberlistMessage> parts = new ArrayList<>(msgs.size());
        for (byte[] b : msgs) {
          parts.add(new MemberlistMessage.User(WireBytes.of(b)));
        }
        sendParts(peer, parts, List.of(), false);
      }
    } catch (RuntimeException e) {
      drop(TransportDropReason.UNENCODABLE, "gossip of delegate broadcasts: " + e);
    }
  }

  // =================================================================================== streams

  /** The core's state exchange request: over a new TCP connection, answered on it. */
  private void startPushPull(GossipMessage.PushPull pp, NodeAddress target) {
    InetSocketAddress remote = socketAddress(target);
    if (remote == null) {
      return;
    }
    if (outboundStreams >= maxStreams) {
      drop(TransportDropReason.OVERLOAD, "too many push-pulls in flight");
      return;
    }
    byte[] user = localState(pp.join());
    byte[] bytes;
    try {
      bytes = codecs.plain().encodeStream(translator.pushPull(pp, pp.join(), user));
    } catch (IllegalArgumentException e) {
      drop(TransportDropReason.UNENCODABLE, "push-pull: " + e.getMessage());
      return;
    }
    outboundStreams++;
    EventLoop l = eventLoop();
    new Bootstrap()
        .group(l)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) streamTimeout.toMillis())
        .handler(new StreamHandler(target, bytes))
        .connect(remote)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    outboundStreams--;
                    drop(
                        TransportDropReason.SEND_FAILED,
                        "push-pull to " + target + ": " + f.cause());
                  }
                });
  }

  private byte[] localState(boolean join) {
    MemberlistDelegate d = delegate;
    if (d == null) {
      return new byte[0];
    }
    try {
      byte[] s = d.localState(join);
      return s == null ? new byte[0] : s;
    } catch (RuntimeException e) {
      log.atWarn().setMessage("memberlist delegate failed to give its state").setCause(e).log();
      return new byte[0];
    }
  }

  /** The core's answer to an inbound push-pull: written on the connection that waits for it. */
  private void answerPushPull(GossipMessage.PushPull pp, NodeAddress target) {
    Channel ch = replies.remove(target);
    if (ch == null || !ch.isActive()) {
      drop(TransportDropReason.SEND_FAILED, "push-pull answer to " + target + ": no connection");
      return;
    }
    boolean join = Boolean.TRUE.equals(replyJoin.remove(ch));
    byte[] bytes;
    try {
      bytes = codecs.plain().encodeStream(translator.pushPull(pp, join, localState(join)));
    } catch (IllegalArgumentException e) {
      drop(TransportDropReason.UNENCODABLE, "push-pull answer: " + e.getMessage());
      ch.close();
      return;
    }
    writeAndClose(ch, bytes);
  }

  private void writeAndClose(Channel ch, byte[] bytes) {
    int n = bytes.length;
    ch.writeAndFlush(Unpooled.wrappedBuffer(bytes))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    packetsOut.increment();
                    bytesOut.add(n);
                  }
                  f.channel().close();
                });
  }

  /** Whether {@code buf} holds a whole encrypted stream message (label and header first). */
  private static boolean encryptedComplete(ByteBuf buf) {
    int r = buf.readerIndex();
    int n = buf.readableBytes();
    int off = 0;
    if (n >= 2 && buf.getUnsignedByte(r) == MemberlistMessage.HAS_LABEL) {
      off = 2 + buf.getUnsignedByte(r + 1);
    }
    if (n < off + 5) {
      return false;
    }
    long len = buf.getUnsignedInt(r + off + 1);
    return n >= off + 5 + len;
  }

  private static boolean looksEncrypted(ByteBuf buf) {
    int r = buf.readerIndex();
    int n = buf.readableBytes();
    int off = 0;
    if (n >= 2 && buf.getUnsignedByte(r) == MemberlistMessage.HAS_LABEL) {
      off = 2 + buf.getUnsignedByte(r + 1);
    }
    return n > off && buf.getUnsignedByte(r + off) == MemberlistMessage.ENCRYPT;
  }

  /**
   * One TCP connection, either way: accumulates what the peer writes (bounded by the stream limit
   * and a timeout) until it decodes, then acts on the message. Outbound ({@code target} set), it
   * writes {@code request} first and expects the peer's push-pull.
   */
  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final @Nullable NodeAddress target;
    private final byte @Nullable [] request;
    private final ByteBuf acc = Unpooled.buffer(0); // grows as bytes arrive
    private boolean done;
    private boolean active;
    private @Nullable ScheduledFuture<?> timeout;

    StreamHandler(@Nullable NodeAddress target, byte @Nullable [] request) {
      this.target = target;
      this.request = request;
    }

    private boolean outbound() {
      return target != null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active = true;
      connectionsOpened.increment();
      openConnections.incrementAndGet();
      if (!outbound()) {
        inboundStreams++;
        if (inboundStreams > maxStreams) {
          drop(TransportDropReason.OVERLOAD, "too many inbound streams");
          done = true;
          ctx.close();
          return;
        }
      }
      timeout =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!done) {
                      drop(TransportDropReason.SLOW_READ, "stream timed out");
                      done = true;
                    }
                    ctx.close();
                  },
                  streamTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
      byte[] req = request;
      if (req != null) {
        int n = req.length;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(req))
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (f.isSuccess()) {
                        packetsOut.increment();
                        bytesOut.add(n);
                      }
                    });
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (done) {
          return;
        }
        int max = wire.maxStreamBytes() + 64;
        int n = in.readableBytes();
        if (acc.readableBytes() + n > max) {
          drop(DropReason.TOO_LARGE, "stream over " + wire.maxStreamBytes() + " bytes");
          done = true;
          ctx.close();
          return;
        }
        if (bufferedStreamBytes + n > streamBufferBudget) {
          drop(TransportDropReason.MEMORY_BUDGET, "streams buffer over " + streamBufferBudget);
          done = true;
          ctx.close();
          return;
        }
        bufferedStreamBytes += n;
        acc.writeBytes(in);
      } finally {
        in.release();
      }
      tryDecode(ctx, false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!active) {
        return;
      }
      active = false;
      openConnections.decrementAndGet();
      if (!outbound()) {
        inboundStreams--;
      } else {
        outboundStreams--;
      }
      if (!done && acc.isReadable()) {
        tryDecode(ctx, true);
      }
      done = true;
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      Boolean j = replyJoin.remove(ctx.channel());
      if (j != null) {
        replies.values().remove(ctx.channel());
      }
      bufferedStreamBytes -= acc.writerIndex();
      acc.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!done) {
        drop(TransportDropReason.SEND_FAILED, "stream: " + cause);
      }
      done = true;
      ctx.close();
    }

    private void tryDecode(ChannelHandlerContext ctx, boolean eof) {
      if (!eof && looksEncrypted(acc) && !encryptedComplete(acc)) {
        return; // wait for the rest of the frame
      }
      byte[] bytes = ByteBufUtil.getBytes(acc);
      MemberlistMessage m;
      try {
        m = codecs.plain().decodeStream(bytes);
      } catch (MemberlistDecodeException e) {
        if (eof || looksEncrypted(acc) || rejectsAtOnce(e)) {
          done = true;
          dropDecode(e, ctx.channel().remoteAddress());
          ctx.close();
        }
        return; // a plaintext message arrives in pieces: wait for more
      }
      done = true;
      packetsIn.increment();
      bytesIn.add(bytes.length);
      guarded(() -> onStream(ctx, m, bytes.length));
    }

    private void onStream(ChannelHandlerContext ctx, MemberlistMessage m, int size) {
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      NodeAddress peer = target != null ? target : MemberlistTranslator.address(remote);
      if (m instanceof MemberlistMessage.PushPull pp) {
        mergeState(pp);
        GossipMessage.PushPull core = translator.pushPull(pp, peer, outbound());
        if (outbound()) {
          ctx.close();
          deliver(core, remote, size);
        } else {
          Channel ch = ctx.channel();
          Channel old = replies.put(peer, ch);
          if (old != null && old != ch) {
            old.close();
          }
          replyJoin.put(ch, pp.join());
          ctx.executor()
              .schedule(
                  () -> {
                    if (ch.isActive() && replies.get(peer) == ch) {
                      drop(TransportDropReason.SEND_FAILED, "no push-pull answer in time");
                      ch.close();
                    }
                  },
                  replyTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
          deliver(core, remote, size);
        }
      } else if (m instanceof MemberlistMessage.Ping p && !outbound()) {
        String self = translator.selfId();
        if (p.node().isEmpty() || p.node().equals(self)) {
          writeAndClose(
              ctx.channel(),
              codecs.plain().encodeStream(new MemberlistMessage.Ack(p.seqNo(), WireBytes.EMPTY)));
        } else {
          drop(DropReason.WRONG_TARGET, "stream ping for " + p.node());
          ctx.close();
        }
      } else if (m instanceof MemberlistMessage.User u) {
        notifyUser(u.payload().toByteArray(), remote);
        ctx.close();
      } else if (m instanceof MemberlistMessage.Err e) {
        drop(TransportDropReason.SEND_FAILED, "peer reported: " + e.error());
        ctx.close();
      } else {
        drop(DropReason.UNKNOWN_TYPE, "memberlist type " + m.type() + " on a stream");
        ctx.close();
      }
    }
  }

  private static boolean rejectsAtOnce(MemberlistDecodeException e) {
    String r = String.valueOf(e.getMessage());
    return r.contains("label") || r.contains("keyring") || r.contains("over the limit");
  }

  private void mergeState(MemberlistMessage.PushPull pp) {
    MemberlistDelegate d = delegate;
    if (d == null) {
      return;
    }
    try {
      d.mergeRemoteState(pp.userState().toByteArray(), pp.join());
    } catch (RuntimeException e) {
      log.atWarn().setMessage("memberlist delegate failed to merge state").setCause(e).log();
    }
  }

  private void notifyUser(byte[] message, InetSocketAddress sender) {
    MemberlistDelegate d = delegate;
    if (d == null) {
      ignoredUserMessages.increment(); // expected: Serf's intents and events, with no layer above
      return;
    }
    try {
      d.notifyMessage(message, sender);
    } catch (RuntimeException e) {
      log.atWarn().setMessage("memberlist delegate failed on a message").setCause(e).log();
    }
  }

  private void deliver(GossipMessage m, @Nullable InetSocketAddress sender, int size) {
    InboundHandler h = handler;
    if (h == null) {
      drop(TransportDropReason.OVERLOAD, "no inbound handler");
      return;
    }
    try {
      h.onMessage(m, sender, size);
    } catch (RuntimeException e) {
      drop(TransportDropReason.OVERLOAD, "inbound handler threw " + e);
    }
  }

  // =================================================================================== packets

  private final class PacketHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      byte[] bytes = ByteBufUtil.getBytes(packet.content());
      InetSocketAddress sender = packet.sender();
      List<MemberlistMessage> msgs;
      try {
        msgs = codecs.plain().decodePacket(bytes);
      } catch (MemberlistDecodeException e) {
        dropDecode(e, sender);
        return;
      }
      packetsIn.increment();
      bytesIn.add(bytes.length);
      Consumer<byte[]> user = b -> notifyUser(b, sender);
      List<GossipMessage> core;
      try {
        core = translator.inbound(msgs, sender, user);
      } catch (RuntimeException e) {
        drop(DropReason.MALFORMED, "packet: " + e);
        return;
      }
      for (GossipMessage m : core) {
        deliver(m, sender, bytes.length);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      drop(TransportDropReason.SEND_FAILED, "UDP: " + cause);
    }
  }

  // ===================================================================================== drops

  private void dropDecode(MemberlistDecodeException e, @Nullable Object sender) {
    String r = String.valueOf(e.getMessage());
    Enum<?> reason =
        r.contains("label")
                || r.contains("keyring")
                || r.contains("decrypt")
                || r.contains("CRC")
                || r.contains("encrypted")
            ? TransportDropReason.REJECTED_BY_TRANSFORM
            : r.contains("over the limit")
                ? DropReason.TOO_LARGE
                : r.contains("truncated") ? DropReason.TRUNCATED : DropReason.MALFORMED;
    drop(reason, r + " from " + sender);
  }

  private void drop(Enum<?> reason, @Nullable String detail) {
    if (reason instanceof DropReason d) {
      drops[d.ordinal()].increment();
    } else if (reason instanceof TransportDropReason t) {
      transportDrops[t.ordinal()].increment();
    }
    long now = System.nanoTime();
    long next = nextWarn.get();
    if (now - next >= 0 && nextWarn.compareAndSet(next, now + TimeUnit.SECONDS.toNanos(10))) {
      log.atWarn()
          .setMessage("memberlist transport dropped a message")
          .addKeyValue("reason", reason)
          .addKeyValue("detail", detail)
          .addKeyValue("suppressedSinceLast", suppressed.getAndSet(0))
          .log();
    } else {
      suppressed.incrementAndGet();
      log.atDebug()
          .setMessage("memberlist transport dropped a message")
          .addKeyValue("reason", reason)
          .addKeyValue("detail", detail)
          .log();
    }
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Builds a {@link MemberlistTransport}; each setter validates its argument. */
  public static final class Builder {
    private WireConfig wire = WireConfig.defaults();
    private @Nullable MemberlistDelegate delegate;
    private Versions versions = Versions.SERF_DEFAULT;
    private String bindHost = "127.0.0.1";
    private int bindPort;
    private int packetBudget = 1400;
    private Duration streamTimeout = Duration.ofSeconds(10);
    private Duration replyTimeout = Duration.ofSeconds(5);
    private int maxStreams = 128;
    private Duration gossipInterval = Duration.ofMillis(200);
    private int gossipNodes = 3;
    private int maxPeers = 65_536;
    private int maxPendingProbes = 4096;
    private long streamBufferBudget = 64L << 20;

    private Builder() {}

    /**
     * Framing shared by the whole pool: label, encryption keys, stream and packet limits. Default
     * {@link WireConfig#defaults()} (plaintext, no label). Whether a packet carries a CRC is
     * decided per peer (those that announce memberlist protocol 5), not by the config.
     */
    public Builder wireConfig(WireConfig v) {
      wire = Objects.requireNonNull(v, "wireConfig");
      return this;
    }

    /** What rides above membership (Serf's layer); default none (no user messages or state). */
    public Builder delegate(@Nullable MemberlistDelegate v) {
      delegate = v;
      return this;
    }

    /**
     * The memberlist and delegate protocol versions this node announces; default {@link
     * Versions#SERF_DEFAULT} (what a Serf agent announces).
     */
    public Builder versions(Versions v) {
      versions = Objects.requireNonNull(v, "versions");
      return this;
    }

    /**
     * Where to listen when used without a node ({@link #withNodeOptions} overrides it): an IP
     * literal and a port (0: a free one). Default {@code 127.0.0.1:0}.
     */
    public Builder bind(String host, int port) {
      checkIpLiteral(Objects.requireNonNull(host, "host"));
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      bindHost = host;
      bindPort = port;
      return this;
    }

    /**
     * Largest UDP packet sent, framing included; in [576, 65507]. Default 1400, memberlist's {@code
     * UDPBufferSize}.
     */
    public Builder packetBudget(int v) {
      if (v < 576 || v > 65507) {
        throw new IllegalArgumentException("packetBudget must be in [576, 65507], got " + v);
      }
      packetBudget = v;
      return this;
    }

    /**
     * How long a TCP connection may take to connect and deliver its message; default 10 s
     * (memberlist's {@code TCPTimeout}).
     */
    public Builder streamTimeout(Duration v) {
      streamTimeout = positive(v, "streamTimeout");
      return this;
    }

    /** How long an inbound push-pull waits for the core's answer; default 5 s. */
    public Builder replyTimeout(Duration v) {
      replyTimeout = positive(v, "replyTimeout");
      return this;
    }

    /** Most TCP connections open at once each way; in [1, 65536], default 128. */
    public Builder maxStreams(int v) {
      if (v < 1 || v > 65536) {
        throw new IllegalArgumentException("maxStreams must be in [1, 65536], got " + v);
      }
      maxStreams = v;
      return this;
    }

    /**
     * How often the delegate's broadcasts go out on packets of their own, to {@code nodes} random
     * live peers; default every 200 ms to 3 (memberlist's LAN gossip).
     */
    public Builder gossip(Duration interval, int nodes) {
      gossipInterval = positive(interval, "gossip interval");
      if (nodes < 1 || nodes > 64) {
        throw new IllegalArgumentException("gossip nodes must be in [1, 64], got " + nodes);
      }
      gossipNodes = nodes;
      return this;
    }

    /**
     * Most peers remembered (address, versions) and most probes awaiting an answer; the least
     * recently used are forgotten first. Defaults 65,536 and 4096.
     */
    public Builder limits(int maxPeers, int maxPendingProbes) {
      if (maxPeers < 1 || maxPendingProbes < 1) {
        throw new IllegalArgumentException(
            "limits must be at least 1, got " + maxPeers + " and " + maxPendingProbes);
      }
      this.maxPeers = maxPeers;
      this.maxPendingProbes = maxPendingProbes;
      return this;
    }

    /**
     * Most bytes of unfinished inbound stream messages held at once over all connections; a
     * connection that would go over it is closed (counted as {@code MEMORY_BUDGET}). In [64 KiB,
     * 2^40], default 64 MiB. (One message is bounded by {@link WireConfig#maxStreamBytes()}.)
     */
    public Builder streamBufferBudget(long v) {
      if (v < 65536 || v > 1L << 40) {
        throw new IllegalArgumentException(
            "streamBufferBudget must be in [64 KiB, 2^40], got " + v);
      }
      streamBufferBudget = v;
      return this;
    }

    private static Duration positive(Duration v, String name) {
      Objects.requireNonNull(v, name);
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + v);
      }
      return v;
    }

    /** A new, not yet started transport. */
    public MemberlistTransport build() {
      MemberlistTransport t = new MemberlistTransport(this);
      t.currentKeyring = wire.keyring();
      return t;
    }
  }
}
