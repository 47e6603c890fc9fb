/**
 * The runtime of libgossip: {@link io.libgossip.net.GossipNode}, which runs a {@link
 * io.libgossip.core.GossipCore} on one Netty event loop, its transports (UDP, TCP, hybrid) and
 * serializers (binary, JSON), and the byte-level packet pipeline ({@link
 * io.libgossip.net.PacketTransform}) between them.
 *
 * <p>Start with {@link io.libgossip.net.GossipNode#builder()}. Use {@link
 * io.libgossip.net.TransportFactory} and {@link io.libgossip.net.SerializerFactory} directly only
 * to drive a core yourself (tests, tools); the concrete transports are internal to this package and
 * reached through the {@link io.libgossip.net.Transport} interface.
 */
@NullMarked
package io.libgossip.net;

import org.jspecify.annotations.NullMarked;
