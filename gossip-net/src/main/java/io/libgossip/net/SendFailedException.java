package io.libgossip.net;

import io.libgossip.core.NodeAddress;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why an outbound message was not sent: the future of {@link Transport#sendAsync} fails with it,
 * and the transport counts a drop with the same {@link #reason()}.
 */
public final class SendFailedException extends TransportException {
  private static final long serialVersionUID = 1L;

  private final TransportDropReason reason;
  private final transient NodeAddress target;

  /** A send failure to {@code target}, counted as {@code reason}. */
  public SendFailedException(
      TransportDropReason reason, NodeAddress target, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** A send failure to {@code target}, counted as {@code reason}. */
  public SendFailedException(TransportDropReason reason, NodeAddress target, String message) {
    this(reason, target, message, null);
  }

  /**
   * How the drop was counted: {@link TransportDropReason#OVERSIZED} (does not fit the transport),
   * {@link TransportDropReason#UNENCODABLE} (the serializer or a transform failed), {@link
   * TransportDropReason#OVERLOAD} (buffers full or transport closed) or {@link
   * TransportDropReason#SEND_FAILED} (unreachable, refused, connection lost).
   */
  public TransportDropReason reason() {
    return reason;
  }

  /** Where the message was going. */
  public NodeAddress target() {
    return target;
  }
}
