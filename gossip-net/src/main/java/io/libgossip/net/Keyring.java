package io.libgossip.net;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The AES-256 keys of a cluster: one primary key that seals every packet this node sends, and any
 * number of keys it accepts on packets it receives. Keys are installed, made primary and removed
 * while the node runs, which is how a live cluster rotates its key without a pause:
 *
 * <ol>
 *   <li>{@link #install} the new key on every node (each still seals with the old one, and now
 *       opens both);
 *   <li>{@link #use} the new key on every node (each seals with it; the others open it);
 *   <li>{@link #remove} the old key on every node.
 * </ol>
 *
 * <p>Each key has a 4-byte id, the first bytes of a SHA-256 of the key, sent in clear in every
 * sealed packet so that a receiver opens it with the one key of that id instead of trying each. The
 * id reveals nothing about the key. Two installed keys never share an id.
 *
 * <p>The keyring also holds the {@link KeyringMode}, which may change at runtime (the upgrade from
 * plaintext). Thread-safe: reads see one consistent set of keys without locking; changes are
 * serialized.
 */
public final class Keyring {
  /** The length of a key: 32 bytes (AES-256). */
  public static final int KEY_BYTES = 32;

  private static final byte[] ID_DOMAIN =
      "libgossip keyring key id v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One installed key. */
  static final class Key {
    private final int id;
    private final SecretKeySpec spec;
    private final byte[] raw;

    Key(int id, SecretKeySpec spec, byte[] raw) {
      this.id = id;
      this.spec = spec;
      this.raw = raw;
    }

    int id() {
      return id;
    }

    SecretKeySpec spec() {
      return spec;
    }

    byte[] raw() {
      return raw;
    }
  }

  /** An immutable view of the keys: replaced whole on every change. */
  private record State(Key primary, Map<Integer, Key> byId, List<Key> ordered) {}

  private volatile State state;
  private volatile KeyringMode mode;
  private final LongAdder sealed = new LongAdder();
  private final LongAdder opened = new LongAdder();
  private final LongAdder plaintextSent = new LongAdder();
  private final LongAdder plaintextAccepted = new LongAdder();

  private Keyring(Key primary, KeyringMode mode) {
    this.state = new State(primary, Map.of(primary.id(), primary), List.of(primary));
    this.mode = mode;
  }

  /**
   * A keyring in mode {@link KeyringMode#REQUIRED} whose primary key is {@code primary}; more keys
   * can be {@link #install}ed.
   *
   * @throws IllegalArgumentException when the key is not {@value #KEY_BYTES} bytes
   */
  public static Keyring of(byte[] primary) {
    return new Keyring(key(primary), KeyringMode.REQUIRED);
  }

  /**
   * A keyring in mode {@code mode} with {@code keys}: the first is primary, all are accepted.
   *
   * @throws IllegalArgumentException when the list is empty or a key is not {@value #KEY_BYTES}
   *     bytes
   */
  public static Keyring of(List<byte[]> keys, KeyringMode mode) {
    Objects.requireNonNull(mode, "mode");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a keyring needs at least one key");
    }
    Keyring k = new Keyring(key(keys.get(0)), mode);
    for (byte[] more : keys.subList(1, keys.size())) {
      k.install(more);
    }
    return k;
  }

  /** A new random key of {@value #KEY_BYTES} bytes from {@link SecureRandom}. */
  public static byte[] generateKey() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return key;
  }

  /**
   * Decodes one key written in base64 (standard alphabet, padded: 44 characters).
   *
   * @throws IllegalArgumentException when it is not base64 or not {@value #KEY_BYTES} bytes; the
   *     message does not repeat the text
   */
  public static byte[] decodeKey(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a key must be base64: " + e.getMessage());
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "a key must be " + KEY_BYTES + " bytes (AES-256), got " + key.length);
    }
    return key;
  }

  /** {@code key} in base64, as {@link #decodeKey} reads it. */
  public static String encodeKey(byte[] key) {
    return Base64.getEncoder().encodeToString(key(key).raw());
  }

  /**
   * The id of {@code key} in hex, as logs and {@link #keyIds()} show it; safe to print.
   *
   * @throws IllegalArgumentException when the key is not {@value #KEY_BYTES} bytes
   */
  public static String keyId(byte[] key) {
    return hex(key(key).id());
  }

  /**
   * Adds {@code key} to the keys accepted on inbound packets; nothing happens if it is installed
   * already. Returns whether it was added.
   *
   * @throws IllegalArgumentException when the key is not {@value #KEY_BYTES} bytes, or another
   *     installed key has the same id (a chance of 1 in 2^32: generate another key)
   */
  public synchronized boolean install(byte[] key) {
    Key k = key(key);
    State s = state;
    Key same = s.byId().get(k.id());
    if (same != null) {
      if (MessageDigest.isEqual(same.raw(), k.raw())) {
        return false;
      }
      throw new IllegalArgumentException(
          "another installed key has the id " + hex(k.id()) + "; generate another key");
    }
    Map<Integer, Key> byId = new HashMap<>(s.byId());
    byId.put(k.id(), k);
    List<Key> ordered = new ArrayList<>(s.ordered());
    ordered.add(k);
    state = new State(s.primary(), Map.copyOf(byId), List.copyOf(ordered));
    return true;
  }

  /**
   * Makes the installed {@code key} primary: it seals every packet from now on.
   *
   * @throws IllegalArgumentException when the key is not installed
   */
  public synchronized void use(byte[] key) {
    Key k = installed(key);
    State s = state;
    List<Key> ordered = new ArrayList<>(s.ordered());
    ordered.remove(k);
    ordered.add(0, k);
    state = new State(k, s.byId(), List.copyOf(ordered));
  }

  /**
   * Removes {@code key}: packets sealed with it are refused from now on. Returns whether it was
   * installed.
   *
   * @throws IllegalStateException when it is the primary key ({@link #use} another one first)
   */
  public synchronized boolean remove(byte[] key) {
    Key k = key(key);
    State s = state;
    Key installed = s.byId().get(k.id());
    if (installed == null || !MessageDigest.isEqual(installed.raw(), k.raw())) {
      return false;
    }
    if (installed.id() == s.primary().id()) {
      throw new IllegalStateException(
          "key "
              + hex(k.id())
              + " is the primary key; make another key primary before removing it");
    }
    Map<Integer, Key> byId = new HashMap<>(s.byId());
    byId.remove(k.id());
    List<Key> ordered = new ArrayList<>(s.ordered());
    ordered.remove(installed);
    state = new State(s.primary(), Map.copyOf(byId), List.copyOf(ordered));
    return true;
  }

  /** Copies of the installed keys, the primary first. */
  public List<byte[]> keys() {
    return state.ordered().stream().map(k -> k.raw().clone()).toList();
  }

  /** The ids of the installed keys in hex, the primary first; safe to log. */
  public List<String> keyIds() {
    return state.ordered().stream().map(k -> hex(k.id())).toList();
  }

  /** The id of the primary key in hex. */
  public String primaryKeyId() {
    return hex(state.primary().id());
  }

  /** What this node sends and accepts now. */
  public KeyringMode mode() {
    return mode;
  }

  /** Changes what this node sends and accepts, from the next packet on (the upgrade steps). */
  public void mode(KeyringMode v) {
    mode = Objects.requireNonNull(v, "mode");
  }

  /**
   * Packets sealed and opened, and plaintext packets sent and accepted, since this keyring was
   * made. In an upgrade, {@code plaintextAccepted} that stops growing on every node means that
   * {@link KeyringMode#REQUIRED} will refuse nothing of the cluster's own traffic.
   */
  public Counters counters() {
    return new Counters(sealed.sum(), opened.sum(), plaintextSent.sum(), plaintextAccepted.sum());
  }

  /**
   * Counts of a {@link Keyring}'s traffic. Rejected packets are counted by reason in {@link
   * NodeStats#transportDrops()} ({@code KEYRING_*}).
   *
   * @param sealed packets sealed with the primary key
   * @param opened sealed packets opened and accepted
   * @param plaintextSent packets sent in plaintext ({@link KeyringMode#SEND_PLAINTEXT})
   * @param plaintextAccepted plaintext packets accepted (modes other than {@link
   *     KeyringMode#REQUIRED})
   */
  public record Counters(long sealed, long opened, long plaintextSent, long plaintextAccepted) {}

  @Override
  public String toString() {
    return "Keyring[mode=" + mode + ", keys=" + keyIds() + "]"; // ids only, never key bytes
  }

  // ---- for KeyringTransform

  Key primary() {
    return state.primary();
  }

  @Nullable Key byId(int id) {
    return state.byId().get(id);
  }

  void countSealed() {
    sealed.increment();
  }

  void countOpened() {
    opened.increment();
  }

  void countPlaintextSent() {
    plaintextSent.increment();
  }

  void countPlaintextAccepted() {
    plaintextAccepted.increment();
  }

  static String hex(int id) {
    return HexFormat.of().toHexDigits(id);
  }

  private Key installed(byte[] key) {
    Key k = key(key);
    Key installed = state.byId().get(k.id());
    if (installed == null || !MessageDigest.isEqual(installed.raw(), k.raw())) {
      throw new IllegalArgumentException("key " + hex(k.id()) + " is not installed");
    }
    return installed;
  }

  private static Key key(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "a key must be " + KEY_BYTES + " bytes (AES-256), got " + key.length);
    }
    byte[] raw = key.clone();
    return new Key(id(raw), new SecretKeySpec(raw, "AES"), raw);
  }

  private static int id(byte[] raw) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ID_DOMAIN);
      byte[] d = sha.digest(raw);
      return ((d[0] & 0xFF) << 24) | ((d[1] & 0xFF) << 16) | ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
