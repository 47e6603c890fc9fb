package io.libgossip.net;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Serializers by name: {@code "binary"} (the default, compact, built in) and {@code "json"}
 * (readable; in the optional {@code io.libgossip:gossip-json} module, which brings Jackson).
 */
public final class SerializerFactory {
  private SerializerFactory() {}

  /** The names {@link #create} accepts; {@code "json"} only with gossip-json on the class path. */
  public static final List<String> NAMES = List.of("binary", "json");

  /** The default serializer name. */
  public static final String DEFAULT = "binary";

  /** The artifact that holds the JSON serializer. */
  static final String JSON_ARTIFACT = "io.libgossip:gossip-json";

  /** The JSON serializer's class, looked up by name so that this module needs no Jackson. */
  static final String JSON_CLASS = "io.libgossip.json.JsonSerializer";

  /**
   * The serializer named {@code name} (any case) for {@code clusterName} and {@code
   * maxMessageSize}.
   *
   * @throws IllegalArgumentException naming {@code name} when it is not one of {@link #NAMES}
   * @throws IllegalStateException naming the missing module when {@code name} is {@code json} and
   *     gossip-json is not on the class path
   */
  public static MessageSerializer create(String name, String clusterName, int maxMessageSize) {
    switch (normalized(name)) {
      case "binary":
        return new BinarySerializer(clusterName, maxMessageSize);
      case "json":
        return newJson(clusterName, maxMessageSize);
      default:
        throw unknown(name);
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

  /**
   * Whether {@link #create} can build the serializer named {@code name} here: {@code false} for an
   * unknown name, and for {@code json} when gossip-json is not on the class path.
   */
  public static boolean isAvailable(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    return n.equals("binary") || (n.equals("json") && jsonClass() != null);
  }

  /**
   * Checks {@code name} as {@link #create} would, without building anything.
   *
   * @throws IllegalArgumentException when it is not one of {@link #NAMES}
   * @throws IllegalStateException naming the missing module when the serializer is not on the class
   *     path
   */
  static void checkAvailable(String name) {
    if (normalized(name).equals("json") && jsonClass() == null) {
      throw jsonMissing();
    }
  }

  private static String normalized(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(n)) {
      throw unknown(name);
    }
    return n;
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException(
        "unknown serializer '" + name + "'; expected one of " + String.join(", ", NAMES));
  }

  private static IllegalStateException jsonMissing() {
    return new IllegalStateException(
        "serializer 'json' needs the module "
            + JSON_ARTIFACT
            + " (class "
            + JSON_CLASS
            + ") on the class path; add that dependency, or use the built-in 'binary'");
  }

  private static @Nullable Class<?> jsonClass() {
    try {
      return Class.forName(JSON_CLASS, true, SerializerFactory.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // absent, or present without Jackson: not usable either way
    }
  }

  private static MessageSerializer newJson(String clusterName, int maxMessageSize) {
    Class<?> c = jsonClass();
    if (c == null) {
      throw jsonMissing();
    }
    try {
      Constructor<?> k = c.getConstructor(String.class, int.class);
      return (MessageSerializer) k.newInstance(clusterName, maxMessageSize);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // a bad argument, named by the serializer
      }
      throw new IllegalStateException("cannot create the JSON serializer: " + e.getCause(), e);
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      throw new IllegalStateException(
          "cannot create the JSON serializer from "
              + JSON_CLASS
              + " (is "
              + JSON_ARTIFACT
              + " of the same version as gossip-net?): "
              + e,
          e);
    }
  }
}
