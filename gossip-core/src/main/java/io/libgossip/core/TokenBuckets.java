package io.libgossip.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One {@link TokenBucket} per key (a source address, a client, a topic), all with the same rate and
 * burst, in a table of at most {@code maxKeys} keys that forgets the least recently used key first.
 * A forgotten key comes back with a full bucket, which is what an idle key would have had; a flood
 * of new keys therefore costs bounded memory but may let a forgotten key burst again.
 *
 * <p>Not thread-safe: confine an instance to one thread or lock around it.
 *
 * @param <K> the key type (with value equality)
 */
public final class TokenBuckets<K> {
  private final long burst;
  private final long nanosPerToken;
  private final int maxKeys;
  private final LinkedHashMap<K, TokenBucket> buckets;
  private long evictions;

  /**
   * An empty table.
   *
   * @param burst each key's burst (see {@link TokenBucket})
   * @param nanosPerToken each key's refill interval in nanoseconds (positive)
   * @param maxKeys the most keys tracked at once (positive)
   * @throws IllegalArgumentException when an argument is out of range
   */
  public TokenBuckets(long burst, long nanosPerToken, int maxKeys) {
    if (burst < 0 || nanosPerToken <= 0 || maxKeys < 1) {
      throw new IllegalArgumentException(
          "need burst >= 0, nanosPerToken > 0, maxKeys >= 1, got "
              + burst
              + ", "
              + nanosPerToken
              + ", "
              + maxKeys);
    }
    this.burst = burst;
    this.nanosPerToken = nanosPerToken;
    this.maxKeys = maxKeys;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, TokenBucket> eldest) {
            if (size() > TokenBuckets.this.maxKeys) {
              evictions++;
              return true;
            }
            return false;
          }
        };
  }

  /**
   * Takes a token from {@code key}'s bucket if there is one at {@code now}; returns whether it did.
   */
  public boolean tryTake(K key, long now) {
    Objects.requireNonNull(key, "key");
    TokenBucket b = buckets.get(key);
    if (b == null) {
      b = new TokenBucket(burst, nanosPerToken, now);
      buckets.put(key, b);
    }
    return b.tryTake(now);
  }

  /** How many keys are tracked now (at most {@code maxKeys}). */
  public int size() {
    return buckets.size();
  }

  /** How many keys were forgotten to stay within {@code maxKeys}, since creation. */
  public long evictions() {
    return evictions;
  }
}
