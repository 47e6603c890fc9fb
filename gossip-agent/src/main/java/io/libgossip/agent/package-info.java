/**
 * The libgossip agent, {@code ./gossip agent}: one {@link io.libgossip.net.GossipNode} in its own
 * process with an HTTP/JSON API, Prometheus metrics, a live dashboard and an event stream, so that
 * programs in any language can use a cluster through a thin client.
 */
@NullMarked
package io.libgossip.agent;

import org.jspecify.annotations.NullMarked;
