package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyringTest {
  private final byte[] k1 = Keyring.generateKey();
  private final byte[] k2 = Keyring.generateKey();
  private final byte[] k3 = Keyring.generateKey();

  @Test
  void installUseRemoveRotatesThePrimary() {
    Keyring ring = Keyring.of(k1);
    assertThat(ring.mode()).isEqualTo(KeyringMode.REQUIRED);
    assertThat(ring.install(k2)).isTrue();
    assertThat(ring.install(k2)).as("installing twice changes nothing").isFalse();
    assertThat(ring.primaryKeyId()).isEqualTo(Keyring.keyId(k1));
    ring.use(k2);
    assertThat(ring.primaryKeyId()).isEqualTo(Keyring.keyId(k2));
    assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k2), Keyring.keyId(k1));
    assertThat(ring.remove(k1)).isTrue();
    assertThat(ring.remove(k1)).isFalse();
    assertThat(ring.keys()).hasSize(1);
    assertThat(ring.keys().get(0)).isEqualTo(k2);
  }

  @Test
  void removingThePrimaryIsRefused() {
    Keyring ring = Keyring.of(List.of(k1, k2), KeyringMode.SEND_SEALED);
    assertThatThrownBy(() -> ring.remove(k1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("primary");
    assertThat(ring.keyIds()).hasSize(2);
  }

  @Test
  void usingAKeyThatIsNotInstalledIsRefused() {
    Keyring ring = Keyring.of(k1);
    assertThatThrownBy(() -> ring.use(k3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not installed");
  }

  @Test
  void keysMustBe32BytesOfBase64() {
    assertThatThrownBy(() -> Keyring.of(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> Keyring.decodeKey("not base64!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base64");
    assertThat(Keyring.decodeKey(Keyring.encodeKey(k1))).isEqualTo(k1);
    assertThat(Keyring.encodeKey(k1)).hasSize(44);
  }

  @Test
  void toStringShowsIdsNeverKeys() {
    Keyring ring = Keyring.of(k1);
    assertThat(ring.toString()).contains(Keyring.keyId(k1)).doesNotContain(Keyring.encodeKey(k1));
  }

  @Test
  void callersCannotChangeAnInstalledKey() {
    byte[] copy = k1.clone();
    Keyring ring = Keyring.of(copy);
    copy[0] ^= 1;
    ring.keys().get(0)[1] ^= 1;
    assertThat(ring.keys().get(0)).isEqualTo(k1);
  }

  @Test
  void concurrentRotationsAlwaysLeaveAPrimaryThatIsInstalled() throws Exception {
    Keyring ring = Keyring.of(k1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> jobs =
          List.of(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < 2000; i++) {
                      byte[] next = Keyring.generateKey();
                      ring.install(next);
                      ring.use(next);
                      for (byte[] k : ring.keys().subList(1, ring.keys().size())) {
                        ring.remove(k);
                      }
                    }
                    return null;
                  }),
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                      Keyring.Key p = ring.primary();
                      if (ring.byId(p.id()) == null && ring.primary().id() == p.id()) {
                        throw new AssertionError("primary not installed");
                      }
                    }
                    return null;
                  }));
      go.countDown();
      for (Future<?> f : jobs) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ring.keyIds()).hasSize(1);
  }
}
