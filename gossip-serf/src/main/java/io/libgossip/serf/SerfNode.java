package io.libgossip.serf;

import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.GossipListener;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeStatus;
import io.libgossip.core.NodeView;
import io.libgossip.core.QueryOptions;
import io.libgossip.core.QueryResponse;
import io.libgossip.core.QueryResult;
import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.WireConfig;
import io.libgossip.net.GossipNode;
import io.libgossip.net.UserMessageHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A libgossip node that takes part in a HashiCorp Serf pool: a {@link GossipNode} speaking
 * memberlist's wire protocol ({@link MemberlistTransport}) with Serf's layer ({@link SerfLayer}) on
 * top. Serf agents see it as one of their own ({@code serf members} lists it with its tags; {@code
 * serf event}, {@code serf query} and {@code serf keys} include it), and it sees them as members.
 *
 * <p>Membership, failure detection, metadata (as Serf tags) and leaving are the node's: see {@link
 * #node()}. User events and queries are Serf's: {@link #userEvent} and {@link #query} send them,
 * and the {@link Builder#handler handler} receives them as {@link io.libgossip.core.UserBroadcast}s
 * (topic = event name) and {@link io.libgossip.core.QueryRequest}s. The node's own messaging calls
 * ({@code broadcast}, {@code send}, {@code query} on {@link GossipNode}) have no memberlist
 * equivalent and are dropped and counted by the transport: use this class's instead.
 */
public final class SerfNode implements AutoCloseable {
  /** How long a leave intent gets to spread before memberlist's dead-self message. */
  static final Duration INTENT_PROPAGATION = Duration.ofSeconds(1);

  private final GossipNode node;
  private final MemberlistTransport transport;
  private final SerfLayer serf;

  private SerfNode(GossipNode node, MemberlistTransport transport, SerfLayer serf) {
    this.node = node;
    this.transport = transport;
    this.serf = serf;
  }

  /**
   * A builder for the node named {@code name} (its memberlist name, and its id in {@link
   * GossipNode}).
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The node: members, listeners, metadata, leave and close. */
  public GossipNode node() {
    return node;
  }

  /** Serf's layer: its clocks, member states and counters. */
  public SerfLayer serf() {
    return serf;
  }

  /** The memberlist transport: its counters and the keys in use. */
  public MemberlistTransport transport() {
    return transport;
  }

  /** This node's name. */
  public String name() {
    return node.id();
  }

  /** The address other members reach this node at. */
  public NodeAddress address() {
    return node.address();
  }

  /** The members this node knows, itself included (as {@link GossipNode#members()}). */
  public List<NodeView> members() {
    return node.members();
  }

  /**
   * Joins the pool through {@code seeds} ({@code host:port}, IP literals): a push-pull with each,
   * then Serf's join intent. User events from before the join are not delivered (Serf's default,
   * {@code -replay=false}).
   *
   * @return completes when a seed answered; fails as {@link GossipNode#join(String...)} does
   */
  public CompletableFuture<Void> join(String... seeds) {
    serf.beginJoin(true);
    return node.join(seeds).whenComplete((v, e) -> serf.endJoin(e == null));
  }

  /**
   * Sends a Serf user event to every member ({@code serf event}): the agents' event handlers and
   * {@code serf monitor} see it, and other libgossip nodes deliver it as a broadcast.
   *
   * @param name the event name
   * @param payload the payload; name and payload together at most 512 bytes
   * @param coalesce whether agents may coalesce events of this name (Serf's {@code -coalesce})
   * @throws IllegalArgumentException when the event is too large
   */
  public void userEvent(String name, byte[] payload, boolean coalesce) {
    serf.userEvent(name, payload, coalesce);
  }

  /**
   * Sends a Serf query ({@code serf query}) and collects the acknowledgements and answers until its
   * timeout (Serf's default when {@code options} gives none).
   *
   * @param name the query name
   * @param payload the payload; the encoded query at most 1,024 bytes
   * @param options filters (members by name, tags by pattern), timeout
   * @param responses called with each answer as it arrives
   * @return completes at the timeout with what was received
   */
  public CompletableFuture<QueryResult> query(
      String name, byte[] payload, QueryOptions options, Consumer<QueryResponse> responses) {
    return serf.query(name, payload, options, responses);
  }

  /** The encryption keys in use (changed by {@code serf keys} too); null when plaintext. */
  public @Nullable Keyring keyring() {
    return transport.keyring();
  }

  /**
   * Leaves gracefully: Serf's leave intent first (so agents list this node {@code left}, never
   * {@code failed}), then the node's leave (memberlist's dead-self message). Completes when both
   * went out or {@code timeout} passed. The node is not closed: {@link #close()} it afterwards (as
   * a process exits), so that an agent that missed the dead-self message finds it gone, which Serf
   * also reports as {@code left} for a leaving member.
   */
  public CompletableFuture<Void> leave(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // Between the two, a pause of five gossip rounds (at most a quarter of the timeout): the intent
    // has been handed out, but to random members; the pause lets their relays reach the rest, so
    // that no agent hears the dead-self message first (it would list this node failed, then left).
    long pause = Math.min(INTENT_PROPAGATION.toNanos(), timeout.toNanos() / 4);
    return serf.leave()
        .completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS)
        .exceptionally(e -> null) // the intent timed out: leave anyway
        .thenComposeAsync(
            v -> node.leave(Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()))),
            CompletableFuture.delayedExecutor(pause, TimeUnit.NANOSECONDS));
  }

  /** Closes the node (without leaving: others see it fail) and the layer. Idempotent. */
  @Override
  public void close() {
    try {
      node.close();
    } finally {
      serf.close();
    }
  }

  @Override
  public String toString() {
    return "SerfNode[" + node.id() + " at " + node.address() + "]";
  }

  /** Options of a {@link SerfNode}; {@link #start()} binds and starts it. */
  public static final class Builder {
    private final String name;
    private String bindHost = "127.0.0.1";
    private int bindPort;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private WireConfig wire = WireConfig.defaults();
    private GossipConfig config = GossipConfig.lan();
    private UserMessageHandler handler = new UserMessageHandler() {};
    private final List<GossipListener> listeners = new ArrayList<>();
    private final List<String> seeds = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
    }

    /** The address to bind (an IP literal; default 127.0.0.1) and port (0: any free port). */
    public Builder bind(String host, int port) {
      this.bindHost = Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      this.bindPort = port;
      return this;
    }

    /** A Serf tag (node metadata); tags together encode to at most 512 bytes. */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Serf tags (node metadata), replacing any set before. */
    public Builder tags(Map<String, String> v) {
      tags.clear();
      tags.putAll(v);
      return this;
    }

    /** The encryption keys (as {@code serf agent -encrypt}); default none (plaintext). */
    public Builder keyring(@Nullable Keyring v) {
      wire = wire.withKeyring(v);
      return this;
    }

    /** Framing (label, keys, CRC, limits); default {@link WireConfig#defaults()}. */
    public Builder wireConfig(WireConfig v) {
      wire = Objects.requireNonNull(v, "wireConfig");
      return this;
    }

    /**
     * The protocol timings of the node (default {@link GossipConfig#lan()}, memberlist's LAN probe
     * interval and timeout).
     */
    public Builder config(GossipConfig v) {
      config = Objects.requireNonNull(v, "config");
      return this;
    }

    /** Receives Serf user events (as broadcasts) and queries; default: ignores them. */
    public Builder handler(UserMessageHandler v) {
      handler = Objects.requireNonNull(v, "handler");
      return this;
    }

    /** Receives membership events (before the node starts: none is missed). */
    public Builder listener(GossipListener v) {
      listeners.add(Objects.requireNonNull(v, "listener"));
      return this;
    }

    /** Seeds ({@code host:port}) to join at start; default none (join later, or be joined). */
    public Builder seeds(String... v) {
      seeds.addAll(List.of(v));
      return this;
    }

    /**
     * Binds and starts the node, and joins the seeds if any were given (without waiting for the
     * join: see {@link GossipNode#joinFuture()}).
     *
     * @throws IllegalArgumentException when the tags are too large, the bind host is not an IP
     *     literal, or an option is invalid
     * @throws io.libgossip.net.TransportException when the address cannot be bound
     */
    public SerfNode start() {
      MemberlistTransport.checkTags(tags);
      AtomicReference<@Nullable MemberlistTransport> transportRef = new AtomicReference<>();
      AtomicReference<@Nullable GossipNode> nodeRef = new AtomicReference<>();
      AtomicInteger live = new AtomicInteger(1); // this node
      Map<String, String> ownTags = Map.copyOf(tags);
      SerfLayer serf =
          SerfLayer.builder(name)
              .memberCount(live::get)
              .sender(
                  (to, message) -> {
                    MemberlistTransport t = transportRef.get();
                    if (t != null) {
                      t.sendUserMessage(to, message);
                    }
                  })
              .advertise(
                  () -> {
                    GossipNode n = nodeRef.get();
                    NodeAddress a = n != null ? n.address() : new NodeAddress(bindHost, bindPort);
                    return new InetSocketAddress(a.host(), a.port()); // an IP literal: no lookup
                  })
              .keyring(
                  new SerfKeyringAccess() {
                    @Override
                    public @Nullable Keyring keyring() {
                      MemberlistTransport t = transportRef.get();
                      return t == null ? null : t.keyring();
                    }

                    @Override
                    public void keyring(Keyring keyring) {
                      MemberlistTransport t = transportRef.get();
                      if (t != null) {
                        t.keyring(keyring);
                      }
                    }
                  })
              .tags(
                  () -> {
                    GossipNode n = nodeRef.get();
                    return n != null ? n.self().metadata() : ownTags;
                  })
              .handler(handler)
              .build();
      MemberlistTransport transport =
          MemberlistTransport.builder().wireConfig(wire).delegate(serf).build();
      transportRef.set(transport);
      GossipNode.Builder nb =
          GossipNode.builder()
              .id(name)
              .bind(bindHost, bindPort)
              .config(config)
              .metadata(ownTags)
              .transportFactory(transport::withNodeOptions)
              .listener(e -> track(e, serf, live));
      listeners.forEach(nb::listener);
      GossipNode node;
      try {
        node = nb.start();
      } catch (RuntimeException e) {
        serf.close();
        throw e;
      }
      nodeRef.set(node);
      SerfNode sn = new SerfNode(node, transport, serf);
      if (!seeds.isEmpty()) {
        sn.join(seeds.toArray(String[]::new));
      }
      return sn;
    }

    /** Feeds the node's membership events to Serf's member states and the live count. */
    private static void track(ClusterEvent e, SerfLayer serf, AtomicInteger live) {
      if (e instanceof ClusterEvent.MemberJoined j) {
        live.incrementAndGet();
        serf.memberAlive(j.node().id());
      } else if (e instanceof ClusterEvent.MemberRecovered r) {
        if (!r.previousStatus().isAlive()) {
          live.incrementAndGet();
        }
        serf.memberAlive(r.node().id());
      } else if (e instanceof ClusterEvent.MemberFailed f) {
        if (f.previousStatus().isAlive()) {
          live.decrementAndGet();
        }
        serf.memberGone(f.node().id());
      } else if (e instanceof ClusterEvent.MemberLeft l) {
        if (l.previousStatus().isAlive()) {
          live.decrementAndGet();
        }
        serf.memberGone(l.node().id());
      } else if (e instanceof ClusterEvent.MemberRemoved m) {
        if (m.node().status() != NodeStatus.FAILED && m.node().status() != NodeStatus.LEFT) {
          live.decrementAndGet();
        }
        serf.forgetMember(m.node().id());
      }
    }
  }
}
