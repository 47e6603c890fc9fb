package io.libgossip.memberlist;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * AES keys for memberlist encryption: the first is the primary (used to encrypt), all are tried to
 * decrypt. Each key is 16, 24 or 32 bytes (AES-128, -192, -256), as Serf's {@code -encrypt}.
 */
public final class Keyring {
  private final List<WireBytes> keys;

  private Keyring(List<WireBytes> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * A keyring with {@code primary} first, then {@code others}.
   *
   * @param primary the key used to encrypt
   * @param others further keys accepted to decrypt
   * @return the keyring
   * @throws IllegalArgumentException if a key is not 16, 24 or 32 bytes
   */
  public static Keyring of(byte[] primary, byte[]... others) {
    List<WireBytes> all = new ArrayList<>();
    all.add(check(primary));
    for (byte[] k : others) {
      all.add(check(k));
    }
    return new Keyring(all);
  }

  /**
   * A keyring with one key given in base64, as {@code serf agent -encrypt} takes it.
   *
   * @param base64 the key in standard base64
   * @return the keyring
   * @throws IllegalArgumentException if the text is not base64 of 16, 24 or 32 bytes
   */
  public static Keyring ofBase64(String base64) {
    return of(Base64.getDecoder().decode(base64));
  }

  private static WireBytes check(byte[] key) {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException(
          "key length must be 16, 24 or 32 bytes, was " + key.length);
    }
    return WireBytes.of(key);
  }

  /**
   * The key used to encrypt.
   *
   * @return the primary key
   */
  public WireBytes primary() {
    return keys.get(0);
  }

  /**
   * All keys, primary first.
   *
   * @return the keys
   */
  public List<WireBytes> keys() {
    return keys;
  }
}
