package io.libgossip.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.libgossip.core.GossipConfig;
import io.libgossip.net.GossipNode;
import io.libgossip.net.Keyring;
import io.libgossip.net.KeyringFile;
import io.libgossip.net.KeyringMode;
import io.libgossip.net.TransportDropReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gossip keygen} and {@code ./gossip node --keyring}. */
class KeyringCliTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

  private int keygen(String... args) {
    try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
      return new KeygenMain(out, err).run(args);
    }
  }

  private int node(String... args) {
    PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    return new NodeMain(out, err).run(args);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void keygenPrintsOneFreshKey() {
    assertThat(keygen()).isZero();
    assertThat(keygen()).isZero();
    List<String> keys = out().lines().toList();
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0)).isNotEqualTo(keys.get(1));
    assertThat(Keyring.decodeKey(keys.get(0))).hasSize(32);
  }

  @Test
  void keygenWritesAPrivateFileOnceAndRefusesToOverwrite() throws Exception {
    Path f = dir.resolve("keys.txt");
    assertThat(keygen("--out", f.toString(), "--mode", "send-sealed")).as(err()).isZero();
    KeyringFile.Contents c = KeyringFile.read(f);
    assertThat(c.keys()).hasSize(1);
    assertThat(c.mode()).isEqualTo(KeyringMode.SEND_SEALED);
    if (Files.getFileAttributeView(f, PosixFileAttributeView.class) != null) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
    }
    String before = Files.readString(f);
    assertThat(keygen("--out", f.toString())).isEqualTo(1);
    assertThat(err()).contains("exists");
    assertThat(Files.readString(f)).isEqualTo(before);
    assertThat(keygen("--mode", "sideways")).isEqualTo(2);
  }

  @Test
  void aKeyringFileOpenToOthersIsAUsageError() throws Exception {
    Path f = dir.resolve("keys.txt");
    KeyringFile.create(f, KeyringFile.format(List.of(Keyring.generateKey()), KeyringMode.REQUIRED));
    assumeTrue(Files.getFileAttributeView(f, PosixFileAttributeView.class) != null);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(node("--bind", "127.0.0.1:0", "--keyring", f.toString())).isEqualTo(2);
    assertThat(err()).contains("group or others").contains("chmod 600 " + f);
    assertThat(node("--bind", "127.0.0.1:0", "--keyring", dir.resolve("none").toString()))
        .isEqualTo(2);
    assertThat(node("--bind", "127.0.0.1:0", "--keyring-mode", "required")).isEqualTo(2);
    assertThat(err()).contains("--keyring-mode needs --keyring FILE");
  }

  @Test
  void aRunningNodeAppliesItsEditedKeyringFile() throws Exception {
    byte[] k1 = Keyring.generateKey();
    byte[] k2 = Keyring.generateKey();
    Path f = dir.resolve("keys.txt");
    KeyringFile.create(f, KeyringFile.format(List.of(k1), KeyringMode.REQUIRED));
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    AtomicInteger status = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () ->
                status.set(
                    node(
                        "--bind",
                        "127.0.0.1:" + port,
                        "--id",
                        "cli",
                        "--keyring",
                        f.toString(),
                        "--keyring-poll",
                        "200ms",
                        "--summary",
                        "0")),
            "keyring-cli-test");
    t.start();
    GossipNode other = null;
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> out().contains(" READY "));
      assertThat(out()).contains("keyring=" + Keyring.keyId(k1) + " mode=required");
      // A node that seals with k2 (and opens k1) is refused until the file lists k2.
      other =
          GossipNode.builder()
              .id("other")
              .bind("127.0.0.1", 0)
              .config(GossipConfig.lan())
              .keyring(Keyring.of(List.of(k2, k1), KeyringMode.REQUIRED))
              .joinTimeout(Duration.ofSeconds(1))
              .seeds("127.0.0.1:" + port)
              .start();
      GossipNode first = other;
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> first.joinFuture().isDone());
      assertThat(first.joinFuture()).isCompletedExceptionally();
      first.close();

      Files.writeString(f, KeyringFile.format(List.of(k1, k2), KeyringMode.REQUIRED));
      String reloaded =
          "KEYRING          cli 127.0.0.1:"
              + port
              + " ONLINE primary="
              + Keyring.keyId(k1)
              + " keys="
              + Keyring.keyId(k1)
              + ","
              + Keyring.keyId(k2)
              + " mode=required";
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> out().contains(reloaded));
      other =
          GossipNode.builder()
              .id("other-2")
              .bind("127.0.0.1", 0)
              .config(GossipConfig.lan())
              .keyring(Keyring.of(List.of(k2, k1), KeyringMode.REQUIRED))
              .retryJoin(true)
              .joinTimeout(Duration.ofSeconds(1))
              .seeds("127.0.0.1:" + port)
              .start();
      other.joinFuture().orTimeout(30, TimeUnit.SECONDS).join();
      assertThat(other.stats().drops(TransportDropReason.KEYRING_UNKNOWN_KEY)).isZero();
    } finally {
      if (other != null) {
        other.close();
      }
      t.interrupt();
      t.join(10_000);
    }
    assertThat(t.isAlive()).isFalse();
    assertThat(status.get()).isZero();
  }
}
