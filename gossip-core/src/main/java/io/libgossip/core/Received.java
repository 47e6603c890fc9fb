package io.libgossip.core;

/**
 * What {@link GossipCore#handleMessage} did with one inbound message, as foca's {@code Result}
 * tells its runtime. Runtimes may ignore it: every case is also counted in {@link GossipStats}.
 *
 * <p>A message's piggybacked claims are applied before the message itself is looked at, so they
 * count even when the message turns out {@link Stale} or is {@link Dropped} for a wrong target;
 * only a message from this node itself is dropped before its claims are read.
 */
public sealed interface Received permits Received.Applied, Received.Stale, Received.Dropped {

  /** The answer to a probe that is no longer running; shared, since it carries nothing. */
  Stale STALE = new Stale();

  /**
   * The message was acted on: a ping answered, an ack or nack matched, an indirect probe started,
   * gossip or a push-pull state merged.
   *
   * @param changes how many of its claims changed this node's view of the cluster (0 when all were
   *     known already)
   */
  record Applied(int changes) implements Received {
    private static final Applied[] SMALL = new Applied[64];

    static {
      for (int i = 0; i < SMALL.length; i++) {
        SMALL[i] = new Applied(i);
      }
    }

    /** Checks that {@code changes} is not negative. */
    public Applied {
      if (changes < 0) {
        throw new IllegalArgumentException("changes must be >= 0, got " + changes);
      }
    }

    /** The result for {@code changes} changes, shared for small counts. */
    static Applied of(int changes) {
      return changes < SMALL.length ? SMALL[changes] : new Applied(changes);
    }
  }

  /**
   * An ack or nack for a probe that is no longer running (answered already, timed out, or never
   * sent); counted as a {@link DropReason#STALE} drop. Its piggybacked claims were applied.
   */
  record Stale() implements Received {}

  /**
   * The message was rejected: {@link DropReason#FROM_SELF} (nothing of it was read) or {@link
   * DropReason#WRONG_TARGET} (a ping for another node; its claims were applied).
   *
   * @param reason why; the same reason is counted in {@link GossipStats}
   */
  record Dropped(DropReason reason) implements Received {
    /** Checks that {@code reason} is given. */
    public Dropped {
      java.util.Objects.requireNonNull(reason, "reason");
    }
  }
}
