package io.libgossip.core;

/** Why an application message, request or query could not be done. */
public enum MessageFailure {
  /** The target id is not in the member table. */
  UNKNOWN_MEMBER,
  /**
   * The target is known but not alive (suspected members are still tried; failed and left are not).
   */
  MEMBER_NOT_LIVE,
  /** The payload exceeds the configured bound for its path. */
  TOO_LARGE,
  /** The target speaks a wire version without application messages (older than 4). */
  UNSUPPORTED_BY_PEER,
  /** No answer or receipt came before the timeout. */
  TIMEOUT,
  /** The runtime could not hand the message to the target (connection refused, reset, closed). */
  SEND_FAILED,
  /** The target answered that it has no handler for requests, or its handler failed. */
  REJECTED,
  /** This node left or shut down before the answer came. */
  SHUTDOWN
}
