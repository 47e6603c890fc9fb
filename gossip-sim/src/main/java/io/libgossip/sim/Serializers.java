package io.libgossip.sim;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import io.libgossip.core.WireVersions;

/** The serializer the simulator sizes messages with by default. */
final class Serializers {
  private Serializers() {}

  /**
   * The core's compact binary serializer for {@code config}'s cluster name and size limit, sizing
   * every version this build speaks, version 5 included (nodes may be configured with different
   * versions; the header's size does not depend on the range).
   */
  static MessageSerializer binary(GossipConfig config) {
    return new BinarySerializer(
        config.clusterName(), config.maxMessageSize(), WireVersions.WITH_TIMING);
  }
}
