/**
 * Micrometer meters of a {@link io.libgossip.net.GossipNode}: bind {@link
 * io.libgossip.micrometer.GossipMetrics} to any {@code MeterRegistry}.
 */
@NullMarked
package io.libgossip.micrometer;

import org.jspecify.annotations.NullMarked;
