package io.libgossip.serf;

import io.libgossip.core.NodeAddress;

/**
 * Sends one Serf message straight to an address as a memberlist user message in a packet (query
 * acknowledgements, responses and relays). The memberlist transport provides it.
 */
@FunctionalInterface
public interface SerfSender {
  /**
   * Sends {@code message} (a Serf message, its type byte first) to {@code to} as a memberlist user
   * message. Must not block; a failure is the sender's to log, as for any best-effort packet.
   *
   * @param to the destination's memberlist address (IP literal and port)
   * @param message the bytes; not modified afterwards
   */
  void sendUserMessage(NodeAddress to, byte[] message);
}
