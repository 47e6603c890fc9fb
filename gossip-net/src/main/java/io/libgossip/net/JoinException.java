package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A join that did not complete: no seed answered in time, the seeds could not be found (the cause
 * is then a {@link SeedResolutionException}), or the node closed first.
 */
public final class JoinException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<NodeAddress> seeds;

  /** A failed join through {@code seeds}; the message says why. */
  public JoinException(String message, List<NodeAddress> seeds) {
    super(message);
    this.seeds = List.copyOf(seeds);
  }

  /** A failed join through {@code seeds}; the message says why, {@code cause} is what failed. */
  public JoinException(String message, List<NodeAddress> seeds, @Nullable Throwable cause) {
    super(message, cause);
    this.seeds = List.copyOf(seeds);
  }

  /** The seeds that were tried (the last ones found, when they were discovered). */
  public List<NodeAddress> seeds() {
    return seeds;
  }
}
