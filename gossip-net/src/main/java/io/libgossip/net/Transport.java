package io.libgossip.net;

import io.libgossip.core.Delivery;
import io.libgossip.core.GossipMessage;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.NodeAddress;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * Moves {@link GossipMessage}s between nodes: the runtime's side of the core's {@code Outbox}.
 *
 * <p>Life cycle: build (see {@link TransportFactory}), set the {@linkplain #onMessage inbound
 * handler}, {@link #start()}, send and receive, {@link #close()}. Every method is thread-safe.
 *
 * <p>Every message travels as one packet (a datagram, or the payload of a TCP frame) made by the
 * serializer and then the {@linkplain TransportOptions#transforms() packet transforms}; inbound
 * packets go through the transforms in reverse, then the serializer.
 *
 * <p>Sending never throws for network trouble: {@link #send} counts failures as drops (by their
 * {@link TransportDropReason}), {@link #sendAsync} also fails its future with a {@link
 * SendFailedException}. Undecodable input is counted as a drop (by its {@link
 * io.libgossip.core.DropReason}, or {@link TransportDropReason#REJECTED_BY_TRANSFORM}) and logged
 * at a bounded rate; it never reaches the handler and never raises an exception.
 */
public interface Transport extends AutoCloseable {

  /** What kind of transport this is. */
  TransportType type();

  /**
   * Binds and starts listening; returns when bound.
   *
   * @return the bound address (with the actual port when 0 was asked for)
   * @throws TransportException naming the address and the reason when it cannot bind
   * @throws IllegalStateException when already started or closed
   */
  NodeAddress start();

  /**
   * The bound address, as reported by the socket (the wildcard host when bound to all interfaces).
   *
   * @throws IllegalStateException before {@link #start()}
   */
  NodeAddress localAddress();

  /**
   * The event loop that runs this transport's main channel (UDP for UDP and hybrid transports, the
   * TCP server otherwise). A runtime that confines its core to this loop receives UDP messages
   * without a thread hop.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  EventLoop eventLoop();

  /** Sets the receiver of decoded messages; without one, inbound messages are dropped. */
  void onMessage(InboundHandler handler);

  /** Sends without telling the caller the outcome; failures are counted as drops. */
  void send(GossipMessage message, NodeAddress target, Delivery delivery);

  /**
   * Sends at wire format {@code version} (what the core's {@link
   * io.libgossip.core.Outbox#send(GossipMessage, io.libgossip.core.NodeView, Delivery, int)} was
   * given; 0 for the serializer's default), without telling the caller the outcome. The default
   * ignores the version.
   */
  default void send(GossipMessage message, NodeAddress target, Delivery delivery, int version) {
    send(message, target, delivery);
  }

  /**
   * Sends and reports the outcome.
   *
   * @return a future completed when the message has been written to the socket, or failed with a
   *     {@link SendFailedException} that says why (too large, unreachable, refused, overloaded,
   *     transport closed)
   */
  CompletableFuture<Void> sendAsync(GossipMessage message, NodeAddress target, Delivery delivery);

  /**
   * Sends at wire format {@code version} (0 for the serializer's default) and reports the outcome,
   * as {@link #sendAsync(GossipMessage, NodeAddress, Delivery)}. The default ignores the version.
   */
  default CompletableFuture<Void> sendAsync(
      GossipMessage message, NodeAddress target, Delivery delivery, int version) {
    return sendAsync(message, target, delivery);
  }

  /** The serializer that turns messages into bytes and back. */
  MessageSerializer serializer();

  /**
   * The bytes the packet transforms add to a packet at most (0 without transforms). A runtime that
   * drives a core passes it to {@link io.libgossip.core.GossipCore.Builder#packetOverhead(int)}.
   */
  int packetOverhead();

  /** A snapshot of the counters. */
  TransportStats stats();

  /** Whether the transport is started and not yet closed. */
  boolean isRunning();

  /**
   * Stops listening, closes every connection, and shuts down the event-loop group if the transport
   * created it. Idempotent; returns within a few seconds.
   */
  void stop();

  /** Same as {@link #stop()}. */
  @Override
  default void close() {
    stop();
  }
}
