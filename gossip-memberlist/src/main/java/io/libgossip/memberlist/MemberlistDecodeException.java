package io.libgossip.memberlist;

/** Bytes that are not a valid memberlist or Serf message: malformed, truncated or too large. */
public final class MemberlistDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param reason what is wrong with the input
   */
  public MemberlistDecodeException(String reason) {
    super(reason);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param reason what is wrong with the input
   * @param cause the underlying failure
   */
  public MemberlistDecodeException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
