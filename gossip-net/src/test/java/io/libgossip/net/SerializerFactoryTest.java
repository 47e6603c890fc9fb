package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import org.junit.jupiter.api.Test;

/**
 * Serializers by name in gossip-net alone: its test class path has no gossip-json (gossip-json's
 * own tests cover {@code "json"} when it is there).
 */
class SerializerFactoryTest {
  @Test
  void createsTheBinarySerializerByName() throws DecodeException {
    GossipConfig config = GossipConfig.local();
    assertThat(SerializerFactory.create(" Binary ", config)).isInstanceOf(BinarySerializer.class);
    MessageSerializer s = SerializerFactory.create(SerializerFactory.DEFAULT, "c", 1 << 20);
    assertThat(s.name()).isEqualTo("binary");
    for (var m : TestMessages.everyType()) {
      assertThat(s.decode(s.encode(m))).isEqualTo(m);
    }
    assertThat(SerializerFactory.isAvailable("binary")).isTrue();
  }

  @Test
  void jsonWithoutGossipJsonFailsNamingTheModule() {
    assertThat(SerializerFactory.NAMES).contains("json");
    assertThat(SerializerFactory.isAvailable("json")).isFalse();
    assertThatThrownBy(() -> SerializerFactory.create("json", GossipConfig.lan()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io.libgossip:gossip-json")
        .hasMessageContaining("'binary'");
    // The builder checks when the name is set, not when the node starts.
    assertThatThrownBy(() -> GossipNode.builder().serializer("JSON"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("io.libgossip:gossip-json");
  }

  @Test
  void unknownNameIsRejectedByName() {
    assertThat(SerializerFactory.isAvailable("protobuf")).isFalse();
    assertThatThrownBy(() -> SerializerFactory.create("protobuf", GossipConfig.lan()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'protobuf'")
        .hasMessageContaining("binary, json");
    assertThatThrownBy(() -> GossipNode.builder().serializer("protobuf"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'protobuf'");
  }
}
