package io.libgossip.memberlist;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Consumer;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * memberlist's encrypted payload: {@code [version:1][nonce:12][AES-GCM ciphertext + 16-byte tag]}.
 * Version 1 encrypts the message as is; version 0 (protocol version 1) first pads it PKCS#7 to a
 * multiple of 16 bytes. The additional authenticated data is supplied by the caller: the label for
 * packets, the stream header and label for streams.
 */
final class Crypto {
  static final int NONCE = 12;
  static final int TAG = 16;

  private Crypto() {}

  static int overhead(int version, int plainLen) {
    int pad = version == 0 ? 16 - (plainLen % 16) : 0;
    return 1 + NONCE + pad + TAG;
  }

  static byte[] encrypt(
      int version, WireBytes key, byte[] plain, byte[] aad, Consumer<byte[]> nonceSource) {
    byte[] msg = plain;
    if (version == 0) {
      int pad = 16 - (plain.length % 16);
      msg = Arrays.copyOf(plain, plain.length + pad);
      Arrays.fill(msg, plain.length, msg.length, (byte) pad);
    }
    byte[] nonce = new byte[NONCE];
    nonceSource.accept(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key.unsafeArray(), "AES"),
          new GCMParameterSpec(TAG * 8, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(msg);
      byte[] out = new byte[1 + NONCE + ct.length];
      out[0] = (byte) version;
      System.arraycopy(nonce, 0, out, 1, NONCE);
      System.arraycopy(ct, 0, out, 1 + NONCE, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  static byte[] decrypt(Keyring keyring, byte[] buf, int off, int len, byte[] aad)
      throws MemberlistDecodeException {
    if (len < 1) {
      throw new MemberlistDecodeException("cannot decrypt an empty payload");
    }
    int version = buf[off] & 0xff;
    if (version > 1) {
      throw new MemberlistDecodeException("unsupported encryption version " + version);
    }
    int min = 1 + NONCE + TAG + (version == 0 ? 16 : 0);
    if (len < min) {
      throw new MemberlistDecodeException("encrypted payload too short: " + len + " bytes");
    }
    for (WireBytes key : keyring.keys()) {
      try {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(
            Cipher.DECRYPT_MODE,
            new SecretKeySpec(key.unsafeArray(), "AES"),
            new GCMParameterSpec(TAG * 8, buf, off + 1, NONCE));
        c.updateAAD(aad);
        byte[] plain = c.doFinal(buf, off + 1 + NONCE, len - 1 - NONCE);
        if (version == 0) {
          int pad = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
          if (pad < 1 || pad > 16 || pad > plain.length) {
            throw new MemberlistDecodeException("bad padding in a version 0 payload");
          }
          return Arrays.copyOf(plain, plain.length - pad);
        }
        return plain;
      } catch (AEADBadTagException e) {
        // Try the next key.
      } catch (GeneralSecurityException e) {
        throw new MemberlistDecodeException("decryption failed: " + e.getMessage(), e);
      }
    }
    throw new MemberlistDecodeException("no key in the keyring decrypts the payload");
  }
}
