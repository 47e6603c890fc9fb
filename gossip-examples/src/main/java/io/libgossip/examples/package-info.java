/**
 * Runnable examples of libgossip clusters on real sockets: a simple cluster, seed-based joining,
 * metadata and events, the network layer on its own, and the {@code gossip demo} and {@code gossip
 * node} commands.
 */
@NullMarked
package io.libgossip.examples;

import org.jspecify.annotations.NullMarked;
