package io.libgossip.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals every packet with AES-256-GCM under a {@link Keyring}'s primary key, and opens sealed
 * packets with the key their id names. {@link GossipNode.Builder#keyring} adds it as the last
 * transform (the outermost on the wire); use it directly only with a pipeline of your own.
 *
 * <pre>
 *  0      1      2         6                  18                              n-16     n
 *  +------+------+---------+------------------+-------------------------------+--------+
 *  | 0xA7 | 0x01 | key id  | nonce            | AES-GCM ciphertext of         | tag    |
 *  | magic| ver. | 4 bytes | 12 bytes         | sent-at ms (8) + packet       | 16     |
 *  +------+------+---------+------------------+-------------------------------+--------+
 *  associated data: bytes 0..17 followed by the cluster label in UTF-8
 * </pre>
 *
 * <p>{@link #OVERHEAD} = 42 bytes per packet. The cluster label is authenticated but not sent: a
 * node of another cluster with the same key fails the tag check.
 *
 * <p><b>Nonces never repeat under one key.</b> A nonce is a 4-byte random prefix fixed for the life
 * of the transform followed by a 64-bit counter that starts at a random value and goes up by one
 * per packet. One transform never reuses a nonce (2^64 packets before the counter comes back
 * round); two transforms (nodes, restarts) sharing a key collide only if their random 96-bit ranges
 * overlap, a chance of about k^2 * n / 2^96 for k transforms sending n packets each — 2^-37 for ten
 * thousand node lives of four billion packets. A random nonce per packet would grow with the square
 * of all packets sent under the key instead.
 *
 * <p><b>Replay window.</b> The sender's wall-clock time is sealed into each packet; an authentic
 * packet whose time is more than the window away from the receiver's clock (in either direction) is
 * refused as {@link TransportDropReason#KEYRING_STALE}. A replay within the window is not refused
 * here; the core's claim rules make it change nothing.
 *
 * <p>Inbound, a packet that does not start with the magic byte is plaintext: accepted as it is in
 * modes {@link KeyringMode#SEND_PLAINTEXT} and {@link KeyringMode#SEND_SEALED}, refused in {@link
 * KeyringMode#REQUIRED}. Every refusal is a {@link TransformResult.Rejected} with a {@code
 * KEYRING_*} reason; {@link #decode} never throws.
 */
public final class KeyringTransform implements PacketTransform {
  /** The first byte of a sealed packet; neither binary ('L') nor JSON ('{') packets start so. */
  static final byte MAGIC = (byte) 0xA7;

  /** The version of the sealed format. */
  static final byte VERSION = 1;

  static final int HEADER = 2 + 4 + 12;
  static final int TIME = 8;
  static final int TAG = 16;

  /** Bytes added to every sealed packet: header 18, sent-at time 8, GCM tag 16. */
  public static final int OVERHEAD = HEADER + TIME + TAG;

  /** The replay window when none is given: 2 minutes. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(2);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> CIPHER =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("AES/GCM is missing from this JDK", e);
            }
          });

  private final Keyring keyring;
  private final byte[] label;
  private final long windowMillis;
  private final Clock clock;
  private final int noncePrefix;
  private final AtomicLong nonceCounter;

  /**
   * A transform for the cluster labelled {@code clusterLabel} (its cluster name) with the default
   * replay window and the system clock.
   */
  public KeyringTransform(Keyring keyring, String clusterLabel) {
    this(keyring, clusterLabel, DEFAULT_WINDOW, Clock.systemUTC());
  }

  /**
   * A transform for the cluster labelled {@code clusterLabel}.
   *
   * @param keyring the keys and mode, shared and changeable at runtime
   * @param clusterLabel authenticated with every packet; every member must use the same
   * @param window how far a packet's sealed time may be from {@code clock}, either way (at least 1
   *     second: clocks of a cluster differ, and packets take time)
   * @param clock the wall clock that stamps and checks packets
   * @throws IllegalArgumentException when the window is shorter than 1 second
   */
  public KeyringTransform(Keyring keyring, String clusterLabel, Duration window, Clock clock) {
    this.keyring = Objects.requireNonNull(keyring, "keyring");
    this.label =
        Objects.requireNonNull(clusterLabel, "clusterLabel").getBytes(StandardCharsets.UTF_8);
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("the replay window must be at least 1s, got " + window);
    }
    this.windowMillis = window.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.noncePrefix = RANDOM.nextInt();
    this.nonceCounter = new AtomicLong(RANDOM.nextLong());
  }

  @Override
  public String name() {
    return "keyring";
  }

  @Override
  public int overhead() {
    return OVERHEAD;
  }

  /** True in mode {@link KeyringMode#REQUIRED}: then every accepted packet was sealed. */
  @Override
  public boolean authenticates() {
    return keyring.mode() == KeyringMode.REQUIRED;
  }

  /** The keyring this transform seals with. */
  public Keyring keyring() {
    return keyring;
  }

  @Override
  public byte[] encode(byte[] packet) {
    if (keyring.mode() == KeyringMode.SEND_PLAINTEXT) {
      keyring.countPlaintextSent();
      return packet;
    }
    Keyring.Key key = keyring.primary();
    byte[] out = new byte[OVERHEAD + packet.length];
    out[0] = MAGIC;
    out[1] = VERSION;
    putInt(out, 2, key.id());
    putInt(out, 6, noncePrefix);
    putLong(out, 10, nonceCounter.getAndIncrement());
    byte[] time = new byte[TIME];
    putLong(time, 0, clock.millis());
    Cipher c = CIPHER.get();
    try {
      c.init(Cipher.ENCRYPT_MODE, key.spec(), new GCMParameterSpec(TAG * 8, out, 6, 12));
      c.updateAAD(out, 0, HEADER);
      c.updateAAD(label);
      int n = c.update(time, 0, TIME, out, HEADER);
      n += c.doFinal(packet, 0, packet.length, out, HEADER + n);
      if (n != TIME + packet.length + TAG) {
        throw new IllegalStateException("AES-GCM wrote " + n + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a packet: " + e, e);
    }
    keyring.countSealed();
    return out;
  }

  @Override
  public TransformResult decode(byte[] packet) {
    if (packet.length == 0 || packet[0] != MAGIC) {
      if (keyring.mode() == KeyringMode.REQUIRED) {
        return TransformResult.rejected(
            TransportDropReason.KEYRING_PLAINTEXT_REFUSED, "plaintext packet; a key is required");
      }
      keyring.countPlaintextAccepted();
      return TransformResult.accepted(packet);
    }
    if (packet.length < OVERHEAD) {
      return TransformResult.rejected(
          TransportDropReason.KEYRING_MALFORMED,
          "sealed packet of " + packet.length + " bytes, shorter than " + OVERHEAD);
    }
    if (packet[1] != VERSION) {
      return TransformResult.rejected(
          TransportDropReason.KEYRING_MALFORMED, "sealed version " + (packet[1] & 0xFF));
    }
    int id = getInt(packet, 2);
    Keyring.Key key = keyring.byId(id);
    if (key == null) {
      return TransformResult.rejected(
          TransportDropReason.KEYRING_UNKNOWN_KEY, "key id " + Keyring.hex(id) + " not installed");
    }
    byte[] plain = new byte[packet.length - HEADER - TAG];
    Cipher c = CIPHER.get();
    try {
      c.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG * 8, packet, 6, 12));
      c.updateAAD(packet, 0, HEADER);
      c.updateAAD(label);
      int n = c.doFinal(packet, HEADER, packet.length - HEADER, plain, 0);
      if (n != plain.length) {
        return TransformResult.rejected(
            TransportDropReason.KEYRING_MALFORMED, "opened " + n + " bytes of " + plain.length);
      }
    } catch (AEADBadTagException e) {
      return TransformResult.rejected(
          TransportDropReason.KEYRING_AUTH_FAILED,
          "authentication failed with key "
              + Keyring.hex(id)
              + " (forged, damaged or another"
              + " cluster label)");
    } catch (GeneralSecurityException | RuntimeException e) {
      return TransformResult.rejected(TransportDropReason.KEYRING_MALFORMED, "cannot open: " + e);
    }
    long sentAt = getLong(plain, 0);
    long skew = clock.millis() - sentAt;
    if (skew > windowMillis || skew < -windowMillis) {
      return TransformResult.rejected(
          TransportDropReason.KEYRING_STALE,
          "sealed "
              + skew
              + " ms "
              + (skew > 0 ? "ago" : "in the future")
              + ", outside the replay window of "
              + windowMillis
              + " ms (a replay, or clocks apart)");
    }
    keyring.countOpened();
    return TransformResult.accepted(Arrays.copyOfRange(plain, TIME, plain.length));
  }

  @Override
  public String toString() {
    return "KeyringTransform[" + keyring + ", window=" + windowMillis + "ms]";
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static void putLong(byte[] b, int at, long v) {
    putInt(b, at, (int) (v >>> 32));
    putInt(b, at + 4, (int) v);
  }

  private static int getInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24)
        | ((b[at + 1] & 0xFF) << 16)
        | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }

  private static long getLong(byte[] b, int at) {
    return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xFFFFFFFFL);
  }
}
