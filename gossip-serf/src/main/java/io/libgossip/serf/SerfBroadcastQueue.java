package io.libgossip.serf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * memberlist's transmit-limited queue, as Serf uses three of them (intents, queries, events): each
 * message is handed out until it has gone out {@code limit} times, fewest transmissions first, then
 * largest, then newest. Bounded: past {@code maxDepth} the oldest messages are dropped. Not
 * thread-safe (the layer's lock guards it).
 */
final class SerfBroadcastQueue {
  private static final Comparator<Item> ORDER =
      Comparator.<Item>comparingInt(i -> i.transmits)
          .thenComparing(i -> -i.msg.length)
          .thenComparing(i -> -i.id);

  private static final class Item {
    final byte[] msg;
    final long id;
    final @Nullable CompletableFuture<Void> done;
    int transmits;

    Item(byte[] msg, long id, @Nullable CompletableFuture<Void> done) {
      this.msg = msg;
      this.id = id;
      this.done = done;
    }
  }

  private final int maxDepth;
  private final List<Item> items = new ArrayList<>();
  private long nextId;

  SerfBroadcastQueue(int maxDepth) {
    this.maxDepth = maxDepth;
  }

  /**
   * Queues a message; {@code done} (if any) is added to {@code finished} once the message has gone
   * out its last time or was dropped.
   *
   * @return how many old messages were dropped to make room
   */
  int add(
      byte[] msg, @Nullable CompletableFuture<Void> done, List<CompletableFuture<Void>> finished) {
    items.add(new Item(msg, nextId++, done));
    int dropped = 0;
    while (items.size() > maxDepth) {
      Item old = items.remove(0);
      if (old.done != null) {
        finished.add(old.done);
      }
      dropped++;
    }
    return dropped;
  }

  /** Number of messages waiting. */
  int size() {
    return items.size();
  }

  /**
   * Takes messages for one packet: each costs {@code overhead} plus its length, at most {@code
   * limit} in all; a message that has now gone out {@code transmitLimit} times leaves the queue.
   */
  List<byte[]> take(
      int overhead, int limit, int transmitLimit, List<CompletableFuture<Void>> finished) {
    if (items.isEmpty() || limit - overhead <= 0) {
      return List.of();
    }
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(ORDER);
    List<byte[]> out = new ArrayList<>();
    int used = 0;
    for (Item item : sorted) {
      int free = limit - used - overhead;
      if (free <= 0) {
        break;
      }
      if (item.msg.length > free) {
        continue;
      }
      used += overhead + item.msg.length;
      out.add(item.msg);
      item.transmits++;
      if (item.transmits >= transmitLimit) {
        items.remove(item);
        if (item.done != null) {
          finished.add(item.done);
        }
      }
    }
    return out;
  }

  /** Drops every message; their completions go to {@code finished}. */
  void clear(List<CompletableFuture<Void>> finished) {
    for (Item i : items) {
      if (i.done != null) {
        finished.add(i.done);
      }
    }
    items.clear();
  }
}
