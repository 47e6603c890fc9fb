package io.libgossip.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A change of one key's visible value in a {@link ClusterConfig}: a put (new value, the old one
 * when there was one) or a remove (no new value). Fired once per node and change, whether the write
 * was local or came from another node.
 *
 * @param key the key
 * @param oldValue the value before, or null when the key had none (a copy)
 * @param newValue the value after, or null when the key was removed (a copy)
 * @param stamp the stamp of the write that made the change
 * @param local whether this node made the write
 */
@SuppressWarnings("ArrayRecordComponent") // values are copies handed to listeners
public record ConfigChange(
    String key,
    byte @Nullable [] oldValue,
    byte @Nullable [] newValue,
    ConfigStamp stamp,
    boolean local) {
  /** Checks that the key and stamp are not null. */
  public ConfigChange {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(stamp, "stamp");
  }

  /** Whether the key was removed. */
  public boolean removed() {
    return newValue == null;
  }

  /** The new value as UTF-8 text; empty when removed. */
  public Optional<String> newString() {
    byte[] v = newValue;
    return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
  }

  /** The old value as UTF-8 text; empty when the key had none. */
  public Optional<String> oldString() {
    byte[] v = oldValue;
    return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ConfigChange["
        + key
        + ": "
        + oldString().orElse("(none)")
        + " -> "
        + newString().orElse("(removed)")
        + ", "
        + stamp
        + (local ? ", local]" : "]");
  }
}
