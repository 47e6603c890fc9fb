package io.libgossip.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A keyring in a text file, for {@code ./gossip node --keyring FILE} and for programs that keep
 * their keys on disk. The format, one item a line:
 *
 * <pre>
 * # comments and blank lines are ignored
 * mode required        (optional: send-plaintext, send-sealed or required)
 * KEY-1                (the primary key: 32 bytes in base64, 44 characters)
 * KEY-2                (any further key is accepted on inbound packets)
 * </pre>
 *
 * <p>On a POSIX file system the file must not be readable or writable by group or others (mode
 * {@code 600} or {@code 400}); {@link #read} refuses it otherwise, naming the file and the fix.
 * Errors never repeat the file's text.
 */
public final class KeyringFile {
  private static final Set<PosixFilePermission> TOO_OPEN =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private KeyringFile() {}

  /**
   * What a keyring file holds.
   *
   * @param keys the keys, the primary first (at least one)
   * @param mode the mode of its {@code mode} line, or null without one
   */
  public record Contents(List<byte[]> keys, @Nullable KeyringMode mode) {
    /** Copies the list. */
    public Contents {
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("a keyring needs at least one key");
      }
    }
  }

  /**
   * Reads a keyring file after checking its permissions.
   *
   * @throws IOException when it cannot be read, or is readable or writable by group or others
   * @throws IllegalArgumentException naming the line that is not a key, a mode or a comment, or
   *     when it holds no key
   */
  public static Contents read(Path file) throws IOException {
    checkPermissions(file);
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Reads a keyring file and makes a keyring of it, in its mode or, without a {@code mode} line, in
   * {@code defaultMode}.
   *
   * @throws IOException as {@link #read}
   * @throws IllegalArgumentException as {@link #read}
   */
  public static Keyring load(Path file, KeyringMode defaultMode) throws IOException {
    Contents c = read(file);
    return Keyring.of(c.keys(), c.mode() != null ? c.mode() : defaultMode);
  }

  /**
   * Parses the text of a keyring file; {@code source} names it in errors.
   *
   * @throws IllegalArgumentException naming the bad line (its number, not its text)
   */
  public static Contents parse(String text, String source) {
    List<byte[]> keys = new ArrayList<>();
    KeyringMode mode = null;
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("mode")) {
        String rest = line.substring(4);
        if (rest.isEmpty() || !Character.isWhitespace(rest.charAt(0))) {
          throw new IllegalArgumentException(
              source + " line " + (i + 1) + ": expected 'mode MODE'");
        }
        try {
          mode = KeyringMode.parse(rest.strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage());
        }
        continue;
      }
      try {
        keys.add(Keyring.decodeKey(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            source + " line " + (i + 1) + ": not a key (" + e.getMessage() + ")");
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + ": no key (one base64 AES-256 key a line)");
    }
    return new Contents(keys, mode);
  }

  /**
   * Makes {@code keyring} hold exactly the keys of {@code contents}, in a safe order: installs the
   * new keys, makes the first primary, removes the keys that are no longer listed; then sets the
   * mode if the file names one.
   */
  public static void apply(Contents contents, Keyring keyring) {
    for (byte[] k : contents.keys()) {
      keyring.install(k);
    }
    keyring.use(contents.keys().get(0));
    List<String> wanted = contents.keys().stream().map(Keyring::keyId).toList();
    for (byte[] k : keyring.keys()) {
      if (!wanted.contains(Keyring.keyId(k))) {
        keyring.remove(k);
      }
    }
    if (contents.mode() != null) {
      keyring.mode(contents.mode());
    }
  }

  /** The text of a keyring file with {@code keys} (the first primary) and a {@code mode} line. */
  public static String format(List<byte[]> keys, KeyringMode mode) {
    StringBuilder sb = new StringBuilder();
    sb.append("# libgossip keyring: one base64 AES-256 key a line; the first is primary.\n");
    sb.append("# Keep it secret: mode 600, owned by the user that runs the node.\n");
    sb.append("mode ").append(mode.spelling()).append('\n');
    for (byte[] k : keys) {
      sb.append(Keyring.encodeKey(k)).append('\n');
    }
    return sb.toString();
  }

  /**
   * Creates {@code file} with {@code text}, readable and writable by its owner only (on POSIX, from
   * the first byte).
   *
   * @throws FileAlreadyExistsException when it exists (a key file is never overwritten)
   * @throws IOException when it cannot be written
   */
  public static void create(Path file, String text) throws IOException {
    Objects.requireNonNull(text, "text");
    boolean posix =
        Files.getFileAttributeView(parentOf(file), PosixFileAttributeView.class) != null;
    if (posix) {
      FileAttribute<Set<PosixFilePermission>> ownerOnly =
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
      Files.createFile(file, ownerOnly);
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * Refuses a file that group or others may read or write (POSIX only; elsewhere nothing is
   * checked).
   *
   * @throws IOException naming the file, its permissions and the fix
   */
  static void checkPermissions(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    for (PosixFilePermission p : perms) {
      if (TOO_OPEN.contains(p)) {
        throw new IOException(
            "keyring file "
                + file
                + " is open to group or others ("
                + PosixFilePermissions.toString(perms)
                + "); make it private: chmod 600 "
                + file);
      }
    }
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent != null ? parent : file.toAbsolutePath();
  }
}
