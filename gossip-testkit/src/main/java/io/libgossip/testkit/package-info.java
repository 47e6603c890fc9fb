/**
 * Test fixtures for code that drives a {@link io.libgossip.core.GossipCore}: a {@link
 * io.libgossip.testkit.RecordingOutbox} and a {@link io.libgossip.testkit.RecordingListener} that
 * keep everything a core sends and reports, and a {@link io.libgossip.testkit.CoreFixture} that
 * drives one core by hand on a fake clock, with claims and messages from imaginary peers; and a
 * {@link io.libgossip.testkit.ByteMutator} for seeded mutation fuzzing of decoders; and {@link
 * io.libgossip.testkit.TestCerts}, a CA and certificates made at test time with keytool.
 *
 * <p>Add it with test scope. Every fixture is built on gossip-core's public API only, so a test
 * that passes here passes against any runtime that honours that API; like foca's {@code
 * AccumulatingRuntime}, the recording outbox is the whole runtime a protocol test needs.
 *
 * <p>gossip-core's own tests cannot use this module: it depends on gossip-core, and Maven forbids
 * the cycle. The core therefore keeps package-private fixtures of its own in its test sources
 * (which may also reach package-private internals); this module is their public counterpart for the
 * simulator, the network runtime and users' code.
 *
 * <p>Not thread-safe: like the core itself, each fixture belongs to the thread that drives it.
 */
@NullMarked
package io.libgossip.testkit;

import org.jspecify.annotations.NullMarked;
