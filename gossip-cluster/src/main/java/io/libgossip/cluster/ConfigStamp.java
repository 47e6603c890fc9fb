package io.libgossip.cluster;

import java.util.Comparator;
import java.util.Objects;

/**
 * The hybrid logical clock stamp of a {@link ClusterConfig} write: the writer's physical time in
 * milliseconds (at least the largest stamp it had seen), a logical counter that orders writes
 * within one millisecond, and the writer's node id as the tie break. Stamps are totally ordered,
 * the same way on every node: a write with a larger stamp wins.
 *
 * @param wallMillis physical milliseconds since the epoch, as the writer's HLC gave them (not
 *     negative)
 * @param counter the logical counter within {@code wallMillis} (not negative)
 * @param writer the id of the node that made the write (1 to 255 bytes of UTF-8)
 */
public record ConfigStamp(long wallMillis, int counter, String writer)
    implements Comparable<ConfigStamp> {
  private static final Comparator<ConfigStamp> ORDER =
      Comparator.comparingLong(ConfigStamp::wallMillis)
          .thenComparingInt(ConfigStamp::counter)
          .thenComparing(ConfigStamp::writer);

  /** Checks the fields (see the parameters). */
  public ConfigStamp {
    Objects.requireNonNull(writer, "writer");
    if (wallMillis < 0) {
      throw new IllegalArgumentException("wallMillis must not be negative, got " + wallMillis);
    }
    if (counter < 0) {
      throw new IllegalArgumentException("counter must not be negative, got " + counter);
    }
    ConfigCodec.checkText(writer, "writer", ConfigCodec.MAX_WRITER_BYTES);
  }

  /** Orders by {@code wallMillis}, then {@code counter}, then {@code writer}. */
  @Override
  public int compareTo(ConfigStamp o) {
    return ORDER.compare(this, o);
  }

  /** Whether this stamp orders after {@code o}. */
  public boolean isAfter(ConfigStamp o) {
    return compareTo(o) > 0;
  }

  @Override
  public String toString() {
    return wallMillis + "." + counter + "@" + writer;
  }
}
