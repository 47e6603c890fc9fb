package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import java.util.List;

/** A join that did not complete: no seed answered in time, or the node closed first. */
public final class JoinException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<NodeAddress> seeds;

  /** A failed join through {@code seeds}; the message says why. */
  public JoinException(String message, List<NodeAddress> seeds) {
    super(message);
    this.seeds = List.copyOf(seeds);
  }

  /** The seeds that were tried. */
  public List<NodeAddress> seeds() {
    return seeds;
  }
}
