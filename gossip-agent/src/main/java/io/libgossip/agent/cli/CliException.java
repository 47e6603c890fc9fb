package io.libgossip.agent.cli;

/**
 * A command failed at run time (the agent answered an error, could not be reached or sent something
 * unexpected): the command prints {@code gossip: MESSAGE} on stderr and exits with 1.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, one line a person can act on. */
  CliException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
