package io.libgossip.net;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The accepted TCP connections of one transport, within {@link
 * TransportOptions#maxInboundConnections()} in total and {@link
 * TransportOptions#maxConnectionsPerPeer()} per peer address. A newcomer is always admitted; when a
 * bound is reached, the slot it takes is the one of the oldest connection that has not yet
 * delivered a valid frame, or, if all have, of the one idle longest (among the same peer's
 * connections when the per-peer bound is what is reached). So idle or unauthenticated connections
 * cannot keep a joining node out. Thread-safe.
 *
 * @param <K> the connection's key (a channel)
 */
final class InboundSlots<K> {
  /** What the choice of a victim looks at. */
  interface Slot {
    /** When the connection opened (loop clock, nanoseconds). */
    long openedNanos();

    /** When it last delivered a valid frame or carried an outbound one (or opened). */
    long lastActiveNanos();

    /** Whether it has delivered a valid frame. */
    boolean proven();

    /** The peer's address, null if unknown. */
    @Nullable InetAddress peer();
  }

  private final int max;
  private final int maxPerPeer;
  private final Map<K, Slot> slots = new LinkedHashMap<>();

  InboundSlots(int max, int maxPerPeer) {
    this.max = max;
    this.maxPerPeer = maxPerPeer;
  }

  /**
   * Admits {@code key}; returns the connection whose slot it takes (already removed here, for the
   * caller to close), or null when there was room.
   */
  synchronized @Nullable K admit(K key, Slot slot) {
    Objects.requireNonNull(key, "key");
    InetAddress peer = slot.peer();
    K victim = null;
    if (peer != null && countOf(peer) >= maxPerPeer) {
      victim = victim(peer);
    } else if (slots.size() >= max) {
      victim = victim(null);
    }
    if (victim != null) {
      slots.remove(victim);
    }
    slots.put(key, slot);
    return victim;
  }

  /** Forgets {@code key} (closed); no-op if it was evicted already. */
  synchronized void remove(K key) {
    slots.remove(key);
  }

  /** Connections held now. */
  synchronized int size() {
    return slots.size();
  }

  private int countOf(InetAddress peer) {
    int n = 0;
    for (Slot s : slots.values()) {
      if (peer.equals(s.peer())) {
        n++;
      }
    }
    return n;
  }

  /** The oldest unproven connection, else the one idle longest; of {@code peer} only if given. */
  private @Nullable K victim(@Nullable InetAddress peer) {
    K oldestUnproven = null;
    long oldestOpened = 0;
    K idlest = null;
    long idlestActive = 0;
    for (Map.Entry<K, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (peer != null && !peer.equals(s.peer())) {
        continue;
      }
      if (!s.proven()) {
        if (oldestUnproven == null || s.openedNanos() - oldestOpened < 0) {
          oldestUnproven = e.getKey();
          oldestOpened = s.openedNanos();
        }
      } else if (idlest == null || s.lastActiveNanos() - idlestActive < 0) {
        idlest = e.getKey();
        idlestActive = s.lastActiveNanos();
      }
    }
    return oldestUnproven != null ? oldestUnproven : idlest;
  }
}
