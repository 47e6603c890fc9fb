package io.libgossip.serf;

import io.libgossip.memberlist.Keyring;
import org.jspecify.annotations.Nullable;

/**
 * The encryption keys of this node's memberlist transport, read and replaced by Serf's key queries
 * ({@code serf keys -install/-use/-remove/-list}). The transport provides it.
 */
public interface SerfKeyringAccess {
  /**
   * The keys in use now.
   *
   * @return the keyring, or null when encryption is off
   */
  @Nullable Keyring keyring();

  /**
   * Replaces the keys: the primary encrypts from now on, all of them decrypt.
   *
   * @param keyring the new keys
   */
  void keyring(Keyring keyring);
}
