package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * gossip-net needs no Jackson: its test class path has none (Jackson is in gossip-json), and a
 * cluster forms on the default, binary format all the same.
 */
class NoJacksonTest {
  @Test
  void jacksonIsNotOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("com.fasterxml.jackson.core.JsonFactory"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(SerializerFactory.isAvailable("json")).isFalse();
  }

  @Test
  void twoNodesConvergeOnTheBinaryFormatWithoutJackson() {
    TwoNodes.converge(b -> b.serializer("binary"));
  }
}
