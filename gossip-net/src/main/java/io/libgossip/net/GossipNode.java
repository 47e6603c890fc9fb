package io.libgossip.net;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.Delivery;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipCore;
import io.libgossip.core.GossipListener;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeView;
import io.libgossip.core.Outbox;
import io.libgossip.core.WireVersions;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
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
 * throws is logged and counted in {@link NodeStats#listenerErrors()}.
 *
 * <p>Time is read in one place, from the builder's clock ({@link System#nanoTime()} by default).
 */
public final class GossipNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GossipNode.class);

  /** The default port (memberlist's). */
  public static final int DEFAULT_PORT = 7946;

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_QUEUED_EVENTS = 65_536;
  private static final AtomicLong ID_COUNTER = new AtomicLong();

  private final String id;
  private final NodeAddress address;
  private final GossipConfig config;
  private final Transport transport;
  private final LongSupplier clock;
  private final Duration joinTimeout;
  private final EventLoop loop;
  private final GossipCore core;
  private final List<GossipListener> listeners = new CopyOnWriteArrayList<>();
  private final LongAdder listenerErrors = new LongAdder();
  private final LongAdder eventsDropped = new LongAdder();
  private final DropLog listenerLog = new DropLog(log, "listener", "listener threw");
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final CompletableFuture<Void> leaveFuture = new CompletableFuture<>();
  private final CompletableFuture<Void> initialJoin = new CompletableFuture<>();
  private volatile boolean ready;
  private volatile @Nullable ThreadPoolExecutor events;
  private volatile @Nullable Final finalState;

  // ---- confined to the loop
  private @Nullable ScheduledFuture<?> tickTask;
  private long tickAt;
  private final List<JoinAttempt> joins = new ArrayList<>();
  private boolean leaving;

  /** Set on the loop when the core reports its join complete. */
  private boolean selfJoined;

  /** Set on the loop when the core reports that the leave has spread. */
  private boolean leaveSpread;

  private @Nullable ScheduledFuture<?> leaveTimeout;
  private long reportedBytesIn;
  private long reportedBytesOut;

  /** What queries answer once the node is closed. */
  private record Final(List<NodeView> members, NodeView self, NodeStats stats) {}

  /** A join in progress. */
  private static final class JoinAttempt {
    final List<NodeAddress> seeds;
    final CompletableFuture<Void> future;
    @Nullable ScheduledFuture<?> retry;
    @Nullable ScheduledFuture<?> timeout;

    JoinAttempt(List<NodeAddress> seeds, CompletableFuture<Void> future) {
      this.seeds = seeds;
      this.future = future;
    }
  }

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
    MessageSerializer serializer =
        b.serializerInstance != null
            ? b.serializerInstance
            : SerializerFactory.create(b.serializerName, config);
    TransportOptions.Builder ob =
        TransportOptions.forConfig(config)
            .bindHost(b.bindHost)
            .bindPort(b.bindPort)
            .serializer(serializer)
            .transforms(b.transforms)
            .eventLoopGroup(b.group);
    TransportOptions options = b.transportOptions.apply(ob).build();
    int overhead = options.packetOverhead();
    if (overhead > config.maxPacketSize() / 2) {
      throw new IllegalArgumentException(
          "the packet transforms add "
              + overhead
              + " bytes per packet, more than half of maxPacketSize ("
              + config.maxPacketSize()
              + ")");
    }
    this.transport = TransportFactory.create(b.transportType, options);
    transport.onMessage(
        new InboundHandler() {
          @Override
          public void onMessage(
              GossipMessage message, @Nullable InetSocketAddress sender, int size) {
            onInbound(message, null);
          }

          @Override
          public void onMessage(
              GossipMessage message,
              @Nullable WireVersions senderVersions,
              @Nullable InetSocketAddress sender,
              int size) {
            onInbound(message, senderVersions);
          }
        });
    NodeAddress bound = transport.start(); // throws naming the address
    try {
      this.address = advertised(b.advertise, bound);
      this.id = b.id != null ? b.id : defaultId(address);
      this.loop = transport.eventLoop();
      RandomGenerator random =
          b.random != null ? b.random : new SplittableRandom(System.nanoTime() ^ id.hashCode());
      this.core =
          GossipCore.builder()
              .id(id)
              .address(address)
              .metadata(b.metadata)
              .configEpoch(b.configEpoch)
              .config(config)
              .random(random)
              .outbox(
                  new Outbox() {
                    @Override
                    public void send(GossipMessage message, NodeView target, Delivery delivery) {
                      transport.send(message, target.address(), delivery);
                    }

                    @Override
                    public void send(
                        GossipMessage message, NodeView target, Delivery delivery, int version) {
                      transport.send(message, target.address(), delivery, version);
                    }
                  })
              .listener(this::dispatch)
              .ticker(clock)
              .packetOverhead(overhead)
              .build();
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
    b.listeners.forEach(this::addListener); // before the first tick: no event is missed
    ready = true;
    List<NodeAddress> seeds = List.copyOf(b.seeds);
    loop.execute(
        () -> {
          if (closed.get()) {
            return;
          }
          core.tick(now());
          if (seeds.isEmpty()) {
            core.join(List.of(), now()); // a cluster of one, until someone joins us
          }
          afterCore();
          if (!seeds.isEmpty()) {
            startJoin(seeds, initialJoin);
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
        .log();
  }

  // ======================================================================== runtime plumbing

  /** The one place time is read. */
  private long now() {
    return clock.getAsLong();
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
    core.handleMessage(message, senderVersions, now());
    afterCore();
  }

  /** After every core call, on the loop: settle joins and leave, and re-arm the timer. */
  private void afterCore() {
    if (!joins.isEmpty() && selfJoined) {
      for (JoinAttempt a : joins) {
        cancel(a.retry);
        cancel(a.timeout);
        a.future.complete(null);
      }
      joins.clear();
      log.atInfo()
          .setMessage("joined cluster")
          .addKeyValue("id", id)
          .addKeyValue("members", core.liveCount())
          .log();
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

  /** Core listener, on the loop: hand the event to this node's event thread. */
  private void dispatch(ClusterEvent event) {
    if (event.kind() == ClusterEvent.Kind.SELF_JOINED) {
      selfJoined = true; // afterCore completes the pending joins
    } else if (event.kind() == ClusterEvent.Kind.LEAVE_SPREAD) {
      leaveSpread = true; // afterCore closes the node
    }
    log.atDebug()
        .setMessage("membership change")
        .addKeyValue("node", id)
        .addKeyValue("event", event.kind())
        .addKeyValue("member", event.node().id())
        .addKeyValue("status", event.node().status())
        .log();
    ThreadPoolExecutor ex = events;
    if (ex == null || listeners.isEmpty()) {
      return;
    }
    try {
      ex.execute(() -> deliver(event));
    } catch (RejectedExecutionException e) {
      eventsDropped.increment();
    }
  }

  private void deliver(ClusterEvent event) {
    for (GossipListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        listenerErrors.increment();
        listenerLog.drop(TransportDropReason.OVERLOAD, null, "on " + event.kind() + ": " + e);
      }
    }
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
   * The join started by the builder's seeds: completes when the node has joined (at once without
   * seeds), fails with a {@link JoinException} naming the seeds after the join timeout.
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
    return join(parseSeeds(Arrays.asList(seeds)));
  }

  /**
   * Joins a cluster through {@code seeds}: a state exchange with each, retried every second until
   * one answers.
   *
   * @return completes when the node has joined; fails with a {@link JoinException} like {@code
   *     could not join: no answer from 10.0.0.5:7946 within 5 s} after the join timeout
   */
  public CompletableFuture<Void> join(Collection<NodeAddress> seeds) {
    List<NodeAddress> given = List.copyOf(seeds);
    if (given.isEmpty()) {
      throw new IllegalArgumentException("join needs at least one seed");
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    // Host names are resolved here, on the caller's thread: a slow DNS lookup must never stall
    // the event loop that runs the protocol. Seeds that do not resolve are left out.
    List<NodeAddress> list = new ArrayList<>(given.size());
    List<String> unresolved = new ArrayList<>();
    for (NodeAddress seed : given) {
      try {
        list.add(Addresses.fromSocketAddress(Addresses.toSocketAddress(seed)));
      } catch (java.net.UnknownHostException e) {
        unresolved.add(seed.toString());
      }
    }
    if (!unresolved.isEmpty()) {
      log.atWarn()
          .setMessage("seeds do not resolve")
          .addKeyValue("id", id)
          .addKeyValue("seeds", String.join(", ", unresolved))
          .log();
    }
    if (list.isEmpty()) {
      f.completeExceptionally(
          new JoinException(
              "could not join: no seed resolves (" + String.join(", ", unresolved) + ")", given));
      return f;
    }
    try {
      loop.execute(() -> startJoin(list, f));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new JoinException("could not join: node " + id + " is closed", list));
    }
    return f;
  }

  private void startJoin(List<NodeAddress> seeds, CompletableFuture<Void> f) {
    if (closed.get()) {
      f.completeExceptionally(
          new JoinException("could not join: node " + id + " is closed", seeds));
      return;
    }
    JoinAttempt a = new JoinAttempt(seeds, f);
    joins.add(a);
    long retryNanos = Math.max(TimeUnit.SECONDS.toNanos(1), joinTimeout.toNanos() / 5);
    a.retry =
        loop.scheduleAtFixedRate(
            () -> {
              if (!closed.get() && !a.future.isDone()) {
                core.join(seeds, now());
                afterCore();
              }
            },
            retryNanos,
            retryNanos,
            TimeUnit.NANOSECONDS);
    a.timeout =
        loop.schedule(
            () -> {
              if (joins.remove(a)) {
                cancel(a.retry);
                String msg =
                    "could not join: no answer from "
                        + seeds.stream()
                            .map(NodeAddress::toString)
                            .collect(Collectors.joining(", "))
                        + " within "
                        + format(joinTimeout);
                log.atWarn().setMessage(msg).addKeyValue("id", id).log();
                a.future.completeExceptionally(new JoinException(msg, seeds));
              }
            },
            joinTimeout.toNanos(),
            TimeUnit.NANOSECONDS);
    core.join(seeds, now());
    afterCore();
  }

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
   * Adds a listener. Events are delivered in order on this node's event thread; a listener that
   * throws is logged and counted, and keeps receiving events.
   */
  public void addListener(GossipListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (listeners) {
      if (events == null && !closed.get()) {
        events =
            new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_EVENTS),
                new DefaultThreadFactory("gossip-events-" + id, true));
      }
      listeners.add(listener);
    }
  }

  /** Removes a listener added before; returns whether it was there. */
  public boolean removeListener(GossipListener listener) {
    return listeners.remove(listener);
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
    return new NodeStats(core.stats(), t, listenerErrors.sum(), eventsDropped.sum());
  }

  /**
   * Leaves gracefully: announces {@code LEFT}, keeps gossiping until the announcement has spread or
   * {@code timeout} passes, then closes.
   *
   * @return completes when the node is closed
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
          for (JoinAttempt a : joins) {
            cancel(a.retry);
            cancel(a.timeout);
            a.future.completeExceptionally(
                new JoinException("could not join: node " + id + " closed", a.seeds));
          }
          joins.clear();
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
                    listenerErrors.sum(),
                    eventsDropped.sum()));
      }
      try {
        transport.close();
      } finally {
        ThreadPoolExecutor ex = events;
        if (ex != null) {
          ex.shutdown(); // queued events are still delivered
        }
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

  private static List<NodeAddress> parseSeeds(Collection<String> seeds) {
    List<NodeAddress> out = new ArrayList<>(seeds.size());
    for (String s : seeds) {
      Objects.requireNonNull(s, "seed");
      try {
        out.add(NodeAddress.parse(s, DEFAULT_PORT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad seed: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static String defaultId(NodeAddress address) {
    return address
        + "-"
        + Long.toString(System.currentTimeMillis() % (36L * 36 * 36 * 36 * 36 * 36), 36)
        + ID_COUNTER.incrementAndGet();
  }

  private static NodeAddress advertised(@Nullable NodeAddress advertise, NodeAddress bound) {
    if (advertise != null) {
      return advertise.port() == 0 ? new NodeAddress(advertise.host(), bound.port()) : advertise;
    }
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(bound.host());
    if (ip != null && ip.isAnyLocalAddress()) {
      return new NodeAddress(guessHost(), bound.port());
    }
    return bound;
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
    private @Nullable EventLoopGroup group;
    private Duration joinTimeout = Duration.ofSeconds(5);
    private LongSupplier clock = System::nanoTime;
    private @Nullable RandomGenerator random;
    private UnaryOperator<TransportOptions.Builder> transportOptions = UnaryOperator.identity();

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

    /** Seeds to join through, {@code host:port} (port default 7946). */
    public Builder seeds(String... v) {
      seeds.addAll(parseSeeds(Arrays.asList(v)));
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
     */
    public Builder serializer(String v) {
      Objects.requireNonNull(v, "serializer");
      if (!SerializerFactory.NAMES.contains(v.trim().toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException(
            "unknown serializer '"
                + v
                + "'; expected one of "
                + String.join(", ", SerializerFactory.NAMES));
      }
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

    /** A shared event-loop group (the caller owns it); default: the node makes its own. */
    public Builder eventLoopGroup(EventLoopGroup v) {
      group = v;
      return this;
    }

    /** How long {@link #join} waits for a seed to answer; default 5 s. */
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

    /** Adjusts transport options (timeouts, buffers, pool size) beyond what the config sets. */
    public Builder transportOptions(UnaryOperator<TransportOptions.Builder> v) {
      transportOptions = Objects.requireNonNull(v, "transportOptions");
      return this;
    }

    /**
     * Binds, starts the node and begins joining the seeds (see {@link GossipNode#joinFuture()}).
     *
     * @throws TransportException naming the address and the reason when it cannot bind
     * @throws IllegalArgumentException when the transforms' overhead is more than half of {@link
     *     GossipConfig#maxPacketSize()}
     */
    public GossipNode start() {
      return new GossipNode(this);
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
