package io.libgossip.core;

/**
 * Where {@link GossipCore} puts the messages it wants sent. The runtime implements it with sockets;
 * the simulator with its virtual network; tests with a recording list.
 *
 * <p>Called on the core's thread, synchronously from {@code tick}, {@code handleMessage} and the
 * other commands. It must not call back into the core.
 */
@FunctionalInterface
public interface Outbox {
  /**
   * Sends {@code message} to {@code target}.
   *
   * @param message the message; immutable, may be kept
   * @param target the destination; {@link NodeView#hasId()} is false for a bare seed address
   * @param delivery whether the message needs the reliable path
   */
  void send(GossipMessage message, NodeView target, Delivery delivery);

  /**
   * Sends {@code message} to {@code target} at binary wire format {@code version}: the version the
   * core picked for this target (see {@link WireVersions}). A runtime that encodes with a {@link
   * MessageSerializer} passes it to {@link MessageSerializer#encode(GossipMessage, int)}; the
   * default ignores it and calls {@link #send(GossipMessage, NodeView, Delivery)}.
   *
   * @param version the wire version, within the node's {@link GossipConfig#wireVersions()}; 0 when
   *     the core has not picked one (the serializer's default)
   */
  default void send(GossipMessage message, NodeView target, Delivery delivery, int version) {
    send(message, target, delivery);
  }
}
