package io.libgossip.testkit;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MemberUpdate;
import io.libgossip.core.NodeAddress;
import io.libgossip.core.NodeView;
import io.libgossip.core.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * An {@link Outbox} that keeps every send as a {@link Sent} record, stamped with the time a clock
 * showed when the core sent it, in order. Nothing is delivered anywhere: a test reads what the core
 * wanted sent and answers by hand.
 *
 * <p>Queries return copies, so a test may keep them while the core goes on sending.
 */
public final class RecordingOutbox implements Outbox {

  /**
   * One recorded send.
   *
   * @param at the clock's time when the core sent it
   * @param message the message
   * @param target the destination; {@link NodeView#hasId()} is false for a bare seed address
   * @param delivery the delivery the core asked for
   */
  public record Sent(long at, GossipMessage message, NodeView target, Delivery delivery) {
    /** Checks that no field is null. */
    public Sent {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(delivery, "delivery");
    }

    /** The target's member id, or the empty string for a bare address. */
    public String targetId() {
      return target.id();
    }

    /** Whether the message is a {@code type}. */
    public boolean is(Class<? extends GossipMessage> type) {
      return type.isInstance(message);
    }

    /**
     * The message as a {@code type}.
     *
     * @throws ClassCastException when it is another type
     */
    public <T extends GossipMessage> T as(Class<T> type) {
      return type.cast(message);
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private final LongSupplier clock;

  /** An outbox that stamps each send with {@code clock}'s reading. */
  public RecordingOutbox(LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** An outbox that stamps every send with time 0. */
  public RecordingOutbox() {
    this(() -> 0L);
  }

  @Override
  public void send(GossipMessage message, NodeView target, Delivery delivery) {
    sent.add(new Sent(clock.getAsLong(), message, target, delivery));
  }

  /** Every send so far, in order. */
  public List<Sent> all() {
    return List.copyOf(sent);
  }

  /** How many sends were recorded. */
  public int size() {
    return sent.size();
  }

  /**
   * The {@code i}-th send, counting from 0.
   *
   * @throws IndexOutOfBoundsException when there are not that many
   */
  public Sent get(int i) {
    return sent.get(i);
  }

  /** A position to pass to {@link #since(int)}: the number of sends so far. */
  public int mark() {
    return sent.size();
  }

  /** The sends after {@code mark}, in order. */
  public List<Sent> since(int mark) {
    return List.copyOf(sent.subList(mark, sent.size()));
  }

  /** Forgets every send recorded so far. */
  public void clear() {
    sent.clear();
  }

  /** The sends matching {@code filter}, in order. */
  public List<Sent> where(Predicate<Sent> filter) {
    List<Sent> out = new ArrayList<>();
    for (Sent s : sent) {
      if (filter.test(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** The sends of one message type, in order. */
  public List<Sent> sentOf(Class<? extends GossipMessage> type) {
    return where(s -> s.is(type));
  }

  /** The sends of one message type to the member {@code targetId}, in order. */
  public List<Sent> sentOf(Class<? extends GossipMessage> type, String targetId) {
    return where(s -> s.is(type) && s.targetId().equals(targetId));
  }

  /** The messages of one type, in order. */
  public <T extends GossipMessage> List<T> messages(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Sent s : sent) {
      if (type.isInstance(s.message())) {
        out.add(type.cast(s.message()));
      }
    }
    return out;
  }

  /** The messages of one type sent to the member {@code targetId}, in order. */
  public <T extends GossipMessage> List<T> messagesTo(Class<T> type, String targetId) {
    List<T> out = new ArrayList<>();
    for (Sent s : sentOf(type, targetId)) {
      out.add(type.cast(s.message()));
    }
    return out;
  }

  /** Every send to the member {@code targetId}, in order. */
  public List<Sent> to(String targetId) {
    return where(s -> s.targetId().equals(targetId));
  }

  /** Every send to {@code address}, bare seed addresses included, in order. */
  public List<Sent> toAddress(NodeAddress address) {
    return where(s -> s.target().address().equals(address));
  }

  /** Every member update carried by the recorded messages (piggybacked or state), in order. */
  public List<MemberUpdate> updates() {
    List<MemberUpdate> out = new ArrayList<>();
    for (Sent s : sent) {
      out.addAll(s.message().updates());
    }
    return out;
  }
}
