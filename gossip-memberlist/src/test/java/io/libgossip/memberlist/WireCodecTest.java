package io.libgossip.memberlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.libgossip.memberlist.MemberlistMessage.Err;
import io.libgossip.memberlist.MemberlistMessage.User;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {
  private static final Keyring KEYS = Keyring.of(new byte[16], new byte[32]);

  private static List<WireConfig> configs() {
    WireConfig plain = WireConfig.defaults();
    WireConfig noCrc = new WireConfig("", null, 1, false, 65_536, 1 << 20, 1000);
    return List.of(
        plain,
        noCrc,
        plain.withLabel("dc1"),
        plain.withKeyring(KEYS),
        plain.withKeyring(KEYS).withLabel("dc1"),
        new WireConfig("lbl", KEYS, 0, true, 65_536, 1 << 20, 1000));
  }

  @Test
  void everyPacketMessageRoundTripsAloneUnderEveryFraming() throws Exception {
    for (WireConfig config : configs()) {
      WireCodec codec = new WireCodec(config);
      for (MemberlistMessage m : Samples.packetMessages()) {
        assertThat(codec.decodePacket(codec.encodePacket(m))).as("%s", config).containsExactly(m);
      }
    }
  }

  @Test
  void compoundPacketsSplitIntoTheirPartsInOrder() throws Exception {
    for (WireConfig config : configs()) {
      WireCodec codec = new WireCodec(config);
      byte[] packet = codec.encodePacket(Samples.packetMessages());
      assertThat(codec.decodePacket(packet)).containsExactlyElementsOf(Samples.packetMessages());
    }
  }

  @Test
  void compoundLayoutIsCountThenBigEndianLengthsThenParts() throws Exception {
    WireCodec codec = new WireCodec(new WireConfig("", null, 1, false, 65_536, 1 << 20, 10));
    MemberlistMessage a = new MemberlistMessage.Nack(1);
    MemberlistMessage b = new MemberlistMessage.Nack(2);
    byte[] packet = codec.encodePacket(List.of(a, b));
    byte[] one = codec.encodePacket(a);
    assertThat(packet[0]).isEqualTo((byte) MemberlistMessage.COMPOUND);
    assertThat(packet[1]).isEqualTo((byte) 2);
    assertThat(((packet[2] & 0xff) << 8) | (packet[3] & 0xff)).isEqualTo(one.length);
  }

  @Test
  void streamMessagesRoundTripUnderEveryFraming() throws Exception {
    for (WireConfig config : configs()) {
      WireCodec codec = new WireCodec(config);
      for (MemberlistMessage m :
          List.of(
              Samples.pushPull(),
              new User(WireBytes.utf8("stream user message")),
              new Err("boom"),
              Samples.packetMessages().get(1),
              new MemberlistMessage.Ack(9, WireBytes.EMPTY))) {
        assertThat(codec.decodeStream(codec.encodeStream(m))).as("%s", config).isEqualTo(m);
      }
    }
  }

  @Test
  void crcMismatchIsRejected() {
    WireCodec codec = new WireCodec(WireConfig.defaults());
    byte[] packet = codec.encodePacket(new MemberlistMessage.Nack(1));
    packet[packet.length - 1] ^= 1;
    assertThatThrownBy(() -> codec.decodePacket(packet))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("CRC");
  }

  @Test
  void labelMustMatchTheConfiguredLabel() {
    byte[] packet =
        new WireCodec(WireConfig.defaults().withLabel("a"))
            .encodePacket(new MemberlistMessage.Nack(1));
    assertThatThrownBy(
            () -> new WireCodec(WireConfig.defaults().withLabel("b")).decodePacket(packet))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("label");
    assertThatThrownBy(() -> new WireCodec(WireConfig.defaults()).decodePacket(packet))
        .isInstanceOf(MemberlistDecodeException.class);
  }

  @Test
  void plaintextStreamIsRejectedWhenAKeyringIsConfigured() {
    byte[] plain = new WireCodec(WireConfig.defaults()).encodeStream(Samples.pushPull());
    assertThatThrownBy(
            () -> new WireCodec(WireConfig.defaults().withKeyring(KEYS)).decodeStream(plain))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("not encrypted");
  }

  @Test
  void pushPullIsNotAcceptedInAPacket() {
    byte[] body = MessageCodec.encode(Samples.pushPull());
    WireCodec codec = new WireCodec(new WireConfig("", null, 1, false, 65_536, 1 << 20, 10));
    assertThatThrownBy(() -> codec.decodePacket(body))
        .isInstanceOf(MemberlistDecodeException.class);
  }

  @Test
  void pushPullNodeCountOverTheLimitIsRejectedBeforeDecoding() {
    WireCodec big = new WireCodec(WireConfig.defaults());
    byte[] stream = big.encodeStream(Samples.pushPull());
    WireCodec small = new WireCodec(new WireConfig("", null, 1, true, 65_536, 1 << 20, 1));
    assertThatThrownBy(() -> small.decodeStream(stream))
        .isInstanceOf(MemberlistDecodeException.class)
        .hasMessageContaining("nodes");
  }

  @Test
  void compressedPacketIsDecompressed() throws Exception {
    // compress{Algo: 0, Buf: LZW of a nack}: a nack body is short, so encode it as literals.
    byte[] nack = MessageCodec.encode(new MemberlistMessage.Nack(5));
    int[] codes = new int[nack.length + 2];
    codes[0] = 256;
    for (int i = 0; i < nack.length; i++) {
      codes[i + 1] = nack[i] & 0xff;
    }
    codes[codes.length - 1] = 257;
    byte[] lzw = LzwTest.pack(codes);
    byte[] msg =
        new Msgpack.Writer()
            .raw(MemberlistMessage.COMPRESS)
            .mapHeader(2)
            .key("Algo")
            .integer(0)
            .key("Buf")
            .bytes(lzw)
            .toByteArray();
    WireCodec codec = new WireCodec(new WireConfig("", null, 1, false, 65_536, 1 << 20, 10));
    assertThat(codec.decodePacket(msg)).containsExactly(new MemberlistMessage.Nack(5));
  }
}
