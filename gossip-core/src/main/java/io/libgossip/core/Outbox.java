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
}
