/**
 * Cluster utilities over a gossip membership: consistent hashing ({@link
 * io.libgossip.cluster.ConsistentHashing}), member pickers for load balancing ({@link
 * io.libgossip.cluster.MemberPickers}) and membership-derived leader election. They work on a
 * {@link io.libgossip.cluster.MemberSource}, a live member list with change notifications, which
 * {@link io.libgossip.cluster.MembershipTracker} builds from the {@link
 * io.libgossip.core.ClusterEvent}s of a {@code GossipNode} or a {@code GossipCore}.
 *
 * <p>Gossip membership is eventually consistent: two nodes whose views differ (during a join, a
 * failure or a partition) may compute different answers. Every class says what it guarantees. Rate
 * limiting is {@link io.libgossip.core.TokenBucket} in {@code gossip-core}.
 */
@NullMarked
package io.libgossip.cluster;

import org.jspecify.annotations.NullMarked;
