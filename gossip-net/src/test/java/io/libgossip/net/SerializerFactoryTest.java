package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.core.BinarySerializer;
import io.libgossip.core.DecodeException;
import io.libgossip.core.GossipConfig;
import io.libgossip.core.MessageSerializer;
import org.junit.jupiter.api.Test;

class SerializerFactoryTest {
  @Test
  void createsSerializersByName() throws DecodeException {
    GossipConfig config = GossipConfig.local();
    assertThat(SerializerFactory.create("binary", config)).isInstanceOf(BinarySerializer.class);
    assertThat(SerializerFactory.create("JSON", config)).isInstanceOf(JsonSerializer.class);
    for (String name : SerializerFactory.NAMES) {
      MessageSerializer s = SerializerFactory.create(name, "c", 1 << 20);
      assertThat(s.name()).isEqualTo(name);
      for (var m : TestMessages.everyType()) {
        assertThat(s.decode(s.encode(m))).isEqualTo(m);
      }
    }
  }

  @Test
  void unknownNameIsRejectedByName() {
    assertThatThrownBy(() -> SerializerFactory.create("protobuf", GossipConfig.lan()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'protobuf'")
        .hasMessageContaining("binary, json");
  }
}
