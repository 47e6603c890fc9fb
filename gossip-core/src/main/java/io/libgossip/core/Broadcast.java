package io.libgossip.core;

/**
 * An item the {@link BroadcastQueue} piggybacks on outgoing packets: a member claim today, a user
 * broadcast later. Modelled on memberlist's {@code NamedBroadcast}.
 *
 * <p>Keys of different item types must not collide: the queue holds at most one item per key. A
 * member claim's key is the member's id.
 */
interface Broadcast {
  /** What the item is about; at most one item per key waits in a queue. */
  String key();

  /** The item's encoded size in bytes, charged against a packet's budget when it is packed. */
  int wireSize();

  /**
   * Whether this item, added while {@code queued} (same key) waits, takes its place. When false the
   * queued item stays and this one is discarded.
   */
  boolean invalidates(Broadcast queued);
}
