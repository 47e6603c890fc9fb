package io.libgossip.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringFileTest {
  @TempDir Path dir;
  private final byte[] k1 = Keyring.generateKey();
  private final byte[] k2 = Keyring.generateKey();

  private Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    KeyringFile.create(f, text);
    return f;
  }

  @Test
  void aCreatedFileIsPrivateAndLoadsWithTheFirstKeyPrimary() throws IOException {
    Path f = write("keys", KeyringFile.format(List.of(k1, k2), KeyringMode.SEND_SEALED));
    if (Files.getFileAttributeView(f, PosixFileAttributeView.class) != null) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
    }
    Keyring ring = KeyringFile.load(f, KeyringMode.REQUIRED);
    assertThat(ring.primaryKeyId()).isEqualTo(Keyring.keyId(k1));
    assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k1), Keyring.keyId(k2));
    assertThat(ring.mode()).isEqualTo(KeyringMode.SEND_SEALED);
    assertThatThrownBy(() -> KeyringFile.create(f, "x"))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void aFileReadableByOthersIsRefusedWithTheFix() throws IOException {
    Path f = write("keys", KeyringFile.format(List.of(k1), KeyringMode.REQUIRED));
    assumeTrue(Files.getFileAttributeView(f, PosixFileAttributeView.class) != null);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> KeyringFile.read(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("group or others")
        .hasMessageContaining("chmod 600 " + f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> KeyringFile.read(f)).isInstanceOf(IOException.class);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
    assertThat(KeyringFile.read(f).keys()).hasSize(1);
  }

  @Test
  void badLinesAreNamedByNumberWithoutTheirText() {
    String secretish = Keyring.encodeKey(k1).substring(0, 40);
    assertThatThrownBy(() -> KeyringFile.parse("# c\n\n" + secretish + "\n", "f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("f line 3")
        .hasMessageNotContaining(secretish);
    assertThatThrownBy(() -> KeyringFile.parse("mode sideways\n" + Keyring.encodeKey(k1), "f"))
        .hasMessageContaining("f line 1");
    assertThatThrownBy(() -> KeyringFile.parse("# only a comment\n", "f"))
        .hasMessageContaining("no key");
  }

  @Test
  void applyInstallsMakesPrimaryAndRemovesInASafeOrder() {
    Keyring ring = Keyring.of(k1);
    KeyringFile.apply(
        KeyringFile.parse(Keyring.encodeKey(k1) + "\n" + Keyring.encodeKey(k2), "f"), ring);
    assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k1), Keyring.keyId(k2));
    KeyringFile.apply(
        KeyringFile.parse(Keyring.encodeKey(k2) + "\n" + Keyring.encodeKey(k1), "f"), ring);
    assertThat(ring.primaryKeyId()).isEqualTo(Keyring.keyId(k2));
    KeyringFile.apply(
        KeyringFile.parse("mode send-plaintext\n" + Keyring.encodeKey(k2), "f"), ring);
    assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k2));
    assertThat(ring.mode()).isEqualTo(KeyringMode.SEND_PLAINTEXT);
  }

  @Test
  void theWatcherAppliesAChangedFileAndKeepsTheKeysOnABadOne() throws IOException {
    Path f = write("keys", KeyringFile.format(List.of(k1), KeyringMode.REQUIRED));
    Keyring ring = KeyringFile.load(f, KeyringMode.REQUIRED);
    try (KeyringFileWatcher w = KeyringFileWatcher.start(f, ring, java.time.Duration.ofHours(1))) {
      assertThat(w.poll()).as("unchanged").isFalse();
      Files.writeString(f, KeyringFile.format(List.of(k2, k1), KeyringMode.REQUIRED));
      assertThat(w.poll()).isTrue();
      assertThat(ring.primaryKeyId()).isEqualTo(Keyring.keyId(k2));
      Files.writeString(f, "garbage\n");
      assertThat(w.poll()).isFalse();
      assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k2), Keyring.keyId(k1));
      if (Files.getFileAttributeView(f, PosixFileAttributeView.class) != null) {
        Files.writeString(f, KeyringFile.format(List.of(k2), KeyringMode.REQUIRED));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(w.poll()).as("a file opened to others is not applied").isFalse();
        assertThat(ring.keyIds()).hasSize(2);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertThat(w.poll()).isTrue();
        assertThat(ring.keyIds()).containsExactly(Keyring.keyId(k2));
      }
    }
  }
}
