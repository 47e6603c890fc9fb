package io.libgossip.core;

import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where every unit of the core sends its output, as foca's {@code Runtime} does: messages to the
 * {@link Outbox}, events to the {@link GossipListener} (guarded, so a throwing listener is counted
 * and cannot corrupt the table) and dropped inputs to a counter per reason.
 */
final class Effects {
  private final Outbox outbox;
  private final GossipListener listener;
  private final EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
  private long messagesSent;
  private long listenerErrors;
  private @Nullable WireNegotiation wire;

  Effects(Outbox outbox, GossipListener listener) {
    this.outbox = outbox;
    this.listener = listener;
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
    outbox.send(w.withRanges(message, version), target, delivery, version);
  }

  void emit(ClusterEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      listenerErrors++;
    }
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
