package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyringTransformTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  private final byte[] k1 = Keyring.generateKey();
  private final byte[] k2 = Keyring.generateKey();
  private final byte[] packet = "LG some gossip".getBytes(StandardCharsets.UTF_8);

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private static KeyringTransform transform(Keyring ring, String label, Instant now) {
    return new KeyringTransform(ring, label, Duration.ofMinutes(2), at(now));
  }

  private static TransportDropReason reason(TransformResult r) {
    assertThat(r).isInstanceOf(TransformResult.Rejected.class);
    return ((TransformResult.Rejected) r).reason();
  }

  private static byte[] accepted(TransformResult r) {
    assertThat(r).isInstanceOf(TransformResult.Accepted.class);
    return ((TransformResult.Accepted) r).packet();
  }

  @Test
  void sealedPacketsOpenWithTheSameKeyAndLabelAndAddExactlyTheOverhead() {
    KeyringTransform t = transform(Keyring.of(k1), "prod", T0);
    byte[] sealed = t.encode(packet.clone());
    assertThat(sealed).hasSize(packet.length + KeyringTransform.OVERHEAD);
    assertThat(KeyringTransform.OVERHEAD).isEqualTo(42);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("some gossip");
    assertThat(accepted(transform(Keyring.of(k1), "prod", T0).decode(sealed))).isEqualTo(packet);
    assertThat(t.keyring().counters().sealed()).isEqualTo(1);
  }

  @Test
  void aWrongKeyIsAnUnknownKeyId() {
    byte[] sealed = transform(Keyring.of(k1), "prod", T0).encode(packet.clone());
    assertThat(reason(transform(Keyring.of(k2), "prod", T0).decode(sealed)))
        .isEqualTo(TransportDropReason.KEYRING_UNKNOWN_KEY);
  }

  @Test
  void anotherClusterLabelFailsAuthentication() {
    byte[] sealed = transform(Keyring.of(k1), "staging", T0).encode(packet.clone());
    assertThat(reason(transform(Keyring.of(k1), "prod", T0).decode(sealed)))
        .isEqualTo(TransportDropReason.KEYRING_AUTH_FAILED);
  }

  @Test
  void everyFlippedBitIsRefused() {
    KeyringTransform t = transform(Keyring.of(k1), "prod", T0);
    byte[] sealed = t.encode(packet.clone());
    for (int bit = 0; bit < sealed.length * 8; bit++) {
      byte[] damaged = sealed.clone();
      damaged[bit / 8] ^= (byte) (1 << (bit % 8));
      TransformResult r = t.decode(damaged);
      assertThat(r).as("bit %d", bit).isInstanceOf(TransformResult.Rejected.class);
    }
  }

  @Test
  void aPacketSealedOutsideTheWindowIsStaleEitherWay() {
    Keyring ring = Keyring.of(k1);
    byte[] sealed = transform(ring, "prod", T0).encode(packet.clone());
    assertThat(accepted(transform(ring, "prod", T0.plusSeconds(120)).decode(sealed.clone())))
        .isEqualTo(packet);
    assertThat(reason(transform(ring, "prod", T0.plusSeconds(121)).decode(sealed.clone())))
        .isEqualTo(TransportDropReason.KEYRING_STALE);
    assertThat(reason(transform(ring, "prod", T0.minusSeconds(121)).decode(sealed.clone())))
        .as("a clock far behind the sender's")
        .isEqualTo(TransportDropReason.KEYRING_STALE);
  }

  @Test
  void modesDecideWhatIsSentAndWhatPlaintextIsAccepted() {
    Keyring ring = Keyring.of(java.util.List.of(k1), KeyringMode.SEND_PLAINTEXT);
    KeyringTransform t = transform(ring, "prod", T0);
    assertThat(t.encode(packet.clone())).isEqualTo(packet);
    assertThat(accepted(t.decode(packet.clone()))).isEqualTo(packet);
    assertThat(t.authenticates()).isFalse();

    ring.mode(KeyringMode.SEND_SEALED);
    byte[] sealed = t.encode(packet.clone());
    assertThat(sealed[0]).isEqualTo(KeyringTransform.MAGIC);
    assertThat(accepted(t.decode(packet.clone()))).isEqualTo(packet);
    assertThat(accepted(t.decode(sealed.clone()))).isEqualTo(packet);

    ring.mode(KeyringMode.REQUIRED);
    assertThat(t.authenticates()).isTrue();
    assertThat(reason(t.decode(packet.clone())))
        .isEqualTo(TransportDropReason.KEYRING_PLAINTEXT_REFUSED);
    assertThat(reason(t.decode(new byte[0])))
        .isEqualTo(TransportDropReason.KEYRING_PLAINTEXT_REFUSED);
    assertThat(accepted(t.decode(sealed.clone()))).isEqualTo(packet);
    assertThat(ring.counters()).isEqualTo(new Keyring.Counters(1, 2, 1, 2));
  }

  @Test
  void shortOrOtherVersionSealedBytesAreMalformed() {
    KeyringTransform t = transform(Keyring.of(k1), "prod", T0);
    assertThat(reason(t.decode(new byte[] {KeyringTransform.MAGIC})))
        .isEqualTo(TransportDropReason.KEYRING_MALFORMED);
    byte[] sealed = t.encode(packet.clone());
    sealed[1] = 2;
    assertThat(reason(t.decode(sealed))).isEqualTo(TransportDropReason.KEYRING_MALFORMED);
  }

  @Test
  void aRotatedKeyringOpensOldAndNewUntilTheOldIsRemoved() {
    Keyring sender = Keyring.of(k1);
    Keyring receiver = Keyring.of(k1);
    KeyringTransform out = transform(sender, "prod", T0);
    KeyringTransform in = transform(receiver, "prod", T0);
    byte[] old = out.encode(packet.clone());
    receiver.install(k2);
    sender.install(k2);
    sender.use(k2);
    byte[] fresh = out.encode(packet.clone());
    assertThat(accepted(in.decode(old.clone()))).isEqualTo(packet);
    assertThat(accepted(in.decode(fresh.clone()))).isEqualTo(packet);
    receiver.use(k2);
    receiver.remove(k1);
    assertThat(reason(in.decode(old.clone()))).isEqualTo(TransportDropReason.KEYRING_UNKNOWN_KEY);
    assertThat(accepted(in.decode(fresh.clone()))).isEqualTo(packet);
  }

  @Test
  void noncesDoNotRepeat() {
    KeyringTransform t = transform(Keyring.of(k1), "prod", T0);
    KeyringTransform other = transform(Keyring.of(k1), "prod", T0);
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      for (KeyringTransform x : new KeyringTransform[] {t, other}) {
        byte[] s = x.encode(packet.clone());
        String nonce = java.util.HexFormat.of().formatHex(s, 6, 18);
        assertThat(nonces.add(nonce)).as("nonce %s repeated", nonce).isTrue();
      }
    }
  }

  @Test
  void theWindowMustBeAtLeastASecond() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new KeyringTransform(Keyring.of(k1), "x", Duration.ofMillis(10), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
