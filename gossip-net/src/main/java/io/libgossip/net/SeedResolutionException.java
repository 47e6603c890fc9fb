package io.libgossip.net;

import org.jspecify.annotations.Nullable;

/**
 * A seed name that could not be resolved: the DNS (or the system resolver) answered with an error,
 * had no record of the asked type, or did not answer in time. It is what a {@link SeedProvider}
 * fails with, and the cause of a {@link JoinException} when no seed could be found, so that a DNS
 * failure is never mistaken for seeds that do not answer.
 */
public final class SeedResolutionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String host;
  private final String query;
  private final String error;

  /**
   * A failed lookup.
   *
   * @param host the name looked up
   * @param query what was asked, such as {@code A/AAAA} or {@code SRV}
   * @param error the DNS error, such as {@code NXDOMAIN} or {@code no SRV record}
   * @param cause the resolver's exception, if any
   */
  public SeedResolutionException(
      String host, String query, String error, @Nullable Throwable cause) {
    super("DNS lookup of '" + host + "' (" + query + ") failed: " + error, cause);
    this.host = host;
    this.query = query;
    this.error = error;
  }

  /** The name looked up. */
  public String host() {
    return host;
  }

  /** What was asked: {@code A/AAAA} or {@code SRV}. */
  public String query() {
    return query;
  }

  /** The DNS error: a response code such as {@code NXDOMAIN}, {@code no record} or a timeout. */
  public String error() {
    return error;
  }
}
