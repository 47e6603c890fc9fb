package io.libgossip.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.libgossip.core.ClusterEvent;
import io.libgossip.core.GossipListener;
import io.libgossip.core.NodeView;
import io.libgossip.net.GossipNode;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The server-sent-events streams of {@code GET /v1/events}: each subscriber gets a snapshot of the
 * membership first, then member events (from its own node listener, so none is missed between the
 * snapshot and the events) and the user data and queries the node receives. Each has a bounded
 * queue; one that falls behind gets an {@code overflow} event and its stream is closed.
 */
final class EventHub {
  /** The most concurrent streams. */
  static final int MAX_STREAMS = 64;

  /** Events a subscriber may have waiting before it is cut off. */
  static final int QUEUE_CAPACITY = 1024;

  /** What a subscriber asks for ({@code ?types=}). */
  enum Group {
    MEMBER,
    USER,
    QUERY
  }

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger streams = new AtomicInteger();
  private final Counter overflows;
  private volatile @Nullable GossipNode node;

  EventHub(Counter overflows) {
    this.overflows = overflows;
  }

  void attach(GossipNode n) {
    node = n;
  }

  int streams() {
    return streams.get();
  }

  /** Whether some subscriber takes {@code group} events. */
  boolean wants(Group group) {
    for (Subscriber s : subscribers) {
      if (s.groups.contains(group)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts a stream on {@code ch} (whose response headers are written); null when {@link
   * #MAX_STREAMS} are open.
   */
  @Nullable Subscriber subscribe(Channel ch, Set<Group> groups) {
    GossipNode n = node;
    if (n == null) {
      return null;
    }
    if (streams.incrementAndGet() > MAX_STREAMS) {
      streams.decrementAndGet();
      return null;
    }
    Subscriber s = new Subscriber(ch, EnumSet.copyOf(groups), n.id());
    subscribers.add(s);
    ch.closeFuture()
        .addListener(
            f -> {
              if (subscribers.remove(s)) {
                streams.decrementAndGet();
              }
              s.closed = true;
              n.removeListener(s);
            });
    n.addListener(s, true);
    return s;
  }

  /** Sends {@code data} as event {@code type} to every subscriber of {@code group}. */
  void publish(Group group, String type, ObjectNode data) {
    String frame = null;
    for (Subscriber s : subscribers) {
      if (s.groups.contains(group)) {
        if (frame == null) {
          frame = frame(type, data);
        }
        s.offer(frame);
      }
    }
  }

  /** Sends a keepalive comment to every idle subscriber. */
  void keepalive() {
    for (Subscriber s : subscribers) {
      if (s.queue.isEmpty()) {
        s.offer(": keepalive\n\n");
      }
    }
  }

  /** Ends every stream. */
  void closeAll() {
    for (Subscriber s : subscribers) {
      s.channel
          .eventLoop()
          .execute(
              () ->
                  s.channel
                      .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                      .addListener(ChannelFutureListener.CLOSE));
    }
  }

  static String frame(String type, ObjectNode data) {
    return "event: " + type + "\ndata: " + Json.text(data) + "\n\n";
  }

  /** The SSE name of {@code kind}: lowercase, {@code _} as {@code -}. */
  static String typeOf(ClusterEvent.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The data of a member event. */
  static ObjectNode memberEvent(ClusterEvent e, String selfId, long nowMillis) {
    String type = typeOf(e.kind());
    ObjectNode o = Json.object();
    o.put("type", type);
    o.set("member", Json.member(e.node(), selfId));
    if (e instanceof ClusterEvent.MemberEvent m) {
      o.put("previous_status", m.previousStatus().name());
    } else {
      o.putNull("previous_status");
    }
    o.put("time_ms", nowMillis);
    if (e instanceof ClusterEvent.MemberSuspected s) {
      o.put("accuser", s.accuser());
    } else if (e instanceof ClusterEvent.MemberFailed f) {
      o.put("declared_by", f.declaredBy());
    } else if (e instanceof ClusterEvent.MetadataChanged c) {
      o.set("previous_metadata", Json.stringMap(c.before()));
    } else if (e instanceof ClusterEvent.SelfRefuted r) {
      o.put("claimed_status", r.claimedStatus().name());
      o.put("claimed_incarnation", r.claimedIncarnation());
      o.put("claimed_by", r.claimedBy());
    } else if (e instanceof ClusterEvent.MemberConflict c) {
      o.put("claimed_address", c.claimedAddress().toString());
      o.put("claimed_incarnation", c.claimedIncarnation());
      o.put("claimed_by", c.claimedBy());
      o.put("local", c.local());
    } else if (e instanceof ClusterEvent.Resync r) {
      o.set("members", members(r.members(), r.node(), selfId));
      o.put("dropped_events", r.droppedEvents());
    }
    return o;
  }

  /** {@code members} with {@code self} (if missing), sorted by id. */
  static ArrayNode members(List<NodeView> members, NodeView self, String selfId) {
    List<NodeView> all = new ArrayList<>(members);
    if (all.stream().noneMatch(m -> m.id().equals(self.id()))) {
      all.add(self);
    }
    all.sort(Comparator.comparing(NodeView::id));
    ArrayNode a = Json.array();
    for (NodeView m : all) {
      a.add(Json.member(m, selfId));
    }
    return a;
  }

  /** One stream. Its listener runs on the node's event thread; writes happen on the channel's. */
  final class Subscriber implements GossipListener {
    final Channel channel;
    final Set<Group> groups;
    private final String selfId;
    final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<String> early = new ArrayList<>();
    private boolean started;
    volatile boolean closed;

    Subscriber(Channel channel, Set<Group> groups, String selfId) {
      this.channel = channel;
      this.groups = groups;
      this.selfId = selfId;
    }

    @Override
    public void onEvent(ClusterEvent event) {
      long now = System.currentTimeMillis();
      if (event instanceof ClusterEvent.Resync r && !isStarted()) {
        ObjectNode snap = Json.object();
        snap.set("self", Json.member(r.node(), selfId));
        snap.set("members", members(r.members(), r.node(), selfId));
        List<String> before;
        synchronized (this) {
          started = true;
          before = new ArrayList<>(early);
          early.clear();
        }
        offer(frame("snapshot", snap));
        before.forEach(this::offer);
        return;
      }
      if (groups.contains(Group.MEMBER)) {
        offer(frame(typeOf(event.kind()), memberEvent(event, selfId, now)));
      }
    }

    private synchronized boolean isStarted() {
      return started;
    }

    /** Queues a frame; a full queue ends the stream with {@code overflow}. */
    void offer(String frame) {
      if (closed) {
        return;
      }
      synchronized (this) {
        if (!started) {
          if (early.size() < QUEUE_CAPACITY) {
            early.add(frame);
            return;
          }
        }
      }
      if (!queue.offer(frame)) {
        overflow();
        return;
      }
      if (draining.compareAndSet(false, true)) {
        channel.eventLoop().execute(this::drain);
      }
    }

    private void overflow() {
      if (closed) {
        return;
      }
      closed = true;
      overflows.increment();
      ObjectNode o = Json.object();
      o.put("type", "overflow");
      o.put(
          "message",
          "this stream fell more than "
              + QUEUE_CAPACITY
              + " events behind; reconnect for a fresh snapshot");
      String last = frame("overflow", o);
      channel
          .eventLoop()
          .execute(
              () -> {
                queue.clear();
                channel.write(content(last));
                channel
                    .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(ChannelFutureListener.CLOSE);
              });
    }

    /** On the channel's loop: writes what is queued while the channel takes it. */
    void drain() {
      if (closed) {
        draining.set(false);
        return;
      }
      boolean wrote = false;
      String f;
      while (channel.isWritable() && (f = queue.poll()) != null) {
        channel.write(content(f));
        wrote = true;
      }
      if (wrote) {
        channel.flush();
      }
      draining.set(false);
      if (!queue.isEmpty() && channel.isWritable() && draining.compareAndSet(false, true)) {
        channel.eventLoop().execute(this::drain);
      }
    }

    /** Called when the channel became writable again. */
    void resume() {
      if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
        drain();
      }
    }
  }

  private static DefaultHttpContent content(String s) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }
}
