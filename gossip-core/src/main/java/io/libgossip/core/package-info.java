/**
 * The sans-IO SWIM membership core of libgossip: {@link io.libgossip.core.GossipCore} and the
 * values it exchanges with its runtime (messages, member views, events, configuration).
 *
 * <p>The core performs no I/O, reads no clock and starts no thread: the runtime passes time in,
 * delivers inbound messages and carries out the sends the core hands to its {@link
 * io.libgossip.core.Outbox}. Nothing in this package accepts or returns {@code null} unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.libgossip.core;

import org.jspecify.annotations.NullMarked;
