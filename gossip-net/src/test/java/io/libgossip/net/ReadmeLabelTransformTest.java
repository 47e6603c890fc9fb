package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.libgossip.core.BinarySerializer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The label transform of README.md's "Packet transforms" section, kept compiling and working. */
class ReadmeLabelTransformTest {

  // Copied from README.md; keep the two in step.
  static final class Label implements PacketTransform {
    private final byte[] label = "prod".getBytes(StandardCharsets.US_ASCII);

    @Override
    public int overhead() {
      return label.length;
    }

    @Override
    public byte[] encode(byte[] packet) {
      byte[] out = Arrays.copyOf(label, label.length + packet.length);
      System.arraycopy(packet, 0, out, label.length, packet.length);
      return out;
    }

    @Override
    public TransformResult decode(byte[] packet) {
      if (packet.length < label.length
          || !Arrays.equals(packet, 0, label.length, label, 0, label.length)) {
        return TransformResult.rejected("not labelled prod");
      }
      return TransformResult.accepted(Arrays.copyOfRange(packet, label.length, packet.length));
    }
  }

  @Test
  void labelsPacketsAndRejectsUnlabelledOnes() {
    PacketPipeline p =
        new PacketPipeline(new BinarySerializer("test", 1 << 16), List.of(new Label()));
    byte[] packet = p.encode(TestMessages.ping(1), 0);
    assertThat(new String(packet, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("prod");
    assertThat(p.decode(packet, 0, packet.length))
        .isEqualTo(new PacketPipeline.Inbound.Decoded(TestMessages.ping(1), null));
    byte[] other = "test".getBytes(StandardCharsets.US_ASCII);
    assertThat(p.decode(other, 0, other.length))
        .isEqualTo(new PacketPipeline.Inbound.Rejected("Label", "not labelled prod"));
  }
}
