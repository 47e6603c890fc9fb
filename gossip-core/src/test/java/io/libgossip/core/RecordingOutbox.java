package io.libgossip.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * An {@link Outbox} that records every send as a (message, target, delivery) triple, stamped with
 * the time the test's clock showed when the core sent it.
 */
final class RecordingOutbox implements Outbox {

  /** One recorded send. */
  record Sent(long at, GossipMessage message, NodeView target, Delivery delivery) {
    /** The target's id, or the empty string for a bare address. */
    String targetId() {
      return target.id();
    }

    boolean is(Class<? extends GossipMessage> type) {
      return type.isInstance(message);
    }

    <T extends GossipMessage> T as(Class<T> type) {
      return type.cast(message);
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private final LongSupplier clock;

  RecordingOutbox(LongSupplier clock) {
    this.clock = clock;
  }

  RecordingOutbox() {
    this(() -> 0L);
  }

  @Override
  public void send(GossipMessage message, NodeView target, Delivery delivery) {
    sent.add(new Sent(clock.getAsLong(), message, target, delivery));
  }

  /** Every send so far, in order. */
  List<Sent> all() {
    return List.copyOf(sent);
  }

  int size() {
    return sent.size();
  }

  /** The {@code i}-th send. */
  Sent get(int i) {
    return sent.get(i);
  }

  /** A position to pass to {@link #since(int)}. */
  int mark() {
    return sent.size();
  }

  /** The sends after {@code mark}. */
  List<Sent> since(int mark) {
    return List.copyOf(sent.subList(mark, sent.size()));
  }

  void clear() {
    sent.clear();
  }

  /** Sends matching {@code filter}. */
  List<Sent> where(Predicate<Sent> filter) {
    List<Sent> out = new ArrayList<>();
    for (Sent s : sent) {
      if (filter.test(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Sends of one message type. */
  List<Sent> sentOf(Class<? extends GossipMessage> type) {
    return where(s -> s.is(type));
  }

  /** Sends of one message type to the member {@code targetId}. */
  List<Sent> sentOf(Class<? extends GossipMessage> type, String targetId) {
    return where(s -> s.is(type) && s.targetId().equals(targetId));
  }

  /** Messages of one type, in order. */
  <T extends GossipMessage> List<T> messages(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Sent s : sent) {
      if (type.isInstance(s.message())) {
        out.add(type.cast(s.message()));
      }
    }
    return out;
  }

  /** Messages of one type sent to the member {@code targetId}, in order. */
  <T extends GossipMessage> List<T> messagesTo(Class<T> type, String targetId) {
    List<T> out = new ArrayList<>();
    for (Sent s : sentOf(type, targetId)) {
      out.add(type.cast(s.message()));
    }
    return out;
  }

  /** Every send to the member {@code targetId}. */
  List<Sent> to(String targetId) {
    return where(s -> s.targetId().equals(targetId));
  }

  /** Every send to {@code address} (bare seed addresses included). */
  List<Sent> toAddress(NodeAddress address) {
    return where(s -> s.target().address().equals(address));
  }

  /** Every piggybacked or state update in the sent messages, in order. */
  List<MemberUpdate> updates() {
    List<MemberUpdate> out = new ArrayList<>();
    for (Sent s : sent) {
      out.addAll(s.message().updates());
    }
    return out;
  }
}
