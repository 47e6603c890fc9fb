package io.libgossip.core;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where every unit of the core sends its output, as foca's {@code Runtime} does: messages to the
 * {@link Outbox}, events to the {@link GossipListener} (guarded, so a throwing listener is counted
 * and cannot corrupt the table) and dropped inputs to a counter per reason.
 */
final class Effects {
  private final Outbox outbox;
  private final GossipListener listener;
  private final MessageHandler handler;
  private final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
  private long messagesSent;
  private long listenerErrors;
  private long handlerErrors;
  private @Nullable WireNegotiation wire;
  private @Nullable AppStates appStates;
  private ProtocolObserver observer = ProtocolObserver.NONE;

  Effects(Outbox outbox, GossipListener listener, MessageHandler handler) {
    this.outbox = outbox;
    this.listener = listener;
    this.handler = handler;
  }

  Effects(Outbox outbox, GossipListener listener) {
    this(outbox, listener, new MessageHandler() {});
  }

  /** Sets who picks each message's wire version (and the hellos); until then, version 0. */
  void wire(WireNegotiation negotiation) {
    wire = negotiation;
  }

  void send(GossipMessage message, NodeView target, Delivery delivery) {
    WireNegotiation w = wire;
    if (w == null) {
      messagesSent++;
      outbox.send(message, target, delivery, 0);
      return;
    }
    GossipMessage hello = w.helloBefore(message, target);
    if (hello != null) {
      messagesSent++;
      outbox.send(hello, target, Delivery.BEST_EFFORT, w.own().max());
    }
    messagesSent++;
    int version = w.versionFor(target);
    GossipMessage out = w.withRanges(message, version);
    AppStates a = appStates;
    if (a != null) {
      out = a.outgoing(out, version);
    }
    outbox.send(out, target, delivery, version);
  }

  /**
   * Sends {@code target} a version hello now when its range of wire versions is unknown (see {@link
   * WireNegotiation#hello}); nothing otherwise.
   */
  void hello(NodeView target) {
    WireNegotiation w = wire;
    GossipMessage hello = w == null ? null : w.hello(target);
    if (hello != null && w != null) {
      messagesSent++;
      outbox.send(hello, target, Delivery.BEST_EFFORT, w.own().max());
    }
  }

  /** Adds the application state to the push-pulls this node sends (at version 4 and later). */
  void appStates(AppStates states) {
    appStates = states;
  }

  /** Sends a push-pull at {@code version}, which the caller picked, with ranges and app state. */
  void sendPushPullAt(GossipMessage message, NodeView target, int version) {
    WireNegotiation w = wire;
    GossipMessage out = w == null ? message : w.withRanges(message, version);
    AppStates a = appStates;
    if (a != null) {
      out = a.outgoing(out, version);
    }
    messagesSent++;
    outbox.send(out, target, Delivery.RELIABLE, version);
  }

  /** Sends application data at {@code version}, which the caller picked (no hello, no ranges). */
  void sendAt(GossipMessage message, NodeView target, Delivery delivery, int version) {
    messagesSent++;
    outbox.send(message, target, delivery, version);
  }

  /**
   * Runs an application callback other than the handler's; a throw is counted as a handler error.
   */
  void guarded(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      handlerErrors++;
    }
  }

  /** The wire version a message to {@code target} would go out at now (0 without negotiation). */
  int versionFor(NodeView target) {
    WireNegotiation w = wire;
    return w == null ? 0 : w.versionFor(target);
  }

  void emit(ClusterEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
  }

  /** Hands application data or an outcome to the message handler; a throw is counted. */
  void deliver(Consumer<MessageHandler> call) {
    try {
      call.accept(handler);
    } catch (RuntimeException e) {
      handlerErrors++;
    }
  }

  /** Sets who is told the protocol's timings ({@link ProtocolObserver#NONE} for no one). */
  void observer(ProtocolObserver o) {
    observer = o;
  }

  void probeAcked(long rttNanos) {
    try {
      observer.probeAcked(rttNanos);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
  }

  void suspicionEnded(long nanos, NodeStatus outcome) {
    try {
      observer.suspicionEnded(nanos, outcome);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
  }

  void pushPullCompleted(long nanos) {
    try {
      observer.pushPullCompleted(nanos);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
  }

  long handlerErrors() {
    return handlerErrors;
  }

  void drop(DropReason reason) {
    drops.merge(reason, 1L, Long::sum);
  }

  long drops(DropReason reason) {
    Long n = drops.get(reason);
    return n == null ? 0 : n;
  }

  long messagesSent() {
    return messagesSent;
  }

  long listenerErrors() {
    return listenerErrors;
  }

  /** Adds the drop counters to {@code stats}. */
  void addDrops(GossipStats.Builder stats) {
    for (Map.Entry<DropReason, Long> e : drops.entrySet()) {
      stats.drop(e.getKey(), e.getValue());
    }
  }
}
