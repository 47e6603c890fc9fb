package io.libgossip.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which members a query targets, whether they acknowledge it, and how long its origin waits.
 *
 * <p>A member is targeted when it is alive in the origin's view, its id is among {@link #members()}
 * (when that is not empty), and for every {@link #metadata()} entry its metadata value under that
 * key matches the pattern in full. Targets check the filters again against their own metadata and
 * ignore a query that does not match them.
 */
public final class QueryOptions {
  private static final QueryOptions DEFAULTS = builder().build();

  private final Set<String> members;
  private final Map<String, Pattern> metadata;
  private final @Nullable Duration timeout;
  private final boolean requestAck;

  private QueryOptions(Builder b) {
    this.members = Set.copyOf(b.members);
    this.metadata = Map.copyOf(b.metadata);
    this.timeout = b.timeout;
    this.requestAck = b.requestAck;
  }

  /** No filter, acknowledgements off, the configured default timeout. */
  public static QueryOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The ids the query is limited to; empty for every member. */
  public Set<String> members() {
    return members;
  }

  /** Metadata key to the pattern its value must match in full; empty for no metadata filter. */
  public Map<String, Pattern> metadata() {
    return metadata;
  }

  /** How long the origin waits for answers; null for {@link GossipConfig#queryTimeout()}. */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /** Whether targets acknowledge the query on delivery. */
  public boolean requestAck() {
    return requestAck;
  }

  /** Whether {@code id} with {@code meta} passes the filters. */
  public boolean matches(String id, Map<String, String> meta) {
    if (!members.isEmpty() && !members.contains(id)) {
      return false;
    }
    for (Map.Entry<String, Pattern> f : metadata.entrySet()) {
      String v = meta.get(f.getKey());
      if (v == null || !f.getValue().matcher(v).matches()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "QueryOptions[members="
        + members
        + ", metadata="
        + metadata
        + ", timeout="
        + timeout
        + ", requestAck="
        + requestAck
        + "]";
  }

  /** Builds {@link QueryOptions}. */
  public static final class Builder {
    private Set<String> members = Set.of();
    private final Map<String, Pattern> metadata = new LinkedHashMap<>();
    private @Nullable Duration timeout;
    private boolean requestAck;

    private Builder() {}

    /** Limits the query to these member ids. */
    public Builder members(Set<String> ids) {
      this.members = Set.copyOf(ids);
      return this;
    }

    /**
     * Limits the query to members whose metadata value under {@code key} matches {@code regex} in
     * full.
     *
     * @throws java.util.regex.PatternSyntaxException when {@code regex} is not a valid pattern
     */
    public Builder metadata(String key, String regex) {
      metadata.put(Objects.requireNonNull(key, "key"), Pattern.compile(regex));
      return this;
    }

    /**
     * How long the origin waits for answers.
     *
     * @throws IllegalArgumentException unless positive and at most one hour
     */
    public Builder timeout(Duration v) {
      if (v.isNegative() || v.isZero() || v.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("query timeout must be in (0, 1h], got " + v);
      }
      this.timeout = v;
      return this;
    }

    /** Whether targets acknowledge the query on delivery (default false). */
    public Builder requestAck(boolean v) {
      this.requestAck = v;
      return this;
    }

    /** The options. */
    public QueryOptions build() {
      return new QueryOptions(this);
    }
  }
}
