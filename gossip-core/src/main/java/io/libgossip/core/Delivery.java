package io.libgossip.core;

/** How a message asks to be delivered. The core decides what to send; the runtime decides how. */
public enum Delivery {
  /** May be lost, duplicated or reordered (UDP): probes, acks, gossip. */
  BEST_EFFORT,
  /** Must arrive whole or fail (TCP): joins and push-pull state exchanges. */
  RELIABLE
}
