package io.libgossip.sim;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;

/** The serializer the simulator sizes messages with by default. */
final class Serializers {
  private Serializers() {}

  /** The core's compact binary serializer for {@code config}'s cluster name and size limit. */
  static MessageSerializer binary(GossipConfig config) {
    return BinarySerializer.forConfig(config);
  }
}
