package io.libgossip.core;

/**
 * A user broadcast (or its announcement) waiting in the user {@link BroadcastQueue}. Its queue key
 * starts with a control character, which no member id holds, so it never meets a claim's key: a
 * keyed broadcast's key is its origin, topic and key, so a newer one from the same origin replaces
 * it; an unkeyed one's is its origin, life and sequence number.
 */
final class UserItem implements Broadcast {
  final BroadcastItem item;
  private final String key;
  private final int wireSize;

  UserItem(BroadcastItem item) {
    this.item = item;
    this.key = queueKey(item);
    this.wireSize = WireSizes.broadcastItemSize(item);
  }

  static String queueKey(BroadcastItem item) {
    String k = item.key();
    return k == null
        ? "\u0002" + item.origin() + '\u0000' + item.life() + '\u0000' + item.seq()
        : "\u0001" + item.origin() + '\u0000' + item.topic() + '\u0000' + k;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public int wireSize() {
    return wireSize;
  }

  /** A newer broadcast (a later life, or a later seq in the same life) replaces an older one. */
  @Override
  public boolean invalidates(Broadcast queued) {
    BroadcastItem q = ((UserItem) queued).item;
    return item.life() != q.life() ? item.life() > q.life() : item.seq() > q.seq();
  }

  @Override
  public String toString() {
    return item.toString();
  }
}
