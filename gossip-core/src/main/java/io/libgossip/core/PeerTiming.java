package io.libgossip.core;

import java.time.Duration;

/**
 * What a node has measured of one peer from the timestamps of its probe acks (NTP-style): the
 * round-trip time and the offset of the peer's wall clock from this node's, with the error bound of
 * that offset.
 *
 * <p>The offset comes from the sample with the lowest round-trip time among the last 8 (NTP's clock
 * filter): its true value lies within {@code offset ± errorBound}, where the error bound is half
 * that sample's round-trip time, as of that sample ({@code age} ago; drift since is not accounted
 * for).
 *
 * @param rtt the smoothed round-trip time (exponentially weighted, 1/8 per sample)
 * @param minRtt the lowest round-trip time among the recent samples
 * @param offset the peer's wall clock minus this node's: positive when the peer is ahead
 * @param errorBound half the round-trip time of the sample the offset comes from
 * @param samples how many samples were taken in all
 * @param age the time since the last sample, by this node's monotonic clock
 */
public record PeerTiming(
    Duration rtt,
    Duration minRtt,
    Duration offset,
    Duration errorBound,
    long samples,
    Duration age) {}
