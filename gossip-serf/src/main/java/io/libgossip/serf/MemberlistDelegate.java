package io.libgossip.serf;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What rides on memberlist's protocol above membership: user messages piggybacked on outgoing
 * packets, and the user state of push-pull exchanges. Serf's layer implements it; a memberlist
 * transport calls it. (Node metadata is the member's own: the transport carries it as Serf tags.)
 *
 * <p>Every method is called on the transport's event loop and must return quickly without blocking.
 * Byte arrays passed in are owned by the callee; arrays returned are not modified by the caller
 * afterwards.
 */
public interface MemberlistDelegate {
  /**
   * A user message (memberlist type 8) received in a packet or on a stream, without its type byte.
   * The bytes are untrusted: a malformed message is the delegate's to count and drop.
   *
   * @param sender the address the packet or connection came from
   */
  void notifyMessage(byte[] message, InetSocketAddress sender);

  /**
   * User messages to piggyback on a packet being sent: each costs {@code overhead} bytes of framing
   * plus its length, and all of them together at most {@code limit} bytes. Empty when there is
   * nothing to send.
   */
  List<byte[]> broadcasts(int overhead, int limit);

  /**
   * The user state for a push-pull this node sends or answers.
   *
   * @param join whether the exchange is a join (rather than the periodic anti-entropy)
   */
  byte[] localState(boolean join);

  /**
   * The user state a peer sent in a push-pull (empty when it sent none). Untrusted, as in {@link
   * #notifyMessage}.
   *
   * @param join whether the peer marked the exchange as a join
   */
  void mergeRemoteState(byte[] state, boolean join);
}
