package io.libgossip.serf;

import io.libgossip.memberlist.Keyring;
import io.libgossip.memberlist.MemberlistDecodeException;
import io.libgossip.memberlist.SerfCodec;
import io.libgossip.memberlist.SerfMessage;
import io.libgossip.memberlist.WireBytes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Serf's internal key queries behind {@code serf keys}, applied to this node's keyring with
 * memberlist's rules: install adds a key (a no-op when present), use makes an installed key the
 * primary, remove drops a key other than the primary (a no-op when absent), list reports every key
 * and the primary. Each answer is Serf's key response; its messages are memberlist's.
 */
final class SerfKeyQueries {
  static final String INSTALL = "_serf_install-key";
  static final String USE = "_serf_use-key";
  static final String REMOVE = "_serf_remove-key";
  static final String LIST = "_serf_list-keys";

  private SerfKeyQueries() {}

  static boolean isKeyQuery(String name) {
    return name.equals(INSTALL) || name.equals(USE) || name.equals(REMOVE) || name.equals(LIST);
  }

  /** Applies the key query {@code name} with {@code payload}; returns the answer. */
  static SerfMessage.KeyResponse apply(
      String name, WireBytes payload, @Nullable SerfKeyringAccess access) {
    Keyring ring = access == null ? null : access.keyring();
    if (name.equals(LIST)) {
      if (ring == null) {
        return failure("Keyring is empty (encryption not enabled)");
      }
      List<String> keys = new ArrayList<>();
      for (WireBytes k : ring.keys()) {
        keys.add(base64(k));
      }
      return new SerfMessage.KeyResponse(true, "", keys, base64(ring.primary()));
    }
    byte[] key;
    try {
      // Serf decodes the payload after its first byte whatever that byte is.
      byte[] p = payload.toByteArray();
      if (p.length < 1) {
        return failure("Failed to decode key request: empty payload");
      }
      p[0] = 7;
      if (!(SerfCodec.decode(WireBytes.of(p)) instanceof SerfMessage.KeyRequest kr)) {
        return failure("Failed to decode key request");
      }
      key = kr.key().toByteArray();
    } catch (MemberlistDecodeException e) {
      return failure("Failed to decode key request: " + e.getMessage());
    }
    if (ring == null || access == null) {
      return failure("No keyring to modify (encryption not enabled)");
    }
    List<byte[]> keys = new ArrayList<>();
    for (WireBytes k : ring.keys()) {
      keys.add(k.toByteArray());
    }
    WireBytes wanted = WireBytes.of(key);
    int at = ring.keys().indexOf(wanted);
    switch (name) {
      case INSTALL -> {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
          return failure("key size must be 16, 24 or 32 bytes");
        }
        if (at >= 0) {
          return success();
        }
        keys.add(key);
      }
      case USE -> {
        if (at < 0) {
          return failure("requested key is not in the keyring");
        }
        if (at == 0) {
          return success();
        }
        keys.add(0, keys.remove(at));
      }
      case REMOVE -> {
        if (at == 0) {
          return failure("removing the primary key is not allowed");
        }
        if (at < 0) {
          return success();
        }
        keys.remove(at);
      }
      default -> throw new IllegalArgumentException("not a key query: " + name);
    }
    access.keyring(Keyring.of(keys.get(0), keys.subList(1, keys.size()).toArray(new byte[0][])));
    return success();
  }

  /**
   * The answer inside a query response of at most {@code limit} encoded bytes, dropping listed keys
   * from the end as Serf does (with a message saying so) until it fits.
   *
   * @return the query response, or null when even an empty list does not fit
   */
  static SerfMessage.@Nullable QueryResponse response(
      SerfMessage.KeyResponse resp, long ltime, long id, String from, int limit) {
    List<String> keys = resp.keys();
    for (int n = keys.size(); n >= 0; n--) {
      SerfMessage.KeyResponse r =
          n == keys.size()
              ? resp
              : new SerfMessage.KeyResponse(
                  resp.result(),
                  "truncated key list response, showing first "
                      + n
                      + " of "
                      + keys.size()
                      + " keys",
                  keys.subList(0, n),
                  resp.primaryKey());
      SerfMessage.QueryResponse q =
          new SerfMessage.QueryResponse(ltime, id, from, 0, SerfCodec.encode(r));
      if (SerfCodec.encode(q).length() <= limit) {
        return q;
      }
    }
    return null;
  }

  private static String base64(WireBytes key) {
    return Base64.getEncoder().encodeToString(key.toByteArray());
  }

  private static SerfMessage.KeyResponse success() {
    return new SerfMessage.KeyResponse(true, "", List.of(), "");
  }

  private static SerfMessage.KeyResponse failure(String message) {
    return new SerfMessage.KeyResponse(false, message, List.of(), "");
  }
}
