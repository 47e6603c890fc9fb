package io.libgossip.core;

import org.jspecify.annotations.Nullable;

/**
 * The timestamps a probe ping and its ack carry when clock-offset estimation is on ({@link
 * GossipConfig#clockOffsets()}), as in NTP: wall-clock readings in nanoseconds since the Unix
 * epoch, each from the clock of the node that took it.
 *
 * <p>A ping carries only {@code origin} (its sender's clock when it sent the ping; the other fields
 * are 0 and no coordinate). An ack carries the ping's {@code origin} back unchanged, the
 * responder's clock when the ping arrived ({@code received}) and when the ack left ({@code sent}),
 * and, when network coordinates are on, the responder's {@link NetworkCoordinate}.
 *
 * @param origin the pinger's wall clock when it sent the ping
 * @param received the responder's wall clock when the ping arrived; 0 on a ping
 * @param sent the responder's wall clock when it sent the ack; 0 on a ping
 * @param coordinate the responder's network coordinate, on an ack only; null when not carried
 */
public record ProbeTiming(
    long origin, long received, long sent, @Nullable NetworkCoordinate coordinate) {

  /** The timing a ping carries: its sender's wall clock {@code origin}. */
  public static ProbeTiming ping(long origin) {
    return new ProbeTiming(origin, 0, 0, null);
  }

  /** Whether this is a ping's timing: the responder's fields are 0 and there is no coordinate. */
  boolean isPingTiming() {
    return received == 0 && sent == 0 && coordinate == null;
  }
}
