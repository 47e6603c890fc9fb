/**
 * A deterministic discrete-event simulator for libgossip clusters: many real {@link
 * io.libgossip.core.GossipCore}s in virtual time over a simulated network with loss, latency,
 * partitions, crashes, restarts and pauses.
 *
 * <p>{@link io.libgossip.sim.Simulation} is the programmatic API; {@link io.libgossip.sim.Scenario}
 * and {@link io.libgossip.sim.SimMain} are the {@code gossip sim} command. The measurements are
 * defined in {@code docs/simulator.md}.
 */
@NullMarked
package io.libgossip.sim;

import org.jspecify.annotations.NullMarked;
