package io.libgossip.core;

/**
 * A range of binary wire format versions, {@code min} to {@code max} inclusive: the versions a node
 * reads and writes. Format version 3 carries the sender's range in every header, so that each node
 * learns what its peers speak (see {@link BinarySerializer}).
 *
 * <p>A node writes to a peer whose range it knows the highest version both speak, and to a peer
 * whose range it does not know (an older node, or one not heard from yet) its own {@code min}.
 * {@link GossipCore#clusterWireVersion()} is the highest version every live member speaks.
 *
 * @param min the oldest version, at least 1
 * @param max the newest version, at most 255 and at least {@code min}
 */
public record WireVersions(int min, int max) {

  /** The oldest version this build reads and writes: 2 (format v1 is no longer spoken). */
  public static final int OLDEST = 2;

  /**
   * The newest version a node speaks by default: 4, version 3 plus application messages (user
   * broadcasts, direct messages, queries and application state in push-pull). This build also
   * speaks {@link #TIMING} when configured to.
   */
  public static final int NEWEST = 4;

  /** Every version this build speaks, {@link #OLDEST} to {@link #NEWEST}: the default. */
  public static final WireVersions SUPPORTED = new WireVersions(OLDEST, NEWEST);

  /**
   * Version 5: version 4 plus the NTP-style timestamps (and network coordinates) on probe pings and
   * acks. This build reads and writes it, but a node speaks it only when configured to ({@link
   * GossipConfig#clockOffsets()} or an explicit range), so that by default the bytes on the wire
   * are those of version 4.
   */
  public static final int TIMING = 5;

  /** {@link #OLDEST} to {@link #TIMING}: the range of a node with clock offsets on. */
  public static final WireVersions WITH_TIMING = new WireVersions(OLDEST, TIMING);

  /**
   * Checks the range.
   *
   * @throws IllegalArgumentException when {@code min < 1}, {@code max > 255} or {@code min > max}
   */
  public WireVersions {
    if (min < 1 || max > 255 || min > max) {
      throw new IllegalArgumentException(
          "wire versions must satisfy 1 <= min <= max <= 255, got [" + min + ", " + max + "]");
    }
  }

  /** Whether {@code version} is in the range. */
  public boolean contains(int version) {
    return version >= min && version <= max;
  }

  /** The highest version in both ranges, or -1 when they do not overlap. */
  public int highestCommon(WireVersions other) {
    int v = Math.min(max, other.max);
    return v >= Math.max(min, other.min) ? v : -1;
  }

  @Override
  public String toString() {
    return "[" + min + ", " + max + "]";
  }
}
