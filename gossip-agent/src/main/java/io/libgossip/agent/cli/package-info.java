/**
 * The operator command line ({@code ./gossip members}, {@code meta}, {@code join}, {@code leave},
 * {@code force-leave}, {@code event}, {@code query}, {@code monitor}, {@code keys}): each command
 * is one call to a running agent's HTTP API.
 */
@NullMarked
package io.libgossip.agent.cli;

import org.jspecify.annotations.NullMarked;
