package io.libgossip.net;

import io.libgossip.core.MessageFailure;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a message, request or query made through a {@link GossipNode} failed: the futures of {@link
 * GossipNode#send}, {@link GossipNode#sendReliable}, {@link GossipNode#requestResponse} and {@link
 * GossipNode#query} fail with it.
 */
public final class MessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final MessageFailure failure;

  /** A failure for {@code failure}; the message says more. */
  public MessageException(MessageFailure failure, String message) {
    this(failure, message, null);
  }

  /** A failure for {@code failure}, caused by {@code cause}. */
  public MessageException(MessageFailure failure, String message, @Nullable Throwable cause) {
    super(failure + ": " + message, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  /** What went wrong. */
  public MessageFailure failure() {
    return failure;
  }
}
