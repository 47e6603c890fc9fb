package io.libgossip.net;

import org.jspecify.annotations.Nullable;

/**
 * A transport could not do what it was asked: bind, start, or send on a closed transport. The
 * message names the address and the reason.
 */
public class TransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message that names the address and why. */
  public TransportException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** A failure with a message that names the address and why. */
  public TransportException(String message) {
    super(message);
  }
}
