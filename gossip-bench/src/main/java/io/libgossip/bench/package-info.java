/**
 * The {@code gossip bench} command: JMH benchmarks of the serializers and the core, real-cluster
 * scale runs on loopback, and simulator sweeps with charts.
 */
@NullMarked
package io.libgossip.bench;

import org.jspecify.annotations.NullMarked;
