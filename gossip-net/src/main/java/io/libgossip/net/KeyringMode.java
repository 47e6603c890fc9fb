package io.libgossip.net;

import java.util.Locale;

/**
 * What a node with a {@link Keyring} sends and accepts: the three steps of the upgrade from a
 * plaintext cluster to an encrypted one without downtime (memberlist's {@code
 * GossipVerifyOutgoing}/{@code GossipVerifyIncoming}). Every node of a cluster moves one step at a
 * time, and the next step starts only when every node has taken the previous one:
 *
 * <pre>
 * (no keyring) -> SEND_PLAINTEXT -> SEND_SEALED -> REQUIRED
 * </pre>
 *
 * <p>A node in {@link #SEND_PLAINTEXT} or {@link #SEND_SEALED} accepts plaintext packets: it
 * protects nothing against an attacker on the network, it only lets the cluster change without a
 * pause. Only {@link #REQUIRED} refuses plaintext.
 */
public enum KeyringMode {
  /** Sends plaintext; accepts plaintext and sealed packets. The first step of an upgrade. */
  SEND_PLAINTEXT,
  /** Seals what it sends; still accepts plaintext packets. The second step of an upgrade. */
  SEND_SEALED,
  /** Seals what it sends and refuses plaintext packets. The default and the goal. */
  REQUIRED;

  /** The command-line spelling: {@code send-plaintext}, {@code send-sealed}, {@code required}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses {@link #spelling()} (case-insensitive; {@code _} for {@code -} is accepted).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static KeyringMode parse(String s) {
    for (KeyringMode m : values()) {
      if (m.spelling().equalsIgnoreCase(s.trim().replace('_', '-'))) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "keyring mode must be send-plaintext, send-sealed or required, got '" + s + "'");
  }
}
