package io.libgossip.net;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Serializers by name: {@code "binary"} (the default, compact) and {@code "json"} (readable). */
public final class SerializerFactory {
  private SerializerFactory() {}

  /** The names {@link #create} accepts. */
  public static final List<String> NAMES = List.of("binary", "json");

  /** The default serializer name. */
  public static final String DEFAULT = "binary";

  /**
   * The serializer named {@code name} (any case) for {@code clusterName} and {@code
   * maxMessageSize}.
   *
   * @throws IllegalArgumentException naming {@code name} when it is not one of {@link #NAMES}
   */
  public static MessageSerializer create(String name, String clusterName, int maxMessageSize) {
    Objects.requireNonNull(name, "name");
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "binary":
        return new BinarySerializer(clusterName, maxMessageSize);
      case "json":
        return new JsonSerializer(clusterName, maxMessageSize);
      default:
        throw new IllegalArgumentException(
            "unknown serializer '" + name + "'; expected one of " + String.join(", ", NAMES));
    }
  }

  /**
   * The serializer named {@code name} for the cluster name and message size of {@code config}; a
   * binary one reads and writes the wire versions of {@code config}.
   */
  public static MessageSerializer create(String name, GossipConfig config) {
    Objects.requireNonNull(config, "config");
    MessageSerializer s = create(name, config.clusterName(), config.maxMessageSize());
    return s instanceof BinarySerializer ? BinarySerializer.forConfig(config) : s;
  }
}
