/**
 * The runtime of libgossip: Netty transports (UDP, TCP, hybrid), serializers (binary, JSON) and
 * {@link io.libgossip.net.GossipNode}, which runs a {@link io.libgossip.core.GossipCore} on one
 * event loop.
 *
 * <p>Start with {@link io.libgossip.net.GossipNode#builder()}. Use {@link
 * io.libgossip.net.TransportFactory} and {@link io.libgossip.net.SerializerFactory} directly only
 * to drive a core yourself (the simulator's real-network mode, tests, tools).
 */
@NullMarked
package io.libgossip.net;

import org.jspecify.annotations.NullMarked;
