package io.libgossip.net;

import io.libgossip.core.AppState;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.Delivery;
import io.libgossip.core.DropReason;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipListener;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageFailure;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NetworkCoordinate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeView;
import io.libgossip.core.Outbox;
import io.libgossip.core.PeerTiming;
import io.libgossip.core.ProtocolObserver;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryRequest;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.core.UserMessage;
import io.libgossip.core.WireVersions;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gossip member: a {@link GossipCore} wired to a {@link Transport} and a scheduler.
 *
 * <pre>{@code
 * GossipNode node = GossipNode.builder()
 *     .bind("0.0.0.0", 7946)
 *     .seeds("10.0.0.5:7946")
 *     .metadata("role", "web")
 *     .start();
 * node.addListener(event -> System.out.println(event));
 * ...
 * node.leave(Duration.ofSeconds(5)).join();
 * }</pre>
 *
 * <p><b>Threading.</b> The core is confined to one Netty event loop (the transport's UDP channel
 * loop, so UDP input needs no thread hop). {@code tick} runs exactly at the core's {@code
 * nextDeadline()}, which is re-read after every core call; one timer is pending at a time and is
 * replaced when the deadline moves earlier. Every public method is thread-safe: queries hop onto
 * the loop and wait at most 5 s; {@link #join}, {@link #leave} return futures. Listeners run on a
 * dedicated thread of this node, so a slow or throwing listener cannot stall the protocol; one that
 * throws is logged with its stack trace and counted in {@link NodeStats#listenerFailures()}.
 *
 * <p><b>Events.</b> Events wait for the listeners in a queue of at most {@link
 * Builder#eventQueueCapacity} events. When listeners fall so far behind that it fills, events are
 * dropped until they catch up, and then a {@link ClusterEvent.Resync} carrying the current member
 * list takes their place (counted in {@link NodeStats#eventsDropped()} and {@link
 * NodeStats#eventResyncs()}, logged at WARN). {@link #addListener(GossipListener, boolean)} can
 * start a listener with a snapshot that is consistent with the events that follow it.
 *
 * <p><b>Logs.</b> Every membership change is logged (INFO for joined, recovered, suspected, failed,
 * left; rate-bounded, with a summary line for what was not logged individually) to the logger
 * {@code io.libgossip.net.membership}; listener failures and event-queue overflows to {@code
 * io.libgossip.net.events}; the node's own start, join, leave and close to this class's logger.
 *
 * <p>Time is read in one place, from the builder's clock ({@link System#nanoTime()} by default).
 */
public final class GossipNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GossipNode.class);

  /** The default port (memberlist's). */
  public static final int DEFAULT_PORT = 7946;

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final AtomicLong ID_COUNTER = new AtomicLong();

  private final String id;
  private final NodeAddress address;
  private final GossipConfig config;
  private final Transport transport;
  private final LongSupplier clock;
  private final @Nullable Keyring keyring;
  private final Duration joinTimeout;
  private final RetryPolicy retryPolicy;
  private final RandomGenerator random;
  private final LongAdder joinAttempts = new LongAdder();
  private final LongAdder seedLookupFailures = new LongAdder();
  private final EventLoop loop;
  private final GossipCore core;
  private final EventDispatcher events;
  private final MessageBridge messages;
  private final MembershipLog membershipLog;
  private final ObserverFanout observers = new ObserverFanout();
  private final DropLog incarnationLog =
      new DropLog(log, "core", "dropped a claim above the incarnation ceiling");
  private final DropLog answerLog =
      new DropLog(LoggerFactory.getLogger(MessageBridge.LOGGER), "handler", "answer not sent");
  private final AtomicReference<@Nullable Thread> shutdownHook = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final CompletableFuture<Void> leaveFuture = new CompletableFuture<>();
  private final CompletableFuture<Void> initialJoin = new CompletableFuture<>();
  private volatile boolean ready;
  private volatile @Nullable Final finalState;

  // ---- confined to the loop
  private @Nullable ScheduledFuture<?> tickTask;
  private long tickAt;
  private final List<Joiner> joins = new ArrayList<>();
  private boolean leaving;

  /** Set on the loop when the core reports its join complete. */
  private boolean selfJoined;

  /** Set on the loop when the core reports that the leave has spread. */
  private boolean leaveSpread;

  private @Nullable ScheduledFuture<?> leaveTimeout;
  private long reportedBytesIn;
  private long reportedBytesOut;

  /** During a best-effort {@link #send}: the caller's future, for the datagram the core sends. */
  private @Nullable CompletableFuture<Void> handOff;

  private boolean handedOff;

  /** What queries answer once the node is closed. */
  private record Final(List<NodeView> members, NodeView self, NodeStats stats) {}

  /**
   * A builder with the defaults: bind {@code 0.0.0.0:7946}, LAN profile, hybrid, binary, no packet
   * transforms.
   */
  public static Builder builder() {
    return new Builder();
  }

  private GossipNode(Builder b) {
    this.config = b.config;
    this.clock = b.clock;
    this.joinTimeout = b.joinTimeout;
    this.retryPolicy = b.retryPolicy;
    this.keyring = b.keyring;
    MessageSerializer serializer =
        b.serializerInstance != null
            ? b.serializerInstance
            : SerializerFactory.create(b.serializerName, config);
    TransportOptions.Builder ob =
        TransportOptions.forConfig(config)
            .bindHost(b.bindHost)
            .bindPort(b.bindPort)
            .serializer(serializer)
            .transforms(b.allTransforms())
            .eventLoops(b.eventLoops);
    TransportOptions options = b.transportOptions.apply(ob.tls(b.tls)).build();
    String certifiedId = TlsOptions.checkNode(b.transportType, options, b.id);
    Transport custom =
        b.transportFactory == null
            ? null
            : Objects.requireNonNull(b.transportFactory.apply(options), "transport factory result");
    // A custom transport says itself what it adds per packet (it may frame packets its own way).
    int overhead = custom != null ? custom.packetOverhead() : options.packetOverhead();
    if (overhead > config.maxPacketSize() / 2) {
      if (custom != null) {
        custom.close();
      }
      throw new IllegalArgumentException(
          "the packet transforms add "
              + overhead
              + " bytes per packet, more than half of maxPacketSize ("
              + config.maxPacketSize()
              + ")");
    }
    this.transport = custom != null ? custom : TransportFactory.create(b.transportType, options);
    transport.onMessage(
        new InboundHandler() {
          @Override
          public void onMessage(
              GossipMessage message, @Nullable InetSocketAddress sender, int size) {
            if (unprovenExchange(message, sender)) {
              return;
            }
            onInbound(message, null);
          }

          @Override
          public void onMessage(
              GossipMessage message,
              @Nullable WireVersions senderVersions,
              @Nullable InetSocketAddress sender,
              int size) {
            if (unprovenExchange(message, sender)) {
              return;
            }
            onInbound(message, senderVersions);
          }
        });
    NodeAddress bound = transport.start(); // throws naming the address
    try {
      this.address = advertised(b.advertise, bound);
      this.id = b.id != null ? b.id : certifiedId != null ? certifiedId : defaultId(address);
      this.loop = transport.eventLoop();
      this.events = newDispatcher(b);
      this.messages =
          new MessageBridge(
              LoggerFactory.getLogger(MessageBridge.LOGGER),
              id,
              b.messageHandler,
              b.messageQueueCapacity,
              b.messageQueueBytes,
              loop,
              clock);
      this.membershipLog = newMembershipLog(b);
      this.random =
          b.random != null ? b.random : new SplittableRandom(System.nanoTime() ^ id.hashCode());
      GossipCore.Builder cb = GossipCore.builder();
      if (b.appState != null) {
        cb.appState(b.appState);
      }
      this.core =
          cb.id(id)
              .address(address)
              .metadata(b.metadata)
              .configEpoch(b.configEpoch)
              .config(config)
              .random(random)
              .outbox(
                  new Outbox() {
                    @Override
                    public void send(GossipMessage message, NodeView target, Delivery delivery) {
                      send(message, target, delivery, 0);
                    }

                    @Override
                    public void send(
                        GossipMessage message, NodeView target, Delivery delivery, int version) {
                      if (message instanceof UserMessage u
                          && (u.originatedHere() || u.kind() == UserMessage.Kind.MESSAGE)) {
                        sendUser(u, target, delivery, version);
                      } else {
                        transport.send(message, target.address(), delivery, version);
                      }
                    }
                  })
              .listener(this::dispatch)
              .messageHandler(messages)
              .ticker(clock)
              .packetOverhead(overhead)
              .wallClockAtStart(Instant.now())
              .wallClock(epochNanos(b.wallClock)) // read only with clockOffsets (decision 061)
              .build();
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
    core.observer(observers); // before the first tick, like the listeners
    messages.answers(answers());
    b.listeners.forEach(this::addListener); // before the first tick: no event is missed
    ready = true;
    SeedProvider seeds = b.seedProvider();
    loop.execute(
        () -> {
          if (closed.get()) {
            return;
          }
          core.tick(now());
          if (seeds == null) {
            core.join(List.of(), now()); // a cluster of one, until someone joins us
          }
          afterCore();
          if (seeds != null) {
            startJoin(seeds, retryPolicy, retryPolicy.retries(), initialJoin);
          } else {
            initialJoin.complete(null);
          }
        });
    log.atInfo()
        .setMessage("gossip node started")
        .addKeyValue("id", id)
        .addKeyValue("address", address)
        .addKeyValue("bound", bound)
        .addKeyValue("transport", transport.type())
        .addKeyValue("serializer", serializer.name())
        .addKeyValue(
            "transforms", options.transforms().stream().map(PacketTransform::name).toList())
        .addKeyValue("epoll", EventLoops.isEpoll(loop.parent()))
        .addKeyValue("config", config)
        .addKeyValue("seeds", seeds != null ? seeds : "none")
        .addKeyValue("retryJoin", retryPolicy)
        .log();
  }

  // ======================================================================== runtime plumbing

  /** The one place time is read. */
  private long now() {
    return clock.getAsLong();
  }

  /**
   * Whether {@code message} is a state exchange request (a join or a periodic push-pull, whose
   * answer is this node's full state) that claims an address whose IP is not the one the connection
   * came from: its answer would go to an address the requester never proved it holds (a TCP
   * handshake proves the connection's IP; a claimed address can be anyone's). Such requests are
   * dropped and counted as {@link DropReason#UNPROVEN_ADDRESS}.
   */
  private boolean unprovenExchange(GossipMessage message, @Nullable InetSocketAddress sender) {
    if (!(message instanceof GossipMessage.PushPull pp) || pp.reply()) {
      return false;
    }
    InetAddress ip = sender == null ? null : sender.getAddress();
    if (ip != null && sameIp(pp.fromAddress().host(), ip)) {
      return false;
    }
    if (!ready) {
      return true;
    }
    loop.execute(() -> core.recordDrop(DropReason.UNPROVEN_ADDRESS));
    return true;
  }

  /** Whether {@code host} is an IP literal equal to {@code ip}; a host name proves nothing. */
  private static boolean sameIp(String host, InetAddress ip) {
    byte[] claimed = NetUtil.createByteArrayFromIpAddressString(host);
    if (claimed == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(claimed).equals(ip);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Inbound handler: called on a transport I/O thread. */
  private void onInbound(GossipMessage message, @Nullable WireVersions senderVersions) {
    if (!ready) {
      return;
    }
    if (loop.inEventLoop()) {
      handleInbound(message, senderVersions);
    } else {
      try {
        loop.execute(() -> handleInbound(message, senderVersions));
      } catch (RejectedExecutionException e) {
        // shutting down
      }
    }
  }

  private void handleInbound(GossipMessage message, @Nullable WireVersions senderVersions) {
    if (closed.get()) {
      return;
    }
    long ahead = core.drops(DropReason.INCARNATION_AHEAD);
    core.handleMessage(message, senderVersions, now());
    if (core.drops(DropReason.INCARNATION_AHEAD) != ahead) {
      incarnationLog.drop(
          DropReason.INCARNATION_AHEAD,
          null,
          "forged, or the clock of a peer runs ahead; in a message from "
              + LogSafe.text(message.from())
              + " at "
              + LogSafe.text(String.valueOf(message.fromAddress())));
    }
    afterCore();
  }

  /** After every core call, on the loop: settle joins and leave, and re-arm the timer. */
  private void afterCore() {
    if (!joins.isEmpty() && selfJoined) {
      boolean completed = false;
      for (Joiner j : joins) {
        completed |= j.joined();
      }
      joins.removeIf(Joiner::finished);
      if (completed) {
        log.atInfo()
            .setMessage("joined cluster")
            .addKeyValue("id", id)
            .addKeyValue("members", core.liveCount())
            .log();
      }
    }
    if (leaving && leaveSpread) {
      log.atInfo()
          .setMessage("left cluster")
          .addKeyValue("id", id)
          .addKeyValue("spread", true)
          .log();
      close();
      return;
    }
    reschedule();
  }

  private void reschedule() {
    if (closed.get()) {
      return;
    }
    long deadline = core.nextDeadline();
    if (tickTask != null) {
      if (deadline - tickAt >= 0) {
        return; // the pending timer fires no later than needed
      }
      tickTask.cancel(false);
    }
    tickAt = deadline;
    long delay = Math.max(0, deadline - now());
    tickTask = loop.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    tickTask = null;
    if (closed.get()) {
      return;
    }
    core.tick(now());
    afterCore();
  }

  private static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  /** How the handler's answers reach the core: on the loop, each followed by {@link #afterCore}. */
  private MessageBridge.Answers answers() {
    return new MessageBridge.Answers() {
      @Override
      public void respond(String to, long requestId, byte[] payload) {
        if (closed.get()) {
          return;
        }
        try {
          core.respond(to, requestId, payload, now());
        } catch (IllegalArgumentException | IllegalStateException e) {
          answerFailed("request", to, e);
          reject(to, requestId);
          return;
        }
        afterCore();
      }

      @Override
      public void reject(String to, long requestId) {
        if (closed.get()) {
          return;
        }
        try {
          core.reject(to, requestId, now());
        } catch (IllegalArgumentException | IllegalStateException e) {
          answerFailed("request", to, e);
          return;
        }
        afterCore();
      }

      @Override
      public void respondToQuery(QueryRequest query, byte[] payload) {
        if (closed.get()) {
          return;
        }
        try {
          core.respondToQuery(query, payload, now());
        } catch (IllegalArgumentException | IllegalStateException e) {
          answerFailed("query", query.origin(), e);
          return;
        }
        afterCore();
      }
    };
  }

  private void answerFailed(String kind, String to, RuntimeException e) {
    answerLog.drop(
        e instanceof IllegalArgumentException ? MessageFailure.TOO_LARGE : MessageFailure.SHUTDOWN,
        null,
        "answer to a " + kind + " of " + LogSafe.text(to) + " not sent: " + e.getMessage());
  }

  /** Core listener, on the loop: hand the event to this node's event thread. */
  private void dispatch(ClusterEvent event) {
    if (event.kind() == ClusterEvent.Kind.SELF_JOINED) {
      selfJoined = true; // afterCore completes the pending joins
    } else if (event.kind() == ClusterEvent.Kind.LEAVE_SPREAD) {
      leaveSpread = true; // afterCore closes the node
    }
    membershipLog.onEvent(event);
    events.publish(event);
  }

  private EventDispatcher newDispatcher(Builder b) {
    return new EventDispatcher(
        LoggerFactory.getLogger(EventDispatcher.LOGGER),
        id,
        b.eventQueueCapacity,
        loop,
        dropped -> new ClusterEvent.Resync(core.self(), core.members(), dropped),
        clock);
  }

  private MembershipLog newMembershipLog(Builder b) {
    return new MembershipLog(
        LoggerFactory.getLogger(MembershipLog.LOGGER),
        id,
        b.membershipLogRate,
        clock,
        (task, delay) -> {
          try {
            loop.schedule(task, delay, TimeUnit.NANOSECONDS);
          } catch (RejectedExecutionException e) {
            // closing: close() writes the summary
          }
        });
  }

  /** Runs {@code task} on the loop and waits for it (at most 5 s). */
  private <T> T call(Callable<T> task) {
    if (loop.inEventLoop()) {
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    io.netty.util.concurrent.Future<T> f;
    try {
      f = loop.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("gossip node " + id + " is closed", e);
    }
    if (!f.awaitUninterruptibly(CALL_TIMEOUT.toMillis())) {
      throw new IllegalStateException(
          "gossip node " + id + ": event loop did not answer within " + format(CALL_TIMEOUT));
    }
    if (f.isSuccess()) {
      return f.getNow();
    }
    Throwable c = f.cause();
    if (c instanceof RuntimeException r) {
      throw r;
    }
    if (c instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(c);
  }

  // ======================================================================== public API

  /**
   * The keyring given to {@link Builder#keyring}, to install, make primary and remove keys, or
   * change the {@link KeyringMode}, while the node runs; empty for a node without one.
   */
  public Optional<Keyring> keyring() {
    return Optional.ofNullable(keyring);
  }

  /** This node's id. */
  public String id() {
    return id;
  }

  /** The address other members reach this node at (the advertised one). */
  public NodeAddress address() {
    return address;
  }

  /** The protocol configuration. */
  public GossipConfig config() {
    return config;
  }

  /** The transport's type. */
  public TransportType transportType() {
    return transport.type();
  }

  /** Whether the node is running (not closed). */
  public boolean isRunning() {
    return !closed.get();
  }

  /**
   * The join started by the builder's seeds and seed providers: completes when the node has joined
   * (at once without seeds). Without {@linkplain Builder#retryJoin(RetryPolicy) retry} it fails
   * with a {@link JoinException} naming the seeds after the join timeout; with retry, only once the
   * policy's budget is spent (never, with {@link RetryPolicy#forever()}) or the node is closed. A
   * seed lookup that failed is the exception's cause ({@link SeedResolutionException}).
   */
  public CompletableFuture<Void> joinFuture() {
    return initialJoin.copy();
  }

  /** Completes when the node is closed (by {@link #close()} or at the end of {@link #leave}). */
  public CompletableFuture<Void> closeFuture() {
    return closeFuture.copy();
  }

  /** Joins through seeds written {@code host:port} (port default 7946). */
  public CompletableFuture<Void> join(String... seeds) {
    return join(Seeds.parse(Arrays.asList(seeds)));
  }

  /**
   * Joins a cluster through {@code seeds}: a state exchange with each, repeated every second until
   * one answers. Host names are resolved off the event loop, to every address they have. One
   * attempt: the builder's {@linkplain Builder#retryJoin(RetryPolicy) retry policy} applies to the
   * builder's seeds only.
   *
   * @return completes when the node has joined; fails with a {@link JoinException} like {@code
   *     could not join: no answer from 10.0.0.5:7946 within 5 s} after the join timeout, or {@code
   *     could not join: DNS lookup of 'seed.example' (A/AAAA) failed: ...} (its cause a {@link
   *     SeedResolutionException})
   */
  public CompletableFuture<Void> join(Collection<NodeAddress> seeds) {
    List<NodeAddress> given = List.copyOf(seeds);
    if (given.isEmpty()) {
      throw new IllegalArgumentException("join needs at least one seed");
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    try {
      loop.execute(() -> startJoin(Seeds.fixed(given), RetryPolicy.none(), false, f));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(
          new JoinException("could not join: node " + id + " is closed", given));
    }
    return f;
  }

  /** On the loop: starts a join through {@code seeds} (see {@link Joiner}). */
  private void startJoin(
      SeedProvider seeds, RetryPolicy policy, boolean watchWhileAlone, CompletableFuture<Void> f) {
    if (closed.get()) {
      f.completeExceptionally(
          new JoinException("could not join: node " + id + " is closed", List.of()));
      return;
    }
    joins.removeIf(Joiner::finished);
    Joiner j =
        new Joiner(
            id,
            loop,
            seeds,
            policy,
            joinTimeout,
            random,
            joinerSide,
            f,
            joinAttempts,
            seedLookupFailures,
            watchWhileAlone);
    joins.add(j);
    j.start();
  }

  /** What a {@link Joiner} does to this node, on the loop. */
  private final Joiner.Node joinerSide =
      new Joiner.Node() {
        @Override
        public void join(List<NodeAddress> seeds) {
          core.join(seeds, now());
          afterCore();
        }

        @Override
        public void meet(List<NodeAddress> seeds) {
          for (NodeAddress seed : seeds) {
            core.meet(seed, now());
          }
          afterCore();
        }

        @Override
        public int liveCount() {
          return core.liveCount();
        }

        @Override
        public boolean closed() {
          return closed.get();
        }

        @Override
        public long now() {
          return GossipNode.this.now();
        }
      };

  /** Every member this node knows, itself first, tombstones included. */
  public List<NodeView> members() {
    Final fin = finalState;
    if (fin != null) {
      return fin.members;
    }
    return call(
        () -> {
          Final f2 = finalState;
          return f2 != null ? f2.members : core.members();
        });
  }

  /**
   * The highest binary wire format version every live member speaks, as far as this node knows
   * ({@link GossipCore#clusterWireVersion()}); after {@code close}, the oldest this node speaks.
   * During a rolling upgrade it stays at the old version until the last old node is gone.
   */
  public int clusterWireVersion() {
    if (finalState != null) {
      return core.config().wireVersions().min();
    }
    return call(
        () -> finalState != null ? core.config().wireVersions().min() : core.clusterWireVersion());
  }

  /** This node as the cluster sees it. */
  public NodeView self() {
    Final fin = finalState;
    if (fin != null) {
      return fin.self;
    }
    return call(
        () -> {
          Final f2 = finalState;
          return f2 != null ? f2.self : core.self();
        });
  }

  /**
   * What this node has measured of member {@code id}: round-trip time, and its clock's offset from
   * this node's with an error bound (NTP-style, from the timestamps on probe pings and acks). Empty
   * unless {@link io.libgossip.core.GossipConfig#clockOffsets()} is on here and at {@code id}, and
   * this node has probed {@code id} at least once since; empty after {@link #close()}.
   */
  public Optional<PeerTiming> timing(String id) {
    Objects.requireNonNull(id, "id");
    if (finalState != null) {
      return Optional.empty();
    }
    return call(() -> finalState != null ? Optional.empty() : core.timing(id, clock.getAsLong()));
  }

  /**
   * This node's Vivaldi network coordinate; empty unless {@link
   * io.libgossip.core.GossipConfig#coordinates()} is on, and after {@link #close()}.
   */
  public Optional<NetworkCoordinate> coordinate() {
    if (finalState != null) {
      return Optional.empty();
    }
    return call(() -> finalState != null ? Optional.empty() : core.coordinate());
  }

  /**
   * The round-trip time to member {@code id} that the network coordinates predict (see {@link
   * GossipCore#estimateRtt(String)}); empty unless coordinates are on and {@code id}'s coordinate
   * has been heard, and after {@link #close()}.
   */
  public Optional<Duration> estimateRtt(String id) {
    Objects.requireNonNull(id, "id");
    if (finalState != null) {
      return Optional.empty();
    }
    return call(() -> finalState != null ? Optional.empty() : core.estimateRtt(id));
  }

  private static LongSupplier epochNanos(Clock wall) {
    return () -> {
      Instant t = wall.instant();
      return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    };
  }

  /** The member with {@code id} (this node included), if known. */
  public Optional<NodeView> findNode(String id) {
    Objects.requireNonNull(id, "id");
    Final fin = finalState;
    if (fin != null) {
      return fin.members.stream().filter(n -> n.id().equals(id)).findFirst();
    }
    return call(
        () -> {
          Final f2 = finalState;
          return f2 != null
              ? f2.members.stream().filter(n -> n.id().equals(id)).findFirst()
              : core.findNode(id);
        });
  }

  /**
   * Replaces this node's metadata and spreads it.
   *
   * @throws IllegalArgumentException when it is larger than {@link GossipConfig#maxMetadataBytes()}
   * @throws IllegalStateException when the node is leaving or closed
   */
  public void updateMetadata(Map<String, String> metadata) {
    Map<String, String> copy = Map.copyOf(metadata);
    if (closed.get()) {
      throw new IllegalStateException("gossip node " + id + " is closed");
    }
    call(
        () -> {
          core.updateMetadata(copy, now());
          afterCore();
          return null;
        });
  }

  /**
   * Declares a {@code FAILED} member {@code LEFT} and spreads that claim, like {@code serf
   * force-leave}: the cluster stops trying to reconnect to it and forgets it after the tombstone
   * timeout. A member that is in fact alive refutes the claim and rejoins.
   *
   * @return a future of the member, now {@code LEFT}; it fails with {@link
   *     java.util.NoSuchElementException} when no member has that id and with {@link
   *     IllegalStateException} when the member is this node, is not {@code FAILED}, or this node is
   *     closed
   */
  public CompletableFuture<NodeView> forceLeave(String memberId) {
    Objects.requireNonNull(memberId, "memberId");
    if (closed.get()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("gossip node " + id + " is closed"));
    }
    try {
      return CompletableFuture.completedFuture(
          call(
              () -> {
                NodeView v = core.forceLeave(memberId, now());
                afterCore();
                return v;
              }));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ======================================================================== application messages

  /**
   * Broadcasts {@code payload} to every other live member, as {@link #broadcast(String, byte[],
   * String)} without a key.
   */
  public long broadcast(String topic, byte[] payload) {
    return broadcast(topic, payload, null);
  }

  /**
   * Broadcasts {@code payload} to every other live member: it spreads epidemically and reaches each
   * member's {@link UserMessageHandler#onBroadcast} at most once; this node's handler does not get
   * it. Payloads too large for a packet travel over the reliable path. With a {@code key}, a newer
   * broadcast with the same topic and key supersedes this one: a member that has not delivered this
   * one yet never will. Delivery is best effort (a member partitioned away while it spreads may
   * miss it) and unordered.
   *
   * @param topic what it is about: printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes (copied), at most {@link GossipConfig#maxBroadcastBytes()}
   * @param key null, or printable, 1 to 64 bytes of UTF-8
   * @return the broadcast's sequence number in this life of the node
   * @throws IllegalArgumentException for a bad topic or key, or a payload over the limit
   * @throws IllegalStateException when the node is leaving or closed
   */
  public long broadcast(String topic, byte[] payload, @Nullable String key) {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    byte[] copy = payload.clone();
    checkOpen();
    return call(
        () -> {
          checkOpen();
          long seq = core.broadcast(topic, copy, key, now());
          afterCore();
          return seq;
        });
  }

  /**
   * Sends {@code payload} to member {@code memberId} in one datagram, best effort: it may be lost,
   * and nothing tells the sender whether it arrived. The target's {@link
   * UserMessageHandler#onMessage} gets it at most once.
   *
   * @param memberId the target's id
   * @param topic what it is about: printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes (copied); must fit in one packet ({@link GossipConfig#maxPacketSize()}
   *     less headers), use {@link #sendReliable} for more
   * @return completes once the datagram is handed to the socket; fails with a {@link
   *     MessageException}: {@link MessageFailure#UNKNOWN_MEMBER}, {@link
   *     MessageFailure#MEMBER_NOT_LIVE}, {@link MessageFailure#UNSUPPORTED_BY_PEER}, {@link
   *     MessageFailure#SEND_FAILED} or {@link MessageFailure#SHUTDOWN}
   * @throws IllegalArgumentException for a bad topic, or a payload that does not fit in a packet
   */
  public CompletableFuture<Void> send(String memberId, String topic, byte[] payload) {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    byte[] copy = payload.clone();
    if (closed.get()) {
      return MessageBridge.shutdown();
    }
    return call(
        () -> {
          if (closed.get()) {
            return MessageBridge.shutdown();
          }
          CompletableFuture<Void> f = new CompletableFuture<>();
          handOff = f;
          handedOff = false;
          messages.expect();
          long id;
          try {
            id = core.send(memberId, topic, copy, Delivery.BEST_EFFORT, now());
          } catch (RuntimeException e) {
            messages.unexpect();
            throw e;
          } finally {
            handOff = null;
          }
          if (id != 0) {
            messages.registerReceipt(id, f); // not sent: its failure follows
          } else {
            messages.unexpect();
            if (!handedOff) {
              f.completeExceptionally(
                  new MessageException(MessageFailure.SEND_FAILED, "nothing was sent"));
            }
          }
          afterCore();
          return f;
        });
  }

  /**
   * Sends {@code payload} to member {@code memberId} over the reliable path (a TCP connection), any
   * size up to {@link GossipConfig#maxMessageSize()} less headers. The target's {@link
   * UserMessageHandler#onMessage} gets it at most once; the future says whether it did.
   *
   * @param memberId the target's id
   * @param topic what it is about: printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes (copied)
   * @return completes when the target's node has received the message (its receipt came back);
   *     fails with a {@link MessageException}: {@link MessageFailure#UNKNOWN_MEMBER}, {@link
   *     MessageFailure#MEMBER_NOT_LIVE}, {@link MessageFailure#TOO_LARGE}, {@link
   *     MessageFailure#UNSUPPORTED_BY_PEER}, {@link MessageFailure#SEND_FAILED}, {@link
   *     MessageFailure#TIMEOUT} (no receipt within {@link GossipConfig#messageTimeout()}: it may
   *     still have arrived) or {@link MessageFailure#SHUTDOWN}
   * @throws IllegalArgumentException for a bad topic
   */
  public CompletableFuture<Void> sendReliable(String memberId, String topic, byte[] payload) {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    byte[] copy = payload.clone();
    if (closed.get()) {
      return MessageBridge.shutdown();
    }
    return call(
        () -> {
          if (closed.get()) {
            return MessageBridge.<Void>shutdown();
          }
          CompletableFuture<Void> f = new CompletableFuture<>();
          messages.expect();
          long id;
          try {
            id = core.send(memberId, topic, copy, Delivery.RELIABLE, now());
          } catch (RuntimeException e) {
            messages.unexpect();
            throw e;
          }
          messages.registerReceipt(id, f);
          afterCore();
          return f;
        });
  }

  /**
   * Sends a request to member {@code memberId} and waits for its answer, which the target's {@link
   * UserMessageHandler#onRequest} gives. The request goes in a datagram when it fits one and over
   * the reliable path otherwise; so does the answer. The target's handler gets it at most once.
   *
   * @param memberId the target's id
   * @param topic what it is about: printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes (copied), up to {@link GossipConfig#maxMessageSize()} less headers
   * @param timeout how long to wait for the answer: positive, at most one hour
   * @return the answer; fails with a {@link MessageException}: {@link MessageFailure#TIMEOUT},
   *     {@link MessageFailure#REJECTED} (no handler for requests there, or it failed), {@link
   *     MessageFailure#UNKNOWN_MEMBER}, {@link MessageFailure#MEMBER_NOT_LIVE}, {@link
   *     MessageFailure#TOO_LARGE}, {@link MessageFailure#UNSUPPORTED_BY_PEER}, {@link
   *     MessageFailure#SEND_FAILED} or {@link MessageFailure#SHUTDOWN}
   * @throws IllegalArgumentException for a bad topic or timeout
   */
  public CompletableFuture<byte[]> requestResponse(
      String memberId, String topic, byte[] payload, Duration timeout) {
    Objects.requireNonNull(memberId, "memberId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("timeout must be in (0, 1h], got " + timeout);
    }
    byte[] copy = payload.clone();
    if (closed.get()) {
      return MessageBridge.shutdown();
    }
    return call(
        () -> {
          if (closed.get()) {
            return MessageBridge.<byte[]>shutdown();
          }
          CompletableFuture<byte[]> f = new CompletableFuture<>();
          messages.expect();
          long id;
          try {
            id = core.request(memberId, topic, copy, timeout, now());
          } catch (RuntimeException e) {
            messages.unexpect();
            throw e;
          }
          messages.registerReply(id, f);
          afterCore();
          return f;
        });
  }

  /**
   * Asks the live members matching {@code options} (this node included, when it matches) a
   * question, Serf's queries: each target's {@link UserMessageHandler#onQuery} may answer. Answers
   * (and acknowledgements, if {@link QueryOptions#requestAck()}) are given to {@code onResponse} as
   * they come, on a thread of this node, one at a time.
   *
   * @param name what is asked: printable, 1 to 64 bytes of UTF-8
   * @param payload the bytes (copied)
   * @param options the targets' filters, acknowledgements and the timeout ({@link
   *     GossipConfig#queryTimeout()} when not set)
   * @param onResponse gets each acknowledgement and answer; one that throws is logged and counted
   * @return the outcome, once every targeted member still alive has answered (or failed or left),
   *     or at the timeout ({@link QueryResult#timedOut()}); after every response was given to
   *     {@code onResponse}. Fails with a {@link MessageException} of {@link
   *     MessageFailure#SHUTDOWN} when the node closes first.
   * @throws IllegalArgumentException for a bad name or a payload over the limit
   */
  public CompletableFuture<QueryResult> query(
      String name, byte[] payload, QueryOptions options, Consumer<QueryResponse> onResponse) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(onResponse, "onResponse");
    byte[] copy = payload.clone();
    if (closed.get()) {
      return MessageBridge.shutdown();
    }
    return call(
        () -> {
          if (closed.get()) {
            return MessageBridge.<QueryResult>shutdown();
          }
          CompletableFuture<QueryResult> f = new CompletableFuture<>();
          messages.expect();
          long id;
          try {
            id = core.query(name, copy, options, now());
          } catch (RuntimeException e) {
            messages.unexpect();
            throw e;
          }
          messages.registerQuery(id, f, onResponse);
          afterCore();
          return f;
        });
  }

  /**
   * On the loop: sends a message or request this node made, reporting the outcome: a best-effort
   * message's to the future {@link #send} returns, a failure of one with an id to the core (which
   * fails its future once).
   */
  // called by the outbox built in the constructor: Error Prone 2.42 reports it unused, then crashes
  @SuppressWarnings("UnusedMethod")
  private void sendUser(UserMessage u, NodeView target, Delivery delivery, int version) {
    CompletableFuture<Void> sent = transport.sendAsync(u, target.address(), delivery, version);
    CompletableFuture<Void> caller = handOff;
    if (u.id() == 0) {
      if (caller != null) {
        handedOff = true;
        sent.whenComplete(
            (v, e) ->
                messages.onCompletionThread(
                    () -> {
                      if (e == null) {
                        caller.complete(null);
                      } else {
                        caller.completeExceptionally(sendFailure(e, target));
                      }
                    }));
      }
      return;
    }
    long messageId = u.id();
    sent.whenComplete(
        (v, e) -> {
          if (e != null) {
            onLoopIfOpen(
                () -> {
                  core.cancel(messageId, sendFailureReason(e), now());
                  afterCore();
                });
          }
        });
  }

  private static MessageFailure sendFailureReason(Throwable e) {
    Throwable c =
        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause()
            : e;
    return c instanceof SendFailedException s && s.reason() == TransportDropReason.OVERSIZED
        ? MessageFailure.TOO_LARGE
        : MessageFailure.SEND_FAILED;
  }

  private static MessageException sendFailure(Throwable e, NodeView target) {
    MessageFailure f = sendFailureReason(e);
    return new MessageException(
        f, MessageBridge.describe(f) + " (" + LogSafe.text(target.id()) + ")", e);
  }

  /** Runs {@code task} on the loop unless the node is closed. */
  private void onLoopIfOpen(Runnable task) {
    try {
      loop.execute(
          () -> {
            if (!closed.get()) {
              task.run();
            }
          });
    } catch (RejectedExecutionException e) {
      // closed: close() failed what was pending
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("gossip node " + id + " is closed");
    }
  }

  /**
   * Adds a listener. Events are delivered in order on this node's event thread; a listener that
   * throws is logged and counted, and keeps receiving events. It gets the events delivered from now
   * on (some may be older than this call); use {@link #addListener(GossipListener, boolean)} to
   * start from a snapshot instead.
   */
  public void addListener(GossipListener listener) {
    Objects.requireNonNull(listener, "listener");
    events.addListener(listener);
  }

  /**
   * Adds a listener, first telling it the current membership when {@code replayCurrentMembers} is
   * true: its first event is then a {@link ClusterEvent.Resync} (with {@code droppedEvents} 0) of
   * every member known at one point of the event stream, and after it the listener gets every event
   * from that point on, none before it: no change is missed or seen twice between the snapshot and
   * the events. Registration happens on the node's event loop, shortly after this call returns. On
   * a closed node the listener gets nothing.
   */
  public void addListener(GossipListener listener, boolean replayCurrentMembers) {
    Objects.requireNonNull(listener, "listener");
    if (!replayCurrentMembers) {
      events.addListener(listener);
    } else if (!closed.get()) {
      events.addListenerWithSnapshot(listener);
    }
  }

  /** Removes a listener added before; returns whether it was there. */
  public boolean removeListener(GossipListener listener) {
    return events.removeListener(listener);
  }

  /**
   * Attaches {@code observer}, which is then told the protocol's timings: probe round trips,
   * suspicion durations, periodic state exchanges (see {@link ProtocolObserver}). Thread-safe. Its
   * methods are called on this node's event loop, which runs the protocol: they must be cheap and
   * must not block or call this node (record a number and return). One that throws is logged and
   * counted in {@link NodeStats#listenerFailures()}. With no observer attached a protocol step
   * costs one volatile read.
   */
  public void addObserver(ProtocolObserver observer) {
    observers.add(observer);
  }

  /** Detaches an observer attached before; returns whether it was attached. */
  public boolean removeObserver(ProtocolObserver observer) {
    return observers.remove(observer);
  }

  /** Counters of the application messages handed to the {@link UserMessageHandler}. */
  public MessageStats messageStats() {
    return messages.stats();
  }

  /** The core's and the transport's counters. */
  public NodeStats stats() {
    Final fin = finalState;
    if (fin != null) {
      return fin.stats;
    }
    return call(
        () -> {
          Final f2 = finalState;
          return f2 != null ? f2.stats : statsOnLoop();
        });
  }

  private NodeStats statsOnLoop() {
    TransportStats t = transport.stats();
    core.recordBytesReceived(t.bytesIn() - reportedBytesIn);
    core.recordBytesSent(t.bytesOut() - reportedBytesOut);
    reportedBytesIn = t.bytesIn();
    reportedBytesOut = t.bytesOut();
    io.libgossip.core.GossipStats c = core.stats();
    return new NodeStats(
        c,
        t,
        events.failures() + c.listenerErrors() + observers.failures(),
        events.dropped(),
        events.resyncs(),
        joinAttempts.sum(),
        seedLookupFailures.sum());
  }

  /**
   * Leaves gracefully: announces {@code LEFT}, keeps gossiping until the protocol considers the
   * announcement spread, or until {@code timeout} passes, then closes. Other members then see this
   * node as {@code LEFT} (a {@link ClusterEvent.MemberLeft}), never as failed, as long as the
   * announcement reached at least one live member before the node closed.
   *
   * <p>When it has spread is the protocol's decision (reported by the core as {@link
   * ClusterEvent.LeaveSpread}): once enough live members have the announcement, or at once when no
   * live member is left to tell. If {@code timeout} passes first, the node logs a WARN line ({@code
   * leave announcement not fully spread before timeout}) and closes anyway: the announcement may
   * still spread from the members that got it, and those that did not will detect a failure
   * instead. A {@code timeout} of zero closes as soon as the first announcement is sent.
   *
   * <p>Calling it again, or on a closed node, returns a future for the same close; the first call's
   * timeout applies. Listeners still receive the events queued before the close.
   *
   * @param timeout the longest the node keeps running to spread the announcement
   * @return completes normally when the node is closed, by this leave or otherwise; it never
   *     completes exceptionally
   * @throws IllegalArgumentException when {@code timeout} is negative
   */
  public CompletableFuture<Void> leave(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    if (closed.get()) {
      return closeFuture.copy();
    }
    try {
      loop.execute(
          () -> {
            if (closed.get() || leaving) {
              return;
            }
            leaving = true;
            log.atInfo().setMessage("leaving cluster").addKeyValue("id", id).log();
            leaveTimeout =
                loop.schedule(
                    () -> {
                      if (!closed.get()) {
                        log.atWarn()
                            .setMessage("leave announcement not fully spread before timeout")
                            .addKeyValue("id", id)
                            .addKeyValue("timeout", format(timeout))
                            .log();
                        close();
                      }
                    },
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            core.leave(now());
            afterCore();
          });
    } catch (RejectedExecutionException e) {
      close();
    }
    return leaveFuture.copy();
  }

  /**
   * Registers a JVM shutdown hook that leaves gracefully: on {@code SIGTERM} (a container being
   * stopped, Ctrl-C) or a normal JVM exit, the hook calls {@link #leave(Duration) leave(timeout)}
   * and waits for the node to close, at most {@code timeout} plus one second. Leave the platform
   * time for it: a container's stop grace period must be longer than {@code timeout}.
   *
   * <p>Calling it again replaces the hook. {@link #close()} (or the end of a leave) removes the
   * hook, so a node closed by the application holds no reference from the JVM.
   *
   * @param timeout as for {@link #leave(Duration)}
   * @return the registered hook, which {@link Runtime#removeShutdownHook} accepts; running it
   *     directly performs the same leave
   * @throws IllegalArgumentException when {@code timeout} is negative
   * @throws IllegalStateException when the node is closed or the JVM is already shutting down
   */
  public Thread leaveOnShutdown(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    if (closed.get()) {
      throw new IllegalStateException("gossip node " + id + " is closed");
    }
    Thread hook = ShutdownHooks.leaveOnShutdown(this, id, timeout);
    ShutdownHooks.remove(shutdownHook.getAndSet(hook));
    if (closed.get()) {
      ShutdownHooks.remove(shutdownHook.getAndSet(null)); // closed meanwhile
    }
    return hook;
  }

  /**
   * Stops at once, without telling anyone (others will detect a failure): closes the transport and
   * the event thread. Idempotent; callable from any thread, listeners included.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Runnable finish =
        () -> {
          cancel(tickTask);
          tickTask = null;
          cancel(leaveTimeout);
          for (Joiner j : joins) {
            j.close("node " + id + " closed");
          }
          joins.clear();
          membershipLog.flush();
          messages.close(); // fails what is pending with SHUTDOWN
          finalState = new Final(core.members(), core.self(), statsOnLoop());
        };
    try {
      if (loop.inEventLoop()) {
        finish.run();
      } else {
        try {
          loop.submit(finish).awaitUninterruptibly(CALL_TIMEOUT.toMillis());
        } catch (RejectedExecutionException e) {
          // the caller shut the group down first: nothing runs on the loop any more
        }
      }
    } finally {
      if (finalState == null) {
        finalState =
            new Final(
                List.of(),
                NodeView.ofAddress(address),
                new NodeStats(
                    io.libgossip.core.GossipStats.EMPTY,
                    transport.stats(),
                    events.failures(),
                    events.dropped(),
                    events.resyncs(),
                    joinAttempts.sum(),
                    seedLookupFailures.sum()));
      }
      try {
        transport.close();
      } finally {
        events.close(); // queued events are still delivered
        messages.close(); // again, if the loop no longer ran tasks
        ShutdownHooks.remove(shutdownHook.getAndSet(null));
        if (!initialJoin.isDone()) {
          initialJoin.completeExceptionally(
              new JoinException("could not join: node " + id + " closed", List.of()));
        }
        closeFuture.complete(null);
        leaveFuture.complete(null);
      }
    }
    log.atInfo().setMessage("gossip node closed").addKeyValue("id", id).log();
  }

  @Override
  public String toString() {
    return "GossipNode{" + id + " at " + address + (closed.get() ? ", closed}" : "}");
  }

  // ======================================================================== helpers

  static String format(Duration d) {
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + " s";
    }
    return d.toMillis() + " ms";
  }

  private static String defaultId(NodeAddress address) {
    return address
        + "-"
        + Long.toString(System.currentTimeMillis() % (36L * 36 * 36 * 36 * 36 * 36), 36)
        + ID_COUNTER.incrementAndGet();
  }

  private static NodeAddress advertised(@Nullable NodeAddress advertise, NodeAddress bound) {
    if (advertise != null) {
      return ipOf(
          advertise.port() == 0 ? new NodeAddress(advertise.host(), bound.port()) : advertise);
    }
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(bound.host());
    if (ip != null && ip.isAnyLocalAddress()) {
      return new NodeAddress(guessHost(), bound.port());
    }
    return bound;
  }

  /**
   * {@code a} with its host name resolved once, here on the caller's thread: others send to the
   * advertised address, and sends never look up names.
   */
  private static NodeAddress ipOf(NodeAddress a) {
    if (Seeds.isIp(a)) {
      return a;
    }
    try {
      return Seeds.address(InetAddress.getByName(a.host()), a.port());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(
          "advertise host '" + a.host() + "' does not resolve: " + e.getMessage(), e);
    }
  }

  /** A routable address of this machine: the first non-loopback IPv4 of an up interface. */
  private static String guessHost() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      log.atDebug().setMessage("cannot list network interfaces").addKeyValue("error", e).log();
    }
    return "127.0.0.1";
  }

  /** Builds and starts a {@link GossipNode}; each setter validates its argument. */
  public static final class Builder {
    private @Nullable String id;
    private String bindHost = "0.0.0.0";
    private int bindPort = DEFAULT_PORT;
    private @Nullable NodeAddress advertise;
    private final List<NodeAddress> seeds = new ArrayList<>();
    private final List<GossipListener> listeners = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private long configEpoch;
    private GossipConfig config = GossipConfig.lan();
    private TransportType transportType = TransportFactory.DEFAULT_TYPE;
    private String serializerName = SerializerFactory.DEFAULT;
    private @Nullable MessageSerializer serializerInstance;
    private final List<PacketTransform> transforms = new ArrayList<>();
    private @Nullable Keyring keyring;
    private Duration replayWindow = KeyringTransform.DEFAULT_WINDOW;
    private Clock wallClock = Clock.systemUTC();
    private @Nullable EventLoopPool eventLoops;
    private Duration joinTimeout = Duration.ofSeconds(5);
    private RetryPolicy retryPolicy = RetryPolicy.none();
    private final List<SeedProvider> seedProviders = new ArrayList<>();
    private LongSupplier clock = System::nanoTime;
    private @Nullable RandomGenerator random;
    private UnaryOperator<TransportOptions.Builder> transportOptions = UnaryOperator.identity();
    private @Nullable Function<TransportOptions, Transport> transportFactory;
    private int eventQueueCapacity = EventDispatcher.DEFAULT_CAPACITY;
    private int membershipLogRate = MembershipLog.DEFAULT_PER_SECOND;
    private @Nullable TlsOptions tls;
    private @Nullable UserMessageHandler messageHandler;
    private @Nullable AppState appState;
    private int messageQueueCapacity = MessageBridge.DEFAULT_CAPACITY;
    private long messageQueueBytes = MessageBridge.DEFAULT_MAX_BYTES;

    private Builder() {}

    /** This node's unique id; default: its address plus a start stamp and a counter. */
    public Builder id(String v) {
      Objects.requireNonNull(v, "id");
      if (v.isEmpty()) {
        throw new IllegalArgumentException("id must not be empty");
      }
      id = v;
      return this;
    }

    /** Where to listen; port 0 picks a free port. Default {@code 0.0.0.0:7946}. */
    public Builder bind(String host, int port) {
      NodeAddress a = checked("bind", host, port);
      bindHost = a.host();
      bindPort = a.port();
      return this;
    }

    /**
     * The address others should use to reach this node (behind NAT, in containers); port 0 means
     * the bound port. Default: the bound address, or a local interface's IPv4 address when bound to
     * a wildcard.
     */
    public Builder advertise(String host, int port) {
      advertise = checked("advertise", host, port);
      return this;
    }

    /**
     * Same as {@link #advertise(String, int)} with {@code host:port} (port default: the bound one).
     */
    public Builder advertise(String hostPort) {
      try {
        advertise = NodeAddress.parse(hostPort, 0);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad advertise address: " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * Seeds to join through, {@code host:port} (port default 7946). Host names are resolved off the
     * event loop, to every address they have, before each join attempt.
     */
    public Builder seeds(String... v) {
      seeds.addAll(Seeds.parse(Arrays.asList(v)));
      return this;
    }

    /** Seeds to join through. */
    public Builder seeds(Collection<NodeAddress> v) {
      seeds.addAll(v);
      return this;
    }

    /** One metadata entry (e.g. {@code role=web}). */
    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Metadata entries. */
    public Builder metadata(Map<String, String> v) {
      metadata.putAll(v);
      return this;
    }

    /** A listener registered before the node starts, so that it sees every event. */
    public Builder listener(GossipListener v) {
      listeners.add(Objects.requireNonNull(v, "listener"));
      return this;
    }

    /** Application-defined configuration epoch. */
    public Builder configEpoch(long v) {
      configEpoch = v;
      return this;
    }

    /** Protocol settings; default {@link GossipConfig#lan()}. */
    public Builder config(GossipConfig v) {
      config = Objects.requireNonNull(v, "config");
      return this;
    }

    /** The transport; default {@link TransportType#HYBRID}. */
    public Builder transport(TransportType v) {
      transportType = Objects.requireNonNull(v, "transport");
      return this;
    }

    /**
     * The serializer by name: {@code binary} (default) or {@code json}, for the configuration's
     * cluster name and message size. Replaces a serializer set by instance.
     *
     * @throws IllegalArgumentException for another name
     * @throws IllegalStateException for {@code json} without the gossip-json module on the class
     *     path
     */
    public Builder serializer(String v) {
      Objects.requireNonNull(v, "serializer");
      SerializerFactory.checkAvailable(v);
      serializerName = v;
      serializerInstance = null;
      return this;
    }

    /**
     * The serializer to use, such as a {@link io.libgossip.core.BinarySerializer} built for this
     * cluster or one of your own; every member must use a compatible one. Replaces a serializer set
     * by name.
     */
    public Builder serializer(MessageSerializer v) {
      serializerInstance = Objects.requireNonNull(v, "serializer");
      return this;
    }

    /**
     * Appends a packet transform (see {@link PacketTransform}): applied after the serializer and
     * the transforms added before it on the way out, in reverse on the way in. Its overhead is
     * taken off the core's packing budget, so packets still fit {@link
     * GossipConfig#maxPacketSize()}. Every member must use the same transforms in the same order.
     *
     * @throws IllegalArgumentException when its overhead is negative
     */
    public Builder transform(PacketTransform v) {
      Objects.requireNonNull(v, "transform");
      PacketPipeline.overhead(List.of(v));
      transforms.add(v);
      return this;
    }

    /**
     * Replaces the packet transforms with {@code v}, in order (see {@link #transform}).
     *
     * @throws IllegalArgumentException when an overhead is negative
     */
    public Builder transforms(List<PacketTransform> v) {
      Objects.requireNonNull(v, "transforms");
      List<PacketTransform> copy = List.copyOf(v);
      PacketPipeline.overhead(copy);
      transforms.clear();
      transforms.addAll(copy);
      return this;
    }

    /**
     * Seals every packet and frame with AES-256-GCM under {@code v}'s primary key, and accepts
     * packets sealed with any of its keys for this cluster's name (see {@link KeyringTransform}).
     * The keyring's {@link KeyringMode} says whether plaintext is still sent or accepted. Its
     * transform is the last (outermost) one, and its overhead of {@value KeyringTransform#OVERHEAD}
     * bytes is taken off the packing budget. Keys and mode can change while the node runs, through
     * {@link GossipNode#keyring()}. Default: none (plaintext).
     */
    public Builder keyring(Keyring v) {
      keyring = Objects.requireNonNull(v, "keyring");
      return this;
    }

    /**
     * How far a sealed packet's time may be from this node's wall clock, either way, before it is
     * refused as a replay ({@link TransportDropReason#KEYRING_STALE}); at least 1 second. Longer
     * tolerates worse clocks, shorter replays less. Default 2 minutes. Only with a {@link
     * #keyring}.
     */
    public Builder replayWindow(Duration v) {
      Objects.requireNonNull(v, "replayWindow");
      if (v.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("replayWindow must be at least 1s, got " + v);
      }
      replayWindow = v;
      return this;
    }

    /**
     * The wall clock that stamps and checks sealed packets and, with {@link
     * GossipConfig#clockOffsets()}, the probe timestamps; default the system's UTC clock.
     */
    public Builder wallClock(Clock v) {
      wallClock = Objects.requireNonNull(v, "wallClock");
      return this;
    }

    private List<PacketTransform> allTransforms() {
      if (keyring == null) {
        return transforms;
      }
      List<PacketTransform> all = new ArrayList<>(transforms);
      all.add(new KeyringTransform(keyring, config.clusterName(), replayWindow, wallClock));
      return all;
    }

    /**
     * Threads shared with other nodes (the caller owns and closes them, after this node); default:
     * the node makes a one-thread pool of its own.
     */
    public Builder eventLoops(EventLoopPool v) {
      eventLoops = Objects.requireNonNull(v, "eventLoops");
      return this;
    }

    /**
     * Where to find seeds, asked before each join attempt (see {@link SeedProvider}: a fixed list,
     * DNS A/AAAA or SRV records). Can be given several times and with {@link #seeds}: the seeds are
     * the union of what they all return. The node does not close the provider.
     */
    public Builder seedProvider(SeedProvider v) {
      seedProviders.add(Objects.requireNonNull(v, "seedProvider"));
      return this;
    }

    /**
     * How the join started by the builder's seeds is retried when no seed answers within the join
     * timeout or the seeds cannot be found; default {@link RetryPolicy#none()} (one attempt). With
     * a policy that retries, the node also keeps contacting the seeds, every {@link
     * RetryPolicy#maxDelay()}, while it is alone in its cluster (this merges nodes that started in
     * parallel and each formed a cluster of one).
     */
    public Builder retryJoin(RetryPolicy v) {
      retryPolicy = Objects.requireNonNull(v, "retryJoin");
      return this;
    }

    /** {@link RetryPolicy#forever()} when true, {@link RetryPolicy#none()} when false. */
    public Builder retryJoin(boolean v) {
      retryPolicy = v ? RetryPolicy.forever() : RetryPolicy.none();
      return this;
    }

    /**
     * How long one join attempt waits for a seed to answer (each attempt, with {@link #retryJoin});
     * default 5 s.
     */
    public Builder joinTimeout(Duration v) {
      Objects.requireNonNull(v, "joinTimeout");
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException("joinTimeout must be positive, got " + v);
      }
      joinTimeout = v;
      return this;
    }

    /** The monotonic nanosecond clock; default {@link System#nanoTime()}. */
    public Builder clock(LongSupplier v) {
      clock = Objects.requireNonNull(v, "clock");
      return this;
    }

    /** The core's randomness; default seeded from the clock and id. */
    public Builder random(RandomGenerator v) {
      random = Objects.requireNonNull(v, "random");
      return this;
    }

    /**
     * TLS on every TCP connection (see {@link TlsOptions}); default none. With {@link
     * TlsOptions#requireClientAuth()} (mutual TLS) the node's id is the one in its certificate
     * (taken from it when {@link #id} is not set), and a {@link TransportType#HYBRID} node also
     * needs a {@linkplain PacketTransform#authenticates() authenticating} transform, so that its
     * UDP packets too come only from members; a {@link TransportType#TCP} node does not.
     */
    public Builder tls(TlsOptions v) {
      tls = Objects.requireNonNull(v, "tls");
      return this;
    }

    /**
     * Makes the node's transport from the options it would otherwise give {@link
     * TransportFactory#create(TransportType, TransportOptions)} (bind address, serializer,
     * transforms, limits): for a transport that speaks another wire protocol, such as HashiCorp
     * memberlist's. The node calls it once, in {@link #start()}, and owns (closes) what it returns;
     * {@link #transport(TransportType)} is then ignored, and the per-packet overhead the core packs
     * for is the transport's own {@link Transport#packetOverhead()}. Default: none (the built-in
     * transports).
     */
    public Builder transportFactory(Function<TransportOptions, Transport> v) {
      transportFactory = Objects.requireNonNull(v, "transportFactory");
      return this;
    }

    /** Adjusts transport options (timeouts, buffers, pool size) beyond what the config sets. */
    public Builder transportOptions(UnaryOperator<TransportOptions.Builder> v) {
      transportOptions = Objects.requireNonNull(v, "transportOptions");
      return this;
    }

    /**
     * How many events may wait for slow listeners; default 65,536. When the queue is full, events
     * are dropped until the listeners catch up, then a {@link ClusterEvent.Resync} with the current
     * member list is delivered in their place.
     *
     * @throws IllegalArgumentException when {@code v} is less than 1
     */
    public Builder eventQueueCapacity(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("eventQueueCapacity must be at least 1, got " + v);
      }
      eventQueueCapacity = v;
      return this;
    }

    /**
     * How many membership changes per second are logged individually at INFO (and, separately, at
     * WARN), after a burst of ten seconds' worth; default 10. Changes over the limit are counted
     * and summed up in one INFO line every 10 s. 0 logs only the summaries.
     *
     * @throws IllegalArgumentException when {@code v} is negative
     */
    public Builder membershipLogRate(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("membershipLogRate must not be negative, got " + v);
      }
      membershipLogRate = v;
      return this;
    }

    /**
     * Receives the broadcasts, messages, requests and queries other members send to this node (see
     * {@link UserMessageHandler}); default: none (broadcasts and messages are ignored, requests
     * rejected, queries not answered).
     */
    public Builder messageHandler(UserMessageHandler v) {
      messageHandler = Objects.requireNonNull(v, "messageHandler");
      return this;
    }

    /**
     * Application state carried in every push-pull exchange (see {@link AppState}); its methods are
     * called on the node's event loop, so keep them fast. Default: none.
     */
    public Builder appState(AppState v) {
      appState = Objects.requireNonNull(v, "appState");
      return this;
    }

    /**
     * How many received broadcasts, messages, requests and queries may wait for a slow {@link
     * #messageHandler}; default 4,096. Over it, new ones are dropped and counted ({@link
     * MessageStats#dropped()}), a dropped request is rejected.
     *
     * @throws IllegalArgumentException when {@code v} is less than 1
     */
    public Builder messageQueueCapacity(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("messageQueueCapacity must be at least 1, got " + v);
      }
      messageQueueCapacity = v;
      return this;
    }

    /**
     * How many payload bytes may wait for a slow {@link #messageHandler}; default 64 MiB. Over it,
     * new messages are dropped as for {@link #messageQueueCapacity}.
     *
     * @throws IllegalArgumentException when {@code v} is less than 1
     */
    public Builder messageQueueBytes(long v) {
      if (v < 1) {
        throw new IllegalArgumentException("messageQueueBytes must be at least 1, got " + v);
      }
      messageQueueBytes = v;
      return this;
    }

    /**
     * Binds, starts the node and begins joining the seeds (see {@link GossipNode#joinFuture()}).
     *
     * @throws TransportException naming the address and the reason when it cannot bind
     * @throws IllegalArgumentException when the transforms' overhead is more than half of {@link
     *     GossipConfig#maxPacketSize()}, or the advertised host name does not resolve (it is
     *     resolved once, here), or TLS is set on a UDP transport, or the id is not the one in the
     *     node's certificate
     * @throws IllegalStateException when mutual TLS is on and UDP packets would not be
     *     authenticated (a hybrid or UDP transport without a transform that {@linkplain
     *     PacketTransform#authenticates() authenticates})
     */
    public GossipNode start() {
      return new GossipNode(this);
    }

    /** The seeds of {@link #seeds} and {@link #seedProvider} as one provider; null for none. */
    private @Nullable SeedProvider seedProvider() {
      List<SeedProvider> all = new ArrayList<>();
      if (!seeds.isEmpty()) {
        all.add(Seeds.fixed(seeds));
      }
      all.addAll(seedProviders);
      return all.isEmpty() ? null : Seeds.union(all);
    }

    private static NodeAddress checked(String what, String host, int port) {
      try {
        return new NodeAddress(Objects.requireNonNull(host, what + " host"), port);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "bad " + what + " address '" + host + ":" + port + "': " + e.getMessage(), e);
      }
    }
  }
}
