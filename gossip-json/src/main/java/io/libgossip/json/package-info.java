/**
 * The readable JSON wire format, {@link io.libgossip.json.JsonSerializer}, for debugging and
 * interop. With this module on the class path, {@code GossipNode.builder().serializer("json")} and
 * {@code SerializerFactory.create("json", ...)} in {@code gossip-net} find it by name; without it,
 * they fail with a message naming this module. It depends on Jackson; the binary format needs
 * neither.
 */
@NullMarked
package io.libgossip.json;

import org.jspecify.annotations.NullMarked;
