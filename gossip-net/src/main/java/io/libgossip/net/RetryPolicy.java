package io.libgossip.net;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a {@link GossipNode} retries a join that got no answer: capped exponential backoff with
 * jitter, within a budget of attempts and of total time. An immutable, validated value.
 *
 * <p>Attempt {@code n} (counted from 1) lasts the node's {@linkplain GossipNode.Builder#joinTimeout
 * join timeout}. When it fails, the next one starts after {@code min(maxDelay, initialDelay *
 * multiplier^(n-1))}, of which a random fraction up to {@code jitter} is taken off (so nodes that
 * started together spread out). The seeds are discovered again before every attempt.
 *
 * <pre>{@code
 * RetryPolicy.forever()                 // 1 s, 2 s, 4 s ... capped at 30 s, until joined or closed
 * RetryPolicy.builder().maxAttempts(10).maxDelay(Duration.ofSeconds(10)).build()
 * RetryPolicy.none()                    // one attempt: the join fails after the join timeout
 * }</pre>
 */
public final class RetryPolicy {
  /** "No limit" for {@link Builder#maxTotal(Duration)}. */
  public static final Duration UNLIMITED = Duration.ofSeconds(Long.MAX_VALUE);

  private static final RetryPolicy NONE = builder().maxAttempts(1).build();
  private static final RetryPolicy FOREVER = builder().build();

  private final Duration initialDelay;
  private final Duration maxDelay;
  private final double multiplier;
  private final double jitter;
  private final int maxAttempts;
  private final Duration maxTotal;

  private RetryPolicy(Builder b) {
    if (b.maxDelay.compareTo(b.initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay ("
              + GossipNode.format(b.maxDelay)
              + ") must not be less than initialDelay ("
              + GossipNode.format(b.initialDelay)
              + ")");
    }
    initialDelay = b.initialDelay;
    maxDelay = b.maxDelay;
    multiplier = b.multiplier;
    jitter = b.jitter;
    maxAttempts = b.maxAttempts;
    maxTotal = b.maxTotal;
  }

  /** One attempt, no retry: the join fails when its timeout passes without an answer. */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Retries until joined or closed: delays from 1 s doubling up to 30 s, up to half of each taken
   * off at random. The recommended setting for servers and containers.
   */
  public static RetryPolicy forever() {
    return FOREVER;
  }

  /** A builder starting from {@link #forever()}'s settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** The delay after the first failed attempt. */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** The longest delay between attempts. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** The factor by which the delay grows after each failed attempt. */
  public double multiplier() {
    return multiplier;
  }

  /** The largest fraction of a delay taken off at random, in {@code [0, 1]}. */
  public double jitter() {
    return jitter;
  }

  /** The most attempts, the first included; {@link Integer#MAX_VALUE} for no limit. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The longest time from the first attempt to the start of the last one; {@link #UNLIMITED} for no
   * limit.
   */
  public Duration maxTotal() {
    return maxTotal;
  }

  /** Whether this policy ever makes a second attempt. */
  public boolean retries() {
    return maxAttempts > 1;
  }

  /**
   * The delay after {@code failedAttempts} failed attempts (1 for the first), with jitter drawn
   * from {@code random}.
   *
   * @throws IllegalArgumentException when {@code failedAttempts} is less than 1
   */
  public Duration delay(int failedAttempts, RandomGenerator random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException(
          "failedAttempts must be at least 1, got " + failedAttempts);
    }
    double nanos = initialDelay.toNanos();
    double cap = maxDelay.toNanos();
    for (int i = 1; i < failedAttempts && nanos < cap; i++) {
      nanos *= multiplier;
    }
    nanos = Math.min(nanos, cap);
    if (jitter > 0) {
      nanos -= nanos * jitter * random.nextDouble();
    }
    return Duration.ofNanos((long) nanos);
  }

  /**
   * Whether another attempt may start after {@code attemptsMade} attempts, {@code elapsed} after
   * the first began, waiting {@code nextDelay} first.
   */
  public boolean allowsAnother(int attemptsMade, Duration elapsed, Duration nextDelay) {
    if (attemptsMade >= maxAttempts) {
      return false;
    }
    return maxTotal.equals(UNLIMITED) || elapsed.plus(nextDelay).compareTo(maxTotal) <= 0;
  }

  @Override
  public String toString() {
    if (!retries()) {
      return "RetryPolicy{none}";
    }
    return "RetryPolicy{delay "
        + GossipNode.format(initialDelay)
        + " x"
        + multiplier
        + " up to "
        + GossipNode.format(maxDelay)
        + ", jitter "
        + jitter
        + ", attempts "
        + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts)
        + ", total "
        + (maxTotal.equals(UNLIMITED) ? "unlimited" : GossipNode.format(maxTotal))
        + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryPolicy p
        && initialDelay.equals(p.initialDelay)
        && maxDelay.equals(p.maxDelay)
        && multiplier == p.multiplier
        && jitter == p.jitter
        && maxAttempts == p.maxAttempts
        && maxTotal.equals(p.maxTotal);
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialDelay, maxDelay, multiplier, jitter, maxAttempts, maxTotal);
  }

  /** Builds a {@link RetryPolicy}; each setter validates its argument. */
  public static final class Builder {
    private Duration initialDelay = Duration.ofSeconds(1);
    private Duration maxDelay = Duration.ofSeconds(30);
    private double multiplier = 2;
    private double jitter = 0.5;
    private int maxAttempts = Integer.MAX_VALUE;
    private Duration maxTotal = UNLIMITED;

    private Builder() {}

    /** The delay after the first failed attempt; default 1 s. */
    public Builder initialDelay(Duration v) {
      initialDelay = positive("initialDelay", v);
      return this;
    }

    /** The longest delay between attempts; default 30 s. */
    public Builder maxDelay(Duration v) {
      maxDelay = positive("maxDelay", v);
      return this;
    }

    /** The growth factor of the delay, at least 1; default 2. */
    public Builder multiplier(double v) {
      if (!(v >= 1) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("multiplier must be a finite number >= 1, got " + v);
      }
      multiplier = v;
      return this;
    }

    /** The largest fraction of each delay taken off at random, in {@code [0, 1]}; default 0.5. */
    public Builder jitter(double v) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("jitter must be in [0, 1], got " + v);
      }
      jitter = v;
      return this;
    }

    /** The most attempts, the first included, at least 1; default unlimited. */
    public Builder maxAttempts(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + v);
      }
      maxAttempts = v;
      return this;
    }

    /**
     * The longest time from the first attempt to the start of the last; default {@link #UNLIMITED}.
     */
    public Builder maxTotal(Duration v) {
      maxTotal = positive("maxTotal", v);
      return this;
    }

    /**
     * The policy.
     *
     * @throws IllegalArgumentException when maxDelay is less than initialDelay
     */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }

    private static Duration positive(String what, Duration v) {
      Objects.requireNonNull(v, what);
      if (v.isNegative() || v.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + v);
      }
      return v;
    }
  }
}
