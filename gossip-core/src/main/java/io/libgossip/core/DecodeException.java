package io.libgossip.core;

import java.util.Objects;

/**
 * Raised by a {@link MessageSerializer} for bytes it cannot accept. This is the only exception a
 * decoder lets escape; callers count it as a drop with its {@link #reason()}.
 */
public final class DecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the input was dropped. */
  private final DropReason reason;

  /** A decode failure with its reason and a message for logs. */
  public DecodeException(DropReason reason, String message) {
    super(message, null, false, false); // no stack trace: hostile input is routine
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the bytes were rejected. */
  public DropReason reason() {
    return reason;
  }
}
